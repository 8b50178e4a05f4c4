"""Which attempt counts (the best or the last graded one, by the assignment's scoring) and the
per-variant numbers lists are built from, each in one query however many attempts there are."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, OuterRef, Q, Subquery

from ...models import Assignment, Membership, ScoreOverride, Submission, Variant

Role = Membership.Role


def _counted_subqueries() -> tuple[Subquery, Subquery]:
    """(best, last) final scores of a variant's graded submissions, as correlated subqueries."""
    graded = Submission.objects.filter(variant=OuterRef("pk"), status=Submission.Status.GRADED)
    best = Subquery(graded.order_by("-final_score", "-created_at").values("final_score")[:1])
    last = Subquery(graded.order_by("-created_at", "-pk").values("final_score")[:1])
    return best, last


def variant_stats(variants: Any) -> dict[tuple[int, int], dict[str, Any]]:
    """(assignment id, owner id) → attempts used and graded, best and last final score, latest submit time."""
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
        .values_list("assignment_id", "owner_id", "used", "graded", "best", "last", "latest", "late")
    )
    return {
        (a, o): {"used": used, "graded": graded, "best": b, "last": lst, "latest": latest, "late": late}
        for a, o, used, graded, b, lst, latest, late in rows
    }


def overrides_by_student(overrides: Any) -> dict[tuple[int, int], ScoreOverride]:
    """(assignment id, student id) → the override of question 1, from a ScoreOverride queryset (one query)."""
    return {(o.assignment_id, o.student_id): o for o in overrides.filter(position=1).select_related("created_by")}


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


def counted_submissions(*, assignment: Assignment) -> list[Submission]:
    """Each student's counted graded submission (best or last), in one query."""
    graded = Submission.objects.filter(variant=OuterRef("pk"), status=Submission.Status.GRADED)
    order = ("-created_at", "-pk") if assignment.scoring == Assignment.Scoring.LAST else ("-final_score", "-created_at")
    counted_ids = (
        Variant.objects.filter(
            assignment=assignment,
            owner__memberships__course_id=assignment.course_id,
            owner__memberships__role=Role.STUDENT,
        )
        .annotate(counted=Subquery(graded.order_by(*order).values("pk")[:1]))
        .values("counted")
    )
    return list(
        Submission.objects.filter(pk__in=counted_ids)
        .select_related("user")
        .only("id", "user__id", "user__username", "user__first_name", "user__last_name", "user__email",
              "report", "final_score", "score", "hints", "variant_id", "created_at")
    )
