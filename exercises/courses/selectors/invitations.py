"""Invitation reads: a person's pending invitations, a course's open invitations (usernames and
status only: staff see a member's name and email once they accepted), and the links CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.core.exceptions import PermissionDenied

from ...models import Invitation
from ...values import as_int
from ..links import invitation_link
from ..permissions import can_grade, can_manage, signed_in

Status = Invitation.Status


def _csv_safe(text: str) -> str:
    """Neutralise spreadsheet formulas (usernames may start with + - @)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def invitations_for_user(*, user: Any) -> list[Invitation]:
    """The user's invitations waiting for an answer, newest first (course joined in)."""
    if not signed_in(user):
        return []
    return list(Invitation.objects.filter(user=user, status=Status.PENDING).select_related("course")
                .order_by("-created_at", "-pk"))


def invitation_get_pending(*, invitation_id: Any, user: Any) -> Invitation | None:
    """One of the user's own pending invitations by id, or None."""
    pk = as_int(invitation_id)
    if pk is None or not signed_in(user):
        return None
    return Invitation.objects.filter(pk=pk, user=user, status=Status.PENDING).select_related("course").first()


def course_invitations(*, course: Any, user: Any | None = None) -> list[tuple[str, str]]:
    """(username, status) of the course's invitations not accepted yet (pending, declined)."""
    if user is not None and not can_grade(course=course, user=user):
        raise PermissionDenied
    rows = (Invitation.objects.filter(course=course).exclude(status=Status.ACCEPTED)
            .order_by("status", "user__username").values_list("user__username", "status"))
    return list(rows)


def invitation_links_csv(*, course: Any, user: Any, base_url: str) -> str:
    """Username,Link for every pending invitation (instructors, who may hand the links out)."""
    if not can_manage(course=course, user=user):
        raise PermissionDenied
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Username", "Link"])
    pending = Invitation.objects.filter(course=course, status=Status.PENDING).select_related("user")
    for invitation in pending.order_by("user__username"):
        writer.writerow([_csv_safe(invitation.user.get_username()), invitation_link(invitation=invitation, base_url=base_url)])
    return out.getvalue()
