"""One grading task waiting per queue: submits send none while one is on its way (real Redis;
skipped without one)."""

from __future__ import annotations

import uuid
from unittest import mock

import pytest
import redis

from exercises.grading import enqueue, pipeline, tasks, wake
from exercises.models import Submission
from exercises.practice import services as practice_services

from tests.exercises.grading_support import make_queued, reference_answers, redis_url_or_skip

pytestmark = pytest.mark.django_db


@pytest.fixture
def flag(settings):
    """The wake flag on a Redis of the tests' own, in a queue of this test's own."""
    settings.BPCOURSE_NOTIFY_URL = url = redis_url_or_skip()
    settings.BPCOURSE_GRADING_WAKE_SECONDS = 10
    queue = f"wake-test-{uuid.uuid4().hex[:8]}"
    yield queue
    redis.Redis.from_url(url).delete(wake._key(queue))


def test_only_the_first_submit_sends_a_task_until_a_task_starts(flag):
    with mock.patch.object(tasks.grade_submission, "apply_async") as publish:
        assert [enqueue.enqueue_grading(str(uuid.uuid4()), flag, coalesce=True) for _ in range(3)] == [True] * 3
        assert publish.call_count == 1
        wake.wake_taken(flag)
        enqueue.enqueue_grading(str(uuid.uuid4()), flag, coalesce=True)
        assert publish.call_count == 2


def test_queues_have_flags_of_their_own(flag):
    with mock.patch.object(tasks.grade_submission, "apply_async") as publish:
        enqueue.enqueue_grading(str(uuid.uuid4()), flag, coalesce=True)
        enqueue.enqueue_grading(str(uuid.uuid4()), flag + "-homework", coalesce=True)
    assert publish.call_count == 2
    wake.wake_taken(flag + "-homework")


def test_the_sweep_and_other_senders_always_send(flag):
    with mock.patch.object(tasks.grade_submission, "apply_async") as publish:
        enqueue.enqueue_grading(str(uuid.uuid4()), flag, coalesce=True)
        enqueue.enqueue_grading(str(uuid.uuid4()), flag)
    assert publish.call_count == 2


def test_a_failed_send_clears_the_flag_so_the_next_submit_sends_again(flag):
    with mock.patch.object(tasks.grade_submission, "apply_async", side_effect=OSError("broker down")):
        assert enqueue.enqueue_grading(str(uuid.uuid4()), flag, coalesce=True) is False
    with mock.patch.object(tasks.grade_submission, "apply_async") as publish:
        enqueue.enqueue_grading(str(uuid.uuid4()), flag, coalesce=True)
    assert publish.call_count == 1


def test_without_redis_every_submit_sends_its_task(settings):
    settings.BPCOURSE_NOTIFY_URL = ""
    assert wake.wake_needed("any") and wake.wake_needed("any")


def test_with_the_flag_turned_off_every_submit_sends_its_task(flag, settings):
    settings.BPCOURSE_GRADING_WAKE_SECONDS = 0
    assert wake.wake_needed(flag) and wake.wake_needed(flag)


def test_an_unreachable_redis_means_sending(settings):
    settings.BPCOURSE_NOTIFY_URL = "redis://127.0.0.1:1/0"
    settings.BPCOURSE_GRADING_WAKE_SECONDS = 10
    assert wake.wake_needed("any") is True
    wake.wake_taken("any")  # only logs


def test_submissions_whose_submit_sent_nothing_are_graded_by_the_task_that_was_sent(flag, settings,
                                                                                    django_capture_on_commit_callbacks):
    """The flag's promise: the task on its way claims every queued submission of its kind."""
    settings.BPCOURSE_GRADING_BATCH = 32
    variant = practice_services.variant_create(template="article", seed="wake")
    sent: list[str] = []
    with mock.patch.object(tasks.grade_submission, "apply_async",
                           side_effect=lambda args, **kw: sent.append(args[0])):
        with mock.patch("exercises.grading.store.grading_queue", return_value=flag):
            with django_capture_on_commit_callbacks(execute=True):
                subs = [practice_services.submission_create(variant=variant, answers=reference_answers(variant))
                        for _ in range(4)]
    assert len(sent) == 1
    pipeline._per_submission_s = 0.001
    task = tasks.grade_submission
    task.push_request(is_eager=False, delivery_info={"routing_key": flag})
    try:
        task.run(sent[0])
    finally:
        task.pop_request()
    assert {Submission.objects.get(pk=s.pk).status for s in subs} == {Submission.Status.GRADED}
    assert wake.wake_needed(flag)  # the task cleared the flag as it started


def test_a_task_out_of_time_with_more_waiting_sends_one_to_go_on(settings):
    settings.BPCOURSE_GRADING_BATCH = 32
    sub = make_queued()
    task = tasks.grade_submission
    with mock.patch.object(tasks, "submissions_grade", return_value=pipeline.GradeRun(True, 32, more=True)):
        with mock.patch.object(tasks, "enqueue_grading") as send:
            task.push_request(is_eager=False, delivery_info={"routing_key": "q"})
            try:
                task.run(str(sub.pk))
            finally:
                task.pop_request()
    send.assert_called_once_with(str(sub.pk), "q", coalesce=True)
