"""Grading settings as typed (points, tolerance, follow-through, penalties, which attempt
counts): shared by the assignment form and the regrade form. Shares typed as percentages are
stored as fractions."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

import graders
from graders.graph import section_name
from graders.spec import MAX_TRAINING_STEPS

# Groups that can have a "points each": every step, and every step of a later training step (s2_forward…).
POINT_SECTIONS = tuple(graders.STEPS) + tuple(
    section_name(step, t) for t in range(2, MAX_TRAINING_STEPS + 1) for step in graders.STEPS)

TOLERANCE_CHOICES = [
    ("sigfigs", _("Significant figures")),
    ("relative", _("Relative error")),
    ("absolute", _("Absolute error")),
    ("decimals", _("Decimal places")),
]
SCORING_CHOICES = [("best", _("The best attempt counts")), ("last", _("The last attempt counts"))]
PART_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
# Where a service's error about an Assignment field is shown on the grading forms.
FIELD_ALIASES = {
    "template_config": "network",
    "points": "points_overrides",
    "tolerance": "tolerance_value",
}


def percent_field(label: Any, initial: float, help_text: Any = "", required: bool = True) -> forms.FloatField:
    """A share typed as a percentage, 0 to 100."""
    return forms.FloatField(
        label=label,
        initial=initial,
        required=required,
        min_value=0,
        max_value=100,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )


def fraction(percent: float | None) -> float:
    """A typed percentage as the stored fraction."""
    return round((percent or 0.0) / 100.0, 6)


def percent(fraction: Any) -> float:
    """A stored fraction as the percentage to type."""
    return round(float(fraction or 0.0) * 100.0, 4)


class GradingFields(forms.Form):
    """Points, tolerance and penalties: what the assignment form and the regrade form share."""

    default_points = forms.FloatField(
        label=_("Points per part"),
        initial=1,
        min_value=0,
        max_value=1000,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    points_overrides = forms.CharField(
        label=_("Different points for single parts"),
        required=False,
        help_text=_("One per line, for example <code>w6_new = 2</code>."),
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
    )
    tolerance_kind = forms.ChoiceField(label=_("Tolerance"), choices=TOLERANCE_CHOICES, initial="sigfigs")
    tolerance_value = forms.FloatField(
        label=_("Tolerance value"),
        initial=4,
        min_value=0,
        help_text=_("Significant figures or decimal places (a whole number), or the allowed error (0.001 = 0.1 %)."),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    followthrough = forms.BooleanField(
        label=_("Give follow-through credit"),
        required=False,
        initial=True,
        help_text=_("An answer that is wrong only because an earlier answer was wrong earns credit."),
    )
    followthrough_credit = percent_field(_("Follow-through credit (%)"), 100)
    attempt_penalty = percent_field(
        _("Penalty per extra attempt (%)"), 0, _("Taken off the score of every attempt after the first.")
    )
    late_penalty_per_day = percent_field(_("Late penalty per day (%)"), 10)
    hint_penalty_1 = percent_field(
        _("Hint 1 costs (%)"), 0, _("Of the part's points, when a student asked for the first hint (0 = free)."),
        required=False,
    )
    hint_penalty_2 = percent_field(_("Hint 2 costs a further (%)"), 0, required=False)
    hint_penalty_3 = percent_field(_("Hint 3 costs a further (%)"), 0, required=False)
    scoring = forms.ChoiceField(label=_("Which attempt counts"), choices=SCORING_CHOICES, initial="best")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for step in POINT_SECTIONS:
            self.fields[f"points_{step}"] = forms.FloatField(
                label=_("Points each"),
                required=False,
                min_value=0,
                max_value=1000,
                widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal", "class": "points-input"}),
            )

    def clean_points_overrides(self) -> dict[str, float]:
        overrides: dict[str, float] = {}
        for number, line in enumerate((self.cleaned_data.get("points_overrides") or "").splitlines(), start=1):
            if not line.strip():
                continue
            key, sep, value = line.partition("=")
            if not sep:
                key, sep, value = line.partition(":")
            key = key.strip()
            try:
                points = float(value)
            except ValueError:
                points = -1.0
            if not sep or not PART_KEY.match(key) or not 0 <= points <= 1000:
                raise ValidationError(
                    _("Line %(number)s: write a part and its points, such as w6_new = 2."),
                    params={"number": number},
                )
            overrides[key] = points
        return overrides

    def tolerance(self) -> dict[str, Any]:
        kind = self.cleaned_data["tolerance_kind"]
        value = self.cleaned_data["tolerance_value"]
        if kind in ("sigfigs", "decimals") and value == int(value):
            value = int(value)
        return {"kind": kind, "value": value}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "tolerance_kind" in data and "tolerance_value" in data:
            try:
                graders.Tolerance.from_dict(self.tolerance())
            except ValueError:
                self.add_error("tolerance_value", self._tolerance_message(data["tolerance_kind"]))
        return data

    @staticmethod
    def _tolerance_message(kind: str) -> Any:
        return {
            "sigfigs": _("Significant figures: a whole number from 1 to 15."),
            "decimals": _("Decimal places: a whole number from 0 to 15."),
            "relative": _("A relative error from 0 to 1 (0.01 = 1 %)."),
        }.get(kind, _("The allowed error must not be negative."))

    def points_for(self, keys_by_step: Mapping[str, Iterable[str]]) -> dict[str, float]:
        """Points of every part (by step: the step's value, else the default; then the overrides),
        or {} when every part is worth the default 1 point."""
        default = self.cleaned_data.get("default_points")
        default = 1.0 if default is None else float(default)
        points: dict[str, float] = {}
        for step, keys in keys_by_step.items():
            value = self.cleaned_data.get(f"points_{step}")
            for key in keys:
                points[key] = float(value) if value is not None else default
        points.update(self.cleaned_data.get("points_overrides") or {})
        if all(value == 1.0 for value in points.values()):
            return {}
        return points

    def grading_data(self, keys_by_step: Mapping[str, Iterable[str]]) -> dict[str, Any]:
        """The grading settings as Assignment fields (call after is_valid())."""
        data = self.cleaned_data
        return {
            "points": self.points_for(keys_by_step),
            "tolerance": self.tolerance(),
            "followthrough": bool(data.get("followthrough")),
            "followthrough_credit": fraction(data.get("followthrough_credit")),
            "attempt_penalty": fraction(data.get("attempt_penalty")),
            "late_penalty_per_day": fraction(data.get("late_penalty_per_day")),
            "hint_penalty_1": fraction(data.get("hint_penalty_1")),
            "hint_penalty_2": fraction(data.get("hint_penalty_2")),
            "hint_penalty_3": fraction(data.get("hint_penalty_3")),
            "scoring": data.get("scoring") or "best",
        }

    @classmethod
    def grading_initial(cls, assignment: Any, keys_by_step: Mapping[str, Iterable[str]]) -> dict[str, Any]:
        """The form's initial values from a saved assignment."""
        tolerance = dict(assignment.tolerance or {})
        initial: dict[str, Any] = {
            "tolerance_kind": tolerance.get("kind", "sigfigs"),
            "tolerance_value": tolerance.get("value", 4),
            "followthrough": assignment.followthrough,
            "followthrough_credit": percent(assignment.followthrough_credit),
            "attempt_penalty": percent(assignment.attempt_penalty),
            "late_penalty_per_day": percent(assignment.late_penalty_per_day),
            "hint_penalty_1": percent(assignment.hint_penalty_1),
            "hint_penalty_2": percent(assignment.hint_penalty_2),
            "hint_penalty_3": percent(assignment.hint_penalty_3),
            "scoring": assignment.scoring,
        }
        initial.update(points_initial(dict(assignment.points or {}), keys_by_step))
        return initial


def points_initial(points: Mapping[str, float], keys_by_step: Mapping[str, Iterable[str]]) -> dict[str, Any]:
    """Stored per-part points back as a default, per-step values and single-part overrides."""
    if not points:
        return {"default_points": 1}
    values = list(points.values())
    default = max(set(values), key=values.count)
    initial: dict[str, Any] = {"default_points": plain_number(default)}
    overrides: list[str] = []
    for step, keys in keys_by_step.items():
        step_values = [points.get(key, default) for key in keys]
        if step_values and len(set(step_values)) == 1 and step_values[0] != default:
            initial[f"points_{step}"] = plain_number(step_values[0])
            continue
        overrides += [f"{key} = {plain_number(points[key])}" for key in keys if points.get(key, default) != default]
    initial["points_overrides"] = "\n".join(overrides)
    return initial


def plain_number(value: float) -> float | int:
    """2.0 as 2, 2.5 as 2.5."""
    return int(value) if float(value).is_integer() else value


class RegradeForm(GradingFields):
    """New grading settings for every stored submission of an assignment."""

    def new_settings(self, keys_by_step: Mapping[str, Iterable[str]]) -> dict[str, Any]:
        """The new grading settings as Assignment fields (call after is_valid())."""
        return self.grading_data(keys_by_step)


class ApplyForm(forms.Form):
    """Applying a previewed regrade: the reason the students whose score changes are told."""

    reason = forms.CharField(
        label=_("Reason, shown to the students whose score changes"), max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
