"""At most one grading task waiting per queue: a submit sends a task only when no task of its
queue is waiting to start. A flag in Redis (the announcements' Redis) is set by the submit that
sends the task and cleared by the task as it starts, before it claims anything; every task also
claims what else of its kind is queued (or abandoned by a dead worker), so a submission whose
submit found the flag set is claimed by the task that set it, or by a later one. Without Redis,
or with BPCOURSE_GRADING_WAKE_SECONDS = 0, every submit sends its own task.

Why nothing is left behind: a submit tests the flag after its row is committed; if the flag was
set, the task that set it has not yet cleared it, so it claims after the commit and sees the
row. A task killed before it cleared the flag is redelivered; a flag whose task was lost
expires after BPCOURSE_GRADING_WAKE_SECONDS, and the sweep re-sends anything left queued."""

from __future__ import annotations

import logging

import redis
from django.conf import settings

from .notify import notify_client

logger = logging.getLogger(__name__)

KEY_PREFIX = "bpcourse:grading-wake:"


def _key(queue: str | None) -> str:
    return KEY_PREFIX + (queue or settings.CELERY_TASK_DEFAULT_QUEUE)


def _ttl_ms() -> int:
    return int(float(getattr(settings, "BPCOURSE_GRADING_WAKE_SECONDS", 0)) * 1000)


def wake_needed(queue: str | None) -> bool:
    """Whether a submit must send a task to `queue` (True: no task is waiting to start, and the
    flag now says one is; also True whenever the flag cannot be used)."""
    client, ttl = notify_client(), _ttl_ms()
    if client is None or ttl <= 0:
        return True
    try:
        return bool(client.set(_key(queue), b"1", nx=True, px=ttl))
    except (redis.RedisError, OSError) as exc:
        logger.warning("grading wake flag unavailable (%s); sending a task", exc)
        return True


def wake_taken(queue: str | None) -> None:
    """A task of `queue` starts: the next submit must send a task again (call before claiming)."""
    client = notify_client()
    if client is None or _ttl_ms() <= 0:
        return
    try:
        client.delete(_key(queue))
    except (redis.RedisError, OSError) as exc:  # the flag expires by itself
        logger.warning("could not clear the grading wake flag (%s)", exc)
