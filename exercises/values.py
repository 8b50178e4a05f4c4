"""Reading loose values (ids from URLs and JSON, numbers from reports) without exceptions."""

from __future__ import annotations

import math
import uuid
from typing import Any


def as_uuid(value: Any) -> uuid.UUID | None:
    """A UUID from a string or UUID; None when it is not one."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def as_int(value: Any) -> int | None:
    """A positive database id (below 2**63) from an int or its text; None otherwise."""
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def finite(value: Any) -> float | None:
    """A finite number as float; None for NaN, infinities, bools and non-numbers."""
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    return float(value) if ok else None
