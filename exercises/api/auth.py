"""Who is calling the API: a bearer token or the browser session (with CSRF for writes)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.utils import check_csrf

from ..web.ratelimit import client_ip, rate_limit_buckets, rate_limit_hit
from .tokens import api_token_get, api_token_touch


# Set in a request's META by the fast lane (exercises.api.hot) once it has counted the request in
# that rate-limit scope, so that the full stack, answering it after all, does not count it twice.
RATE_COUNTED = "bpcourse.rate_limit_counted"


class Viewer:
    """Who is calling: a user (or anonymous) and the browser session key, if any."""

    def __init__(self, user: Any, session_key: str, via_session: bool) -> None:
        self.user = user
        self.session_key = session_key
        self.via_session = via_session

    @property
    def signed_in_user(self) -> Any | None:
        return self.user if self.user is not None and self.user.is_authenticated else None


def get_viewer(request: HttpRequest) -> Viewer:
    """Resolve the caller from a bearer token or the session; 401 for a bad token, 403 for CSRF."""
    header = request.headers.get("Authorization", "")
    if header:
        return bearer_viewer(header)
    session = getattr(request, "session", None)
    has_cookie = settings.SESSION_COOKIE_NAME in request.COOKIES
    if has_cookie and request.method not in {"GET", "HEAD", "OPTIONS"}:
        # Cookie-authenticated writes need Django's CSRF token, as for any form.
        if check_csrf(request) is not None:
            raise HttpError(403, _("CSRF check failed: send the X-CSRFToken header."))
    user = getattr(request, "user", None) or AnonymousUser()
    session_key = (session.session_key or "") if session is not None and has_cookie else ""
    return Viewer(user, session_key, via_session=has_cookie)


def bearer_viewer(header: str) -> Viewer:
    """The owner of the API token in an `Authorization: Bearer …` header; 401 when it is none."""
    scheme, _sep, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        raise AuthenticationError(401, _("Use “Authorization: Bearer <your API token>”."))
    token = api_token_get(raw_token=raw.strip())
    if token is None:
        raise AuthenticationError(401, _("Invalid or revoked API token."))
    api_token_touch(token=token)
    return Viewer(token.user, "", via_session=False)


def signed_in_user(request: HttpRequest) -> Any:
    """The signed-in caller (session or token), else 401."""
    user = get_viewer(request).signed_in_user
    if user is None:
        raise HttpError(401, _("Sign in, or send “Authorization: Bearer <your API token>”."))
    return user


def rate_limit(request: HttpRequest, *, scope: str, user: Any = None, session_key: str = "") -> None:
    """Count the call against the scope's limits (per user, else session, and per address for
    anonymous calls); RateLimited (answered 429 with Retry-After by the API's handler) beyond them."""
    counted = request.META.get(RATE_COUNTED) == scope
    rate_limit_hit(scope=scope, buckets=rate_limit_buckets(
        scope=scope, ip=client_ip(request), user_id=user.pk if user is not None else None,
        session_key=session_key,
    ), count=not counted, counted=counted)
