"""Deep linking: the LMS instructor links the LMS course to a course here, picks an assignment,
and the page posts the signed answer back to the LMS (static/exercises/lti.js submits it)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from pylti1p3.exception import LtiException

from ...courses.selectors.courses import course_assignments, courses_for_user
from ...models import Assignment, Course, LtiContext, Membership
from ...web.http import allow_methods, error_page
from .. import claims
from ..launch import ToolLaunch, launch_restore
from ..services import deep_linking
from .tool import SESSION_LAUNCHES, launch_url, refused_page


def _launch(request: HttpRequest, launch_id: str) -> ToolLaunch | None:
    if launch_id not in request.session.get(SESSION_LAUNCHES, []):
        return None
    try:
        return launch_restore(request, launch_id)
    except LtiException:
        return None


def _context(data: dict[str, Any]) -> LtiContext | None:
    context_id = (data.get(claims.CONTEXT) or {}).get("id")
    return LtiContext.objects.select_related("course").filter(
        deployment__platform__issuer=data.get("iss"), deployment__deployment_id=data.get(claims.DEPLOYMENT_ID),
        context_id=str(context_id),
    ).first() if context_id else None


@login_required
@allow_methods("GET", "POST")
def deep_link(request: HttpRequest, launch_id: str) -> HttpResponse:
    """Choose (or create) the course, then the assignment the LMS link opens."""
    message = _launch(request, launch_id)
    if message is None:
        return refused_page(request, "expired")
    data = dict(message.get_launch_data())
    context = _context(data)
    if context is None:
        return refused_page(request, "message")
    error = ""
    if request.method == "POST":
        try:
            return _answer(request, message, context, data)
        except (PermissionDenied, ValidationError) as exc:
            error = " ".join(getattr(exc, "messages", [str(exc)]))
    courses = [course for course, role in courses_for_user(user=request.user) if role == Membership.Role.INSTRUCTOR]
    return render(request, "exercises/lti/deep_link.html", {
        "context": context, "courses": courses, "error": error, "launch_id": launch_id,
        "assignments": course_assignments(course=context.course) if context.course else [],
    }, status=400 if error else 200)


def _answer(request: HttpRequest, message: ToolLaunch, context: LtiContext, data: dict[str, Any]) -> HttpResponse:
    action = request.POST.get("action", "")
    if action == "create_course":
        deep_linking.context_create_course(context=context, actor=request.user, data=data)
        return redirect(request.path)
    if action == "link_course":
        course = Course.objects.filter(pk=_int(request.POST.get("course"))).first()
        if course is None:
            raise ValidationError(_("Choose one of your courses."))
        deep_linking.context_link_course(context=context, course=course, actor=request.user, data=data)
        return redirect(request.path)
    assignment = Assignment.objects.select_related("course").filter(pk=_int(request.POST.get("assignment"))).first()
    if assignment is None:
        return error_page(request, 404)
    return_url, token = deep_linking.deep_link_response(
        launch=message, context=context, assignment=assignment, launch_url=launch_url(request), actor=request.user
    )
    response = render(request, "exercises/lti/deep_link_return.html",
                      {"return_url": return_url, "jwt": token, "assignment": assignment})
    origin = urlsplit(return_url)
    response._csp_update = {"form-action": [f"{origin.scheme}://{origin.netloc}"]}  # type: ignore[attr-defined]
    return response


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0
