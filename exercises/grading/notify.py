"""Verdicts pushed, not polled: a worker publishes each finished submission's id through Redis
pub/sub (BPCOURSE_NOTIFY_URL: the broker's Redis by default), and a status request that asked to
wait (a long poll) is woken by it. Without Redis (the embedded broker) a wait re-reads the
database every NO_REDIS_POLL_S instead. Publishing never fails grading; a lost message only
makes the waiting request answer at its time limit, after which the page polls again."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterable
from functools import lru_cache

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

CHANNEL_PREFIX = "bpcourse:finished:"
NO_REDIS_POLL_S = 0.05


def channel(submission_id: uuid.UUID | str) -> str:
    """The pub/sub channel a submission's verdict is announced on."""
    return f"{CHANNEL_PREFIX}{submission_id}"


@lru_cache(maxsize=4)
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=1.0, health_check_interval=30)


def notify_client() -> redis.Redis | None:
    """The Redis client of the notifications (None: no Redis configured)."""
    url = getattr(settings, "BPCOURSE_NOTIFY_URL", "")
    return _client(url) if url.startswith(("redis://", "rediss://", "unix://")) else None


def verdicts_publish(submission_ids: Iterable[uuid.UUID | str]) -> None:
    """Announce that these submissions are finished (one round trip; errors are logged only)."""
    client = notify_client()
    ids = list(submission_ids)
    if client is None or not ids:
        return
    try:
        pipe = client.pipeline(transaction=False)
        for submission_id in ids:
            pipe.publish(channel(submission_id), b"1")
        pipe.execute()
    except (redis.RedisError, OSError) as exc:
        logger.warning("could not announce %d verdicts (%s); pages will poll", len(ids), exc)


def _poll(changed: Callable[[], bool], deadline: float) -> bool:
    while True:
        if changed():
            return True
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        time.sleep(min(NO_REDIS_POLL_S, left))


def verdict_wait(*, submission_id: uuid.UUID | str, timeout: float, changed: Callable[[], bool]) -> bool:
    """Wait up to `timeout` seconds for a submission's status to change; `changed()` reads it (it
    is called once after subscribing, so a verdict stored meanwhile is not missed, and once when
    woken). True if it changed."""
    deadline = time.monotonic() + max(0.0, timeout)
    client = notify_client()
    if client is None:
        return _poll(changed, deadline)
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    try:
        pubsub.subscribe(channel(submission_id))
        if changed():
            return True
        while (left := deadline - time.monotonic()) > 0:
            if pubsub.get_message(timeout=left) is not None:
                return changed()
        return changed()
    except (redis.RedisError, OSError) as exc:
        logger.warning("waiting for a verdict without Redis (%s)", exc)
        return _poll(changed, deadline)
    finally:
        pubsub.close()
