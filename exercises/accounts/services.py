"""Writes of account settings: a user's time zone, from the browser or chosen by hand."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..models import Profile
from ..zones import zone_or_none


def profile_get(*, user: Any) -> Profile:
    """The user's profile, made (in UTC) on first need."""
    profile, _created = Profile.objects.get_or_create(user=user)
    return profile


def profile_zone_from_browser(*, user: Any, zone: object) -> Profile:
    """At sign-up and login, take the browser's zone, unless the user chose one by hand."""
    profile = profile_get(user=user)
    valid = zone_or_none(zone)
    if valid is not None and not profile.time_zone_chosen and profile.time_zone != valid:
        profile.time_zone = valid
        profile.save(update_fields=["time_zone"])
    return profile


def profile_zone_set(*, user: Any, zone: object) -> Profile:
    """The user chooses a zone; later logins no longer replace it with the browser's."""
    valid = zone_or_none(zone)
    if valid is None:
        raise ValidationError(_("Choose a time zone from the list."), code="unknown_zone")
    profile = profile_get(user=user)
    profile.time_zone, profile.time_zone_chosen = valid, True
    profile.save(update_fields=["time_zone", "time_zone_chosen"])
    return profile
