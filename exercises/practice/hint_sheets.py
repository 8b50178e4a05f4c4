"""The hint panels of a practice page (exercises.web.hints.HintSheet) and the answers typed when a
hint was asked without JavaScript, kept in the session for the page the student returns to."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from ..grading.hints import latest_answers, part_hints
from ..grading.reveal import revealed_parts
from ..models import Variant
from ..web.hints import HintSheet, no_hint_keys

SESSION_HINT_ANSWERS = "hint_answers"


def hint_sheet(page: dict[str, Any], answers: dict[str, str]) -> HintSheet:
    """The page's hint panels: the levels its variant has shown, level 3 with the typed answers
    (else those of the variant's newest submission, else the parts already revealed)."""
    variant: Variant | None = page["variant"]
    shown = revealed_parts(variant) if variant is not None else frozenset()
    no_hint = no_hint_keys(page["solution"].parts)

    def compute(key: str, level: int) -> list:
        if variant is None:  # levels exist only on a stored variant
            return []
        return part_hints(variant=variant, part_key=key, level=level,
                          answers={**latest_answers(variant=variant), **answers}, shown=shown)

    return HintSheet(
        action=reverse("exercises:practice_hint", args=[page["template"].name, page["seed"]]),
        levels=dict(variant.hints_used or {}) if variant is not None else {},
        compute=compute,
        available=lambda key: key not in no_hint,
        closed=frozenset(shown),
    )


def hint_answers(request: HttpRequest, variant: Variant | None) -> dict[str, str]:
    """The answers typed when a hint was asked without JavaScript (once: they are taken out)."""
    kept = request.session.get(SESSION_HINT_ANSWERS)
    if variant is None or not isinstance(kept, dict) or kept.get("variant") != str(variant.pk):
        return {}
    del request.session[SESSION_HINT_ANSWERS]
    answers = kept.get("answers")
    return {k: v for k, v in answers.items() if isinstance(v, str)} if isinstance(answers, dict) else {}
