"""LTI role URIs (launch claims and names-and-roles members) → a course role here."""

from __future__ import annotations

from collections.abc import Iterable

from ..models import Membership

Role = Membership.Role
_CONTEXT = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
_TA_MARKS = ("#TeachingAssistant", "Instructor#TeachingAssistant", "TeachingAssistant")
_INSTRUCTOR = {"Instructor", "Administrator", "ContentDeveloper"}


def _short(role: str) -> str:
    """The context role a URI names ('Instructor'), or the short form itself; '' for other vocabularies."""
    if role.startswith(_CONTEXT):
        return role[len(_CONTEXT):]
    return role if "/" not in role and ":" not in role else ""


def course_role(roles: Iterable[str]) -> str:
    """Teaching assistant if any role says so, else instructor for LMS staff roles, else student."""
    roles = [str(role) for role in roles]
    if any(role.endswith(mark) for role in roles for mark in _TA_MARKS):
        return Role.TA
    if any(_short(role).split("#")[0] in _INSTRUCTOR for role in roles):
        return Role.INSTRUCTOR
    return Role.STUDENT
