"""Regrades: preview which scores new grading settings would change, then apply them.

The work runs in steps (Celery tasks in exercises.courses.tasks call `regrade_run_step`): each
step re-grades the next chunk of submissions after the job's cursor, ordered by id, well inside
the broker's visibility timeout, and commits its writes together with the moved cursor only if
the cursor is still where the step found it. So any copy of a step (redelivered after a kill -9,
or duplicated) carries the job on from its last commit, a chunk is never stored twice, and of
two copies racing only the one that commits sends the next step. `regrade_sweep` restarts a job
whose next step was lost altogether.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import graders

from ...models import Assignment, Extension, Question, RegradeJob, RegradeNotice, Submission
from ...practice.mastery import mastery_forget
from ..config import final_score, hint_loss, question_policy, question_spec, submission_penalty
from ..counted import preview_counted_changes
from ..permissions import can_grade, can_manage, require
from ..signals import homework_scores_changed
from ..window import submission_window
from .assignments import QUESTION_FIELDS, REGRADE_FIELDS, assignment_clean, assignment_settings, question_settings
from .fields import field_error

logger = logging.getLogger(__name__)
MAX_REASON = 1000


def _target_question(assignment: Assignment, new_settings: Mapping[str, Any]) -> Question:
    """The question whose settings a regrade changes: `new_settings["question"]` (a Question id
    of this assignment), else the first question."""
    given = new_settings.get("question")
    questions = Question.objects.filter(assignment=assignment)
    if given is None:
        return questions.order_by("position", "member").first()
    question = questions.filter(pk=given).first() if isinstance(given, int) and not isinstance(given, bool) else None
    if question is None:
        raise ValidationError(_("Choose a question of this assignment."), code="unknown_question")
    return question


def _regrade_settings(assignment: Assignment, new_settings: Any) -> dict[str, Any]:
    """The validated grading settings a regrade would apply (only REGRADE_FIELDS and scoring;
    those of one question are the target question's, named by "question")."""
    if not isinstance(new_settings, Mapping) or not new_settings:
        raise ValidationError(_("Say which settings to change."), code="empty")
    allowed = (*REGRADE_FIELDS, "scoring")
    other = sorted(str(k) for k in new_settings if k not in (*allowed, "question"))
    if other:
        raise ValidationError(
            _("A regrade changes only points, parts, tolerance, follow-through and penalties, not “%(name)s”.")
            % {"name": other[0][:64]},
            code="not_regradable",
        )
    target = _target_question(assignment, new_settings)
    base = {**assignment_settings(assignment), **question_settings(target)}
    changes = {k: v for k, v in new_settings.items() if k != "question"}
    if not changes:
        raise ValidationError(_("Say which settings to change."), code="empty")
    clean = assignment_clean(data=changes, base=base)
    return {"question": target.pk, **{name: _jsonable(clean[name]) for name in allowed if name in changes}}


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
    transaction.on_commit(lambda: _enqueue_first(job_id))
    return job


def regrade_apply(*, job: RegradeJob, actor: Any, reason: str = "") -> RegradeJob:
    """Apply a previewed regrade in the background: new settings and re-graded scores (instructors).
    The students whose counted score the preview changes get a notice with `reason`, shown once applied."""
    require(can_manage(course=job.assignment.course, user=actor))
    if not isinstance(reason, str) or len(reason.strip()) > MAX_REASON:
        raise field_error("reason", _("A reason is text of at most 1,000 characters."))
    with transaction.atomic():
        job = RegradeJob.objects.select_for_update().select_related("assignment__course").get(pk=job.pk)
        if job.status != RegradeJob.Status.PREVIEW_READY:
            raise ValidationError(_("Only a finished preview can be applied."), code="not_ready")
        if RegradeJob.objects.filter(assignment=job.assignment, status=RegradeJob.Status.APPLYING).exists():
            raise ValidationError(_("Another regrade of this assignment is being applied."), code="busy")
        job.reason = reason.strip()
        _notices_create(job)
        job.status = RegradeJob.Status.APPLYING
        job.done, job.cursor, job.catch_up, job.settings_applied_at = 0, "", False, None
        job.total = Submission.objects.filter(
            variant__assignment=job.assignment, status=Submission.Status.GRADED
        ).count()
        job.updated_at = timezone.now()
        job.save(update_fields=["status", "done", "total", "cursor", "catch_up", "settings_applied_at", "updated_at",
                                "reason"])
        job_id = job.pk
        transaction.on_commit(lambda: _enqueue_first(job_id))
    return job


def _notices_create(job: RegradeJob) -> None:
    """A notice for every student whose counted score the previewed regrade changes (not while an
    override stands); students see them once the job is applied."""
    now = timezone.now()
    RegradeNotice.objects.filter(job=job).delete()
    RegradeNotice.objects.bulk_create([
        RegradeNotice(job=job, assignment=job.assignment, student_id=change.student_id, old_score=change.before,
                      new_score=change.after, reason=job.reason, created_at=now)
        for change in preview_counted_changes(job)
        if change.override is None
    ])


def _enqueue(job_id: int) -> bool:
    """Send the job's next step; False if the broker is unreachable."""
    from ..tasks import regrade_step_task

    try:
        regrade_step_task.delay(job_id)
    except Exception as exc:
        logger.warning("regrade: could not enqueue a step of job %s: %s", job_id, exc)
        return False
    return True


def _enqueue_first(job_id: int) -> None:
    """Send a job's first step; with the broker down say so on the job rather than leave it spinning."""
    if not _enqueue(job_id):
        RegradeJob.objects.filter(pk=job_id).update(
            status=RegradeJob.Status.ERROR, error="The task queue is unreachable; try again.",
            finished_at=timezone.now(),
        )


def _with_settings(assignment: Assignment, new_settings: Mapping[str, Any]) -> tuple[Assignment, dict[int, Question]]:
    """Unsaved copies of the assignment and of the target question with the new settings."""
    copy = Assignment.objects.get(pk=assignment.pk)
    question = Question.objects.filter(pk=new_settings.get("question"), assignment=assignment).first()
    for name, value in new_settings.items():
        if name == "question":
            continue
        if name in QUESTION_FIELDS:
            if question is not None:
                setattr(question, name, value)
        else:
            setattr(copy, name, value)
    return copy, ({question.pk: question} if question is not None else {})


def _chunk(assignment: Assignment, *, after: str, since: datetime | None) -> list[Submission]:
    """The next graded submissions of the assignment after the cursor, in id order."""
    query = Submission.objects.filter(variant__assignment=assignment, status=Submission.Status.GRADED)
    if after:
        query = query.filter(pk__gt=uuid.UUID(after))
    if since is not None:
        query = query.filter(graded_at__gte=since)
    query = query.select_related("user", "variant__question", "numbers").only(
        "id", "seed", "answers", "score", "penalty", "final_score", "report", "hints", "hint_loss", "attempt_number", "late",
        "created_at", "user__id", "user__username", "variant__id", "variant__seed", "variant__position",
        "numbers__spec", *(f"variant__question__{name}" for name in ("id", "assignment_id", "position", "member", *QUESTION_FIELDS)),
    ).order_by("pk")
    return list(query[: settings.BPCOURSE_REGRADE_CHUNK_SIZE])


def _regrade_one(assignment: Assignment, policy: graders.Policy, dues: Mapping[int, datetime],
                 submission: Submission) -> tuple[dict[str, Any], float, float, float]:
    """(report, score, penalty, final score) of a stored submission under the assignment's settings."""
    if submission.numbers_id is not None:  # the numbers the student answered, whatever the code draws now
        spec = submission.numbers.spec
    else:
        spec = question_spec(question=submission.variant.question, seed=submission.seed or submission.variant.seed)
    report = graders.grade(spec, submission.answers, policy).to_dict()
    score = float(report["score"])
    penalty = submission_penalty(
        assignment=assignment, attempt_number=submission.attempt_number, late=submission.late,
        created_at=submission.created_at, due_at=dues.get(submission.user_id, assignment.due_at),
    )
    submission.hint_loss = hint_loss(assignment=assignment, report=report, hints=submission.hints)
    return report, score, penalty, final_score(score=score, hint_loss=submission.hint_loss, penalty=penalty)


def _dues(assignment: Assignment) -> dict[int, datetime]:
    return {
        student: submission_window(assignment=assignment, extension_due=due).due_at
        for student, due in Extension.objects.filter(assignment=assignment).values_list("student_id", "due_at")
    }


def _change(submission: Submission, score: float, final: float) -> dict[str, Any] | None:
    """The preview row of a submission whose final score would change, else None."""
    old = submission.final_score
    if old is not None and abs(old - final) <= 1e-9:
        return None
    return {
        "submission": str(submission.pk),
        "student": submission.user.username if submission.user else "",
        "student_id": submission.user_id,
        "attempt": submission.attempt_number,
        "question": submission.variant.position or 1,
        "old": None if old is None else round(old, 6),
        "new": round(final, 6),
        "old_score": None if submission.score is None else round(submission.score, 6),
        "new_score": round(score, 6),
    }


Regraded = list[tuple[Submission, dict[str, Any] | None]]


def _regrade_chunk(job: RegradeJob, assignment: Assignment,
                   questions: Mapping[int, Question] | None = None) -> tuple[Regraded, bool]:
    """Re-grade the job's next chunk within the time budget: ((submission, preview row), pass
    ended?). Each submission is graded by its own question's policy (`questions`: new settings
    of some questions, for a preview)."""
    since = job.settings_applied_at if job.catch_up else None
    candidates = _chunk(assignment, after=job.cursor, since=since)
    questions = dict(questions or {})
    policies: dict[int, graders.Policy] = {}
    dues = _dues(assignment)
    budget_ends = time.monotonic() + settings.BPCOURSE_REGRADE_CHUNK_SECONDS
    graded: Regraded = []
    for submission in candidates:
        question = questions.get(submission.variant.question_id, submission.variant.question)
        if question.pk not in policies:
            policies[question.pk] = question_policy(question=question)
        report, score, penalty, final = _regrade_one(assignment, policies[question.pk], dues, submission)
        change = _change(submission, score, final)
        submission.report, submission.score, submission.penalty, submission.final_score = report, score, penalty, final
        graded.append((submission, change))
        if time.monotonic() > budget_ends:
            break
    ended = len(graded) == len(candidates) < settings.BPCOURSE_REGRADE_CHUNK_SIZE
    return graded, ended


def _apply_settings(job_id: int) -> None:
    """The first step of an apply: write the new settings (once) and start the main pass."""
    with transaction.atomic():
        job = RegradeJob.objects.select_for_update().select_related("assignment").get(pk=job_id)
        if job.status != RegradeJob.Status.APPLYING or job.settings_applied_at is not None:
            return
        now = timezone.now()
        assignment, questions = _with_settings(job.assignment, job.new_settings)
        assignment.updated_at = now
        assignment.save()
        for question in questions.values():
            question.save()
        job.settings_applied_at, job.cursor, job.updated_at = now, "", now
        job.save(update_fields=["settings_applied_at", "cursor", "updated_at"])
        transaction.on_commit(lambda: _enqueue(job_id))


def _commit_chunk(job: RegradeJob, graded: Regraded, ended: bool) -> None:
    """Store a chunk and move the cursor, unless another copy of the step already did."""
    with transaction.atomic():
        current = RegradeJob.objects.select_for_update().get(pk=job.pk)
        if (current.status, current.cursor, current.catch_up) != (job.status, job.cursor, job.catch_up):
            return  # a duplicate step: the other copy's writes stand
        now = timezone.now()
        applying = current.status == RegradeJob.Status.APPLYING
        if applying:
            Submission.objects.bulk_update([s for s, _ in graded], ["report", "score", "penalty", "hint_loss", "final_score"])
            # A report may change without its score (a diagnosis): every regraded student's mastery is read anew.
            regraded = {s.user_id for s, _ in graded}
            transaction.on_commit(lambda: mastery_forget(user_ids=regraded))
            changed = sorted({s.user_id for s, change in graded if change and s.user_id is not None})
            if changed:
                homework_scores_changed.send(sender=Submission, assignment_id=current.assignment_id, user_ids=changed)
        else:
            current.changes = [*current.changes, *(change for _, change in graded if change)]
        if not current.catch_up:
            current.done += len(graded)
        current.cursor = str(graded[-1][0].pk) if graded else current.cursor
        current.updated_at = now
        if ended and applying and not current.catch_up:  # then re-grade what was graded meanwhile
            current.catch_up, current.cursor = True, ""
        elif ended:
            current.status = RegradeJob.Status.APPLIED if applying else RegradeJob.Status.PREVIEW_READY
            current.total, current.finished_at = max(current.done, current.total), now
        current.save()
        if not current.is_finished:
            job_id = current.pk
            transaction.on_commit(lambda: _enqueue(job_id))


def regrade_run_step(*, job_id: int) -> None:
    """Run a running job's next step from its committed cursor (Celery task; idempotent)."""
    job = RegradeJob.objects.select_related("assignment").filter(pk=job_id).first()
    if job is None or job.status not in (RegradeJob.Status.PREVIEWING, RegradeJob.Status.APPLYING):
        return
    try:
        if job.status == RegradeJob.Status.APPLYING and job.settings_applied_at is None:
            _apply_settings(job_id)
            return
        previewing = job.status == RegradeJob.Status.PREVIEWING
        assignment, questions = (_with_settings(job.assignment, job.new_settings) if previewing
                                 else (job.assignment, {}))
        graded, ended = _regrade_chunk(job, assignment, questions)
        _commit_chunk(job, graded, ended)
    except Exception as exc:
        if isinstance(exc, OperationalError | InterfaceError):
            raise  # the database blinked: the task retries this step
        logger.exception("regrade %s failed", job_id)
        RegradeJob.objects.filter(pk=job_id).update(
            status=RegradeJob.Status.ERROR, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now()
        )


def regrade_sweep(*, older_than_seconds: float) -> int:
    """Send the next step again of every running job that has not moved for the given age."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    stalled = RegradeJob.objects.filter(
        status__in=(RegradeJob.Status.PREVIEWING, RegradeJob.Status.APPLYING), updated_at__lt=cutoff
    ).values_list("pk", flat=True)
    sent = 0
    for job_id in list(stalled):
        if not _enqueue(job_id):
            break  # the broker is down: the next sweep tries again
        RegradeJob.objects.filter(pk=job_id).update(updated_at=timezone.now())
        sent += 1
    if sent:
        logger.info("regrade sweep: restarted %d stalled job(s)", sent)
    return sent
