"""How the grading pipeline treats each kind of variant: where its numbers come from, which
policy grades it, and what happens in the same transaction once it is graded.

The pipeline knows only this registry. Practice is registered here; the courses room registers
homework from `ExercisesConfig.ready()`, so `grading/` never imports course code.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any, Protocol

import graders

from ..models import Variant
from .reveal import practice_record_report
from .specs import template_spec


class VariantKind(Protocol):
    """One kind of variant, as the grading pipeline sees it."""

    def spec(self, variant: Variant, seed: str) -> dict[str, Any]:
        """The network spec the variant has for a seed (a submission's own seed, or the variant's)."""

    def policy(self, variant: Variant) -> graders.Policy:
        """The grading policy of the variant."""

    def after_graded(self, submission_id: uuid.UUID, *, variant_id: uuid.UUID, report: dict[str, Any]) -> None:
        """Called inside the transaction that stores a graded result (penalties, final scores)."""

    def queue(self) -> str | None:
        """The Celery queue its grading tasks go to (None: the default queue)."""


_KINDS: dict[str, VariantKind] = {}


def register_kind(kind: str, handler: VariantKind) -> None:
    """Make `handler` grade variants of `kind` (registering again replaces it)."""
    _KINDS[kind] = handler


def kind_of(variant: Variant) -> VariantKind:
    """The handler of a variant's kind; KeyError names a kind nobody registered."""
    return _KINDS[variant.kind]


def grading_queue(kind: str) -> str | None:
    """The queue grading tasks of a kind of variant go to (None: the default queue)."""
    handler = _KINDS.get(kind)
    return handler.queue() if handler is not None else None


@dataclass(frozen=True)
class PracticeKind:
    """Practice: a built-in template and a seed, graded with the grader's defaults."""

    def spec(self, variant: Variant, seed: str) -> dict[str, Any]:
        return template_spec(template=variant.template, seed=seed)

    def policy(self, variant: Variant) -> graders.Policy:
        """The grader's defaults; an adaptive exercise grades only the parts it asks."""
        focus = variant.focus
        if isinstance(focus, str | bytes):  # a raw row (the PostgreSQL claim) holds the JSON text
            focus = json.loads(focus)
        asked = (focus or {}).get("parts")
        return graders.Policy(parts=tuple(asked)) if asked else graders.Policy()

    def after_graded(self, submission_id: uuid.UUID, *, variant_id: uuid.UUID, report: dict[str, Any]) -> None:
        """Record the verdicts in the variant's reveal state (exercises.grading.reveal)."""
        practice_record_report(variant_id=variant_id, report=report)

    def queue(self) -> str | None:
        return None
