"""The viewer's time zone: every page shows times in it, and forms read typed times in it."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from ..models import Profile
from ..zones import BROWSER_ZONE_COOKIE, DEFAULT_ZONE, SESSION_ZONE, zone_label, zone_or_none


def viewer_zone(request: HttpRequest) -> str:
    """A signed-in user's profile zone (kept in the session), else the browser's, else UTC."""
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    if user is not None and user.is_authenticated and session is not None:
        zone = zone_or_none(session.get(SESSION_ZONE))
        if zone is None:
            zone = zone_or_none(Profile.objects.filter(user=user).values_list("time_zone", flat=True).first())
            if zone is not None:
                session[SESSION_ZONE] = zone
        if zone is not None:
            return zone
    return zone_or_none(request.COOKIES.get(BROWSER_ZONE_COOKIE)) or DEFAULT_ZONE


class ViewerTimezoneMiddleware:
    """Activate the viewer's zone for the request (after the authentication middleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone = viewer_zone(request)
        request.time_zone = zone  # type: ignore[attr-defined]
        timezone.activate(zoneinfo.ZoneInfo(zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def time_zone_context(request: HttpRequest) -> dict[str, Any]:
    """Templates name the zone their times are in."""
    return {"time_zone_name": zone_label(getattr(request, "time_zone", None) or timezone.get_current_timezone_name())}
