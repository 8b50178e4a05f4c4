"""Helpers shared by the integration tests (imported by conftest.py and the test modules)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKER_SCRIPT = Path(__file__).with_name("celery_worker.py")
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def missing_service(message: str) -> None:
    """Fail when services are required (CI), skip otherwise."""
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {message}", pytrace=False)
    pytest.skip(message)


def wait_until(predicate: Callable[[], bool], timeout: float, interval: float = 0.05, what: str = "") -> None:
    """Poll until predicate() is true; fail after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what or predicate}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_ping(url: str) -> bool:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        return bool(client.ping())
    except Exception:
        return False
    finally:
        client.close()


def database_url() -> str:
    """A URL for the test database (as pytest-django created it) for worker subprocesses."""
    from django.db import connection

    sd = connection.settings_dict
    if connection.vendor == "sqlite":
        return "sqlite:///" + str(Path(sd["NAME"]).resolve())
    if connection.vendor == "postgresql":
        user = quote(sd.get("USER") or "")
        password = quote(sd.get("PASSWORD") or "")
        auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = sd.get("HOST") or "127.0.0.1"
        port = f":{sd['PORT']}" if sd.get("PORT") else ""
        return f"postgres://{auth}{host}{port}/{sd['NAME']}"
    raise RuntimeError(f"unsupported database for integration tests: {connection.vendor}")


@contextmanager
def use_broker(url: str) -> Iterator[None]:
    """Point this process's Celery app at `url` and turn eager mode off; verdict announcements
    and the grading wake flag (exercises.grading.notify, .wake) use the same Redis, as deployed."""
    from django.conf import settings

    from bpcourse.celery import app

    saved = (app.conf.broker_url, app.conf.task_always_eager)
    saved_notify = settings.BPCOURSE_NOTIFY_URL
    settings.BPCOURSE_NOTIFY_URL = url

    def reset_pools() -> None:
        from kombu import pools

        pools.reset()  # closes and forgets every pooled connection and producer
        app._pool = None
        app.amqp._producer_pool = None

    reset_pools()
    app.conf.broker_url = url
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        reset_pools()
        app.conf.broker_url, app.conf.task_always_eager = saved
        settings.BPCOURSE_NOTIFY_URL = saved_notify


class Worker:
    """A `celery worker` subprocess in its own process group (so kill -9 takes all of it)."""

    def __init__(self, env: dict[str, str], log_path: Path, args: list[str]) -> None:
        self.log_path = log_path
        self.log = open(log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, str(WORKER_SCRIPT), *args],
            cwd=str(ROOT),
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = 30) -> None:
        def ready() -> bool:
            if self.proc.poll() is not None:
                raise AssertionError(f"worker exited early:\n{self.output()[-4000:]}")
            return " ready." in self.output()

        wait_until(ready, timeout, 0.1, "the worker to be ready")

    def kill9(self) -> None:
        """Simulate a machine loss: SIGKILL the worker and its pool processes at once."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
            except ProcessLookupError:
                pass
        try:  # pool children left behind by a kill
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.log.close()


class RedisServer:
    """A private redis-server on a free port (the shared one is never touched)."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.dir = directory
        self.dir.mkdir(parents=True, exist_ok=True)
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            missing_service("redis-server is not installed")
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.dir)],
            stdout=open(self.dir / "redis.log", "ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until(lambda: redis_ping(self.url), 10, 0.05, "the private redis-server")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None


