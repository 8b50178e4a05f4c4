"""Invitations and leaving: the invitee accepts or declines on "My courses"; a member leaves a
course; instructors download the invitation links to hand out themselves."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from ...web.http import allow_methods, error_page
from ...web.sheets import validation_message
from ..selectors import invitations as invitation_selectors
from ..services import courses as course_services
from ..services import roster as roster_services
from .common import member_course, member_view, require_instructor, site_url


@member_view
@allow_methods("POST")
def invitation_accept(request: HttpRequest, invitation_id: int) -> HttpResponse:
    """Accept one of my invitations: I become a student of the course."""
    invitation = invitation_selectors.invitation_get_pending(invitation_id=invitation_id, user=request.user)
    if invitation is None:
        return error_page(request, 404, _("This invitation is not waiting for your answer."))
    try:
        membership = roster_services.invitation_accept(invitation=invitation, user=request.user)
    except ValidationError as exc:
        messages.error(request, validation_message(exc))
        return redirect("exercises:courses")
    messages.success(request, _("You are in “%(course)s”.") % {"course": invitation.course.title})
    return redirect("exercises:course", course_id=membership.course_id)


@member_view
@allow_methods("POST")
def invitation_decline(request: HttpRequest, invitation_id: int) -> HttpResponse:
    """Decline one of my invitations: the course learns nothing about me."""
    invitation = invitation_selectors.invitation_get_pending(invitation_id=invitation_id, user=request.user)
    if invitation is None:
        return error_page(request, 404, _("This invitation is not waiting for your answer."))
    try:
        roster_services.invitation_decline(invitation=invitation, user=request.user)
    except ValidationError as exc:
        messages.error(request, validation_message(exc))
    else:
        messages.success(request, _("You declined the invitation to “%(course)s”.") % {"course": invitation.course.title})
    return redirect("exercises:courses")


@member_view
@allow_methods("POST")
def course_leave(request: HttpRequest, course_id: int) -> HttpResponse:
    """Leave a course (anyone but its last instructor)."""
    course, _role = member_course(request, course_id)
    try:
        course_services.membership_leave(course=course, user=request.user)
    except ValidationError as exc:
        messages.error(request, validation_message(exc))
        return redirect("exercises:course", course_id=course.pk)
    messages.success(request, _("You left “%(course)s”.") % {"course": course.title})
    return redirect("exercises:courses")


@member_view
@allow_methods("GET")
def invitation_links_csv(request: HttpRequest, course_id: int) -> HttpResponse:
    """The pending invitations with their links, as CSV (instructors)."""
    course, role = member_course(request, course_id)
    require_instructor(role)
    text = invitation_selectors.invitation_links_csv(course=course, user=request.user, base_url=site_url(request))
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="invitations-{course.code}.csv"'
    response["Cache-Control"] = "no-store"
    return response
