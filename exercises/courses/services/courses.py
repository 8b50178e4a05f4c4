"""Course writes: create, join and delete a course, import a roster, change or remove a member.
Keyword-only arguments; `PermissionDenied` for a wrong role, `ValidationError` (translated, naming
the field where there is one) for bad input. See docs/homework.md."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from ...models import Course, Membership
from ..permissions import STAFF_ROLES, can_manage, require, signed_in
from .fields import field_error

Role = Membership.Role
MAX_ROSTER_CHARS = 1_000_000
MAX_ROSTER_ROWS = 5_000

def course_create(*, title: str, instructor: Any) -> Course:
    """A new course with the creator as its instructor (any signed-in person may teach)."""
    if not signed_in(instructor):
        raise PermissionDenied(_("Sign in to create a course."))
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


@dataclass
class RosterResult:
    """What a roster import did."""

    created: int = 0  # new user accounts
    enrolled: int = 0  # new student memberships
    errors: list[str] = field(default_factory=list)  # one translated message per bad line


def _roster_rows(csv_text: str) -> Iterable[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(csv_text))
    for number, row in enumerate(reader, start=1):
        if not any(cell.strip() for cell in row):
            continue
        if number == 1 and [c.strip().lower() for c in row[:3]] == ["username", "email", "name"]:
            continue
        yield number, row


def roster_import(*, course: Course, actor: Any, csv_text: str) -> RosterResult:
    """Enroll the students of a CSV (username,email,name), creating accounts without passwords."""
    require(can_manage(course=course, user=actor))
    if not isinstance(csv_text, str) or len(csv_text) > MAX_ROSTER_CHARS:
        raise field_error("csv_text", _("The roster must be a CSV text of at most 1 MB."), code="too_big")
    User = get_user_model()
    result = RosterResult()
    try:
        rows = list(_roster_rows(csv_text))
    except csv.Error as exc:
        raise field_error("csv_text", _("The roster is not valid CSV: %(error)s") % {"error": str(exc)},
                           code="csv") from exc
    if len(rows) > MAX_ROSTER_ROWS:
        raise field_error("csv_text", _("A roster may have at most %(max)d lines.") % {"max": MAX_ROSTER_ROWS},
                           code="too_many")
    roles = dict(Membership.objects.filter(course=course).values_list("user__username", "role"))
    seen: set[str] = set()
    with transaction.atomic():
        for number, row in rows:
            cells = [c.strip() for c in row] + ["", "", ""]
            username, email, name = cells[0], cells[1], cells[2]
            if len(row) > 3:
                result.errors.append(str(_("Line %(line)d: expected 3 columns (username, email, name).")
                                         % {"line": number}))
                continue
            try:
                User.username_validator(username)
                if not username or len(username) > 150:
                    raise ValidationError("length")
            except ValidationError:
                result.errors.append(str(_("Line %(line)d: “%(username)s” is not a valid username.")
                                         % {"line": number, "username": username[:60]}))
                continue
            if email:
                try:
                    validate_email(email)
                except ValidationError:
                    result.errors.append(str(_("Line %(line)d: “%(email)s” is not a valid email address.")
                                             % {"line": number, "email": email[:80]}))
                    continue
            if username in seen:
                result.errors.append(str(_("Line %(line)d: “%(username)s” appears twice.")
                                         % {"line": number, "username": username}))
                continue
            seen.add(username)
            role = roles.get(username)
            if role in STAFF_ROLES:
                result.errors.append(str(_("Line %(line)d: “%(username)s” is course staff and stays so.")
                                         % {"line": number, "username": username}))
                continue
            if role == Role.STUDENT:
                continue
            user = User.objects.filter(username=username).first()
            if user is None:
                first, _sep, last = name.partition(" ")
                user = User(username=username, email=email, first_name=first[:150], last_name=last[:150])
                user.set_unusable_password()  # they set one with a password reset
                user.save()
                result.created += 1
            Membership.objects.create(course=course, user=user, role=Role.STUDENT)
            result.enrolled += 1
    return result


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


def membership_remove(*, course: Course, actor: Any, user: Any) -> None:
    """Remove someone from the course (instructors only; never the last instructor)."""
    require(can_manage(course=course, user=actor))
    membership = Membership.objects.filter(course=course, user=user).first()
    if membership is None:
        return
    if membership.role == Role.INSTRUCTOR and not Membership.objects.filter(
        course=course, role=Role.INSTRUCTOR
    ).exclude(pk=membership.pk).exists():
        raise ValidationError(_("A course needs at least one instructor."), code="last_instructor")
    membership.delete()
