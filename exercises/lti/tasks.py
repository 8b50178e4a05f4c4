"""Celery tasks of the LTI room (thin: an id in, a service call): grade passback and roster sync.

Both are acknowledged late and idempotent, so a worker killed mid-post leaves the task to
another worker, which finds the record still pending and posts the same score with the same
timestamp. Failed posts retry with exponential backoff (2, 4, 8 … s, at most 10 minutes apart)."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .services.grades import GradeSendError, grade_send
from .services.roster import RosterSyncError, roster_sync


@shared_task(name="exercises.lti_grade_send", acks_late=True, reject_on_worker_lost=True, ignore_result=True,
             autoretry_for=(GradeSendError, OperationalError, InterfaceError), retry_backoff=2,
             retry_backoff_max=600, retry_jitter=False, max_retries=8, soft_time_limit=20, time_limit=25)
def grade_send_task(sync_id: int) -> str:
    """Post one student's counted score to a line item."""
    return grade_send(sync_id=sync_id)


@shared_task(name="exercises.lti_roster_sync", acks_late=True, reject_on_worker_lost=True, ignore_result=True,
             autoretry_for=(RosterSyncError, OperationalError, InterfaceError), retry_backoff=5,
             retry_backoff_max=600, max_retries=3, soft_time_limit=20, time_limit=25)
def roster_sync_task(context_id: int) -> None:
    """Import a context's members and roles from the LMS."""
    roster_sync(context_id=context_id)
