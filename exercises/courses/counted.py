"""Each student's counted score before and after a regrade (the attempt that counts may change
with the scores: "best" can move to another attempt), and the overrides that stand regardless.

A preview has the new scores in its change rows while the submissions still hold the old ones:
before = the stored score of every attempt, after = the preview's, each counted by the scoring
rule in force before and after. Applying a regrade stores these as the students' notices."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..models import Assignment, RegradeJob, ScoreOverride, Submission
from .selectors.questions import assignments_worth


@dataclass(frozen=True)
class Attempt:
    """One graded attempt's final score, before and after the regrade."""

    student_id: int
    order: tuple[datetime, str]  # (created_at, id): the last one counts under "last"
    before: float
    after: float
    position: int = 1  # the question of the set it answers


@dataclass(frozen=True)
class CountedChange:
    """A student's counted score (0…1) before and after; `override` stands whatever the attempts say."""

    student_id: int
    student: str
    before: float | None
    after: float | None
    override: float | None = None

    @property
    def points_change(self) -> float:
        """The change in percentage points (0 while an override stands)."""
        if self.override is not None:
            return 0.0
        return ((self.after or 0.0) - (self.before or 0.0)) * 100.0


def counted_value(attempts: Iterable[Attempt], scoring: str, *, after: bool) -> float | None:
    """The counted final score of one student's attempts (best or last), before or after."""
    rows = list(attempts)
    if not rows:
        return None
    if scoring == Assignment.Scoring.LAST:
        last = max(rows, key=lambda a: a.order)
        return last.after if after else last.before
    return max(a.after if after else a.before for a in rows)


def _total(counted: Mapping[int, float | None], worth: Mapping[int, float]) -> float | None:
    """A set's total (0…1) from each question's counted score, weighted by its points; None if none."""
    if all(counted.get(p) is None for p in worth):
        return None
    top = sum(worth.values())
    return sum((counted.get(p) or 0.0) * points for p, points in worth.items()) / top if top else 0.0


def counted_changes(
    attempts: Iterable[Attempt], *, scoring_before: str, scoring_after: str, names: Mapping[int, str],
    overrides: Mapping[tuple[int, int], float], worth: Mapping[int, float] | None = None,
) -> list[CountedChange]:
    """The students whose counted attempts change, by name, with their counted total before and
    after (each question's counted attempt, or its override from `overrides` keyed by (student,
    position), weighted by `worth`: position → points; default one question). When overrides
    absorb the whole change, `override` holds the total that stands."""
    worth = dict(worth or {1: 1.0})
    by_student: dict[int, dict[int, list[Attempt]]] = defaultdict(lambda: defaultdict(list))
    for attempt in attempts:
        by_student[attempt.student_id][attempt.position].append(attempt)
    out = []
    for student_id, questions in by_student.items():
        raw_before = {p: counted_value(rows, scoring_before, after=False) for p, rows in questions.items()}
        raw_after = {p: counted_value(rows, scoring_after, after=True) for p, rows in questions.items()}
        if all(raw_before[p] is not None and raw_after[p] is not None and abs(raw_before[p] - raw_after[p]) <= 1e-9
               for p in questions):
            continue
        own = {p: overrides[(student_id, p)] for p in worth if (student_id, p) in overrides}
        before = _total({**raw_before, **own}, worth)
        after = _total({**raw_after, **own}, worth)
        absorbed = bool(own) and before is not None and after is not None and abs(before - after) <= 1e-9
        out.append(CountedChange(student_id, names.get(student_id, ""), before, after, after if absorbed else None))
    return sorted(out, key=lambda c: (c.student.lower(), c.student_id))


def preview_counted_changes(job: RegradeJob) -> list[CountedChange]:
    """Every student whose counted score a finished preview changes, before and after (two queries)."""
    assignment = job.assignment
    changed: dict[str, Any] = {str(c.get("submission")): c for c in job.changes or []}
    scoring_new = (job.new_settings or {}).get("scoring", assignment.scoring)
    scoring_old = assignment.scoring
    if not changed and scoring_old == scoring_new:
        return []
    rows = Submission.objects.filter(
        variant__assignment=assignment, status=Submission.Status.GRADED, final_score__isnull=False
    ).values_list("pk", "user_id", "user__username", "final_score", "created_at", "variant__position")
    attempts, names = [], {}
    for pk, user_id, username, final, created, position in rows:
        if user_id is None:
            continue
        names[user_id] = username
        change = changed.get(str(pk))
        before, after = final, (final if change is None else change.get("new"))
        attempts.append(Attempt(user_id, (created, str(pk)), float(before or 0.0), float(after or 0.0), position))
    overrides = {
        (student_id, position): score
        for student_id, position, score in ScoreOverride.objects.filter(assignment=assignment).values_list(
            "student_id", "position", "score")
    }
    worth = dict(assignments_worth(assignment_ids=[assignment.pk]).get(assignment.pk, [])) or None
    return counted_changes(attempts, scoring_before=scoring_old, scoring_after=scoring_new, names=names,
                           overrides=overrides, worth=worth)
