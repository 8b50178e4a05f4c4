"""The staff page of a course's LMS side: roster sync on demand, grade passback with its failures,
and "Send all grades again"."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from ...courses.permissions import can_grade
from ...models import Course, LtiContext
from ...web.http import allow_methods, error_page
from ...web.ratelimit import rate_limited
from ..selectors import course_lti_overview
from ..services.grades import grades_resend
from ..services.roster import RosterSyncError, roster_sync


@login_required
@allow_methods("GET", "POST")
@rate_limited("lti_sync")
def course_lti(request: HttpRequest, course_id: int) -> HttpResponse:
    """The LMS side of a course (instructors and TAs)."""
    course = get_object_or_404(Course, pk=course_id)
    if not can_grade(course=course, user=request.user):
        return error_page(request, 403)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "sync":
            _sync(request, course)
        elif action == "resend":
            try:
                count = grades_resend(course=course, actor=request.user)
            except PermissionDenied:
                return error_page(request, 403)
            messages.success(request, _("Scores to send again: %(count)d.") % {"count": count})
        return redirect("exercises:lti_course", course_id=course.pk)
    overview = course_lti_overview(course=course, user=request.user)
    return render(request, "exercises/lti/course.html", {"course": course, "overview": overview})


def _sync(request: HttpRequest, course: Course) -> None:
    for context in LtiContext.objects.filter(course=course).exclude(memberships_url=""):
        try:
            result = roster_sync(context_id=context.pk)
        except RosterSyncError as exc:
            messages.error(request, _("The roster could not be read from the LMS: %(error)s") % {"error": exc})
        else:
            messages.success(request, _("Roster synced: %(active)d members in the LMS, %(inactive)d marked "
                                        "inactive.") % {"active": result.active, "inactive": result.deactivated})
