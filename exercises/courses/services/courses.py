"""Course writes: create, join, leave and delete a course, change or remove a member (the roster
import and invitations: services/roster.py).
Keyword-only arguments; `PermissionDenied` for a wrong role, `ValidationError` (translated, naming
the field where there is one) for bad input. See docs/homework.md."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from ...models import Course, Membership
from ..permissions import can_create_course, can_manage, require, signed_in
from .fields import field_error

Role = Membership.Role


def course_create(*, title: str, instructor: Any) -> Course:
    """A new course with the creator as its instructor (approved instructors only)."""
    if not signed_in(instructor):
        raise PermissionDenied(_("Sign in to create a course."))
    if not can_create_course(instructor):
        raise PermissionDenied(_("Only instructors approved by an administrator may create courses."))
    title = (title or "").strip() if isinstance(title, str) else ""
    if not title or len(title) > 200:
        raise field_error("title", _("A course needs a title of at most 200 characters."))
    for _attempt in range(5):
        try:
            with transaction.atomic():
                course = Course.objects.create(title=title, created_by=instructor)
                Membership.objects.create(course=course, user=instructor, role=Role.INSTRUCTOR)
                return course
        except IntegrityError:  # a join-code collision (one in 10¹¹): draw another
            continue
    raise ValidationError(_("Could not create the course; please try again."), code="code_collision")


def course_join(*, code: str, user: Any) -> Membership:
    """Join a course as a student by its code; an existing membership is returned unchanged."""
    if not signed_in(user):
        raise PermissionDenied(_("Sign in to join a course."))
    code = (code or "").strip().upper() if isinstance(code, str) else ""
    course = Course.objects.filter(code=code).first() if 0 < len(code) <= 8 else None
    if course is None:
        raise field_error("code", _("No course has this join code."), code="unknown_code")
    membership, _created = Membership.objects.get_or_create(
        course=course, user=user, defaults={"role": Role.STUDENT}
    )
    return membership


def course_delete(*, course: Course, actor: Any) -> None:
    """Delete a course with everything in it (instructors only)."""
    require(can_manage(course=course, user=actor))
    course.delete()


def membership_set_role(*, course: Course, actor: Any, user: Any, role: str) -> Membership:
    """Change someone's role (instructors only; a course keeps at least one instructor)."""
    require(can_manage(course=course, user=actor))
    if role not in Role.values:
        raise field_error("role", _("Unknown role."), code="invalid_role")
    with transaction.atomic():
        membership = Membership.objects.select_for_update().filter(course=course, user=user).first()
        if membership is None:
            raise ValidationError(_("This person is not in the course."), code="not_member")
        if membership.role == Role.INSTRUCTOR and role != Role.INSTRUCTOR:
            others = Membership.objects.filter(course=course, role=Role.INSTRUCTOR).exclude(pk=membership.pk)
            if not others.exists():
                raise field_error("role", _("A course needs at least one instructor."), code="last_instructor")
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


def _membership_delete(*, course: Course, user: Any) -> None:
    """Delete someone's membership, unless they are the course's last instructor."""
    membership = Membership.objects.filter(course=course, user=user).first()
    if membership is None:
        return
    if membership.role == Role.INSTRUCTOR and not Membership.objects.filter(
        course=course, role=Role.INSTRUCTOR
    ).exclude(pk=membership.pk).exists():
        raise ValidationError(_("A course needs at least one instructor."), code="last_instructor")
    membership.delete()


def membership_remove(*, course: Course, actor: Any, user: Any) -> None:
    """Remove someone from the course (instructors only; never the last instructor)."""
    require(can_manage(course=course, user=actor))
    _membership_delete(course=course, user=user)


def membership_leave(*, course: Course, user: Any) -> None:
    """Leave a course of one's own accord (anyone but its last instructor)."""
    if not signed_in(user):
        raise PermissionDenied(_("Sign in to leave a course."))
    _membership_delete(course=course, user=user)
