"""Regrades: preview which scores new grading settings would change, then apply them; the work
runs in Celery tasks (exercises.courses.tasks) that call `regrade_run_preview`/`regrade_run_apply`."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import graders

from ...models import Assignment, Extension, RegradeJob, Submission
from ..config import assignment_policy, assignment_spec, submission_penalty
from ..permissions import can_grade, can_manage, require
from ..window import submission_window
from .assignments import REGRADE_FIELDS, assignment_clean, assignment_settings

logger = logging.getLogger(__name__)
REGRADE_BATCH = 200


def _regrade_settings(assignment: Assignment, new_settings: Any) -> dict[str, Any]:
    """The validated grading settings a regrade would apply (only REGRADE_FIELDS and scoring)."""
    if not isinstance(new_settings, Mapping) or not new_settings:
        raise ValidationError(_("Say which settings to change."), code="empty")
    allowed = (*REGRADE_FIELDS, "scoring")
    other = sorted(str(k) for k in new_settings if k not in allowed)
    if other:
        raise ValidationError(
            _("A regrade changes only points, parts, tolerance, follow-through and penalties, not “%(name)s”.")
            % {"name": other[0][:64]},
            code="not_regradable",
        )
    clean = assignment_clean(data=new_settings, base=assignment_settings(assignment))
    return {name: _jsonable(clean[name]) for name in allowed if name in new_settings}


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value))


def regrade_preview(*, assignment: Assignment, actor: Any, new_settings: Mapping[str, Any]) -> RegradeJob:
    """Start a background preview of which scores the new settings would change (staff)."""
    require(can_grade(course=assignment.course, user=actor))
    settings_ = _regrade_settings(assignment, new_settings)
    total = Submission.objects.filter(variant__assignment=assignment, status=Submission.Status.GRADED).count()
    job = RegradeJob.objects.create(
        assignment=assignment, created_by=actor, new_settings=settings_, status=RegradeJob.Status.PREVIEWING,
        total=total,
    )
    job_id = job.pk
    transaction.on_commit(lambda: _enqueue("preview", job_id))
    return job


def regrade_apply(*, job: RegradeJob, actor: Any) -> RegradeJob:
    """Apply a previewed regrade in the background: new settings and re-graded scores (instructors)."""
    require(can_manage(course=job.assignment.course, user=actor))
    with transaction.atomic():
        job = RegradeJob.objects.select_for_update().select_related("assignment__course").get(pk=job.pk)
        if job.status != RegradeJob.Status.PREVIEW_READY:
            raise ValidationError(_("Only a finished preview can be applied."), code="not_ready")
        if RegradeJob.objects.filter(assignment=job.assignment, status=RegradeJob.Status.APPLYING).exists():
            raise ValidationError(_("Another regrade of this assignment is being applied."), code="busy")
        job.status = RegradeJob.Status.APPLYING
        job.done = 0
        job.total = Submission.objects.filter(
            variant__assignment=job.assignment, status=Submission.Status.GRADED
        ).count()
        job.save(update_fields=["status", "done", "total"])
        job_id = job.pk
        transaction.on_commit(lambda: _enqueue("apply", job_id))
    return job


def _enqueue(kind: str, job_id: int) -> None:
    from ..tasks import regrade_apply_task, regrade_preview_task

    task = regrade_preview_task if kind == "preview" else regrade_apply_task
    try:
        task.delay(job_id)
    except Exception as exc:  # broker down: say so on the job rather than leave it spinning
        logger.warning("regrade %s: could not enqueue job %s: %s", kind, job_id, exc)
        RegradeJob.objects.filter(pk=job_id).update(
            status=RegradeJob.Status.ERROR, error="The task queue is unreachable; try again.",
            finished_at=timezone.now(),
        )


def _with_settings(assignment: Assignment, new_settings: Mapping[str, Any]) -> Assignment:
    """An unsaved copy of the assignment with the new settings."""
    copy = Assignment.objects.get(pk=assignment.pk)
    for name, value in new_settings.items():
        setattr(copy, name, value)
    return copy


def _regrade_batches(assignment: Assignment, *, since: datetime | None = None) -> Iterable[list[Submission]]:
    """The assignment's graded submissions, in batches."""
    query = Submission.objects.filter(variant__assignment=assignment, status=Submission.Status.GRADED)
    if since is not None:
        query = query.filter(graded_at__gte=since)
    query = query.select_related("user", "variant", "numbers").only(
        "id", "seed", "answers", "score", "penalty", "final_score", "report", "attempt_number", "late",
        "created_at", "user__id", "user__username", "variant__id", "variant__seed", "numbers__spec",
    ).order_by("pk")
    batch: list[Submission] = []
    for submission in query.iterator(chunk_size=REGRADE_BATCH):
        batch.append(submission)
        if len(batch) >= REGRADE_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _regrade_one(assignment: Assignment, policy: graders.Policy, dues: Mapping[int, datetime],
                 submission: Submission) -> tuple[dict[str, Any], float, float, float]:
    """(report, score, penalty, final score) of a stored submission under the assignment's settings."""
    if submission.numbers_id is not None:  # the numbers the student answered, whatever the code draws now
        spec = submission.numbers.spec
    else:
        spec = assignment_spec(assignment=assignment, seed=submission.seed or submission.variant.seed)
    report = graders.grade(spec, submission.answers, policy).to_dict()
    score = float(report["score"])
    penalty = submission_penalty(
        assignment=assignment, attempt_number=submission.attempt_number, late=submission.late,
        created_at=submission.created_at, due_at=dues.get(submission.user_id, assignment.due_at),
    )
    return report, score, penalty, score * (1.0 - penalty)


def _dues(assignment: Assignment) -> dict[int, datetime]:
    return {
        student: submission_window(assignment=assignment, extension_due=due).due_at
        for student, due in Extension.objects.filter(assignment=assignment).values_list("student_id", "due_at")
    }


def regrade_run_preview(*, job_id: int) -> None:
    """Fill a previewing job's `changes` (called by the Celery task; idempotent)."""
    job = RegradeJob.objects.select_related("assignment").filter(pk=job_id).first()
    if job is None or job.status != RegradeJob.Status.PREVIEWING:
        return
    try:
        assignment = _with_settings(job.assignment, job.new_settings)
        policy = assignment_policy(assignment=assignment)
        dues = _dues(assignment)
        changes: list[dict[str, Any]] = []
        done = 0
        for batch in _regrade_batches(assignment):
            for submission in batch:
                _report, score, _penalty, final = _regrade_one(assignment, policy, dues, submission)
                old = submission.final_score
                if old is None or abs(old - final) > 1e-9:
                    changes.append({
                        "submission": str(submission.pk),
                        "student": submission.user.username if submission.user else "",
                        "student_id": submission.user_id,
                        "attempt": submission.attempt_number,
                        "old": None if old is None else round(old, 6),
                        "new": round(final, 6),
                        "old_score": None if submission.score is None else round(submission.score, 6),
                        "new_score": round(score, 6),
                    })
            done += len(batch)
            RegradeJob.objects.filter(pk=job_id).update(done=done)
        RegradeJob.objects.filter(pk=job_id, status=RegradeJob.Status.PREVIEWING).update(
            status=RegradeJob.Status.PREVIEW_READY, changes=changes, done=done, total=max(done, job.total),
            finished_at=timezone.now(),
        )
    except Exception as exc:
        logger.exception("regrade preview %s failed", job_id)
        RegradeJob.objects.filter(pk=job_id).update(
            status=RegradeJob.Status.ERROR, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now()
        )


def regrade_run_apply(*, job_id: int) -> None:
    """Write the new settings and every re-graded score of an applying job (Celery task; idempotent)."""
    job = RegradeJob.objects.select_related("assignment").filter(pk=job_id).first()
    if job is None or job.status != RegradeJob.Status.APPLYING:
        return
    try:
        started = timezone.now()
        assignment = job.assignment
        with transaction.atomic():
            for name, value in job.new_settings.items():
                setattr(assignment, name, value)
            assignment.updated_at = started
            assignment.save()
        policy = assignment_policy(assignment=assignment)
        dues = _dues(assignment)
        done = 0
        # Second pass: submissions a worker graded with the old settings while this ran.
        for since in (None, started):
            for batch in _regrade_batches(assignment, since=since):
                for submission in batch:
                    report, score, penalty, final = _regrade_one(assignment, policy, dues, submission)
                    submission.report, submission.score = report, score
                    submission.penalty, submission.final_score = penalty, final
                with transaction.atomic():
                    Submission.objects.bulk_update(batch, ["report", "score", "penalty", "final_score"])
                if since is None:
                    done += len(batch)
                    RegradeJob.objects.filter(pk=job_id).update(done=done)
        RegradeJob.objects.filter(pk=job_id, status=RegradeJob.Status.APPLYING).update(
            status=RegradeJob.Status.APPLIED, done=done, total=max(done, job.total), finished_at=timezone.now()
        )
    except Exception as exc:
        logger.exception("regrade apply %s failed", job_id)
        RegradeJob.objects.filter(pk=job_id).update(
            status=RegradeJob.Status.ERROR, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now()
        )
