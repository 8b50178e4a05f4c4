"""Homework writes: a student's variant of each question (the pool member drawn, new numbers
for it), and submitting answers to one question. See docs/homework.md."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import graders

from ...grading.hints import hint_next, hint_part_check
from ...grading.numbers import numbers_freeze
from ...grading.store import answers_clean, submission_store
from ...models import Assignment, FrozenSpec, HomeworkDraft, Membership, Question, Submission, Variant
from ..config import pool_draw, question_parts, question_spec, template_label, variant_seed
from ..permissions import can_grade, require, role_in, signed_in
from ..selectors.homework import homework_state
from ..selectors.questions import question_slot
from ..window import CLOSED, LATE, NOT_OPEN, attempts_allowed, extension_due, student_extension, submission_window

Role = Membership.Role


def _rate_limit() -> tuple[int, int]:
    """(submissions, seconds) a student may make in homework."""
    return (
        int(getattr(settings, "BPCOURSE_HOMEWORK_SUBMISSIONS_PER_WINDOW", 10)),
        int(getattr(settings, "BPCOURSE_HOMEWORK_RATE_WINDOW_SECONDS", 60)),
    )


def _usable_seed(question: Question, user_id: int, reseed: int, position: int) -> tuple[str, int, FrozenSpec]:
    """The first seed from `reseed` on whose network the grader accepts (a few tries), and its numbers."""
    for step in range(10):
        seed = variant_seed(assignment=question.assignment, user_id=user_id, reseed=reseed + step, position=position)
        try:
            spec = question_spec(question=question, seed=seed)
        except graders.NoUsableVariant:
            continue
        return seed, reseed + step, numbers_freeze(spec=spec)
    raise ValidationError(_("No usable numbers could be drawn for this assignment; tell the course staff."),
                          code="no_usable_variant")


def _require_published(assignment: Assignment) -> None:
    """A draft (or an assignment not published yet) takes no work from students."""
    if not assignment.is_published():
        raise ValidationError(_("This assignment is not open yet."), code="not_open")


def _require_student(assignment: Assignment, student: Any) -> None:
    if not signed_in(student) or role_in(course=assignment.course, user=student) != Role.STUDENT:
        raise PermissionDenied(_("Only the course's students have homework variants."))


def homework_variant(*, assignment: Assignment, student: Any, position: int = 1) -> Variant:
    """The student's variant of the question at `position` (created on first visit; the same ever
    after). At a pool's position the member is drawn from the student and the position
    (exercises.courses.config.pool_draw) and kept on the variant: later pool edits never change it."""
    _require_student(assignment, student)
    _require_published(assignment)
    variant = Variant.objects.filter(assignment=assignment, owner=student, position=position).first()
    if variant is not None:
        return variant
    slot = question_slot(assignment=assignment, position=position)
    if slot is None:
        raise ValidationError(_("This assignment has no question %(position)d.") % {"position": position},
                              code="no_question")
    question = slot.members[pool_draw(assignment=assignment, user_id=student.pk, position=position,
                                      size=len(slot.members))]
    question.assignment = assignment
    seed, reseed, numbers = _usable_seed(question, student.pk, 0, position)
    try:
        with transaction.atomic():
            return Variant.objects.create(
                template=template_label(question), seed=seed, owner=student, kind=Variant.Kind.HOMEWORK,
                assignment=assignment, question=question, position=position, reseed=reseed, numbers=numbers,
                generator_version=graders.GENERATOR_VERSION,
            )
    except IntegrityError:  # created by a concurrent request
        return Variant.objects.get(assignment=assignment, owner=student, position=position)


def homework_reseed(*, assignment: Assignment, student: Any, actor: Any, position: int = 1) -> Variant:
    """Give one student new numbers for the question at `position` (staff only); the pool member
    drawn stays, and earlier submissions keep the numbers they were answered on."""
    require(can_grade(course=assignment.course, user=actor))
    if role_in(course=assignment.course, user=student) != Role.STUDENT:
        raise ValidationError(_("This person is not a student of the course."), code="not_student")
    variant = homework_variant(assignment=assignment, student=student, position=position)
    with transaction.atomic():
        variant = Variant.objects.select_for_update(of=("self",)).select_related("question").get(pk=variant.pk)
        variant.question.assignment = assignment
        seed, reseed, numbers = _usable_seed(variant.question, student.pk, variant.reseed + 1, position)
        variant.seed, variant.reseed, variant.numbers = seed, reseed, numbers
        variant.generator_version = graders.GENERATOR_VERSION
        variant.save(update_fields=["seed", "reseed", "numbers", "generator_version"])
    return variant


# ------------------------------------------------------------------------------- submissions


def homework_submit(*, assignment: Assignment, student: Any, answers: Mapping[str, Any], position: int = 1) -> Submission:
    """Check window, attempts and rate limit, store the answers to the question at `position` as
    queued, enqueue their grading. Attempts are counted per question."""
    # By the server clock: the student is in the course, the assignment is open (or late
    # submissions are allowed), attempts are left, and the per-student rate limit holds.
    # Unreadable answers raise SubmissionFormatError: nothing is stored and no attempt is used.
    if not signed_in(student) or role_in(course=assignment.course, user=student) != Role.STUDENT:
        raise PermissionDenied(_("Only the course's students can submit homework."))
    _require_published(assignment)
    now = timezone.now()
    due, extra = student_extension(assignment=assignment, student=student)
    window = submission_window(assignment=assignment, extension_due=due, now=now)
    if window.status == NOT_OPEN:
        raise ValidationError(_("This assignment is not open yet."), code="not_open")
    if window.status == CLOSED:
        raise ValidationError(_("The deadline has passed; submissions are no longer accepted."), code="closed")
    variant = homework_variant(assignment=assignment, student=student, position=position)
    asked = {p.key for p in question_parts(question=variant.question)}
    if isinstance(answers, Mapping):
        answers = {k: v for k, v in answers.items() if k in asked}
    limit, seconds = _rate_limit()
    with transaction.atomic():
        # The row lock serialises one student's submits, so attempts cannot be overspent.
        variant = Variant.objects.select_for_update().get(pk=variant.pk)
        allowed = attempts_allowed(assignment, extra)  # an extension may add attempts
        if allowed:
            used = Submission.objects.filter(variant=variant).exclude(status=Submission.Status.ERROR).count()
            if used >= allowed:
                raise ValidationError(_("You have used all your attempts."), code="no_attempts_left")
        recent = Submission.objects.filter(
            user=student, variant__kind=Variant.Kind.HOMEWORK, created_at__gte=now - timedelta(seconds=seconds)
        ).count()
        if recent >= limit:
            raise ValidationError(
                _("Too many submissions: at most %(limit)d in %(seconds)d seconds. Please wait a moment."),
                code="rate_limited",
                params={"limit": limit, "seconds": seconds},
            )
        kept = answers_clean(variant=variant, answers=answers)
        return submission_store(
            variant=variant, answers=kept, user=student, seed=variant.seed, late=window.status == LATE
        )


# ------------------------------------------------------------------------------------- drafts


def homework_draft_save(
    *, assignment: Assignment, student: Any, answers: Mapping[str, Any], position: int = 1
) -> HomeworkDraft:
    """"Save": keep the student's typed answers on the server, unparsed; no attempt is used.

    Allowed while the student could submit (open or late, attempts left). Only the assignment's
    parts are kept, each cut to BPCOURSE_MAX_ANSWER_CHARS; an empty sheet removes nothing but
    is stored as empty (the saved time still says when).
    """
    if not signed_in(student) or role_in(course=assignment.course, user=student) != Role.STUDENT:
        raise PermissionDenied(_("Only the course's students can save homework answers."))
    _require_published(assignment)
    window = submission_window(
        assignment=assignment, extension_due=extension_due(assignment=assignment, student=student), now=timezone.now()
    )
    if window.status == NOT_OPEN:
        raise ValidationError(_("This assignment is not open yet."), code="not_open")
    if window.status == CLOSED:
        raise ValidationError(_("The deadline has passed; submissions are no longer accepted."), code="closed")
    variant = homework_variant(assignment=assignment, student=student, position=position)
    asked = [p.key for p in question_parts(question=variant.question)]
    limit = int(settings.BPCOURSE_MAX_ANSWER_CHARS)
    kept = {}
    for key in asked:
        text = answers.get(key) if isinstance(answers, Mapping) else None
        if isinstance(text, str) and text != "":
            kept[key] = text[:limit]
    draft, _created = HomeworkDraft.objects.update_or_create(
        variant=variant, defaults={"answers": kept, "saved_at": timezone.now()}
    )
    return draft


# -------------------------------------------------------------------------------------- hints


def homework_hint(*, assignment: Assignment, student: Any, part_key: Any, position: int = 1) -> tuple[Variant, int]:
    """Show the next hint level (1–3) of one asked part of the question at `position` to the
    student: (their variant, the level).

    Only while the student could submit (open or late, attempts left) and the assignment does not
    show them the answers yet; the hint's cost (hint_penalty_1…3) applies to the submissions they
    make after asking (each submission keeps the hints used when it was made)."""
    if not signed_in(student) or role_in(course=assignment.course, user=student) != Role.STUDENT:
        raise PermissionDenied(_("Only the course's students ask for homework hints."))
    state = homework_state(assignment=assignment, student=student, position=position)
    if not state.can_submit:
        raise ValidationError(_("Hints are given only while you can still submit."), code="closed")
    if state.reveal_expected:
        raise ValidationError(_("The answers are shown already: hints are no longer given."), code="revealed")
    variant = state.variant or homework_variant(assignment=assignment, student=student, position=position)
    asked = [p.key for p in question_parts(question=variant.question)]
    part_key = hint_part_check(variant=variant, part_key=part_key, asked=asked)
    return variant, hint_next(variant=variant, part_key=part_key)
