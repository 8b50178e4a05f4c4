"""Sending a submission to the workers; a broker failure is logged, never raised."""

from __future__ import annotations

import logging

from django.db import transaction

from .wake import helper_taken, wake_needed, wake_taken

logger = logging.getLogger(__name__)


def enqueue_grading(submission_id: str, queue: str | None = None, *, coalesce: bool = False,
                    helper: bool = False) -> bool:
    """Send the grading task (to `queue`, else the default queue); on a broker failure log it
    and return False (the sweep retries). With `coalesce`, send none while a task of the queue
    is on its way or listening (exercises.grading.wake): that task will claim this submission
    too. A `helper` task (sent by a listener with a backlog) grades others of the submission's
    kind and leaves."""
    from .tasks import grade_submission  # the Celery idiom: tasks import the services, not back

    if coalesce and not wake_needed(queue, submission_id):
        return True
    try:
        if helper:
            grade_submission.apply_async((submission_id,), {"helper": True}, queue=queue)
        elif queue:
            grade_submission.apply_async((submission_id,), queue=queue)
        else:
            grade_submission.delay(submission_id)
    except Exception as exc:  # kombu/redis/OS errors alike: the submission is safe in the database
        if coalesce:
            wake_taken(queue)  # no task is on its way after all
        if helper:
            helper_taken(queue)  # nor a helper
        logger.warning(
            "broker unreachable (%s: %s): submission %s stays queued for the sweep",
            type(exc).__name__,
            exc,
            submission_id,
        )
        return False
    return True


def enqueue_grading_on_commit(submission_id: str, queue: str | None = None) -> None:
    """Like grade_submission.delay_on_commit(), but a broker failure never becomes a 500."""
    transaction.on_commit(lambda: enqueue_grading(submission_id, queue=queue, coalesce=True))
