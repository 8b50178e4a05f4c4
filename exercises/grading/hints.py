"""Hints on demand, for practice and homework alike: the level a student has reached on each part
(`Variant.hints_used`, part key → highest level 1–3 shown), asking for the next one, and the
hints themselves from `graders.hints`. Who may ask, and when, is each kind's own rule (practice:
`exercises.practice.services.practice_hint`; homework: `exercises.courses.services.homework`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

import graders
from graders.hints import MAX_LEVEL, Hint, hint, hint_available

from ..models import Submission, Variant
from .variants import variant_solution, variant_spec


def hint_level(*, variant: Variant, part_key: str) -> int:
    """The highest hint level the variant's student has seen for a part (0: none)."""
    try:
        return max(0, min(MAX_LEVEL, int((variant.hints_used or {}).get(part_key, 0))))
    except (TypeError, ValueError):
        return 0


def hint_part_check(*, variant: Variant, part_key: Any, asked: Iterable[str] | None = None) -> str:
    """The part key if the variant asks it and it has a hint, else ValidationError."""
    keys = set(asked) if asked is not None else {p.key for p in variant_solution(variant=variant).parts}
    if not isinstance(part_key, str) or part_key not in keys:
        raise ValidationError(_("This exercise has no such part."), code="unknown_part")
    if not hint_available(variant_spec(variant=variant), part_key):
        raise ValidationError(_("This part has no hint."), code="no_hint")
    return part_key


def hint_next(*, variant: Variant, part_key: str) -> int:
    """Record that the next hint level of a part was shown (at most 3) and return it; the row is
    locked, so two quick clicks count as two levels, never as one lost update."""
    with transaction.atomic():
        locked = Variant.objects.select_for_update().get(pk=variant.pk)
        level = min(MAX_LEVEL, hint_level(variant=locked, part_key=part_key) + 1)
        if level != hint_level(variant=locked, part_key=part_key):
            locked.hints_used = {**(locked.hints_used or {}), part_key: level}
            locked.save(update_fields=["hints_used"])
    variant.hints_used = locked.hints_used
    return level


def typed_values(*, variant: Variant, answers: Mapping[str, Any]) -> dict[str, float]:
    """The readable answers among `answers` (unreadable, blank or unknown ones are left out)."""
    solution = variant_solution(variant=variant)
    keys = [p.key for p in solution.parts]
    values: dict[str, float] = {}
    for key in keys:
        text = answers.get(key)
        if not isinstance(text, str) or not text.strip():
            continue
        try:
            values[key] = graders.parse_answer(text, names=solution.givens, forbidden=set(keys))
        except graders.AnswerError:
            continue
    return values


def latest_answers(*, variant: Variant) -> dict[str, str]:
    """The answers of the variant's newest submission ({} when there is none)."""
    answers = Submission.objects.filter(variant=variant).order_by("-created_at").values_list("answers", flat=True)
    first = answers.first()
    return dict(first) if isinstance(first, dict) else {}


def part_hints(*, variant: Variant, part_key: str, level: int, answers: Mapping[str, Any],
               shown: Iterable[str] = ()) -> list[Hint]:
    """Levels 1…`level` of a part's hint; level 3 puts in the readable `answers` (else the values of
    the `shown` parts, else leaves the factor as a symbol)."""
    spec = variant_spec(variant=variant)
    typed = typed_values(variant=variant, answers=answers)
    return [hint(spec, part_key, n, typed=typed, shown=shown) for n in range(1, min(level, MAX_LEVEL) + 1)]
