"""Approving instructors: the `exercises.teach` permission lets a user create courses. Set here
(by `manage.py grant_instructor`) or in the admin (a user's permissions)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Permission

from ..permissions import TEACH_PERMISSION


def _teach_permission() -> Permission:
    app_label, codename = TEACH_PERMISSION.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def instructor_grant(*, user: Any) -> None:
    """Approve the user as an instructor: they may create courses."""
    user.user_permissions.add(_teach_permission())
    for cache in ("_perm_cache", "_user_perm_cache"):
        user.__dict__.pop(cache, None)


def instructor_revoke(*, user: Any) -> None:
    """Withdraw the approval (courses already created stay theirs; superusers keep every permission)."""
    user.user_permissions.remove(_teach_permission())
    for cache in ("_perm_cache", "_user_perm_cache"):
        user.__dict__.pop(cache, None)
