"""Extensions: a later due date and/or extra attempts for one student."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ...models import Assignment, Extension, Membership
from ..permissions import can_grade, can_manage, require, role_in
from .fields import at_most_a_year_after, field_error, integer, when

Role = Membership.Role


def extension_grant(
    *, assignment: Assignment, actor: Any, student: Any, due_at: datetime | None = None, extra_attempts: Any = 0
) -> Extension:
    """Give one student a later due date, extra attempts, or both (staff); granting again replaces it."""
    require(can_grade(course=assignment.course, user=actor))
    if role_in(course=assignment.course, user=student) != Role.STUDENT:
        raise ValidationError(_("This person is not a student of the course."), code="not_student")
    due = when({"due_at": due_at}, "due_at", required=False)
    extra = integer({"extra_attempts": extra_attempts or 0}, "extra_attempts", 0, 1000)
    if due is None and not extra:
        raise field_error("due_at", _("Give a later due date, extra attempts, or both."), code="required")
    if due is not None and due <= assignment.due_at:
        raise field_error("due_at", _("An extension must end after the assignment's due date."))
    if due is not None and not at_most_a_year_after(due, assignment.due_at):
        raise field_error(
            "due_at", _("An extension may end at most a year after the assignment's due date."), code="too_late"
        )
    if extra and not assignment.attempts_allowed:
        raise field_error("extra_attempts", _("This assignment has no limit on attempts: no extra ones are needed."),
                          code="unlimited")
    extension, _created = Extension.objects.update_or_create(
        assignment=assignment, student=student, defaults={"due_at": due, "extra_attempts": extra}
    )
    return extension


def extension_revoke(*, assignment: Assignment, actor: Any, student: Any) -> None:
    """Remove a student's extension (instructors only)."""
    require(can_manage(course=assignment.course, user=actor))
    Extension.objects.filter(assignment=assignment, student=student).delete()
