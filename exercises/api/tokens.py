"""Personal API tokens: create, revoke, look up (only a token's hash is stored)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone

from ..models import ApiToken, hash_token


def api_token_create(*, user: AbstractBaseUser, name: str = "") -> tuple[ApiToken, str]:
    """Create an API token; the raw token is returned once and never stored."""
    raw = "bpc_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name[:100], prefix=raw[:12], token_hash=hash_token(raw))
    return token, raw


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke an API token."""
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    return token


def api_token_touch(*, token: ApiToken) -> None:
    """Record that a token was used (at most once a minute, to keep writes rare)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def api_token_get(*, raw_token: str) -> ApiToken | None:
    """The unrevoked API token of an active user matching the raw token, or None."""
    if not raw_token or len(raw_token) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(raw_token), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    return token
