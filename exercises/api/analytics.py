"""The analytics endpoint's misconception rows (counted by students) and item analysis (Moodle's
facility and discrimination indices per part, and the total's statistics), as JSON."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from ninja import Schema

from ..courses.selectors.analytics import AssignmentAnalytics
from ..i18n import pick_language


class MisconceptionOut(Schema):
    key: str
    count: int  # times diagnosed, over every part
    students: int  # students it was diagnosed in (each once)
    message: str


class ItemStatsOut(Schema):
    key: str
    n: int
    max_mark: float
    mean: float | None
    facility: float | None
    sd: float | None
    discrimination: float | None
    efficiency: float | None


class TestStatsOut(Schema):
    n: int
    items: int
    max_mark: float
    mean: float | None
    median: float | None
    facility: float | None
    sd: float | None
    cic: float | None


class ItemAnalysisOut(Schema):
    items: list[ItemStatsOut]
    test: TestStatsOut


def misconceptions_out(data: AssignmentAnalytics) -> list[dict[str, Any]]:
    """The most frequent misconceptions, by students, with their message in the caller's language."""
    return [{"key": m.key, "count": m.count, "students": m.students, "message": pick_language(m.message) or m.key}
            for m in data.misconceptions]


def item_analysis_out(data: AssignmentAnalytics) -> dict[str, Any] | None:
    """Item analysis per part and of the total (percentages; null where undefined)."""
    if data.items is None:
        return None
    return {"items": [asdict(item) for item in data.items.items], "test": asdict(data.items.test)}
