"""The grading core stays pure: numpy, sympy and the standard library only."""

from __future__ import annotations

import ast
import pathlib
import sys

ALLOWED_THIRD_PARTY = {"numpy", "sympy", "latex2mathml"}
GRADERS = pathlib.Path(__file__).resolve().parents[2] / "graders"


def imported_top_level_modules(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_graders_imports_no_django_or_other_third_party_package():
    for path in GRADERS.glob("*.py"):
        foreign = imported_top_level_modules(path) - set(sys.stdlib_module_names) - {"graders"}
        assert foreign <= ALLOWED_THIRD_PARTY, (path.name, foreign)


def test_graders_never_evaluates_text_as_code():
    for path in GRADERS.glob("*.py"):
        calls = {node.func.id for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                 if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
        assert not calls & {"eval", "exec", "compile", "sympify", "parse_expr"}, path.name
