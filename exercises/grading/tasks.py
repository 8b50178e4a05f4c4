"""Celery tasks of the grading pipeline: thin wrappers that take an id and call a service."""

from __future__ import annotations

import logging
import time

from celery import Task, shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from .enqueue import enqueue_grading
from .linger import queue_listen
from .pipeline import claim_settled_wait, claims_dead_wait, submissions_grade
from .sweep import submission_sweep
from .wake import helper_taken, wake_taken

logger = logging.getLogger(__name__)
# How many times a copy comes back for a claim held by another copy (each wait is one stale age).
TAKEOVER_RETRIES = 3


@shared_task(
    bind=True,
    name="exercises.grade_submission",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=1,
    retry_backoff_max=20,  # stays below the Redis visibility timeout (30 s)
    retry_jitter=True,
    max_retries=8,
)
def grade_submission(self: Task, submission_id: str, helper: bool = False) -> None:
    """Grade one submission by id (idempotent: redeliveries and duplicates change nothing).

    It also grades whatever else of the same kind is queued (BPCOURSE_GRADING_BATCH at a time,
    for at most BPCOURSE_GRADING_BATCH_SECONDS); the tasks of those find them taken. Then it may
    stay a while as its queue's listener (exercises.grading.linger). A copy that finds its
    submission claimed by another copy waits a moment for that batch to end, else comes back once
    the claim goes stale: after a worker's death, redelivery alone (without the sweep) finishes
    its work. A `helper` (sent by a listener with a backlog) grades others of the submission's
    kind and leaves, leaving the listener's flag alone.
    """
    started = time.monotonic()
    limit = max(1, int(settings.BPCOURSE_GRADING_BATCH))
    seconds = min(float(settings.BPCOURSE_GRADING_BATCH_SECONDS), settings.CELERY_TASK_SOFT_TIME_LIMIT / 4)
    queue = None if self.request.is_eager else (self.request.delivery_info or {}).get("routing_key")
    if helper:
        helper_taken(queue)  # a listener may send another
    else:
        wake_taken(queue)  # before claiming: submits from now on send a task again
    run = submissions_grade(submission_id=submission_id, limit=limit, seconds=seconds, others_only=helper)
    if run.more:  # out of time with more waiting: a task to go on (unless one is on its way)
        enqueue_grading(str(submission_id), queue, coalesce=True)
    elif run.stored and not self.request.is_eager:  # (eager: inside a web request, never waits)
        queue_listen(submission_id=str(submission_id), queue=queue, limit=limit, seconds=seconds, started=started)
    if (self.request.delivery_info or {}).get("redelivered") and self.request.retries < TAKEOVER_RETRIES:
        # A copy of a killed task: the rows its batch or listener held in the dead claim may have
        # no task of their own (coalesced submits, pokes), so it comes back when they go stale.
        dead = claims_dead_wait(submission_id=submission_id, older_than=seconds)
        if dead is not None:
            raise self.retry(countdown=dead)
    if run.own_stored or helper:
        return
    wait = claim_settled_wait(submission_id=submission_id, young=seconds, settle=0.1 if limit > 1 else 0.0)
    if wait is not None and not self.request.is_eager and self.request.retries < TAKEOVER_RETRIES:
        raise self.retry(countdown=wait)


@shared_task(name="exercises.sweep_submissions", ignore_result=True, acks_late=False)
def sweep_submissions() -> int:
    """Re-enqueue submissions left queued or grading longer than the sweep age."""
    return submission_sweep(older_than_seconds=settings.BPCOURSE_SWEEP_AGE_SECONDS)
