"""Verdict announcements through Redis pub/sub (skipped without a reachable Redis)."""

from __future__ import annotations

import threading
import time
import uuid

import pytest

from exercises.grading import notify
from tests.exercises.grading_support import redis_url_or_skip


def test_a_waiting_request_is_woken_by_the_announcement(settings):
    settings.BPCOURSE_NOTIFY_URL = redis_url_or_skip()
    submission_id = uuid.uuid4()
    finished = threading.Event()
    threading.Timer(0.2, lambda: (finished.set(), notify.verdicts_publish([submission_id]))).start()
    started = time.monotonic()
    assert notify.verdict_wait(submission_id=submission_id, timeout=5, changed=finished.is_set) is True
    assert time.monotonic() - started < 2  # woken, not timed out


def test_a_verdict_stored_before_the_wait_began_is_not_missed(settings):
    settings.BPCOURSE_NOTIFY_URL = redis_url_or_skip()
    started = time.monotonic()
    assert notify.verdict_wait(submission_id=uuid.uuid4(), timeout=5, changed=lambda: True) is True
    assert time.monotonic() - started < 1


def test_a_wait_without_an_announcement_ends_at_its_limit(settings):
    settings.BPCOURSE_NOTIFY_URL = redis_url_or_skip()
    started = time.monotonic()
    assert notify.verdict_wait(submission_id=uuid.uuid4(), timeout=0.2, changed=lambda: False) is False
    assert 0.2 <= time.monotonic() - started < 1.5


def test_an_announcement_for_another_submission_does_not_end_the_wait(settings):
    settings.BPCOURSE_NOTIFY_URL = redis_url_or_skip()
    threading.Timer(0.05, lambda: notify.verdicts_publish([uuid.uuid4()])).start()
    reads: list[int] = []
    assert notify.verdict_wait(submission_id=uuid.uuid4(), timeout=0.3, changed=lambda: bool(reads.append(1))) is False
    assert len(reads) == 2  # once after subscribing, once at the limit


def test_announcing_with_redis_down_only_logs(settings, caplog):
    settings.BPCOURSE_NOTIFY_URL = "redis://127.0.0.1:1/0"
    notify.verdicts_publish([uuid.uuid4()])
    assert "could not announce" in caplog.text


def test_waiting_with_redis_down_falls_back_to_reading_the_database(settings):
    settings.BPCOURSE_NOTIFY_URL = "redis://127.0.0.1:1/0"
    reads = iter([False, True])
    assert notify.verdict_wait(submission_id=uuid.uuid4(), timeout=2, changed=lambda: next(reads)) is True


@pytest.mark.django_db
def test_the_pipeline_announces_what_it_stored(settings):
    from tests.exercises.grading_support import make_queued

    from exercises.grading import pipeline

    submission = make_queued()
    announced: list[list] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pipeline, "verdicts_publish", lambda ids: announced.append(sorted(ids)))
        assert pipeline.submission_grade(submission_id=submission.pk)
        assert not pipeline.submission_grade(submission_id=submission.pk)
    assert announced == [[submission.pk], []]
