"""A variant's numbers and reference solution, whatever its kind: the frozen numbers it was
given; only rows from before numbers were frozen fall back to regenerating (through the registry)."""

from __future__ import annotations

from typing import Any

import graders

from ..models import Submission, Variant
from .numbers import numbers_spec
from .registry import kind_of


def variant_spec(*, variant: Variant, seed: str = "") -> dict[str, Any]:
    """The numbers of a variant: its frozen ones (for its own seed), else generated for the seed."""
    if variant.numbers_id is not None and (not seed or seed == variant.seed):
        return numbers_spec(numbers_id=variant.numbers_id)
    return kind_of(variant).spec(variant, seed or variant.seed)


def submission_spec(*, submission: Submission) -> dict[str, Any]:
    """The numbers a submission was answered against (kept even when its variant is re-seeded)."""
    if submission.numbers_id is not None:
        return numbers_spec(numbers_id=submission.numbers_id)
    return variant_spec(variant=submission.variant, seed=submission.seed)


def variant_solution(*, variant: Variant, seed: str = "") -> graders.Solution:
    """The grader's reference solution of a variant (cached by the grader)."""
    return graders.solve(variant_spec(variant=variant, seed=seed))
