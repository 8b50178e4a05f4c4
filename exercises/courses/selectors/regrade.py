"""Regrade jobs as staff see them."""

from __future__ import annotations

from typing import Any

from ...models import Assignment, RegradeJob
from ...values import as_int
from ..permissions import can_grade, signed_in


def regrade_job_get(*, job_id: Any, user: Any) -> RegradeJob | None:
    """A regrade job if the user grades its course; else None."""
    pk = as_int(job_id)
    if pk is None or not signed_in(user):
        return None
    job = RegradeJob.objects.select_related("assignment__course").filter(pk=pk).first()
    if job is None or not can_grade(course=job.assignment.course, user=user):
        return None
    return job


def regrade_jobs(*, assignment: Assignment, limit: int = 10) -> list[RegradeJob]:
    """The assignment's latest regrade jobs."""
    return list(RegradeJob.objects.filter(assignment=assignment).order_by("-created_at")[:limit])
