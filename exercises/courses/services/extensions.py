"""Extensions: a later due date for one student."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ...models import Assignment, Extension, Membership
from ..permissions import can_grade, can_manage, require, role_in
from .fields import at_most_a_year_after, field_error, when

Role = Membership.Role


def extension_grant(*, assignment: Assignment, actor: Any, student: Any, due_at: datetime) -> Extension:
    """Give one student a later due date (staff); granting again replaces it."""
    require(can_grade(course=assignment.course, user=actor))
    if role_in(course=assignment.course, user=student) != Role.STUDENT:
        raise ValidationError(_("This person is not a student of the course."), code="not_student")
    due = when({"due_at": due_at}, "due_at", required=True)
    if due <= assignment.due_at:
        raise field_error("due_at", _("An extension must end after the assignment's due date."))
    if not at_most_a_year_after(due, assignment.due_at):
        raise field_error(
            "due_at", _("An extension may end at most a year after the assignment's due date."), code="too_late"
        )
    extension, _created = Extension.objects.update_or_create(
        assignment=assignment, student=student, defaults={"due_at": due}
    )
    return extension


def extension_revoke(*, assignment: Assignment, actor: Any, student: Any) -> None:
    """Remove a student's extension (instructors only)."""
    require(can_manage(course=assignment.course, user=actor))
    Extension.objects.filter(assignment=assignment, student=student).delete()
