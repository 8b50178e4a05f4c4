"""The analytics page of an assignment: answers per step and part, the most frequent
misconceptions, the score distribution (server-rendered SVG charts) and copying signals."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from ...i18n import pick_language
from ...models import Membership
from ...templatetags.bpcourse_tags import notation, step_title
from ...web.http import allow_methods, error_page
from ..charts import CountRow, StackedRow, histogram_bin_labels, histogram_chart, misconception_chart, stacked_bar_chart
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
                [CountRow(row.key, message, row.count) for row, message in misconceptions],
                title=_("Most frequent misconceptions"),
                element_id="misconceptions-chart",
            ),
            "histogram_chart": histogram_chart(
                data.histogram, title=_("Score distribution"), element_id="histogram-chart"
            ),
            "misconceptions": misconceptions,
            "scores": scores,
            "step_table": [_share_line(row) for row in data.steps],
            "part_table": [_share_line(row) for row in data.parts],
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
