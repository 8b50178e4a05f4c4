"""Fixtures for integration tests: real Redis, real database, real Celery worker processes.

Services missing → the tests skip, or FAIL when REQUIRE_SERVICES=1 (as .ci/run sets).
The database is pytest-django's test database used with `transactional_db`, so data is
committed and the worker processes (given the test database's URL) see it.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from integration_support import (  # noqa: E402
    REQUIRE_SERVICES,
    RedisServer,
    Worker,
    database_url,
    missing_service,
    redis_ping,
    use_broker,
)


@pytest.fixture(scope="session")
def broker_url() -> Iterator[str]:
    """The test Redis (a spare database of REDIS_URL's server); skip/fail if it is down."""
    from django.conf import settings

    url = settings.CELERY_BROKER_URL
    if not url.startswith("redis"):
        missing_service(f"the test broker is not Redis: {url}")
    if not redis_ping(url):
        missing_service(f"Redis is not reachable at {url}")
    yield url
    # Leave nothing of this run's private queue behind in the shared Redis.
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)
    try:
        for queue in (settings.CELERY_TASK_DEFAULT_QUEUE, settings.BPCOURSE_HOMEWORK_QUEUE):
            client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    except Exception:
        pass
    finally:
        client.close()


@pytest.fixture(scope="session")
def require_database() -> None:
    """In CI the integration tests must run on PostgreSQL."""
    from django.db import connection

    if REQUIRE_SERVICES and connection.vendor != "postgresql":
        pytest.fail("REQUIRE_SERVICES=1 but DATABASE_URL is not PostgreSQL", pytrace=False)


@pytest.fixture
def start_worker(
    broker_url: str, require_database: None, transactional_db: None, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Worker]]:
    """Factory: start a worker on the test database and broker; all are stopped at the end."""
    from django.conf import settings

    started: list[Worker] = []

    def start(
        *,
        broker: str | None = None,
        concurrency: int = 2,
        beat: bool = False,
        grade_delay: float = 0.0,
        pool: str = "prefork",
        extra_env: dict[str, str] | None = None,
    ) -> Worker:
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="bpcourse.settings.test",
            DATABASE_URL=database_url(),
            CELERY_BROKER_URL=broker or broker_url,
            CELERY_TASK_DEFAULT_QUEUE=settings.CELERY_TASK_DEFAULT_QUEUE,
            BPCOURSE_HOMEWORK_QUEUE=settings.BPCOURSE_HOMEWORK_QUEUE,
            BPCOURSE_TASKS_EAGER="0",
            BPCOURSE_TEST_GRADE_DELAY=str(grade_delay),
            BPCOURSE_GRADING_BATCH=os.environ.get("BPCOURSE_IT_GRADING_BATCH", "32"),  # batches, as deployed
            BPCOURSE_NOTIFY_URL=broker or broker_url,  # announcements and the wake flag, as deployed
            BPCOURSE_VAR_DIR=str(tmp_path / "var"),
            PYTHONUNBUFFERED="1",
        )
        env.update(extra_env or {})
        name = f"it-{uuid.uuid4().hex[:8]}@%h"
        args = [
            "worker",
            "--loglevel=INFO",
            f"--pool={pool}",
            f"--concurrency={concurrency}",
            "-n",
            name,
            "-Q",
            f"{settings.CELERY_TASK_DEFAULT_QUEUE},{settings.BPCOURSE_HOMEWORK_QUEUE}",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        if beat:
            args += ["-B", "--schedule", str(tmp_path / f"beat-{len(started)}")]
        worker = Worker(env, tmp_path / f"worker-{len(started)}.log", args)
        started.append(worker)
        worker.wait_ready()
        return worker

    with use_broker(broker_url):
        yield start
    for worker in started:
        worker.stop()
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        for worker in started:
            sys.stderr.write(f"\n--- {worker.log_path} ---\n{worker.output()[-6000:]}\n")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):  # type: ignore[no-untyped-def]
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis")
    server.start()
    yield server
    server.stop()
