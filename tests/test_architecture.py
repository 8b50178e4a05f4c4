"""The project's shape: imports run one way between the rooms of `exercises/`, no module imports
another in a circle (function-level imports included), and modules stay short enough to read."""

from __future__ import annotations

import ast
import pathlib
from collections.abc import Iterator
from dataclasses import dataclass

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGES = ("exercises", "bpcourse", "graders")
MAX_LINES = 500
LONG_FILE_MARK = "# Over 500 lines:"

# room → rooms it must never import (directly or through any chain of module-level imports)
FORBIDDEN = {
    "exercises.models": ("exercises.grading", "exercises.practice", "exercises.courses", "exercises.api",
                         "exercises.web", "exercises.accounts", "exercises.lti"),
    "exercises.grading": ("exercises.practice", "exercises.courses", "exercises.api", "exercises.web",
                          "exercises.accounts", "exercises.lti"),
    "exercises.web": ("exercises.practice", "exercises.courses", "exercises.api", "exercises.accounts", "exercises.lti"),
    "exercises.practice": ("exercises.courses", "exercises.api", "exercises.lti"),
    "exercises.accounts": ("exercises.practice", "exercises.courses", "exercises.api", "exercises.lti"),
    "exercises.courses": ("exercises.api", "exercises.lti"),
    "exercises.lti": ("exercises.api", "exercises.practice"),
    "graders": ("exercises", "bpcourse"),
}


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int
    in_function: bool


def module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_files() -> Iterator[pathlib.Path]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


MODULES = {module_name(path): path for path in project_files()}


def resolve(source: str, is_package: bool, level: int, module: str | None) -> str:
    if level == 0:
        return module or ""
    base = source.split(".") if is_package else source.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def nearest_module(name: str) -> str | None:
    """The project module a dotted name refers to (a name inside a module counts as the module)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def function_nodes(tree: ast.AST) -> set[int]:
    """ids of the import nodes that sit inside a function body."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            inside |= {id(child) for child in ast.walk(node) if isinstance(child, ast.Import | ast.ImportFrom)}
    return inside


def edges_of(source: str) -> list[Edge]:
    path = MODULES[source]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    in_function = function_nodes(tree)
    is_package = path.name == "__init__.py"
    edges = []
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = resolve(source, is_package, node.level, node.module)
            targets = [f"{base}.{alias.name}" for alias in node.names]
        for target in targets:
            found = nearest_module(target)
            if found is not None and found != source:
                edges.append(Edge(source, found, node.lineno, id(node) in in_function))
    return edges


EDGES = [edge for source in MODULES for edge in edges_of(source)]


def is_celery_idiom(edge: Edge) -> bool:
    """A service may import its Celery tasks module inside a function (tasks import the services)."""
    return edge.in_function and edge.target.endswith(".tasks")


def is_app_ready(edge: Edge) -> bool:
    """AppConfig.ready() wires the rooms together once the models are loaded (Django's idiom)."""
    return edge.in_function and edge.source == "exercises.apps"


def graph(include_functions: bool = True) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {name: set() for name in MODULES}
    for edge in EDGES:
        if is_celery_idiom(edge) or (edge.in_function and not include_functions):
            continue
        out[edge.source].add(edge.target)
    return out


def cycles(adjacency: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(adjacency[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(adjacency):
        if node not in index:
            visit(node)
    return found


def reachable(adjacency: dict[str, set[str]], start: str) -> dict[str, str]:
    """Every module reachable from `start`, with the module it was reached from."""
    seen: dict[str, str] = {start: ""}
    todo = [start]
    while todo:
        node = todo.pop()
        for nxt in sorted(adjacency[node]):
            if nxt not in seen:
                seen[nxt] = node
                todo.append(nxt)
    return seen


def in_room(module: str, room: str) -> bool:
    return module == room or module.startswith(room + ".")


def test_the_import_graph_sees_the_rooms():
    """Guards the guard: the parser finds the imports it is meant to judge."""
    adjacency = graph()
    assert "exercises.grading.pipeline" in adjacency["exercises.grading.tasks"]
    assert "exercises.models" in adjacency["exercises.grading.pipeline"]
    assert "exercises.courses.grading" in adjacency["exercises.apps"]
    assert any(is_celery_idiom(edge) for edge in EDGES)


def test_no_module_imports_another_in_a_circle_even_inside_functions():
    assert cycles(graph()) == []


def test_a_cycle_would_be_found():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_function_level_imports_are_only_the_celery_and_app_ready_idioms():
    odd = [f"{e.source}:{e.line} imports {e.target}" for e in EDGES
           if e.in_function and not is_celery_idiom(e) and not is_app_ready(e)]
    assert odd == []


def test_rooms_import_one_way():
    adjacency = graph()
    wrong = []
    for room, forbidden in FORBIDDEN.items():
        for source in [m for m in MODULES if in_room(m, room)]:
            seen = reachable(adjacency, source)
            for target in seen:
                if any(in_room(target, other) for other in forbidden):
                    chain = [target]
                    while seen[chain[-1]]:
                        chain.append(seen[chain[-1]])
                    wrong.append(" → ".join(reversed(chain)))
    assert wrong == []


def test_no_python_file_of_the_app_is_over_500_lines_without_saying_why():
    long = []
    for path in (ROOT / "exercises").rglob("*.py"):
        lines = path.read_text(encoding="utf-8").splitlines()
        if len(lines) > MAX_LINES and "migrations" not in path.parts and not lines[0].startswith(LONG_FILE_MARK):
            long.append(f"{path.relative_to(ROOT)}: {len(lines)}")
    assert long == []
