"""What every misconception model shares: the diagnosis it names, the context it may read,
and how an answer is matched against the values a student holding it would give."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Iterable

from graders.graph import Graph, Rules
from graders.spec import Architecture
from graders.tolerance import Tolerance, within


@dataclass(frozen=True)
class Diagnosis:
    """A named misconception and its feedback in English and Chinese."""

    key: str
    message: dict[str, str]

    def to_dict(self) -> dict:
        """JSON-safe form."""
        return {"key": self.key, "message": dict(self.message)}


class MistakeContext:
    """What a misconception model may look at: the variant and the student's own values.

    `answers` holds the student's adopted answers (plausible values taken into their world),
    `typed` every answer that could be read;
    `memo` lets a model keep what it computed for one submission (e.g. a rounded world)."""

    def __init__(self, graph: Graph, givens: dict[str, float], reference: dict[str, float],
                 student_world: dict[str, float], full_values: Callable[[Rules], dict],
                 answers: dict[str, float] | None = None, typed: dict[str, float] | None = None) -> None:
        self.graph, self.givens, self.reference = graph, givens, reference
        self.student_world = student_world
        self.full_values = full_values
        self.answers: dict[str, float] = answers or {}
        self.typed: dict[str, float] = typed or {}  # every readable answer, implausible ones too
        self.memo: dict = {}


def distinct(candidate: float, expected: float, tolerance: Tolerance) -> bool:
    """A misconception's value can name a mistake only if it is not itself a right answer."""
    return math.isfinite(candidate) and not within(candidate, expected, tolerance)


class Mistake:
    """Base: a misconception with feedback; subclasses say which values it produces."""

    key: str = ""
    message: dict[str, str] = {}
    label: dict[str, str] = {"en": "incorrect", "zh": "错误"}  # a few words, for grouped notes
    in_degeneracy_check = True
    uses_static = True  # whether match() reads the grader's cached static candidates

    def applies(self, arch: Architecture) -> bool:
        """Whether this misconception can occur in the architecture."""
        return True

    def full_candidates(self, ctx: MistakeContext, key: str) -> Iterable[float]:
        """Values with the misconception held throughout, from the givens: vets variants."""
        return ()

    def static_candidates(self, ctx: MistakeContext, key: str) -> Iterable[float]:
        """Values that depend only on the variant (cached per variant by the grader)."""
        return self.full_candidates(ctx, key)

    def student_candidates(self, ctx: MistakeContext, key: str) -> Iterable[float]:
        """Values that depend on the student's own earlier answers."""
        return ()

    def diagnosis(self, ctx: MistakeContext | None = None, key: str = "") -> Diagnosis:
        """The feedback for this misconception (on this part, for models that name it)."""
        return Diagnosis(self.key, self.message)

    def match(self, ctx: MistakeContext, key: str, value: float, tolerance: Tolerance,
              static: Iterable[float], own_inputs: bool) -> Diagnosis | None:
        """The diagnosis if the answer is this misconception's value (`static`: the cached
        variant-only candidates that are wrong answers; `own_inputs`: the student's upstream
        numbers differ from the reference), else None."""
        expected = ctx.reference[key]
        if any(within(value, c, tolerance) for c in static) or (own_inputs and any(
            within(value, c, tolerance) and distinct(c, expected, tolerance)
            for c in self.student_candidates(ctx, key)
        )):
            return self.diagnosis(ctx, key)
        return None
