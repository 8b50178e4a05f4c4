"""Mastery reads (selectors): a signed-in student's own graded parts, practice and homework, as
`graders.mastery` events; their skills; and the next focus of adaptive practice.

What counts as "given away" (never mastered): a practice part whose answer was shown on request,
or answered after the wrong answers that reveal it; a homework attempt after the first when the
assignment shows answers after each submission; any part with a level-3 hint. Homework
diagnoses count only when the assignment shows them to the student."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings

import graders
from graders.adaptive import Focus, choose_focus
from graders.mastery import MasteryConfig, PartEvent, SeenMisconception, SkillState, recent_misconceptions, skill_states

from ..grading.reveal import WRONG_STATUSES, reveal_after_wrong
from ..grading.variants import submission_spec
from ..models import Assignment, Submission, Variant


def mastery_config() -> MasteryConfig:
    """The mastery model's numbers from the settings (BPCOURSE_MASTERY_*, …_ADAPTIVE_RUN, …_REVIEW_*)."""
    return MasteryConfig(
        decay=float(settings.BPCOURSE_MASTERY_DECAY),
        prior=float(settings.BPCOURSE_MASTERY_PRIOR),
        threshold=float(settings.BPCOURSE_MASTERY_THRESHOLD),
        run_length=int(settings.BPCOURSE_ADAPTIVE_RUN),
        review_days=tuple(float(d) for d in settings.BPCOURSE_REVIEW_INTERVALS_DAYS),
    )


def _hint_level(value: Any) -> int:
    if value is None:
        return 0
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _part_infos(submission: Submission, cache: dict[Any, dict[str, graders.PartInfo]]) -> dict[str, graders.PartInfo]:
    """The network's parts (step and kind of each) of the numbers a submission answered."""
    key = submission.numbers_id or (submission.variant_id, submission.seed)
    if key not in cache:
        try:
            cache[key] = {p.key: p for p in graders.solve(submission_spec(submission=submission)).parts}
        except (graders.UnknownTemplate, graders.SpecError, graders.NoUsableVariant):
            cache[key] = {}  # a network type removed since: its parts cannot be placed
    return cache[key]


def mastery_events(*, user: Any) -> list[PartEvent]:
    """The graded parts of a user's own last BPCOURSE_MASTERY_HISTORY attempts, oldest first."""
    if user is None or not user.is_authenticated:
        return []
    rows = list(
        Submission.objects.filter(user=user, status=Submission.Status.GRADED)
        .only("id", "variant_id", "created_at", "report", "attempt_number", "numbers_id", "seed")
        .order_by("-created_at")[: int(settings.BPCOURSE_MASTERY_HISTORY)]
    )
    rows.reverse()
    variants = Variant.objects.select_related("assignment").defer(
        "solved_parts", "wrong_counts", "assignment__instructions")
    by_id = {v.pk: v for v in variants.filter(pk__in={row.variant_id for row in rows})}  # each variant once
    threshold = reveal_after_wrong()
    wrong: dict[tuple[Any, str], int] = {}
    infos: dict[Any, dict[str, graders.PartInfo]] = {}
    events: list[PartEvent] = []
    for submission in rows:
        variant = submission.variant = by_id[submission.variant_id]
        parts = _part_infos(submission, infos)
        assignment = variant.assignment if variant.is_homework else None
        show_diagnosis = assignment is None or assignment.show_diagnosis
        shown_after_each = (assignment is not None and assignment.reveal == Assignment.Reveal.AFTER_SUBMISSION
                            and (submission.attempt_number or 1) > 1)
        shown = set(variant.revealed_parts or []) if assignment is None else set()
        hints = variant.hints_used or {}
        when = submission.created_at.timestamp()
        attempt = str(submission.pk)
        for key, part in ((submission.report or {}).get("parts") or {}).items():
            info = parts.get(key)
            if info is None:
                continue
            status = str(part.get("status", "missing"))
            revealed = shown_after_each or key in shown or wrong.get((variant.pk, key), 0) >= threshold
            diagnoses = tuple(str(d.get("key", "")) for d in part.get("diagnoses") or ()) if show_diagnosis else ()
            events.append(PartEvent(attempt, when, key, info.step, info.kind, status, diagnoses,
                                    revealed, _hint_level(hints.get(key)), variant.template))
            if assignment is None and status in WRONG_STATUSES:
                wrong[(variant.pk, key)] = wrong.get((variant.pk, key), 0) + 1
    return events


@dataclass(frozen=True)
class Progress:
    """A student's skills now, the misconceptions seen lately and what to practise next."""

    steps: list[SkillState]
    misconceptions: list[SkillState]  # most recently seen first
    recent: list[SeenMisconception]
    focus: Focus
    due: list[SkillState]  # mastered steps whose review has come
    last_used: dict[str, float]  # network type → when last answered
    config: MasteryConfig
    attempts: int

    @property
    def practised(self) -> bool:
        """Whether anything was graded yet."""
        return self.attempts > 0


def current_focus_variant(*, user: Any) -> Variant | None:
    """The user's latest adaptive exercise, if any."""
    if user is None or not user.is_authenticated:
        return None
    return (Variant.objects.filter(owner=user, kind=Variant.Kind.PRACTICE, focus__has_key="step")
            .order_by("-created_at").first())


def progress_for_user(*, user: Any, now: float | None = None) -> Progress:
    """Mastery of every skill from the user's own graded parts, and the next adaptive focus."""
    config = mastery_config()
    now = time.time() if now is None else now
    events = mastery_events(user=user)
    states = skill_states(events, config)
    seen = recent_misconceptions(events, limit=len(states))
    current = current_focus_variant(user=user)
    latest = (seen[0].key, seen[0].step) if seen else None
    focus = choose_focus(states, latest_misconception=latest, current=(current.focus or {}).get("step") if current else None,
                         now=now, config=config)
    steps = [state for state in states.values() if state.kind == "step"]
    order = {s.key: i for i, s in enumerate(seen)}
    misconceptions = sorted((s for s in states.values() if s.kind == "misconception"),
                            key=lambda s: order.get(s.skill, len(order)))
    last_used: dict[str, float] = {}
    for event in events:
        last_used[event.template] = max(last_used.get(event.template, event.when), event.when)
    return Progress(steps, misconceptions, seen[:5], focus, [s for s in steps if s.is_due(now)], last_used,
                    config, len({e.attempt for e in events}))
