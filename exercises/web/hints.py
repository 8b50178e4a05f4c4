"""Hint panels of an answer sheet (practice and homework): under each answer box, the hint levels
the student has asked for so far and a button for the next one. The button submits the sheet
to the hint address (so the typed answers go along and level 3 can use them); static hints.js
does the same in place, without leaving the page."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from graders.graph import PartInfo
from graders.hints import MAX_LEVEL, NO_HINT_KINDS, Hint

from ..templatetags.bpcourse_tags import derivation
from .speech import key_speech


def _percent(fraction: float) -> str:
    return f"{fraction * 100:g} %"


@dataclass
class HintSheet:
    """What the sheet's hint panels need: where to ask, the levels shown, and (homework) the costs.

    `compute(key, level)` gives levels 1…level of a part's hint; it is called only for parts
    with a hint shown. `enabled` False shows the hints already taken but no button."""

    action: str
    levels: Mapping[str, int]
    compute: Callable[[str, int], Sequence[Hint]]
    costs: tuple[float, float, float] | None = None
    enabled: bool = True
    available: Callable[[str], bool] = field(default=lambda key: True)
    closed: frozenset[str] = frozenset()  # parts whose answer is shown: no button, no new hint

    @property
    def used(self) -> bool:
        """Whether any hint was shown (the sheet then differs from the blank one everyone gets)."""
        return any(self.levels.values())

    def cost_note(self) -> str:
        """The homework's hint costs in one sentence ("" for practice or when hints are free)."""
        if not self.costs or not any(self.costs):
            return ""
        first, second, third = (_percent(c) for c in self.costs)
        return _("Hints cost points: hint 1 takes %(first)s of the part's points, hint 2 a further "
                 "%(second)s and hint 3 a further %(third)s, from every submission made after asking.") % {
            "first": first, "second": second, "third": third}

    def panel(self, key: str) -> str:
        """The panel of one part: its hints so far and the button for the next level."""
        if not self.available(key):
            return ""
        level = int(self.levels.get(key, 0) or 0)
        can_ask = self.enabled and level < MAX_LEVEL and key not in self.closed
        if not level and not can_ask:
            return ""
        shown = self.compute(key, level) if level else []
        return hint_panel(key, shown, self.action if can_ask else "", level + 1, self.costs)


def hint_panel(key: str, hints: Sequence[Hint], action: str, next_level: int,
               costs: tuple[float, float, float] | None) -> str:
    """One part's hint panel as HTML (all text escaped; MathML from the grader)."""
    language = get_language() or "en"
    lang = "zh" if language.lower().startswith("zh") else "en"
    spoken = key_speech(key, language)
    levels = "".join(_level_html(key, h, lang) for h in hints)
    button = ""
    if action:
        cost = ""
        if costs and costs[next_level - 1]:
            cost = _(" (costs %(cost)s of this part's points)") % {"cost": _percent(costs[next_level - 1])}
        button = format_html(
            '<button type="submit" class="button button-quiet hint-button" formaction="{}" formnovalidate'
            ' name="hint" value="{}" data-hint-button aria-controls="hint-{}">{}{}'
            '<span class="visually-hidden"> — {}</span></button>',
            action, key, key, _("Hint %(level)s") % {"level": next_level}, cost, spoken,
        )
    return (f'<div class="hint-panel" id="hint-{html.escape(key, quote=True)}" data-hint-panel>'
            f'<div class="hint-levels" aria-live="polite" data-hint-levels>{levels}</div>{button}</div>')


def _level_html(key: str, hint: Hint, lang: str) -> str:
    title = _("Hint %(level)s") % {"level": hint.level}
    math = ""
    if hint.mathml:
        math = str(derivation(SimpleNamespace(key=key, latex=hint.latex, mathml=hint.mathml)))
    return str(format_html('<div class="hint" data-hint-level="{}"><p class="hint-text"><strong>{}</strong> {}</p>{}</div>',
                           hint.level, title, hint.text.get(lang) or hint.text["en"], mark_safe(math)))  # noqa: S308


def hint_panels(sheet: HintSheet | None, key: str) -> SafeString:
    """A part's panel, or nothing without a hint sheet."""
    return mark_safe(sheet.panel(key) if sheet is not None else "")  # noqa: S308 - escaped in hint_panel


def no_hint_keys(parts: Iterable[PartInfo]) -> frozenset[str]:
    """The parts that get no hint (E_total after the update)."""
    return frozenset(p.key for p in parts if p.kind in NO_HINT_KINDS)


def wants_json(request: HttpRequest) -> bool:
    """Whether the hint was asked by hints.js (which wants the new panel as JSON)."""
    return "application/json" in request.headers.get("Accept", "")
