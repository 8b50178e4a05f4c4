"""Homework as the grading pipeline sees it (registered in ExercisesConfig.ready()): the
variant's question (its template and policy; a pool member once drawn), and the penalty and final score set in the same
transaction that stores the grade."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings

import graders

from ..models import Submission, Variant
from .config import final_score, hint_loss, question_policy, question_spec, submission_penalty
from .signals import homework_scores_changed
from .window import extension_due, submission_window


def homework_finalize(*, submission_id: uuid.UUID) -> None:
    """Set a just-graded homework submission's penalty and final score (in the grading transaction)."""
    submission = (
        Submission.objects.select_related("variant__assignment")
        .only("score", "report", "hints", "attempt_number", "late", "created_at", "user_id", "variant__assignment")
        .get(pk=submission_id)
    )
    assignment = submission.variant.assignment
    window = submission_window(
        assignment=assignment,
        extension_due=extension_due(assignment=assignment, student=submission.user_id),
    )
    penalty = submission_penalty(
        assignment=assignment, attempt_number=submission.attempt_number, late=submission.late,
        created_at=submission.created_at, due_at=window.due_at,
    )
    lost = hint_loss(assignment=assignment, report=submission.report, hints=submission.hints)
    Submission.objects.filter(pk=submission_id).update(
        penalty=penalty, hint_loss=lost, final_score=final_score(score=submission.score or 0.0, hint_loss=lost,
                                                                 penalty=penalty))
    homework_scores_changed.send(sender=Submission, assignment_id=assignment.pk, user_ids=[submission.user_id])


@dataclass(frozen=True)
class HomeworkKind:
    """Homework: the variant's question (maybe a custom template) and its policy; penalties once graded."""

    def spec(self, variant: Variant, seed: str) -> dict[str, Any]:
        return question_spec(question=variant.question, seed=seed)

    def policy(self, variant: Variant) -> graders.Policy:
        return question_policy(question=variant.question)

    def after_graded(self, submission_id: uuid.UUID, *, variant_id: uuid.UUID, report: dict[str, Any]) -> None:
        homework_finalize(submission_id=submission_id)

    def queue(self) -> str | None:
        # Its own queue, so that a flood of practice submissions never delays homework grading.
        return settings.BPCOURSE_HOMEWORK_QUEUE or None
