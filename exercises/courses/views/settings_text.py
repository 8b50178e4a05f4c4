"""Grading settings in words, for the regrade summary and the assignment overview."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ...models import Assignment
from ..forms.grading import SCORING_CHOICES, TOLERANCE_CHOICES


def setting_text(name: str, value: Any) -> str:
    """One grading setting in words."""
    if name == "tolerance" and isinstance(value, Mapping):
        kind = dict(TOLERANCE_CHOICES).get(value.get("kind"), value.get("kind"))
        return f"{kind}: {value.get('value')}"
    if name == "points":
        if not value:
            return _("1 per part")
        by_value: dict[float, int] = {}
        for points in value.values():
            by_value[float(points)] = by_value.get(float(points), 0) + 1
        return ", ".join(
            ngettext("%(points)s × %(count)s part", "%(points)s × %(count)s parts", count) % {
                "points": f"{points:g}", "count": count}
            for points, count in sorted(by_value.items())
        )
    if name == "followthrough":
        return _("yes") if value else _("no")
    if name in ("followthrough_credit", "attempt_penalty", "late_penalty_per_day", "hint_penalty_1",
                "hint_penalty_2", "hint_penalty_3"):
        return f"{float(value) * 100:g} %"
    if name == "scoring":
        return str(dict(SCORING_CHOICES).get(value, value))
    if name == "parts":
        return ", ".join(value) or _("all")
    return str(value)


SETTING_LABELS = {
    "tolerance": lambda: _("Tolerance"),
    "points": lambda: _("Points"),
    "followthrough": lambda: _("Follow-through credit"),
    "followthrough_credit": lambda: _("Follow-through credit (%)"),
    "attempt_penalty": lambda: _("Penalty per extra attempt (%)"),
    "late_penalty_per_day": lambda: _("Late penalty per day (%)"),
    "scoring": lambda: _("Which attempt counts"),
    "hint_penalty_1": lambda: _("Hint 1 costs (%)"),
    "hint_penalty_2": lambda: _("Hint 2 costs a further (%)"),
    "hint_penalty_3": lambda: _("Hint 3 costs a further (%)"),
    "parts": lambda: _("Parts asked"),
}


def policy_facts(assignment: Assignment, question: Any) -> list[tuple[str, str]]:
    """(label, text) of every grading and late policy of an assignment (tolerance and
    follow-through: the question's), for its overview."""
    facts = [(SETTING_LABELS["tolerance"](), setting_text("tolerance", question.tolerance))]
    credit = setting_text("followthrough_credit", question.followthrough_credit) if question.followthrough else _("no")
    facts.append((SETTING_LABELS["followthrough_credit"](), credit))
    facts.append((SETTING_LABELS["attempt_penalty"](), setting_text("attempt_penalty", assignment.attempt_penalty)))
    late = assignment.get_late_policy_display()
    if assignment.late_policy != "none":
        late += " · " + setting_text("late_penalty_per_day", assignment.late_penalty_per_day) + " " + _("per day")
    facts.append((_("Late submissions"), late))
    costs = [setting_text(f"hint_penalty_{level}", getattr(assignment, f"hint_penalty_{level}")) for level in (1, 2, 3)]
    facts.append((_("Hints (cost of levels 1, 2, 3)"), " · ".join(costs)))
    return facts
