"""Test settings: DATABASE_URL when set (CI: PostgreSQL), else a SQLite file that worker
subprocesses of the integration tests can open too. Short sweep/visibility times so the fault
tests finish in seconds."""

import os
from urllib.parse import urlsplit, urlunsplit

from .base import *  # noqa: F403
from .base import DATABASES, VAR_DIR, env_bool, env_float, env_int, env_str

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not ":memory:", so that a Celery worker subprocess sees the same database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")}
else:
    # One test database per run, so that two people's (or tools') runs on one server never
    # drop each other's database. The integration tests hand this name to their workers.
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}

# Unit tests never touch a broker: tasks run inline unless a test switches this off
# (the integration tests do, and point the app at a real Redis).
CELERY_TASK_ALWAYS_EAGER = env_bool("BPCOURSE_TASKS_EAGER", True)
CELERY_TASK_EAGER_PROPAGATES = True
# A spare Redis database (14 unless BPCOURSE_TEST_REDIS_DB says otherwise) on the host of
# REDIS_URL, and a queue of this run's own, so that tests never meet anyone else's tasks.
_redis = urlsplit(env_str("REDIS_URL", "redis://127.0.0.1:6379/0"))
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or urlunsplit(
    (_redis.scheme, _redis.netloc, "/" + env_str("BPCOURSE_TEST_REDIS_DB", "14"), "", "")
)
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE") or f"bpcourse-test-{os.getpid()}"
BPCOURSE_HOMEWORK_QUEUE = env_str("BPCOURSE_HOMEWORK_QUEUE") or f"{CELERY_TASK_DEFAULT_QUEUE}-homework"

# Each process its own cache; no rate limits except in the tests of them (they switch them on).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "bpcourse-tests"}}
BPCOURSE_RATE_LIMITS_ENABLED = False

BPCOURSE_SWEEP_AGE_SECONDS = env_float("BPCOURSE_SWEEP_AGE_SECONDS", 2.0)
BPCOURSE_SWEEP_INTERVAL_SECONDS = env_float("BPCOURSE_SWEEP_INTERVAL_SECONDS", 1.0)
BPCOURSE_GRADING_STALE_SECONDS = env_float("BPCOURSE_GRADING_STALE_SECONDS", 4.0)
# No verdict announcements (waits re-read the database) unless a test points them at Redis.
BPCOURSE_NOTIFY_URL = env_str("BPCOURSE_NOTIFY_URL")
# Unit tests grade one submission per task unless a test asks for batches (the integration
# workers run with batches, as deployed).
BPCOURSE_GRADING_BATCH = env_int("BPCOURSE_GRADING_BATCH", 1)
BPCOURSE_VISIBILITY_TIMEOUT_SECONDS = env_float("BPCOURSE_VISIBILITY_TIMEOUT_SECONDS", 3.0)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": BPCOURSE_VISIBILITY_TIMEOUT_SECONDS,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
    "socket_connect_timeout": 3,
    "socket_timeout": 5,
}
CELERY_TASK_SOFT_TIME_LIMIT = 2
CELERY_TASK_TIME_LIMIT = 3
BPCOURSE_REGRADE_CHUNK_SECONDS = env_float("BPCOURSE_REGRADE_CHUNK_SECONDS", 0.5)
BPCOURSE_REGRADE_SOFT_TIME_LIMIT = 2
BPCOURSE_REGRADE_TIME_LIMIT = 2  # below the 3 s visibility timeout, as in production
BPCOURSE_REGRADE_STALE_SECONDS = env_float("BPCOURSE_REGRADE_STALE_SECONDS", 6.0)
CELERY_BEAT_SCHEDULE = {
    name: {**entry, "schedule": BPCOURSE_SWEEP_INTERVAL_SECONDS, "options": {"expires": BPCOURSE_SWEEP_INTERVAL_SECONDS}}
    for name, entry in CELERY_BEAT_SCHEDULE.items()  # noqa: F405
}

# Production checks an instructor's network within 0.1 s of CPU; a test machine loaded by parallel
# workers and browsers can be ten times slower, and a refusal there would only be noise. The tests
# of the time budget set their own.
BPCOURSE_AUTHORING_MAX_SECONDS = env_float("BPCOURSE_AUTHORING_MAX_SECONDS", 2.0)
