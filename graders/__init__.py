"""bpcourse's grading core: reference backpropagation, safe parsing, follow-through, diagnosis.

Grading needs numpy only: `import graders` does not import sympy (about 280 ms and tens of MB).
Worked solutions (`graders.worked`, built with sympy) load on first use of
`graders.worked_solution` / `graders.WorkedSolution`, or when `graders.worked` is imported.
"""

from __future__ import annotations

import importlib
from typing import Any

from graders.graph import STEPS, PartInfo
from graders.grading import Policy, Report, grade
from graders.parsing import AnswerError, parse_answer
from graders.solve import Solution, solve, train
from graders.spec import Spec, SpecError, parse_spec
from graders.tolerance import DEFAULT_TOLERANCE, Tolerance, within
from graders.variants import (
    GENERATOR_VERSION, TEMPLATES, BudgetExhausted, DrawBudget, NoUsableVariant, Template, UnknownTemplate,
    generate, template_from_dict,
)

_WORKED_NAMES = frozenset({"WorkedSolution", "worked_solution"})


def __getattr__(name: str) -> Any:
    """`graders.worked_solution` and `graders.WorkedSolution`, importing sympy only when asked."""
    if name in _WORKED_NAMES:
        value = getattr(importlib.import_module("graders.worked"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'graders' has no attribute {name!r}")


__all__ = [
    "AnswerError", "DEFAULT_TOLERANCE", "GENERATOR_VERSION", "PartInfo", "Policy", "Report", "STEPS", "Solution",
    "Spec", "SpecError", "TEMPLATES", "Template", "Tolerance", "UnknownTemplate", "generate",
    "grade", "parse_answer", "parse_spec", "solve", "train", "within", "NoUsableVariant",
    "template_from_dict", "WorkedSolution", "worked_solution", "BudgetExhausted", "DrawBudget",
]
