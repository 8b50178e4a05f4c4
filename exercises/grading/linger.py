"""A grading task that stays to listen: after its batch it grades what its queue stores next,
woken through Redis, so that under load a submit pokes a running task instead of sending one
(the protocol and why nothing is lost: exercises.grading.wake)."""

from __future__ import annotations

import logging
import time
import uuid

from django.conf import settings

from ..values import as_uuid
from . import wake
from .enqueue import enqueue_grading
from .pipeline import GradeRun, submissions_grade

logger = logging.getLogger(__name__)

# The flag of a listener outlives the longest gap between two refreshes (a round, then a poll)
# by this much; a killed listener's flag is gone this soon after, and submits send tasks again.
FLAG_MARGIN_S = 2.0
# The shortest round budget near the end of listening (a round still claims at least two).
MIN_ROUND_S = 0.05


def queue_listen(*, submission_id: str, queue: str | None, limit: int, seconds: float, started: float) -> int:
    """Listen on `queue` after a batch (whose task started at `started`, time.monotonic()):
    grade the kind of `submission_id` as pokes arrive, until BPCOURSE_GRADING_LINGER_SECONDS
    pass with none or half the soft time limit since `started`; the number stored. Returns 0 at
    once when lingering is off, without Redis, or when another task is on its way or listening."""
    idle = wake.linger_seconds()
    if idle <= 0:
        return 0
    token = uuid.uuid4().hex
    ttl_ms = int((seconds + FLAG_MARGIN_S) * 1000)
    if not wake.listen_begin(queue, token, ttl_ms):
        return 0
    cap = started + settings.CELERY_TASK_SOFT_TIME_LIMIT / 2  # well under the soft limit

    reference = submission_id  # names the kind; a poke names a fresher row (one never deleted)
    limit = max(2, limit)  # a round by a poked row also looks at the rest of the queue

    def grade_round(poked: str | bool | None = None, final: bool = False) -> GradeRun:
        nonlocal reference
        named = isinstance(poked, str) and as_uuid(poked) is not None
        if named:
            reference = str(poked)
        budget = min(seconds, MIN_ROUND_S * 4 if final else max(MIN_ROUND_S, cap - time.monotonic()))
        # A poked row is claimed with the others; the task's own row was graded by its batch.
        run = submissions_grade(submission_id=reference, limit=limit, seconds=budget, others_only=not named)
        if not final and run.backlog and wake.helper_needed(queue, ttl_ms):  # the other worker process too
            enqueue_grading(reference, queue, helper=True)
        return run

    stored = rounds = 0
    try:
        run = grade_round()  # rows committed before the flag was taken (their pokes are gone)
        stored, rounds = run.stored, 1
        until = min(time.monotonic() + idle, cap)
        refreshed = time.monotonic()
        while (left := until - time.monotonic()) > 0:
            # The flag is refreshed (one round trip) once per poll interval, not on every poke.
            refresh = time.monotonic() - refreshed >= wake.POLL_S
            poked = wake.listen_wait(queue, token, ttl_ms, 0.0 if run.more else left, refresh=refresh)
            if poked is None:  # another task started (or the flag lapsed): submits send tasks again
                break
            if refresh:
                refreshed = time.monotonic()
            if poked is False:
                continue
            run = grade_round(poked)
            stored, rounds = stored + run.stored, rounds + 1
            until = min(time.monotonic() + idle, cap)
    finally:
        unread = wake.listen_end(queue, token)
    # A submit that found the flag set committed before it was cleared: this round sees its row.
    run = grade_round(unread, final=True)
    if run.more:  # a backlog outlasts the listener: a task to go on (unless one is on its way)
        enqueue_grading(reference, queue, coalesce=True)
    logger.debug("grading listener on %s: %d round(s), %d stored", queue, rounds + 1, stored + run.stored)
    return stored + run.stored
