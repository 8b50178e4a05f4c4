"""Reading one typed setting (number, whole number, yes/no, date, choice) for the course services:
each returns the clean value or raises a ValidationError that names the field."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from ..grader_messages import grader_error_message

# Dates an assignment may use, and how far a due date, a late window or an extension may reach
# past the date before it (the window arithmetic then stays far from datetime's limits).
EARLIEST_DATE = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_DATE = datetime(3000, 1, 1, tzinfo=UTC)
MAX_SPAN = timedelta(days=366)


def field_error(name: str, message: Any, code: str = "invalid") -> ValidationError:
    """A ValidationError naming one field."""
    return ValidationError({name: [ValidationError(message, code=code)]})


def number(data: Mapping[str, Any], name: str, low: float, high: float) -> float:
    """data[name] as a finite number from `low` to `high`."""
    value = data[name]
    if isinstance(value, Decimal):
        value = float(value)
    elif isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            value = None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise field_error(name, _("Enter a number."))
    if not low <= value <= high:
        raise field_error(name, _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high})
    return float(value)


def integer(data: Mapping[str, Any], name: str, low: int, high: int) -> int:
    """data[name] as a whole number from `low` to `high`."""
    value = data[name]
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise field_error(name, _("Enter a whole number from %(low)s to %(high)s.") % {"low": low, "high": high})
    return value


def boolean(data: Mapping[str, Any], name: str) -> bool:
    """data[name], which must be True or False."""
    value = data[name]
    if not isinstance(value, bool):
        raise field_error(name, _("Choose yes or no."))
    return value


def when(data: Mapping[str, Any], name: str, *, required: bool) -> datetime | None:
    """data[name] as an aware datetime (ISO text accepted), or None when empty and not required."""
    value = data.get(name)
    if value in (None, ""):
        if required:
            raise field_error(name, _("Enter a date and time."), code="required")
        return None
    if isinstance(value, str):
        try:
            value = parse_datetime(value.strip())
        except ValueError:  # well-formed but impossible, such as 2026-02-30
            value = None
    if not isinstance(value, datetime):
        raise field_error(name, _("Enter a date and time."))
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if not EARLIEST_DATE <= value < LATEST_DATE:
        raise field_error(name, _("Enter a date from the year 1970 to 2999."), code="out_of_range")
    return value


def at_most_a_year_after(later: datetime, earlier: datetime) -> bool:
    """Whether `later` lies at most MAX_SPAN after `earlier` (a difference never overflows)."""
    return later - earlier <= MAX_SPAN


def choice(data: Mapping[str, Any], name: str, choices: Iterable[str]) -> str:
    """data[name], which must be one of `choices`."""
    value = data[name]
    if value not in tuple(choices):
        raise field_error(name, _("Choose one of the options."))
    return str(value)


def grader_message(exc: Exception) -> str:
    """A graders error as one translated line ("field: message" when it names a field); never
    the exception's own (English, or a library's) text."""
    return grader_error_message(exc)
