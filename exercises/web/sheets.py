"""The answer sheet as templates show it, practice and homework alike: the given values in
the article's groups, and the boxes grouped by step with what was typed and any parser message."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

import graders

from .forms import FORM_TOKEN_FIELD, AnswerSheetForm


@dataclass(frozen=True)
class GivenValue:
    name: str
    value: float


@dataclass(frozen=True)
class GivenGroup:
    title: str
    values: list[GivenValue]


def given_groups(givens: Mapping[str, float]) -> list[GivenGroup]:
    """The given values grouped as the article lists them: inputs, weights, intercepts, targets."""
    groups: dict[str, list[GivenValue]] = {"i": [], "w": [], "b": [], "target": [], "eta": []}
    for name, value in givens.items():
        prefix = "target" if name.startswith("target_") else "eta" if name == "eta" else name[0]
        groups.setdefault(prefix, []).append(GivenValue(name, value))
    titles = {
        "i": _("Inputs"),
        "w": _("Weights"),
        "b": _("Intercepts (biases)"),
        "target": _("Targets"),
        "eta": _("Learning rate"),
    }
    return [GivenGroup(titles.get(prefix, prefix), values) for prefix, values in groups.items() if values]


def parts_by_step(parts: Iterable[graders.PartInfo]) -> dict[str, list[str]]:
    """Part keys grouped by step, steps in teaching order (unknown steps after, as met); a later
    training step's parts make groups of their own after step 1's (s2_forward, …)."""
    grouped: dict[str, list[str]] = {step: [] for step in graders.STEPS}
    for part in parts:
        grouped.setdefault(part.section, []).append(part.key)
    return {step: keys for step, keys in grouped.items() if keys}


@dataclass(frozen=True)
class AnswerBox:
    """One answer box of the sheet, ready for the template (no form machinery per box)."""

    key: str
    value: str
    error: str


def answer_boxes(parts: Iterable[graders.PartInfo], form: AnswerSheetForm) -> list[tuple[str, list[AnswerBox]]]:
    """The sheet's boxes grouped by step, with what was typed and the parser's message, if any."""
    typed = form.data if form.is_bound else form.initial
    errors = form.errors if form.is_bound else {}
    return [
        (step, [AnswerBox(key, str(typed.get(key) or ""), " ".join(errors.get(key, []))) for key in keys])
        for step, keys in parts_by_step(parts).items()
    ]


def sheet_is_blank(form: AnswerSheetForm) -> bool:
    """Nothing typed and nothing marked: the boxes look the same to everyone given these numbers."""
    if form.is_bound and form.errors:
        return False
    typed = form.data if form.is_bound else form.initial
    return not any(typed.get(key) for key in form.part_keys)


def form_token(form: AnswerSheetForm) -> str:
    """The one-time token that makes a sent sheet count once."""
    return form.data.get(FORM_TOKEN_FIELD, "") if form.is_bound else form.initial[FORM_TOKEN_FIELD]


def form_token_message(form: AnswerSheetForm) -> str:
    """Why a sheet was refused before its answers were read (only the token can be wrong)."""
    return " ".join(form.errors.get(FORM_TOKEN_FIELD, []))


def format_error_message() -> str:
    """The banner over a sheet with unreadable answers."""
    return _("Some answers could not be read. Nothing was submitted: correct the marked boxes and send again.")


def validation_message(error: ValidationError) -> str:
    """A service's refusal as one sentence."""
    return " ".join(str(message) for message in error.messages)
