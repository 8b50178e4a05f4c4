"""Who may do what in a course: one role per member (Membership.Role), staff are instructors and TAs."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from ..models import Course, Membership
from ..models.courses import TEACH_PERMISSION

Role = Membership.Role
STAFF_ROLES = (Role.INSTRUCTOR, Role.TA)
# Approved instructors (set by an admin, or `manage.py grant_instructor`) may create courses.


def signed_in(user: Any) -> bool:
    """An authenticated, active user."""
    return user is not None and getattr(user, "is_authenticated", False) and getattr(user, "is_active", True)


def can_create_course(user: Any) -> bool:
    """An approved instructor (the `exercises.teach` permission; superusers have every permission)."""
    return signed_in(user) and user.has_perm(TEACH_PERMISSION)


def role_in(*, course: Course, user: Any) -> str | None:
    """The user's role in the course (instructor | ta | student), or None (also when inactive)."""
    if not signed_in(user):
        return None
    return Membership.objects.filter(course=course, user=user, active=True).values_list("role", flat=True).first()


def can_manage(*, course: Course, user: Any) -> bool:
    """Instructors manage a course: settings, roles, roster, deletion."""
    return role_in(course=course, user=user) == Role.INSTRUCTOR


def can_grade(*, course: Course, user: Any) -> bool:
    """Instructors and teaching assistants see and grade a course's work."""
    return role_in(course=course, user=user) in STAFF_ROLES


def is_staff_role(role: str | None) -> bool:
    """Instructor or teaching assistant."""
    return role in STAFF_ROLES


def require(allowed: bool) -> None:
    """PermissionDenied with the course's message unless `allowed`."""
    if not allowed:
        raise PermissionDenied(_("You do not have permission to do this in this course."))
