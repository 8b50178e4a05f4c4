"""How close an answer must be to the reference value: the one accept/reject decision."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

KINDS = ("sigfigs", "relative", "absolute", "decimals")
# Limits keep specs sane: beyond ~15 significant figures or decimals a double cannot tell.
MAX_SIGFIGS = 15
MAX_DECIMALS = 15

# An expected value that is numerically 0 (e.g. 1e-17 from rounding) must still be matchable.
ABSOLUTE_FLOOR = 1e-12
# Slack for binary rounding in |a − e|, so an answer exactly on the boundary is accepted.
RELATIVE_SLACK = 1e-9


class ToleranceError(ValueError):
    """An invalid tolerance; ``field`` names the offending field ("kind" or "value"), ``code``
    the rule it breaks and ``params`` its numbers (so a caller can say it in another language)."""

    def __init__(self, field: str, message: str, code: str = "invalid", **params: object) -> None:
        self.field = field
        self.message = message
        self.code = code
        self.params = params
        super().__init__(f"{field}: {message}")


def _is_number(value: object) -> bool:
    """A real int or float (bool is not a number here)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@dataclass(frozen=True)
class Tolerance:
    """An acceptance rule: kind is sigfigs | relative | absolute | decimals, with its value."""

    kind: str = "sigfigs"
    value: float = 4

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ToleranceError("kind", f"must be one of {', '.join(KINDS)}, not {self.kind!r}", "unknown_kind")
        value = self.value
        if not _is_number(value) or not math.isfinite(value):
            raise ToleranceError("value", f"must be a finite number, not {value!r}", "not_finite")
        if self.kind in ("sigfigs", "decimals"):
            low, high = (1, MAX_SIGFIGS) if self.kind == "sigfigs" else (0, MAX_DECIMALS)
            if value != int(value) or not low <= value <= high:
                raise ToleranceError("value", f"{self.kind} must be a whole number from {low} to {high}",
                                     "whole_number", kind=self.kind, low=low, high=high)
            object.__setattr__(self, "value", int(value))  # 4.0 from JSON is stored as 4
        elif self.kind == "relative" and not 0 <= value <= 1:
            raise ToleranceError("value", "relative must be from 0 to 1", "relative_range")
        elif self.kind == "absolute" and value < 0:
            raise ToleranceError("value", "absolute must not be negative", "negative")

    def to_dict(self) -> dict:
        """JSON-safe ``{"kind": …, "value": …}``."""
        return {"kind": self.kind, "value": self.value}

    @classmethod
    def from_dict(cls, data: Mapping) -> Tolerance:
        """A validated Tolerance; kind defaults to sigfigs, whose value defaults to 4."""
        if not isinstance(data, Mapping):
            raise ToleranceError("tolerance", "must be an object with kind and value", "not_an_object")
        unknown = sorted(str(key) for key in data if key not in ("kind", "value"))
        if unknown:
            raise ToleranceError(unknown[0], "is not a tolerance field (use kind and value)", "unknown_field")
        kind = data.get("kind", "sigfigs")
        if kind not in KINDS:
            raise ToleranceError("kind", f"must be one of {', '.join(KINDS)}, not {kind!r}", "unknown_kind")
        if "value" not in data:
            if kind != "sigfigs":
                raise ToleranceError("value", f"is required for kind {kind}", "value_required", kind=kind)
            return cls(kind)
        return cls(kind, data["value"])


DEFAULT_TOLERANCE = Tolerance()


def _decimal_exponent(magnitude: float) -> int:
    """floor(log10(magnitude)) for a finite magnitude > 0, exact next to powers of ten."""
    k = math.floor(math.log10(magnitude))
    # log10 may round across an integer just below or above an exact power of ten
    if 10.0**k > magnitude:
        k -= 1
    elif k < 308 and 10.0 ** (k + 1) <= magnitude:
        k += 1
    return k


def _rule_error(expected: float, tolerance: Tolerance) -> float:
    """The largest |answer − expected| the tolerance's rule itself allows."""
    kind, value = tolerance.kind, tolerance.value
    if kind == "sigfigs":
        if expected == 0:
            return 0.0
        # one unit in the value-th significant figure of expected
        return 10.0 ** (_decimal_exponent(abs(expected)) - value + 1)
    if kind == "decimals":
        return 10.0**-value
    if kind == "relative":
        return value * abs(expected)
    return float(value)


def allowed_error(expected: float, tolerance: Tolerance) -> float:
    """The rule's bound plus a 1e-9 relative rounding slack and a 1e-12 absolute floor."""
    if not math.isfinite(expected):
        return math.nan
    bound = _rule_error(expected, tolerance)
    return bound + bound * RELATIVE_SLACK + ABSOLUTE_FLOOR


def within(answer: float, expected: float, tolerance: Tolerance = DEFAULT_TOLERANCE) -> bool:
    """True iff both are finite and |answer − expected| ≤ allowed_error(expected, tolerance)."""
    if not (math.isfinite(answer) and math.isfinite(expected)):
        return False
    difference = abs(answer - expected)
    # the difference of two finite doubles can overflow (1e308 − −1e308): never within
    return difference <= allowed_error(expected, tolerance)
