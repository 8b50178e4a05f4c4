"""Mastery reads (selectors): a signed-in student's own graded parts, practice and homework, as
`graders.mastery` events; their skills; and the next focus of adaptive practice.

What counts as "given away" (never mastered): a practice part whose answer was shown on request,
or answered after the wrong answers that reveal it; a homework attempt after the first when the
assignment shows answers after each submission; any part with a level-3 hint. Homework
diagnoses count only when the assignment shows them to the student."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache

import graders
from graders.adaptive import Focus, choose_focus
from graders.mastery import MasteryConfig, PartEvent, SeenMisconception, SkillState, recent_misconceptions, skill_states

from ..grading.reveal import WRONG_STATUSES, reveal_after_wrong
from ..grading.variants import submission_spec
from ..models import Assignment, Submission, Variant

logger = logging.getLogger(__name__)


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


@dataclass(frozen=True)
class GradedAttempt:
    """What mastery reads of one graded submission: its report's parts placed in the network
    (key, step, kind, status, every diagnosis). Depends only on the stored report and numbers,
    so it is cached; what the variant and assignment reveal is applied on every read."""

    attempt: str
    variant_id: Any
    when: float
    attempt_number: int
    parts: tuple[tuple[str, str, str, str, tuple[str, ...]], ...]


def _history() -> int:
    return int(settings.BPCOURSE_MASTERY_HISTORY)


def _cache_key(user_id: Any) -> str:
    return f"mastery-attempts:v1:{user_id}"


def mastery_forget(*, user_ids: Iterable[Any]) -> None:
    """Drop the cached graded attempts of these users (their stored reports changed: a regrade)."""
    keys = [_cache_key(user_id) for user_id in user_ids if user_id is not None]
    if keys:
        try:
            cache.delete_many(keys)
        except Exception as exc:  # Redis down: its entries expire after BPCOURSE_MASTERY_CACHE_SECONDS
            logger.warning("mastery cache not cleared, unreachable (%s: %s)", type(exc).__name__, exc)


def _latest_graded(user: Any) -> list[tuple[str, float | None]]:
    """(id, graded_at) of the user's last BPCOURSE_MASTERY_HISTORY graded submissions, oldest
    first, read without their reports."""
    rows = (Submission.objects.filter(user=user, status=Submission.Status.GRADED)
            .order_by("-created_at").values_list("id", "graded_at")[: _history()])
    return [(str(pk), graded_at.timestamp() if graded_at else None) for pk, graded_at in reversed(rows)]


def _parse(ids: list[str]) -> dict[str, GradedAttempt]:
    """Parse the reports of these graded submissions: each part placed in its network."""
    rows = list(Submission.objects.filter(pk__in=ids)
                .only("id", "variant_id", "created_at", "report", "attempt_number", "numbers_id", "seed"))
    variants = Variant.objects.select_related("assignment").defer(
        "solved_parts", "wrong_counts", "assignment__instructions")
    by_id = {v.pk: v for v in variants.filter(pk__in={row.variant_id for row in rows})}  # each variant once
    infos: dict[Any, dict[str, graders.PartInfo]] = {}
    parsed = {}
    for submission in rows:
        submission.variant = by_id[submission.variant_id]  # submission_spec reads it when no numbers are frozen
        placed = _part_infos(submission, infos)
        parts = []
        for key, part in ((submission.report or {}).get("parts") or {}).items():
            info = placed.get(key)
            if info is None:
                continue
            diagnoses = tuple(str(d.get("key", "")) for d in part.get("diagnoses") or ())
            parts.append((key, info.step, info.kind, str(part.get("status", "missing")), diagnoses))
        parsed[str(submission.pk)] = GradedAttempt(str(submission.pk), submission.variant_id,
                                                   submission.created_at.timestamp(), submission.attempt_number or 1,
                                                   tuple(parts))
    return parsed


def graded_attempts(*, user: Any) -> list[GradedAttempt]:
    """The user's last BPCOURSE_MASTERY_HISTORY graded attempts, parsed, oldest first. Parsed
    attempts are cached per user by (id, graded_at): only a newly graded one is parsed (a regrade,
    which keeps graded_at, drops the cache: mastery_forget)."""
    latest = _latest_graded(user)
    key = _cache_key(user.pk)
    try:
        cached = cache.get(key)
    except Exception as exc:  # the cache (Redis) is down: parse everything rather than fail the page
        logger.warning("mastery cache unreachable (%s: %s)", type(exc).__name__, exc)
        cached = None
    cached = cached if isinstance(cached, dict) else {}
    missing = [pk for pk, graded_at in latest if (pk, graded_at) not in cached]
    if not missing and len(cached) == len(latest):
        return [cached[entry] for entry in latest]
    parsed = _parse(missing) if missing else {}
    # a submission gone since it was listed (its user's account deleted meanwhile) is left out
    fresh = {(pk, graded_at): cached.get((pk, graded_at)) or parsed.get(pk) for pk, graded_at in latest}
    fresh = {entry: attempt for entry, attempt in fresh.items() if attempt is not None}
    try:
        cache.set(key, fresh, timeout=int(settings.BPCOURSE_MASTERY_CACHE_SECONDS))
    except Exception as exc:
        logger.warning("mastery cache unreachable (%s: %s)", type(exc).__name__, exc)
    return list(fresh.values())


def mastery_events(*, user: Any) -> list[PartEvent]:
    """The graded parts of a user's own last BPCOURSE_MASTERY_HISTORY attempts, oldest first."""
    if user is None or not user.is_authenticated:
        return []
    attempts = graded_attempts(user=user)
    # Read on every call: what each variant revealed and the assignment shows change without a new grade.
    variants = Variant.objects.select_related("assignment").only(
        "id", "template", "kind", "revealed_parts", "hints_used", "assignment",
        "assignment__show_diagnosis", "assignment__reveal")
    by_id = {v.pk: v for v in variants.filter(pk__in={a.variant_id for a in attempts})}  # each variant once
    threshold = reveal_after_wrong()
    wrong: dict[tuple[Any, str], int] = {}
    events: list[PartEvent] = []
    for graded in attempts:
        variant = by_id[graded.variant_id]
        assignment = variant.assignment if variant.is_homework else None
        show_diagnosis = assignment is None or assignment.show_diagnosis
        shown_after_each = (assignment is not None and assignment.reveal == Assignment.Reveal.AFTER_SUBMISSION
                            and graded.attempt_number > 1)
        shown = set(variant.revealed_parts or []) if assignment is None else set()
        hints = variant.hints_used or {}
        for key, step, kind, status, diagnoses in graded.parts:
            revealed = shown_after_each or key in shown or wrong.get((variant.pk, key), 0) >= threshold
            events.append(PartEvent(graded.attempt, graded.when, key, step, kind, status,
                                    diagnoses if show_diagnosis else (), revealed, _hint_level(hints.get(key)),
                                    variant.template))
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
