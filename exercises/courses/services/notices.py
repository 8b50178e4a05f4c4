"""Regrade notices: a student dismisses the notice that a regrade changed their score."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from ...models import RegradeNotice
from ...values import as_int
from ..permissions import signed_in


def regrade_notice_dismiss(*, notice_id: Any, user: Any) -> bool:
    """Dismiss one of the user's own notices; False when there is no such notice (another's, unknown)."""
    pk = as_int(notice_id)
    if pk is None or not signed_in(user):
        return False
    updated = RegradeNotice.objects.filter(pk=pk, student=user, dismissed_at__isnull=True).update(
        dismissed_at=timezone.now()
    )
    return bool(updated) or RegradeNotice.objects.filter(pk=pk, student=user).exists()
