"""Roster import and invitations. An import never enrols anyone: it invites every listed person
(creating the accounts that do not exist yet, without a password) and each becomes a student only
by accepting. The reply counts rows, never telling an existing username from a new one. Emails
(both languages) go out from a Celery task after the commit; invitations per import and per
inviting instructor a day are capped (BPCOURSE_INVITATIONS_PER_IMPORT / _PER_DAY)."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from ...models import Course, Invitation, Membership
from ..links import invitation_link, needs_password
from ..permissions import STAFF_ROLES, can_manage, require, signed_in
from .fields import field_error

logger = logging.getLogger(__name__)
Role = Membership.Role
Status = Invitation.Status
MAX_ROSTER_CHARS = 1_000_000
MAX_ROSTER_ROWS = 5_000
EMAIL_LANGUAGES = ("en", "zh-hans")


@dataclass
class RosterResult:
    """What a roster import did."""

    invited: int = 0  # new invitations (existing and new accounts alike)
    unchanged: int = 0  # already in the course or already invited
    errors: list[str] = field(default_factory=list)  # one translated message per bad line


@dataclass(frozen=True)
class _Row:
    username: str
    email: str
    name: str


def _roster_rows(csv_text: str) -> Iterable[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(csv_text))
    for number, row in enumerate(reader, start=1):
        if not any(cell.strip() for cell in row):
            continue
        if number == 1 and [c.strip().lower() for c in row[:3]] == ["username", "email", "name"]:
            continue
        yield number, row


def _row_error(number: int, row: list[str], seen: set[str]) -> tuple[_Row | None, str | None]:
    """The row, or a translated message saying what is wrong with it."""
    User = get_user_model()
    cells = [c.strip() for c in row] + ["", "", ""]
    username, email, name = cells[0], cells[1], cells[2]
    if len(row) > 3:
        return None, str(_("Line %(line)d: expected 3 columns (username, email, name).") % {"line": number})
    try:
        User.username_validator(username)
        if not username or len(username) > 150:
            raise ValidationError("length")
    except ValidationError:
        return None, str(_("Line %(line)d: “%(username)s” is not a valid username.")
                         % {"line": number, "username": username[:60]})
    if email:
        try:
            validate_email(email)
        except ValidationError:
            return None, str(_("Line %(line)d: “%(email)s” is not a valid email address.")
                             % {"line": number, "email": email[:80]})
    if username in seen:
        return None, str(_("Line %(line)d: “%(username)s” appears twice.") % {"line": number, "username": username})
    seen.add(username)
    return _Row(username, email, name), None


def _parse(csv_text: Any) -> tuple[list[tuple[int, _Row]], list[str]]:
    if not isinstance(csv_text, str) or len(csv_text) > MAX_ROSTER_CHARS:
        raise field_error("csv_text", _("The roster must be a CSV text of at most 1 MB."), code="too_big")
    try:
        rows = list(_roster_rows(csv_text))
    except csv.Error as exc:
        raise field_error("csv_text", _("The roster is not valid CSV: %(error)s") % {"error": str(exc)},
                          code="csv") from exc
    if len(rows) > MAX_ROSTER_ROWS:
        raise field_error("csv_text", _("A roster may have at most %(max)d lines.") % {"max": MAX_ROSTER_ROWS},
                          code="too_many")
    good: list[tuple[int, _Row]] = []
    errors: list[str] = []
    seen: set[str] = set()
    for number, raw in rows:
        row, error = _row_error(number, raw, seen)
        if error:
            errors.append(error)
        elif row is not None:
            good.append((number, row))
    return good, errors


def _check_caps(*, actor: Any, count: int) -> None:
    per_import = settings.BPCOURSE_INVITATIONS_PER_IMPORT
    if count > per_import:
        raise field_error("csv_text", _("One import may invite at most %(max)d people; this one lists %(count)d.")
                          % {"max": per_import, "count": count}, code="too_many_invitations")
    per_day = settings.BPCOURSE_INVITATIONS_PER_DAY
    since = timezone.now() - timedelta(days=1)
    sent = Invitation.objects.filter(invited_by=actor, created_at__gte=since).count()
    if sent + count > per_day:
        raise field_error("csv_text", _("You may send at most %(max)d invitations a day; %(left)d are left today.")
                          % {"max": per_day, "left": max(per_day - sent, 0)}, code="daily_invitations")


def roster_import(*, course: Course, actor: Any, csv_text: str, base_url: str = "") -> RosterResult:
    """Invite the people of a CSV (username,email,name) to the course as students. Accounts that do
    not exist are created without a password (their link sets one). Emails are sent after the
    commit when base_url (the site's scheme and host) is given."""
    require(can_manage(course=course, user=actor))
    good, errors = _parse(csv_text)
    result = RosterResult(errors=errors)
    roles = dict(Membership.objects.filter(course=course).values_list("user__username", "role"))
    invited = set(Invitation.objects.filter(course=course).values_list("user__username", flat=True))
    todo: list[_Row] = []
    for number, row in good:
        role = roles.get(row.username)
        if role in STAFF_ROLES:
            result.errors.append(str(_("Line %(line)d: “%(username)s” is course staff and stays so.")
                                     % {"line": number, "username": row.username}))
        elif role is not None or row.username in invited:
            result.unchanged += 1
        else:
            todo.append(row)
    _check_caps(actor=actor, count=len(todo))
    try:
        new_ids = _invite(course=course, actor=actor, rows=todo, base_url=base_url)
    except IntegrityError as exc:  # a concurrent import took a username or an invitation first
        raise ValidationError(_("Another change to this roster happened at the same time; please import again."),
                              code="conflict") from exc
    result.invited = len(new_ids)
    return result


def _invite(*, course: Course, actor: Any, rows: list[_Row], base_url: str) -> list[int]:
    """Create the missing accounts and one invitation per row, in one transaction; their ids."""
    User = get_user_model()
    new_ids: list[int] = []
    with transaction.atomic():
        existing = {u.username: u for u in User.objects.filter(username__in=[r.username for r in rows])}
        for row in rows:
            user = existing.get(row.username)
            created = user is None
            if created:
                first, _sep, last = row.name.partition(" ")
                user = User(username=row.username, email=row.email, first_name=first[:150], last_name=last[:150])
                user.set_unusable_password()  # the invitation's one-time link sets one
                user.save()
            invitation = Invitation.objects.create(course=course, user=user, invited_by=actor, created_account=created)
            new_ids.append(invitation.pk)
        if new_ids and base_url:
            transaction.on_commit(lambda: _enqueue_emails(new_ids, base_url))
    return new_ids


# Emails per task: a task sends them well inside the broker's visibility timeout.
EMAIL_BATCH = 20


def _enqueue_emails(invitation_ids: list[int], base_url: str) -> None:
    from ..tasks import send_invitations_task  # the Celery idiom: tasks import the services, not back

    for start in range(0, len(invitation_ids), EMAIL_BATCH):
        batch = invitation_ids[start:start + EMAIL_BATCH]
        try:
            send_invitations_task.delay(batch, base_url)
        except Exception as exc:  # a broker failure must not turn the import into a 500
            logger.warning("broker unreachable (%s: %s): %d invitation emails not sent (the links CSV has them)",
                           type(exc).__name__, exc, len(invitation_ids) - start)
            return


def invitations_send(*, invitation_ids: list[int], base_url: str) -> int:
    """Email every still-pending invitation of the list that has an address; the number sent.
    One message in both languages (we do not know the invitee's)."""
    sent = 0
    pending = Invitation.objects.filter(pk__in=invitation_ids, status=Status.PENDING).select_related("course", "user")
    for invitation in pending:
        if not invitation.user.email or not invitation.user.is_active:
            continue
        context = {
            "course": invitation.course.title,
            "username": invitation.user.get_username(),
            "link": invitation_link(invitation=invitation, base_url=base_url),
            "set_password": needs_password(invitation),
        }
        subjects, bodies = [], []
        for language in EMAIL_LANGUAGES:
            with translation.override(language):
                subjects.append(render_to_string("exercises/email/invitation_subject.txt", context).strip())
                bodies.append(render_to_string("exercises/email/invitation.txt", context).strip())
        send_mail(" / ".join(subjects), "\n\n――――――――\n\n".join(bodies) + "\n", None, [invitation.user.email])
        sent += 1
    return sent


def _own_pending(invitation: Invitation, user: Any) -> None:
    if not signed_in(user) or invitation.user_id != user.pk:
        raise PermissionDenied(_("This invitation is for someone else."))


def invitation_accept(*, invitation: Invitation, user: Any) -> Membership:
    """The invitee accepts: they become a student of the course (a member keeps their role)."""
    _own_pending(invitation, user)
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().filter(pk=invitation.pk, status=Status.PENDING).first()
        if locked is None:
            raise ValidationError(_("This invitation has been answered already."), code="answered")
        membership, _created = Membership.objects.get_or_create(
            course_id=locked.course_id, user=user, defaults={"role": Role.STUDENT}
        )
        locked.status, locked.answered_at = Status.ACCEPTED, timezone.now()
        locked.save(update_fields=["status", "answered_at"])
    return membership


def invitation_decline(*, invitation: Invitation, user: Any) -> None:
    """The invitee declines: nothing about them reaches the course (a new import does not re-invite)."""
    _own_pending(invitation, user)
    updated = Invitation.objects.filter(pk=invitation.pk, status=Status.PENDING).update(
        status=Status.DECLINED, answered_at=timezone.now()
    )
    if not updated:
        raise ValidationError(_("This invitation has been answered already."), code="answered")
