"""Signal receivers: glue between Django's auth events and our services."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .services import SESSION_VARIANTS, practice_claim_anonymous


@receiver(user_logged_in, dispatch_uid="exercises.claim_anonymous_practice")
def claim_anonymous_practice(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Practice done before logging in stays with the student after it."""
    session = getattr(request, "session", None)
    if session is not None:
        practice_claim_anonymous(user=user, variant_ids=list(session.get(SESSION_VARIANTS, {}).values()))
