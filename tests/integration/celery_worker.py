"""Entry point for the Celery worker subprocesses of the integration tests.

`python tests/integration/celery_worker.py worker …` — the same as `celery -A bpcourse worker …`,
except that BPCOURSE_TEST_GRADE_DELAY (seconds) slows every grading down so that a test can
kill a worker while work is really in flight.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import graders  # noqa: E402

delay = float(os.environ.get("BPCOURSE_TEST_GRADE_DELAY") or 0)
if delay > 0:
    _grade = graders.grade

    def slow_grade(*args, **kwargs):  # type: ignore[no-untyped-def]
        time.sleep(delay)
        return _grade(*args, **kwargs)

    graders.grade = slow_grade

from bpcourse.celery import app  # noqa: E402

if __name__ == "__main__":
    app.worker_main(sys.argv[1:])
