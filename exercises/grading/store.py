"""Storing a queued submission: answers are read synchronously, unreadable ones store nothing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

import graders

from ..models import Submission, Variant
from ..rows import insert
from .enqueue import enqueue_grading_on_commit
from .registry import grading_queue
from .variants import variant_solution


class SubmissionFormatError(Exception):
    """Answers that cannot be read; nothing was stored and no attempt was counted."""

    def __init__(self, errors: Mapping[str, tuple[str, dict[str, Any]]]) -> None:
        self.errors: dict[str, tuple[str, dict[str, Any]]] = dict(errors)
        super().__init__(self.errors)

    def messages(self, language: str | None = None) -> dict[str, str]:
        """One student-facing message per part key, in the language (default: the active one)."""
        language = language or get_language() or "en"
        return {
            key: graders.messages.answer_error_message(code, params, language)
            for key, (code, params) in self.errors.items()
        }


def answers_clean(*, variant: Variant, answers: Any) -> dict[str, str]:
    """Keep the variant's part keys with readable texts.

    Unknown keys and blanks are dropped; unreadable answers raise SubmissionFormatError; no
    answer at all raises ValidationError.
    """
    if not isinstance(answers, Mapping):
        raise ValidationError(_("Answers must be an object of part keys to texts."), code="invalid")
    solution = variant_solution(variant=variant)
    part_keys = [part.key for part in solution.parts]
    known = set(part_keys)
    max_chars = settings.BPCOURSE_MAX_ANSWER_CHARS
    kept: dict[str, str] = {}
    errors: dict[str, tuple[str, dict[str, Any]]] = {}
    for key in part_keys:  # teaching order; unknown keys are dropped
        if key not in answers:
            continue
        text = answers[key]
        if text is None:
            continue
        if not isinstance(text, str):
            errors[key] = ("syntax", {})
            continue
        if not text.strip():
            continue
        if len(text) > max_chars:
            errors[key] = ("too_long", {"max": max_chars})
            continue
        try:
            graders.parse_answer(text, names=solution.givens, forbidden=known)
        except graders.AnswerError as err:
            errors[key] = (err.code, dict(err.params))
            continue
        kept[key] = text
    if errors:
        raise SubmissionFormatError(errors)
    if not kept:
        raise ValidationError(_("Answer at least one part before submitting."), code="empty")
    return kept


def submission_store(
    *,
    variant: Variant,
    answers: Mapping[str, str],
    user: AbstractBaseUser | None = None,
    session_key: str = "",
    seed: str = "",
    late: bool = False,
) -> Submission:
    """Store cleaned answers as a queued submission and enqueue its grading after commit."""
    if user is not None and not user.is_authenticated:
        user = None
    now = timezone.now()
    submission = Submission(
        variant=variant,
        user=user,
        session_key="" if user is not None else (session_key or ""),
        answers=dict(answers),
        status=Submission.Status.QUEUED,
        created_at=now,
        enqueued_at=now,
        enqueue_count=1,
        seed=seed,
        late=late,
        numbers_id=variant.numbers_id,
        hints=dict(variant.hints_used or {}),
    )
    # One INSERT is atomic by itself (no BEGIN/COMMIT round trips); called inside a caller's
    # transaction, the enqueue still waits for that transaction's commit. Written by hand: every
    # submit makes one (exercises.rows).
    insert(submission)
    enqueue_grading_on_commit(str(submission.id), queue=grading_queue(variant.kind))
    return submission
