"""What every course page shares: sign-in and the 404 for non-members (`member_view`), the
course or assignment of a member, role checks, and the staff tabs of an assignment.

Views are thin: the services write and decide who may do what (PermissionDenied → the 403 page,
ValidationError → the form's errors and a 400), the selectors read. A course or assignment the
user is no member of is a 404, a member without the right role gets a 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from types import SimpleNamespace
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from ...models import Assignment, Course, Membership, Question
from ...web.http import error_page
from ..permissions import is_staff_role
from ..selectors import courses as course_selectors
from ..services.assignments import ASSIGNMENT_FIELDS, QUESTION_FIELDS

Role = Membership.Role


class NotMember(Exception):
    """The course or assignment is unknown, or the user is not a member of its course: a 404."""


def member_course(request: HttpRequest, course_id: Any) -> tuple[Course, str]:
    """The course and the user's role in it; NotMember otherwise."""
    found = course_selectors.course_get_for_member(course_id=course_id, user=request.user)
    if found is None:
        raise NotMember
    return found


def settings_of(assignment: Assignment, question: Question) -> SimpleNamespace:
    """The assignment's settings (ASSIGNMENT_FIELDS) with `question`'s own QUESTION_FIELDS, as
    attributes: what the edit, question and regrade forms start from."""
    return SimpleNamespace(**{name: getattr(question if name in QUESTION_FIELDS else assignment, name)
                              for name in ASSIGNMENT_FIELDS})


def member_assignment(request: HttpRequest, assignment_id: Any) -> tuple[Assignment, str]:
    """The assignment and the user's role in its course; NotMember otherwise."""
    found = course_selectors.assignment_get_for_member(assignment_id=assignment_id, user=request.user)
    if found is None:
        raise NotMember
    return found


def require_staff(role: str) -> None:
    """PermissionDenied unless the role is an instructor's or a teaching assistant's."""
    if not is_staff_role(role):
        raise PermissionDenied


def require_instructor(role: str) -> None:
    """PermissionDenied unless the role is an instructor's."""
    if role != Role.INSTRUCTOR:
        raise PermissionDenied


def site_url(request: HttpRequest) -> str:
    """The site's scheme and host as the request saw them (validated by ALLOWED_HOSTS), for emails."""
    return request.build_absolute_uri("/").rstrip("/")


def member_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """login_required, and NotMember → the 404 page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotMember:
            return error_page(request, 404)

    return login_required(wrapped)


def staff_tabs(assignment: Assignment, current: str) -> list[tuple[str, str, bool]]:
    """The staff pages of one assignment, for the sub-navigation."""
    course = assignment.course
    tabs = [
        ("overview", _("Overview"), reverse("exercises:assignment", args=[assignment.pk])),
        ("gradebook", _("Gradebook"), reverse("exercises:gradebook", args=[course.pk])),
        ("analytics", _("Analytics"), reverse("exercises:analytics", args=[assignment.pk])),
        ("regrade", _("Regrade"), reverse("exercises:regrade", args=[assignment.pk])),
        ("edit", _("Edit"), reverse("exercises:assignment_edit", args=[assignment.pk])),
    ]
    return [(label, url, name == current) for name, label, url in tabs]


def requested_position(request: HttpRequest) -> int:
    """The question asked for (`?q=2`, or a posted `question`), 1 when absent or unreadable."""
    raw = request.POST.get("question") if request.method == "POST" else None
    raw = raw or request.GET.get("q") or "1"
    return int(raw) if raw.isdigit() and 0 < int(raw) <= 1000 else 1
