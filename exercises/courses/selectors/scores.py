"""Which attempt counts (the best or the last graded one, by the assignment's scoring), the
per-variant numbers lists are built from, each in one query however many attempts there are, and
a student's result on a problem set: per question and in total (questions weighted by their points)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, F, Max, OuterRef, Q, Subquery

from ...models import Assignment, Membership, ScoreOverride, Submission, Variant

Role = Membership.Role


def _counted_subqueries() -> tuple[Subquery, Subquery]:
    """(best, last) final scores of a variant's graded submissions, as correlated subqueries."""
    graded = Submission.objects.filter(variant=OuterRef("pk"), status=Submission.Status.GRADED)
    best = Subquery(graded.order_by("-final_score", "-created_at").values("final_score")[:1])
    last = Subquery(graded.order_by("-created_at", "-pk").values("final_score")[:1])
    return best, last


def variant_stats(variants: Any) -> dict[tuple[int, int, int], dict[str, Any]]:
    """(assignment id, owner id, position) → attempts used and graded, best and last final score, latest submit time."""
    best, last = _counted_subqueries()
    rows = (
        variants.annotate(
            used=Count("submissions", filter=~Q(submissions__status=Submission.Status.ERROR)),
            graded=Count("submissions", filter=Q(submissions__status=Submission.Status.GRADED)),
            best=best,
            last=last,
            latest=Max("submissions__created_at", filter=~Q(submissions__status=Submission.Status.ERROR)),
            late=Count("submissions", filter=Q(submissions__late=True) & ~Q(submissions__status=Submission.Status.ERROR)),
        )
        .order_by()
        .values_list("assignment_id", "owner_id", "position", "used", "graded", "best", "last", "latest", "late")
    )
    return {
        (a, o, p): {"used": used, "graded": graded, "best": b, "last": lst, "latest": latest, "late": late}
        for a, o, p, used, graded, b, lst, latest, late in rows
    }


def overrides_by_question(overrides: Any) -> dict[tuple[int, int, int], ScoreOverride]:
    """(assignment id, student id, position) → the staff override of that question, from a
    ScoreOverride queryset (one query)."""
    return {(o.assignment_id, o.student_id, o.position): o for o in overrides.select_related("created_by")}


def counted_score(assignment: Assignment, stats: dict[str, Any] | None) -> float | None:
    """The counted final score of one variant's stats (best or last), None before any graded attempt."""
    if not stats:
        return None
    return stats["best"] if assignment.scoring == Assignment.Scoring.BEST else stats["last"]


def counted_submission(assignment: Assignment, submissions: list[Submission]) -> Submission | None:
    """The submission whose score counts among already loaded ones (best or last graded)."""
    graded = [s for s in submissions if s.status == Submission.Status.GRADED and s.final_score is not None]
    if not graded:
        return None
    if assignment.scoring == Assignment.Scoring.LAST:
        return max(graded, key=lambda s: (s.created_at, str(s.pk)))
    return max(graded, key=lambda s: (s.final_score, s.created_at))


def counted_submissions(*, assignment: Assignment, position: int | None = None) -> list[Submission]:
    """Each student's counted graded submission (best or last) of each question, or of the one
    at `position`, in one query (each annotated with the `question_id` it answered)."""
    graded = Submission.objects.filter(variant=OuterRef("pk"), status=Submission.Status.GRADED)
    order = ("-created_at", "-pk") if assignment.scoring == Assignment.Scoring.LAST else ("-final_score", "-created_at")
    counted_ids = (
        Variant.objects.filter(
            assignment=assignment,
            owner__memberships__course_id=assignment.course_id,
            owner__memberships__role=Role.STUDENT,
        )
        .filter(**({} if position is None else {"position": position}))
        .annotate(counted=Subquery(graded.order_by(*order).values("pk")[:1]))
        .values("counted")
    )
    return list(
        Submission.objects.filter(pk__in=counted_ids)
        .annotate(question_id=F("variant__question_id"))
        .select_related("user")
        .only("id", "user__id", "user__username", "user__first_name", "user__last_name", "user__email",
              "report", "final_score", "score", "hints", "variant_id", "created_at")
    )


@dataclass(frozen=True)
class QuestionResult:
    """One student's counted result on one question of a set."""

    position: int
    score: float | None  # counted final score 0…1; None: nothing graded
    max_points: float
    attempts: int = 0
    latest: datetime | None = None
    late: int = 0  # attempts submitted late
    graded_score: float | None = None  # the counted attempt's final score, override or not
    override: ScoreOverride | None = None  # a staff override: its score counts instead

    @property
    def points(self) -> float | None:
        """The counted score in the question's points."""
        return None if self.score is None else self.score * self.max_points


@dataclass(frozen=True)
class SetResult:
    """One student's result on a problem set: per question, and in total."""

    questions: tuple[QuestionResult, ...]

    @property
    def max_points(self) -> float:
        """What the set is worth: the sum of its questions' points."""
        return sum(q.max_points for q in self.questions)

    @property
    def points(self) -> float | None:
        """The sum of the questions' counted points (ungraded ones count 0); None if none is graded."""
        if all(q.score is None for q in self.questions):
            return None
        return sum(q.points or 0.0 for q in self.questions)

    @property
    def score(self) -> float | None:
        """The total as a fraction 0…1 of the set's points (questions weighted by their points)."""
        points = self.points
        if points is None:
            return None
        return points / self.max_points if self.max_points else 0.0

    @property
    def attempts(self) -> int:
        """The most attempts used on any one question (attempts are allowed per question)."""
        return max((q.attempts for q in self.questions), default=0)

    @property
    def latest(self) -> datetime | None:
        """The student's last submission to any question."""
        return max((q.latest for q in self.questions if q.latest is not None), default=None)

    @property
    def late(self) -> int:
        """Attempts submitted late, over every question."""
        return sum(q.late for q in self.questions)

    @property
    def overrides(self) -> tuple[ScoreOverride, ...]:
        """The staff overrides of this student's questions, in question order."""
        return tuple(q.override for q in self.questions if q.override is not None)

    @property
    def graded_score(self) -> float | None:
        """The total from the counted attempts alone, as if no score were overridden."""
        if all(q.graded_score is None for q in self.questions) or not self.max_points:
            return None
        return sum((q.graded_score or 0.0) * q.max_points for q in self.questions) / self.max_points


def set_result(assignment: Assignment, worth: Sequence[tuple[int, float]],
               stats: Mapping[tuple[int, int, int], dict[str, Any]], owner_id: int,
               overrides: Mapping[tuple[int, int, int], ScoreOverride] | None = None) -> SetResult:
    """A student's result from `variant_stats`: `worth` lists each position and its points; a
    question's override (from `overrides_by_question`) counts instead of its attempts."""
    questions = []
    for position, max_points in worth:
        st = stats.get((assignment.pk, owner_id, position))
        graded = counted_score(assignment, st)
        override = (overrides or {}).get((assignment.pk, owner_id, position))
        questions.append(QuestionResult(
            position=position, score=override.score if override is not None else graded, max_points=max_points,
            attempts=st["used"] if st else 0, latest=st["latest"] if st else None,
            late=st["late"] if st else 0, graded_score=graded, override=override,
        ))
    return SetResult(questions=tuple(questions))
