"""Roster sync through names and roles (NRPS): every LMS member of a context becomes an active
member of the linked course with the LMS's role; members tied to this issuer who are gone from
the LMS (or inactive there) are marked inactive here, their submissions kept."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from pylti1p3.exception import LtiException
from pylti1p3.names_roles import NamesRolesProvisioningService
from requests import RequestException

from ...models import LtiContext, LtiIdentity, Membership
from ..roles import course_role
from .connector import platform_connector
from .launches import identity_user, member_set

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RosterResult:
    """How a sync went: members seen active in the LMS, and members marked inactive here."""

    active: int
    deactivated: int


class RosterSyncError(Exception):
    """The platform's names and roles service could not be read (the message says why)."""


def roster_sync(*, context_id: int) -> RosterResult:
    """Import a context's members and roles from the LMS into its linked course."""
    context = LtiContext.objects.select_related("deployment__platform", "course").get(pk=context_id)
    if context.course is None or not context.memberships_url:
        return RosterResult(active=0, deactivated=0)
    issuer = context.deployment.platform.issuer
    service = NamesRolesProvisioningService(
        platform_connector(context.deployment.platform),
        {"context_memberships_url": context.memberships_url},  # type: ignore[typeddict-item]
    )
    try:
        members = service.get_members()
    except (LtiException, RequestException, ValueError) as exc:
        message = f"{type(exc).__name__}: {exc}"[:2000]
        LtiContext.objects.filter(pk=context.pk).update(sync_error=message)
        logger.warning("LTI roster sync of context %s failed: %s", context.pk, message)
        raise RosterSyncError(message) from exc
    seen: set[int] = set()
    with transaction.atomic():
        for member in members:
            if not member.get("user_id") or str(member.get("status", "Active")) != "Active":
                continue
            user = identity_user(issuer=issuer, subject=str(member["user_id"]),
                                 given_name=str(member.get("given_name") or ""),
                                 family_name=str(member.get("family_name") or ""),
                                 email=str(member.get("email") or ""))
            member_set(course=context.course, user=user, role=course_role(member.get("roles") or []))
            seen.add(user.pk)
        from_lms = LtiIdentity.objects.filter(issuer=issuer).values("user_id")
        gone = Membership.objects.filter(course=context.course, active=True, user_id__in=from_lms).exclude(user_id__in=seen)
        instructors = Membership.objects.filter(course=context.course, active=True, role=Membership.Role.INSTRUCTOR)
        if not instructors.exclude(pk__in=gone.values("pk")).exists():
            gone = gone.exclude(role=Membership.Role.INSTRUCTOR)  # never leave the course without one
        deactivated = gone.update(active=False)
        LtiContext.objects.filter(pk=context.pk).update(synced_at=timezone.now(), sync_error="")
    return RosterResult(active=len(seen), deactivated=deactivated)


def roster_sync_enqueue(*, context: LtiContext) -> bool:
    """Sync a context's roster in the background after the commit, unless synced within
    BPCOURSE_LTI_ROSTER_SYNC_SECONDS (a class launching at once syncs once). True if enqueued."""
    recent = timezone.now() - timedelta(seconds=settings.BPCOURSE_LTI_ROSTER_SYNC_SECONDS)
    if context.synced_at is not None and context.synced_at > recent:
        return False
    if context.memberships_url and context.course_id is not None:
        from ..tasks import roster_sync_task

        roster_sync_task.delay_on_commit(context.pk)
        return True
    return False

