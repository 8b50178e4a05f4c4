"""Celery tasks for homework: regrade preview and apply (thin wrappers around the services).

Both are idempotent (a redelivered or duplicated task recomputes the same numbers), so they are
acknowledged late like grading: a worker killed mid-regrade leaves the task to another worker.
"""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .services.regrade import regrade_run_apply, regrade_run_preview
from .services.roster import invitations_send

# A regrade re-runs the grader on every stored submission (a few ms each): minutes, not seconds.
REGRADE_SOFT_LIMIT = 600
REGRADE_HARD_LIMIT = 660

_options = dict(
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=1,
    retry_backoff_max=20,
    max_retries=5,
    soft_time_limit=REGRADE_SOFT_LIMIT,
    time_limit=REGRADE_HARD_LIMIT,
)


@shared_task(name="exercises.regrade_preview", **_options)
def regrade_preview_task(job_id: int) -> None:
    """Compute which scores a regrade job would change."""
    regrade_run_preview(job_id=job_id)


@shared_task(name="exercises.regrade_apply", **_options)
def regrade_apply_task(job_id: int) -> None:
    """Write a regrade job's settings and re-graded scores."""
    regrade_run_apply(job_id=job_id)


@shared_task(name="exercises.send_invitations", acks_late=True, reject_on_worker_lost=True, ignore_result=True,
             autoretry_for=(OperationalError, InterfaceError), retry_backoff=1, retry_backoff_max=20, max_retries=5,
             soft_time_limit=REGRADE_SOFT_LIMIT, time_limit=REGRADE_HARD_LIMIT)
def send_invitations_task(invitation_ids: list[int], base_url: str) -> None:
    """Email a roster import's invitations."""
    invitations_send(invitation_ids=invitation_ids, base_url=base_url)
