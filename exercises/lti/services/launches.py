"""A validated launch's effects: the account tied to (issuer, subject), the LMS course (context)
of its deployment, the member's role in the linked course, and where the launch lands."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from ...models import Assignment, LtiContext, LtiDeployment, LtiIdentity, LtiResourceLink, Membership
from .. import claims
from ..roles import course_role

Role = Membership.Role


@dataclass(frozen=True)
class LaunchResult:
    """Who launched, as what, from which context, and the assignment a resource link opens (or None)."""

    user: Any
    role: str
    context: LtiContext | None
    link: LtiResourceLink | None
    assignment: Assignment | None
    deep_linking: bool


def _username(issuer: str, subject: str) -> str:
    digest = hashlib.sha256(f"{issuer}\n{subject}".encode()).hexdigest()[:16]
    return f"lti-{digest}"


def identity_user(*, issuer: str, subject: str, given_name: str = "", family_name: str = "",
                  email: str = "") -> Any:
    """The account tied to an LMS user (made on first sight); names and email refreshed, never matched."""
    User = get_user_model()
    identity = LtiIdentity.objects.select_related("user").filter(issuer=issuer, subject=subject).first()
    if identity is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(username=_username(issuer, subject))
                user.set_unusable_password()
                user.save(update_fields=["password"])
                identity = LtiIdentity.objects.create(issuer=issuer, subject=subject, user=user)
        except IntegrityError:  # a concurrent launch made it first
            identity = LtiIdentity.objects.select_related("user").get(issuer=issuer, subject=subject)
    user = identity.user
    fields = {"first_name": given_name[:150], "last_name": family_name[:150], "email": email[:254]}
    changed = [name for name, value in fields.items() if value and getattr(user, name) != value]
    for name in changed:
        setattr(user, name, fields[name])
    if changed:
        user.save(update_fields=changed)
    return user


def member_set(*, course: Any, user: Any, role: str) -> Membership:
    """Make an LMS member an active member of the course with the LMS's role."""
    membership, created = Membership.objects.get_or_create(course=course, user=user,
                                                           defaults={"role": role, "active": True})
    if not created and (membership.role != role or not membership.active):
        membership.role, membership.active = role, True
        membership.save(update_fields=["role", "active"])
    return membership


def _context(deployment: LtiDeployment, data: dict[str, Any]) -> LtiContext | None:
    claim = data.get(claims.CONTEXT) or {}
    if not claim.get("id"):
        return None
    context, _created = LtiContext.objects.get_or_create(deployment=deployment, context_id=str(claim["id"])[:255])
    updates: dict[str, Any] = {"title": str(claim.get("title") or claim.get("label") or "")[:255]}
    nrps = data.get(claims.NRPS) or {}
    if nrps.get("context_memberships_url"):
        updates["memberships_url"] = str(nrps["context_memberships_url"])[:500]
    ags = data.get(claims.AGS) or {}
    if ags.get("lineitems"):
        updates["lineitems_url"] = str(ags["lineitems"])[:500]
    changed = [name for name, value in updates.items() if value and getattr(context, name) != value]
    for name in changed:
        setattr(context, name, updates[name])
    if changed:
        context.save(update_fields=changed)
    return context


def _linked_assignment(context: LtiContext, data: dict[str, Any], role: str, user: Any) -> Assignment | None:
    """The assignment a resource link's custom parameter names, if it belongs to the context's course.
    An unlinked context is linked here only by one of that course's instructors."""
    raw = str((data.get(claims.CUSTOM) or {}).get(claims.ASSIGNMENT_PARAM, ""))
    if not raw.isdigit():
        return None
    assignment = Assignment.objects.select_related("course").filter(pk=int(raw)).first()
    if assignment is None:
        return None
    if context.course_id is None:
        staff_here = Membership.objects.filter(course=assignment.course, user=user, role=Role.INSTRUCTOR,
                                               active=True).exists()
        if role != Role.INSTRUCTOR or not staff_here:
            return None
        context.course = assignment.course
        context.save(update_fields=["course"])
    return assignment if assignment.course_id == context.course_id else None


def _resource_link(context: LtiContext, data: dict[str, Any], assignment: Assignment | None) -> LtiResourceLink | None:
    claim = data.get(claims.RESOURCE_LINK) or {}
    if not claim.get("id"):
        return None
    link, _created = LtiResourceLink.objects.get_or_create(context=context, resource_link_id=str(claim["id"])[:255])
    ags = data.get(claims.AGS) or {}
    updates = {"title": str(claim.get("title") or "")[:255], "lineitem_url": str(ags.get("lineitem") or "")[:500],
               "assignment": assignment}
    changed = [name for name, value in updates.items() if value and getattr(link, name) != value]
    for name in changed:
        setattr(link, name, updates[name])
    if changed:
        link.save(update_fields=changed)
    return link


def launch_accept(*, deployment: LtiDeployment, data: dict[str, Any], deep_linking: bool) -> LaunchResult:
    """Record a validated launch: account, context, membership, resource link; where it lands."""
    issuer = deployment.platform.issuer
    user = identity_user(issuer=issuer, subject=str(data["sub"]), given_name=str(data.get("given_name") or ""),
                         family_name=str(data.get("family_name") or ""), email=str(data.get("email") or ""))
    role = course_role(data.get(claims.ROLES) or [])
    with transaction.atomic():
        context = _context(deployment, data)
        link, assignment = None, None
        if context is not None and not deep_linking:
            assignment = _linked_assignment(context, data, role, user)
            link = _resource_link(context, data, assignment)
            if link is not None and assignment is None and link.assignment_id is not None:
                assignment = link.assignment if link.assignment.course_id == context.course_id else None
        if context is not None and context.course_id is not None:
            member_set(course=context.course, user=user, role=role)
    return LaunchResult(user=user, role=role, context=context, link=link, assignment=assignment,
                        deep_linking=deep_linking)


def deployment_of(*, issuer: str, client_id: str, deployment_id: str) -> LtiDeployment:
    """The deployment a validated launch came from."""
    return LtiDeployment.objects.select_related("platform").get(
        platform__issuer=issuer, platform__client_id=client_id, deployment_id=deployment_id
    )

