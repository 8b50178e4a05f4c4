"""The analytics page of an assignment: answers per step and part, the most frequent
misconceptions (by students, each linking to who made it), item analysis, the score
distribution (server-rendered SVG charts, each with its table) and copying signals."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from ...i18n import pick_language
from ...models import Membership
from ...templatetags.bpcourse_tags import notation, step_title
from ...web.http import allow_methods, error_page
from ..charts import CountRow, StackedRow, histogram_bin_labels, histogram_chart, misconception_chart, stacked_bar_chart
from ..item_analysis import FORMULAS, discrimination_reading, facility_reading, formula_mathml
from ..selectors import analytics as analytics_selectors
from ..selectors import courses as course_selectors
from .common import member_assignment, member_view, require_staff, requested_position, staff_tabs
from ..selectors.questions import question_slots

Role = Membership.Role


@member_view
@allow_methods("GET")
def analytics(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """An assignment's analytics page (staff)."""
    assignment, role = member_assignment(request, assignment_id)
    require_staff(role)
    positions = [slot.position for slot in question_slots(assignment=assignment)]
    position = requested_position(request)
    if position not in positions:
        return error_page(request, 404)
    data = analytics_selectors.assignment_analytics(assignment=assignment, position=position)
    part_bars = [StackedRow(row.key, str(notation(row.key)), row.counts) for row in data.parts]
    step_bars = [StackedRow(row.key, step_title(row.key), row.counts) for row in data.steps]
    misconceptions = [(row, pick_language(row.message)) for row in data.misconceptions]
    scores = [(label, count) for label, count in zip(histogram_bin_labels(), data.histogram, strict=False)]
    return render(
        request,
        "exercises/homework/analytics.html",
        {
            "assignment": assignment,
            "course": assignment.course,
            "data": data,
            "positions": positions if len(positions) > 1 else [],
            "tabs": staff_tabs(assignment, "analytics"),
            "steps_chart": stacked_bar_chart(step_bars, title=_("Answers per step"), element_id="steps-chart"),
            "parts_chart": stacked_bar_chart(part_bars, title=_("Answers per part"), element_id="parts-chart"),
            "misconceptions_chart": misconception_chart(
                [CountRow(row.key, message, row.students) for row, message in misconceptions],
                title=_("Most frequent misconceptions, by number of students"),
                element_id="misconceptions-chart",
            ),
            "histogram_chart": histogram_chart(
                data.histogram, title=_("Score distribution"), element_id="histogram-chart"
            ),
            "misconceptions": misconceptions,
            "scores": scores,
            "step_table": [_share_line(row) for row in data.steps],
            "part_table": [_share_line(row) for row in data.parts],
            "hint_rows": data.hints,
            "item_rows": _item_lines(data.items, notation_keys=True),
            "step_item_rows": _item_lines(data.step_items, notation_keys=False),
            "item_test": _test_line(data.items.test) if data.items else None,
            "formulas": [(formula.name, formula_mathml(formula)) for formula in FORMULAS],
            "enrolled": sum(1 for m in course_selectors.course_members(course=assignment.course) if m.role == Role.STUDENT),
        },
    )


def _share_line(row: Any) -> dict[str, Any]:
    shares = row.shares
    return {
        "key": row.key,
        "total": row.total,
        "correct": shares.get("correct", 0.0),
        "followthrough": shares.get("followthrough", 0.0),
        "incorrect": shares.get("incorrect", 0.0),
        "other": shares.get("invalid", 0.0) + shares.get("missing", 0.0),
    }


def _item_lines(analysis: Any, *, notation_keys: bool) -> list[dict[str, Any]]:
    """Item analysis rows for the table: the statistics and a word on facility and discrimination."""
    if analysis is None:
        return []
    rows = []
    for item in analysis.items:
        reading, css = discrimination_reading(item.discrimination)
        rows.append({
            "key": item.key,
            "label": notation(item.key) if notation_keys else step_title(item.key),
            "n": item.n,
            "mean": _number(item.mean),
            "max": _number(item.max_mark),
            "facility": _percent(item.facility),
            "sd": _percent(item.sd),
            "discrimination": _percent(item.discrimination),
            "efficiency": _percent(item.efficiency),
            "facility_reading": facility_reading(item.facility),
            "discrimination_reading": reading,
            "discrimination_class": css,
        })
    return rows


@member_view
@allow_methods("GET")
def misconception_students(request: HttpRequest, assignment_id: int, key: str) -> HttpResponse:
    """The students a misconception was diagnosed in, each linking to their attempts (staff)."""
    assignment, role = member_assignment(request, assignment_id)
    require_staff(role)
    found = analytics_selectors.misconception_students(assignment=assignment, key=key)
    if found is None:
        raise Http404
    return render(
        request,
        "exercises/homework/misconception_students.html",
        {
            "assignment": assignment,
            "course": assignment.course,
            "tabs": staff_tabs(assignment, "analytics"),
            "found": found,
            "message": pick_language(found.message) or key,
            "heading": assignment.title,
        },
    )


DASH = "—"


def _percent(value: float | None) -> str:
    """A percentage to one decimal ("57.7%"), "—" when undefined."""
    return DASH if value is None else f"{value:.1f}%"


def _number(value: float | None) -> str:
    """A mark to at most two decimals ("0.5", "1.25"), "—" when undefined."""
    return DASH if value is None else f"{value:.2f}".rstrip("0").rstrip(".")


def _test_line(test: Any) -> dict[str, Any]:
    """The whole assignment's statistics as the page prints them."""
    return {"n": test.n, "items": test.items, "mean": _number(test.mean), "median": _number(test.median),
            "max": _number(test.max_mark), "facility": _percent(test.facility), "sd": _percent(test.sd),
            "cic": _percent(test.cic), "facility_reading": facility_reading(test.facility)}
