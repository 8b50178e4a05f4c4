"""Celery tasks of the grading pipeline: thin wrappers that take an id and call a service."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from .pipeline import submission_grade
from .sweep import submission_sweep

logger = logging.getLogger(__name__)


@shared_task(
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
def grade_submission(submission_id: str) -> None:
    """Grade one submission by id (idempotent: redeliveries and duplicates change nothing)."""
    submission_grade(submission_id=submission_id)


@shared_task(name="exercises.sweep_submissions", ignore_result=True, acks_late=False)
def sweep_submissions() -> int:
    """Re-enqueue submissions left queued or grading longer than the sweep age."""
    return submission_sweep(older_than_seconds=settings.BPCOURSE_SWEEP_AGE_SECONDS)
