"""Grading runs without sympy: `import graders` and grading leave it unloaded; worked solutions load it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_python(code: str) -> str:
    """Run code in a fresh interpreter (sys.modules starts empty) and return what it prints."""
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=True)
    return done.stdout.strip()


def test_importing_graders_and_grading_a_submission_does_not_import_sympy():
    out = run_python("""
        import sys
        import graders
        spec = graders.generate("article-random", "light")
        values = graders.solve(spec).values
        report = graders.grade(spec, {"w1_new": repr(values["w1_new"]), "dE_dw5": "1.5"}, graders.Policy())
        print(report.to_dict()["parts"]["w1_new"]["status"], "sympy" in sys.modules)
    """)
    assert out == "correct False"


def test_the_worked_solution_is_still_reached_through_graders_and_loads_sympy_then():
    out = run_python("""
        import sys
        import graders
        before = "sympy" in sys.modules
        from graders import worked_solution
        worked = worked_solution(graders.generate("article", ""))
        print(before, "sympy" in sys.modules, type(worked) is graders.WorkedSolution)
    """)
    assert out == "False True True"


def test_an_unknown_name_of_graders_is_still_an_attribute_error():
    out = run_python("""
        import graders
        try:
            graders.no_such_name
        except AttributeError as err:
            print("AttributeError", "no_such_name" in str(err))
    """)
    assert out == "AttributeError True"


def test_the_command_line_grades_without_sympy():
    out = run_python("""
        import io, json, sys
        from graders.__main__ import main
        print("sympy" in sys.modules)
    """)
    assert out == "False"

