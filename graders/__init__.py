"""bpcourse's grading core: reference backpropagation, safe parsing, follow-through, diagnosis."""

from graders.graph import STEPS, PartInfo
from graders.grading import Policy, Report, grade
from graders.parsing import AnswerError, parse_answer
from graders.solve import Solution, solve, train
from graders.spec import Spec, SpecError, parse_spec
from graders.tolerance import DEFAULT_TOLERANCE, Tolerance, within
from graders.worked import WorkedSolution, worked_solution
from graders.variants import (
    GENERATOR_VERSION, TEMPLATES, BudgetExhausted, DrawBudget, NoUsableVariant, Template, UnknownTemplate,
    generate, template_from_dict,
)

__all__ = [
    "AnswerError", "DEFAULT_TOLERANCE", "GENERATOR_VERSION", "PartInfo", "Policy", "Report", "STEPS", "Solution",
    "Spec", "SpecError", "TEMPLATES", "Template", "Tolerance", "UnknownTemplate", "generate",
    "grade", "parse_answer", "parse_spec", "solve", "train", "within", "NoUsableVariant",
    "template_from_dict", "WorkedSolution", "worked_solution", "BudgetExhausted", "DrawBudget",
]
