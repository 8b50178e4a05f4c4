"""Manual grades: a staff override of one student's score on one question, with a comment the
student sees. The override counts instead of the attempts while it exists, and regrades leave
it alone; clearing it brings the counted attempt back."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ...models import Assignment, Membership, Question, ScoreOverride
from ..permissions import can_grade, require, role_in
from ..signals import homework_scores_changed
from .fields import field_error, integer, number

Role = Membership.Role
MAX_COMMENT = 2000
MAX_POSITION = 1000


def _student_and_position(assignment: Assignment, student: Any, position: Any) -> int:
    if role_in(course=assignment.course, user=student) != Role.STUDENT:
        raise ValidationError(_("This person is not a student of the course."), code="not_student")
    where = integer({"position": position}, "position", 1, MAX_POSITION)
    if not Question.objects.filter(assignment=assignment, position=where).exists():
        raise field_error("position", _("This assignment has no such question."))
    return where


def score_override_set(
    *, assignment: Assignment, actor: Any, student: Any, score: Any, comment: str = "", position: int = 1
) -> ScoreOverride:
    """Set the score that counts for a student's question (staff): `score` is a fraction 0…1."""
    require(can_grade(course=assignment.course, user=actor))
    where = _student_and_position(assignment, student, position)
    value = number({"score": score}, "score", 0, 1)
    if not isinstance(comment, str) or len(comment) > MAX_COMMENT:
        raise field_error("comment", _("A comment is text of at most 2,000 characters."))
    now = timezone.now()
    override, created = ScoreOverride.objects.get_or_create(
        assignment=assignment, student=student, position=where,
        defaults={"score": value, "comment": comment.strip(), "created_by": actor, "created_at": now, "updated_at": now},
    )
    if not created:
        override.score, override.comment, override.created_by, override.updated_at = value, comment.strip(), actor, now
        override.save(update_fields=["score", "comment", "created_by", "updated_at"])
    homework_scores_changed.send(sender=ScoreOverride, assignment_id=assignment.pk, user_ids=[student.pk])
    return override


def score_override_clear(*, assignment: Assignment, actor: Any, student: Any, position: int = 1) -> bool:
    """Remove a student's override (staff): their counted attempt counts again. True if one existed."""
    require(can_grade(course=assignment.course, user=actor))
    where = _student_and_position(assignment, student, position)
    deleted, _rows = ScoreOverride.objects.filter(assignment=assignment, student=student, position=where).delete()
    if deleted:
        homework_scores_changed.send(sender=ScoreOverride, assignment_id=assignment.pk, user_ids=[student.pk])
    return bool(deleted)
