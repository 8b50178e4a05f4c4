"""The project's Celery app plus a no-op task, for the load benchmark's baseline.

Workers started with `celery -A benchmarks.celery_app worker` run the real grading tasks and
`benchmarks.noop`. The no-op task only pushes a token onto a Redis list named by the caller,
which the caller waits on (BLPOP): a task round trip through the broker with no result backend.
"""

from __future__ import annotations

import redis

from bpcourse.celery import app

_client: redis.Redis | None = None


@app.task(name="benchmarks.noop", ignore_result=True)
def noop(reply_to: str) -> None:
    """Do nothing but tell the caller it ran."""
    global _client
    if _client is None:
        _client = redis.Redis.from_url(app.conf.broker_url)
    _client.pipeline().rpush(reply_to, b"1").expire(reply_to, 60).execute()


__all__ = ["app", "noop"]
