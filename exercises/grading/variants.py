"""A variant's numbers and reference solution, whatever its kind (through the registry)."""

from __future__ import annotations

from typing import Any

import graders

from ..models import Variant
from .registry import kind_of


def variant_spec(*, variant: Variant, seed: str = "") -> dict[str, Any]:
    """The network spec of a variant: for `seed` when given (a submission's own), else its current seed."""
    return kind_of(variant).spec(variant, seed or variant.seed)


def variant_solution(*, variant: Variant, seed: str = "") -> graders.Solution:
    """The grader's reference solution of a variant (cached by the grader)."""
    return graders.solve(variant_spec(variant=variant, seed=seed))
