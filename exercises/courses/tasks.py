"""Celery tasks for homework: regrade steps and their sweep (thin wrappers around the services).

A regrade runs as a chain of steps, each one chunk that finishes well inside the broker's
visibility timeout (its hard time limit is below it), so a step is never handed to a second
worker while the first still runs. Steps are acknowledged late and idempotent: a worker killed
mid-step leaves the step to another worker, which carries on from the job's committed cursor.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from .services.regrade import regrade_run_step, regrade_sweep
from .services.roster import invitations_send


@shared_task(
    name="exercises.regrade_step",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=1,
    retry_backoff_max=20,
    max_retries=5,
    soft_time_limit=settings.BPCOURSE_REGRADE_SOFT_TIME_LIMIT,
    time_limit=settings.BPCOURSE_REGRADE_TIME_LIMIT,
)
def regrade_step_task(job_id: int) -> None:
    """Re-grade the next chunk of a regrade job."""
    regrade_run_step(job_id=job_id)


@shared_task(name="exercises.sweep_regrades", ignore_result=True, acks_late=False)
def sweep_regrades() -> int:
    """Restart regrade jobs whose next step was lost."""
    return regrade_sweep(older_than_seconds=settings.BPCOURSE_REGRADE_STALE_SECONDS)


@shared_task(name="exercises.send_invitations", acks_late=True, reject_on_worker_lost=True, ignore_result=True,
             autoretry_for=(OperationalError, InterfaceError), retry_backoff=1, retry_backoff_max=20, max_retries=5,
             soft_time_limit=settings.BPCOURSE_REGRADE_SOFT_TIME_LIMIT, time_limit=settings.BPCOURSE_REGRADE_TIME_LIMIT)
def send_invitations_task(invitation_ids: list[int], base_url: str) -> None:
    """Email a batch of a roster import's invitations (a batch ends well inside the visibility timeout)."""
    invitations_send(invitation_ids=invitation_ids, base_url=base_url)
