"""Celery tasks of the grading pipeline: thin wrappers that take an id and call a service."""

from __future__ import annotations

import logging

from celery import Task, shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from .pipeline import claim_takeover_wait, submission_grade
from .sweep import submission_sweep

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
def grade_submission(self: Task, submission_id: str) -> None:
    """Grade one submission by id (idempotent: redeliveries and duplicates change nothing).

    A copy that finds the submission claimed by another copy comes back once that claim goes
    stale: after a worker's death, redelivery alone (without the sweep) finishes its work.
    """
    if submission_grade(submission_id=submission_id):
        return
    wait = claim_takeover_wait(submission_id=submission_id)
    if wait is not None and not self.request.is_eager and self.request.retries < TAKEOVER_RETRIES:
        raise self.retry(countdown=wait)


@shared_task(name="exercises.sweep_submissions", ignore_result=True, acks_late=False)
def sweep_submissions() -> int:
    """Re-enqueue submissions left queued or grading longer than the sweep age."""
    return submission_sweep(older_than_seconds=settings.BPCOURSE_SWEEP_AGE_SECONDS)
