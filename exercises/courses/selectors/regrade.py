"""Regrade jobs as staff see them, and the notices of applied regrades as students see them."""

from __future__ import annotations

from typing import Any

from ...models import Assignment, Course, RegradeJob, RegradeNotice
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


def regrade_notices_for_student(*, course: Course, user: Any) -> list[RegradeNotice]:
    """The user's own notices of applied regrades in the course that they have not dismissed."""
    if not signed_in(user):
        return []
    return list(
        RegradeNotice.objects.filter(
            student=user, assignment__course=course, dismissed_at__isnull=True, job__status=RegradeJob.Status.APPLIED
        ).select_related("assignment").order_by("-created_at", "-pk")
    )


def regrade_job_notices(*, job: RegradeJob) -> list[RegradeNotice]:
    """The notices an applied regrade gave (the counted scores before and after), by student name."""
    return list(RegradeNotice.objects.filter(job=job).select_related("student").order_by("student__username"))
