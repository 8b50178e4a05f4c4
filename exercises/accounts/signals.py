"""At login (sign-up logs in too), the browser's time zone is recorded and kept in the session."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from ..zones import BROWSER_ZONE_COOKIE, SESSION_ZONE
from .services import profile_zone_from_browser


@receiver(user_logged_in, dispatch_uid="exercises.record_browser_zone")
def record_browser_zone(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """The zone the browser reports becomes the user's, unless they chose one by hand."""
    if request is None:
        return
    browser = request.POST.get("time_zone") or request.COOKIES.get(BROWSER_ZONE_COOKIE)
    profile = profile_zone_from_browser(user=user, zone=browser)
    session = getattr(request, "session", None)
    if session is not None:
        session[SESSION_ZONE] = profile.time_zone
