"""Invitations and leaving in the JSON API (a Router mounted at /api/ by exercises.api.urls):
the caller's pending invitations, accepting or declining one, leaving a course. Someone else's
invitation, or one already answered, is 404; anonymous calls 401."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status

from ..courses.selectors import courses as course_selectors
from ..courses.selectors import invitations as invitation_selectors
from ..courses.services import courses as course_services
from ..courses.services import roster as roster_services
from .auth import signed_in_user
from .errors import detail_of
from .schemas import ErrorOut

router = Router(tags=["homework"])


class InvitationOut(Schema):
    id: int
    course_id: int
    course_title: str
    created_at: datetime


class AcceptedOut(Schema):
    course_id: int
    course_title: str
    role: str


@router.get("/invitations", response={200: list[InvitationOut], 401: ErrorOut}, summary="My invitations")
def list_invitations(request: HttpRequest) -> list[dict[str, Any]]:
    """Invitations to courses waiting for the caller's answer, newest first."""
    user = signed_in_user(request)
    return [
        {"id": i.pk, "course_id": i.course_id, "course_title": i.course.title, "created_at": i.created_at}
        for i in invitation_selectors.invitations_for_user(user=user)
    ]


def _pending(request: HttpRequest, invitation_id: str) -> tuple[Any, Any]:
    user = signed_in_user(request)
    invitation = invitation_selectors.invitation_get_pending(invitation_id=invitation_id, user=user)
    if invitation is None:
        raise Http404
    return user, invitation


@router.post("/invitations/{invitation_id}/accept",
             response={200: AcceptedOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut}, summary="Accept an invitation")
def accept_invitation(request: HttpRequest, invitation_id: str) -> Status[dict[str, Any]]:
    """Join the course as a student (a member keeps their role)."""
    user, invitation = _pending(request, invitation_id)
    try:
        membership = roster_services.invitation_accept(invitation=invitation, user=user)
    except ValidationError as exc:
        return Status(409, {"detail": detail_of(exc)})
    return Status(200, {"course_id": invitation.course_id, "course_title": invitation.course.title,
                        "role": membership.role})


@router.post("/invitations/{invitation_id}/decline", response={204: None, 401: ErrorOut, 404: ErrorOut,
                                                                409: ErrorOut}, summary="Decline an invitation")
def decline_invitation(request: HttpRequest, invitation_id: str) -> Status[Any]:
    """Say no: the course learns nothing about the caller, and a new import does not ask again."""
    user, invitation = _pending(request, invitation_id)
    try:
        roster_services.invitation_decline(invitation=invitation, user=user)
    except ValidationError as exc:
        return Status(409, {"detail": detail_of(exc)})
    return Status(204, None)


@router.post("/courses/{course_id}/leave", response={204: None, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut},
             summary="Leave a course")
def leave_course(request: HttpRequest, course_id: str) -> Status[Any]:
    """Stop being a member (not the last instructor: 409)."""
    user = signed_in_user(request)
    found = course_selectors.course_get_for_member(course_id=course_id, user=user)
    if found is None:
        raise Http404
    try:
        course_services.membership_leave(course=found[0], user=user)
    except ValidationError as exc:
        return Status(409, {"detail": detail_of(exc)})
    return Status(204, None)
