"""The navigation's choices: "Teach" only for approved instructors and course staff."""

from __future__ import annotations

from typing import Any

from django import template

from exercises.models import Membership
from exercises.models.courses import TEACH_PERMISSION

register = template.Library()
STAFF_ROLES = (Membership.Role.INSTRUCTOR, Membership.Role.TA)


@register.simple_tag(takes_context=True)
def teaches(context: Any) -> bool:
    """The signed-in user may create courses or is an instructor or TA of one (once per request)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    if not hasattr(request, "_bpcourse_teaches"):
        request._bpcourse_teaches = user.has_perm(TEACH_PERMISSION) or Membership.objects.filter(
            user=user, role__in=STAFF_ROLES
        ).exists()
    return request._bpcourse_teaches
