"""At most one grading task waiting or listening per queue: a submit sends a task only when no
task of its queue is on its way or listening. A flag F in Redis (the announcements' Redis) says
so. It is set by the submit that sends a task and cleared by the task as it starts, before it
claims anything; every task also claims what else of its kind is queued (or abandoned by a dead
worker). After its batch a task may stay a short while as the queue's *listener*
(exercises.grading.linger, BPCOURSE_GRADING_LINGER_SECONDS): it sets F again (NX, a token of its
own, a short expiry it keeps refreshing) and grades what is stored meanwhile, woken through a
poke list P of the queue: a submit that finds F set pushes to P (one element at most; P expires)
instead of sending a task. Without Redis, or with BPCOURSE_GRADING_WAKE_SECONDS = 0, every
submit sends its own task; with BPCOURSE_GRADING_LINGER_SECONDS = 0 no task listens and no
submit pokes.

Why nothing is left behind: whoever sets F runs a claim round after that F is gone. A sent task
starts after its F was set, deletes F (whichever F is there) and then claims; a listener deletes
its F (only its own: compare and delete) and then runs one final claim round, and while it
listens it runs a round on every poke (and one at once after taking F, for rows committed
before). A submit tests F after its row is committed; if F was set, its setter's claim round
comes after that test, so it sees the row — the poke only makes it come sooner. Another task that
starts meanwhile deletes a listener's F: the listener notices at its next refresh and leaves
(final round included); submits from then on send tasks again. A task killed before it cleared
F is redelivered; an F whose task or listener was lost (kill -9) expires (the wake seconds for a
sent task; a few seconds for a listener), and the rows poked meanwhile stay queued: the next
task's claim takes them (tasks claim everything queued of their kind), as do redelivery and the
sweep. Rows a killed listener held mid-grade have no task of their own: its redelivered copy
comes back for its kind's dead claims once they go stale (exercises.grading.tasks), and the
sweep re-sends them. This assumes one kind of variant per queue, as the registry has it.

A listener whose rounds come back full (a backlog) sends one extra task, a helper (throttled by a
flag H of its own, so at most one is on its way), that grades a batch and leaves: it neither
clears F nor, while F is held, becomes a listener itself."""

from __future__ import annotations

import logging
from functools import lru_cache

import redis
from redis.commands.core import Script
from django.conf import settings

from .notify import notify_client

logger = logging.getLogger(__name__)

KEY_PREFIX = "bpcourse:grading-wake:"
POKE_PREFIX = "bpcourse:grading-poke:"
HELPER_PREFIX = "bpcourse:grading-helper:"
# One BLPOP waits at most this long: below the notify client's 1 s socket timeout, and often
# enough that the listener's flag is refreshed long before it expires.
POLL_S = 0.5

# A submit: take F (a task must be sent) or poke the listener with the submission's id (the
# listener's next round claims by it: a row that surely exists). P holds one element at most, so
# a queue without a listener never grows it.
_SUBMIT = """
if redis.call('set', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then return 1 end
if redis.call('llen', KEYS[2]) == 0 then redis.call('rpush', KEYS[2], ARGV[2]) end
redis.call('pexpire', KEYS[2], ARGV[1])
return 0
"""
# A task becomes the listener: F with its token (NX), and the pokes of rows committed before go
# (the round that follows claims them).
_LISTEN = """
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then redis.call('del', KEYS[2]) return 1 end
return 0
"""
_REFRESH = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
return 0
"""
# A listener leaves: F goes if it is still its own; a poke left in P names a row for the final round.
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('del', KEYS[1]) end
return redis.call('lpop', KEYS[2])
"""
_REDIS_ERRORS = (redis.RedisError, OSError)


@lru_cache(maxsize=16)
def _script(client: redis.Redis, text: str) -> Script:
    return client.register_script(text)  # EVALSHA, loaded once per server


def _key(queue: str | None) -> str:
    return KEY_PREFIX + (queue or settings.CELERY_TASK_DEFAULT_QUEUE)


def _poke_key(queue: str | None) -> str:
    return POKE_PREFIX + (queue or settings.CELERY_TASK_DEFAULT_QUEUE)


def _helper_key(queue: str | None) -> str:
    return HELPER_PREFIX + (queue or settings.CELERY_TASK_DEFAULT_QUEUE)


def _ttl_ms() -> int:
    return int(float(getattr(settings, "BPCOURSE_GRADING_WAKE_SECONDS", 0)) * 1000)


def linger_seconds() -> float:
    """How long a task listens after its batch with no poke (0: never; needs Redis and the flag).
    At most a quarter of the soft time limit."""
    linger = float(getattr(settings, "BPCOURSE_GRADING_LINGER_SECONDS", 0))
    if linger <= 0 or _ttl_ms() <= 0 or notify_client() is None:
        return 0.0
    return min(linger, settings.CELERY_TASK_SOFT_TIME_LIMIT / 4)


def wake_needed(queue: str | None, submission_id: str = "") -> bool:
    """Whether a submit must send a task to `queue` (True: no task is on its way or listening,
    and the flag now says one is; also True whenever the flag cannot be used). False: a listener,
    if any, has been poked (with `submission_id`)."""
    client, ttl = notify_client(), _ttl_ms()
    if client is None or ttl <= 0:
        return True
    try:
        if linger_seconds() > 0:
            keys = [_key(queue), _poke_key(queue)]
            return bool(_script(client, _SUBMIT)(keys=keys, args=[ttl, submission_id or "-"]))
        return bool(client.set(_key(queue), b"1", nx=True, px=ttl))
    except _REDIS_ERRORS as exc:
        logger.warning("grading wake flag unavailable (%s); sending a task", exc)
        return True


def wake_taken(queue: str | None) -> None:
    """A task of `queue` starts: the next submit must send a task again (call before claiming)."""
    client = notify_client()
    if client is None or _ttl_ms() <= 0:
        return
    try:
        client.delete(_key(queue))
    except _REDIS_ERRORS as exc:  # the flag expires by itself
        logger.warning("could not clear the grading wake flag (%s)", exc)


def listen_begin(queue: str | None, token: str, ttl_ms: int) -> bool:
    """Take F for a listener with `token` (False: a task is on its way or listening, or no Redis)."""
    client = notify_client()
    if client is None:
        return False
    try:
        return bool(_script(client, _LISTEN)(keys=[_key(queue), _poke_key(queue)], args=[token, ttl_ms]))
    except _REDIS_ERRORS as exc:
        logger.warning("grading listener not started (%s)", exc)
        return False


def listen_wait(queue: str | None, token: str, ttl_ms: int, timeout: float, *,
                refresh: bool = True) -> str | bool | None:
    """Refresh the listener's F (unless told not to: the caller did lately) and wait up to
    `timeout` seconds for a poke (0: do not wait).
    The poking submission's id, or True (not waiting); False: no poke; None: F is no longer this
    listener's (another task started, it expired, or Redis failed) — stop listening."""
    client = notify_client()
    if client is None:
        return None
    try:
        if refresh and not _script(client, _REFRESH)(keys=[_key(queue)], args=[token, ttl_ms]):
            return None
        if timeout <= 0:  # BLPOP 0 would block for ever
            return True
        # P holds one element at most: popping it drains it.
        popped = client.blpop([_poke_key(queue)], timeout=max(0.01, min(timeout, POLL_S)))
        return False if popped is None else popped[1].decode(errors="replace")
    except _REDIS_ERRORS as exc:
        logger.warning("grading listener stops (%s)", exc)
        return None


def listen_end(queue: str | None, token: str) -> str | None:
    """Clear F if it is still this listener's (call before its final claim round); the id of a
    poke left unread, if any."""
    client = notify_client()
    if client is None:
        return None
    try:
        left = _script(client, _RELEASE)(keys=[_key(queue), _poke_key(queue)], args=[token])
    except _REDIS_ERRORS as exc:  # it expires by itself
        logger.warning("could not clear the grading listener's flag (%s)", exc)
        return None
    return left.decode(errors="replace") if left else None


def helper_needed(queue: str | None, ttl_ms: int) -> bool:
    """Whether a listener with a backlog should send a helper task (True once until it starts)."""
    client = notify_client()
    if client is None:
        return False
    try:
        return bool(client.set(_helper_key(queue), b"1", nx=True, px=ttl_ms))
    except _REDIS_ERRORS as exc:
        logger.warning("grading helper flag unavailable (%s); no helper", exc)
        return False


def helper_taken(queue: str | None) -> None:
    """A helper task starts: a listener may send another one."""
    client = notify_client()
    if client is None:
        return
    try:
        client.delete(_helper_key(queue))
    except _REDIS_ERRORS as exc:
        logger.warning("could not clear the grading helper flag (%s)", exc)
