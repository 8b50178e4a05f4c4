"""Time zones by IANA name: which names are valid, and how a time is written with its zone."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from functools import lru_cache

# The zone a browser reports (Intl.DateTimeFormat().resolvedOptions().timeZone) reaches the
# server in this cookie, set by static/exercises/zone.js on every page.
BROWSER_ZONE_COOKIE = "bp_tz"
SESSION_ZONE = "time_zone"
DEFAULT_ZONE = "UTC"


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    """Every IANA zone name this machine knows, sorted (UTC included)."""
    return tuple(sorted(zoneinfo.available_timezones() | {DEFAULT_ZONE}))


def zone_or_none(name: object) -> str | None:
    """The name if it is a known IANA zone, else None (never raises on user input)."""
    if not isinstance(name, str) or not 0 < len(name) <= 64:
        return None
    return name if name in _known() else None


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    return frozenset(zone_names())


def zone_label(name: str) -> str:
    """How a zone is named on a page: America/New_York → America/New York."""
    return name.replace("_", " ")


def local_text(moment: datetime, zone: str) -> str:
    """`2026-12-01 23:59` in the zone (an aware datetime; the zone must be valid)."""
    return moment.astimezone(zoneinfo.ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")
