"""Course reads: a user's courses and role, the course or assignment of a member, the roster,
the course's assignments. Every list costs a constant number of queries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone

from ...models import Assignment, Course, Membership
from ...values import as_int
from ..permissions import can_grade, role_in, signed_in

Role = Membership.Role


def courses_for_user(*, user: Any) -> list[tuple[Course, str]]:
    """The user's courses with their role in each, newest first (inactive memberships left out)."""
    if not signed_in(user):
        return []
    memberships = Membership.objects.filter(user=user, active=True).select_related("course").order_by("-course__created_at")
    return [(m.course, m.role) for m in memberships]


def course_get_for_member(*, course_id: Any, user: Any) -> tuple[Course, str] | None:
    """The course and the user's role in it, or None when it is unknown or the user is no member."""
    pk = as_int(course_id)
    if pk is None or not signed_in(user):
        return None
    membership = Membership.objects.filter(course_id=pk, user=user, active=True).select_related("course").first()
    return None if membership is None else (membership.course, membership.role)


def assignment_get_for_member(*, assignment_id: Any, user: Any) -> tuple[Assignment, str] | None:
    """The assignment and the user's role in its course, or None (unknown, or not a member)."""
    pk = as_int(assignment_id)
    if pk is None or not signed_in(user):
        return None
    assignment = Assignment.objects.select_related("course").filter(pk=pk).first()
    if assignment is None:
        return None
    role = role_in(course=assignment.course, user=user)
    if role == Role.STUDENT and not assignment.is_published():
        return None  # a draft (or not yet published) is unknown to students
    return None if role is None else (assignment, role)


def course_members(*, course: Course, user: Any | None = None) -> list[Membership]:
    """Everyone in the course with their role (staff first), users joined in."""
    if user is not None and not can_grade(course=course, user=user):
        raise PermissionDenied
    order = {Role.INSTRUCTOR: 0, Role.TA: 1, Role.STUDENT: 2}
    members = list(Membership.objects.filter(course=course).select_related("user"))
    members.sort(key=lambda m: (order.get(m.role, 3), m.user.username.lower()))
    return members


def course_member_get(*, course: Course, user_id: Any) -> Membership | None:
    """One member's membership of the course by user id (user joined in), or None."""
    pk = as_int(user_id)
    if pk is None:
        return None
    return Membership.objects.filter(course=course, user_id=pk).select_related("user").first()


def course_student_get(*, course: Course, user_id: Any) -> Any | None:
    """A student of the course by user id, or None."""
    pk = as_int(user_id)
    if pk is None:
        return None
    membership = Membership.objects.filter(course=course, user_id=pk, role=Role.STUDENT).select_related("user").first()
    return None if membership is None else membership.user


def published_q(now: datetime | None = None) -> Q:
    """Assignments the students see: published, and their publication time has come."""
    return Q(published_at__isnull=False, published_at__lte=now or timezone.now())


def course_assignments(*, course: Course) -> list[Assignment]:
    """The course's assignments by due date."""
    return list(Assignment.objects.filter(course=course).order_by("due_at", "pk"))
