"""A problem set's questions (instructors): add a question or a network to a question's pool,
change one, remove one, move a question up or down. Their settings are validated by
`assignments.question_clean`, with the same locks as the assignment's own."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ...models import Assignment, Question, Submission, Variant
from ..permissions import can_manage, require
from .assignments import max_members, max_questions, question_checks, question_clean, question_settings


def question_add(*, assignment: Assignment, actor: Any, data: Mapping[str, Any],
                 pool_of: int | None = None) -> Question:
    """A new question at the end of the assignment, or (`pool_of`: a position) a new network in
    the pool at that position (instructors only; capped by BPCOURSE_MAX_QUESTIONS and
    BPCOURSE_MAX_POOL_MEMBERS). Students who already have a variant there keep theirs."""
    require(can_manage(course=assignment.course, user=actor))
    clean = question_clean(data=data)
    with transaction.atomic():
        Assignment.objects.select_for_update().filter(pk=assignment.pk).first()  # one writer at a time
        taken = list(Question.objects.filter(assignment=assignment).values_list("position", "member"))
        positions = sorted({p for p, _m in taken})
        if pool_of is None:
            if len(positions) >= max_questions():
                raise ValidationError(_("An assignment holds at most %(limit)d questions.")
                                      % {"limit": max_questions()}, code="too_many_questions")
            position, member = (positions[-1] + 1 if positions else 1), 1
        else:
            members = [m for p, m in taken if p == pool_of]
            if not members:
                raise ValidationError(_("This assignment has no question %(position)d.") % {"position": pool_of},
                                      code="no_question")
            if len(members) >= max_members():
                raise ValidationError(_("A pool holds at most %(limit)d networks.") % {"limit": max_members()},
                                      code="too_many_members")
            position, member = pool_of, max(members) + 1
        question = Question.objects.create(assignment=assignment, position=position, member=member, **clean)
        Assignment.objects.filter(pk=assignment.pk).update(updated_at=timezone.now())
    return question


def question_update(*, question: Question, actor: Any, data: Mapping[str, Any]) -> Question:
    """Change one question's settings (instructors only; the same locks as `assignment_update`)."""
    require(can_manage(course=question.assignment.course, user=actor))
    clean = question_clean(data=data, base=question_settings(question))
    question_checks(question, clean)
    for name, value in clean.items():
        setattr(question, name, value)
    question.save()
    return question


def question_remove(*, question: Question, actor: Any) -> None:
    """Remove a question or one pool member (instructors only): not once students answered it,
    and not the assignment's last question. The later positions move up by one."""
    assignment = question.assignment
    require(can_manage(course=assignment.course, user=actor))
    if Submission.objects.filter(variant__question=question).exists():
        raise ValidationError(_("Students have already answered this question; it can no longer be removed."),
                              code="locked")
    with transaction.atomic():
        siblings = Question.objects.filter(assignment=assignment, position=question.position).exclude(pk=question.pk)
        if not siblings.exists() and Question.objects.filter(assignment=assignment).count() <= 1:
            raise ValidationError(_("An assignment needs at least one question."), code="last_question")
        question.delete()  # its variants go with it; a student without one draws anew
        if siblings.exists():
            for number, member in enumerate(siblings.order_by("member"), start=1):
                Question.objects.filter(pk=member.pk).update(member=number)
        else:
            later = Question.objects.filter(assignment=assignment, position__gt=question.position)
            for row in later.order_by("position", "member"):
                Question.objects.filter(pk=row.pk).update(position=row.position - 1)
            for position in sorted(set(Variant.objects.filter(assignment=assignment, position__gt=question.position)
                                       .values_list("position", flat=True))):
                Variant.objects.filter(assignment=assignment, position=position).update(position=position - 1)
        Assignment.objects.filter(pk=assignment.pk).update(updated_at=timezone.now())


def question_move(*, assignment: Assignment, actor: Any, position: int, offset: int) -> None:
    """Swap the question at `position` with the one `offset` (−1 up, +1 down) away (instructors
    only; only before any student has submitted, since scores and overrides are kept by position)."""
    require(can_manage(course=assignment.course, user=actor))
    if offset not in (-1, 1):
        raise ValidationError(_("A question moves one place up or down."), code="invalid")
    other = position + offset
    positions = set(Question.objects.filter(assignment=assignment).values_list("position", flat=True))
    if position not in positions or other not in positions:
        raise ValidationError(_("There is no question to swap places with."), code="no_question")
    if Submission.objects.filter(variant__assignment=assignment).exists():
        raise ValidationError(_("Students have already submitted answers; the questions can no longer be reordered."),
                              code="locked")
    with transaction.atomic():
        # Through a free position (0 is never used), as (assignment, position, member) is unique.
        for model in (Question, Variant):
            model.objects.filter(assignment=assignment, position=position).update(position=0)
            model.objects.filter(assignment=assignment, position=other).update(position=position)
            model.objects.filter(assignment=assignment, position=0).update(position=other)
        Assignment.objects.filter(pk=assignment.pk).update(updated_at=timezone.now())
