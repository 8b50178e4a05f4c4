"""The links an invitation sends: a one-time set-password link for an account the roster import
created and that has never been used (Django's `default_token_generator`: the link stops working
once a password is set or the account logs in, and after PASSWORD_RESET_TIMEOUT), else the
"My courses" page, where the invitation waits for an answer."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from ..models import Invitation


def needs_password(invitation: Invitation) -> bool:
    """The import created the account and nobody has set its password or logged in yet."""
    user = invitation.user
    return invitation.created_account and not user.has_usable_password() and user.last_login is None


def set_password_path(user: Any) -> str:
    """The site path of a fresh one-time set-password link for the user."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": default_token_generator.make_token(user)})


def invitation_link(*, invitation: Invitation, base_url: str) -> str:
    """The absolute link the invitee follows (base_url: scheme and host, no trailing slash)."""
    if needs_password(invitation):
        return base_url + set_password_path(invitation.user)
    return base_url + reverse("exercises:courses")
