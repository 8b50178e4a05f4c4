"""A grading task that stays to listen: submits meanwhile poke it instead of sending a task, and
nothing committed while it listens is left behind (real Redis; skipped without one)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from unittest import mock

import pytest
import redis
from django.conf import settings as django_settings

from exercises.grading import linger, pipeline, tasks, wake
from exercises.models import Submission
from exercises.practice import services as practice_services

from tests.exercises.grading_support import make_queued, reference_answers, redis_url_or_skip

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(settings):
    """Lingering on, on a Redis of the tests' own, in a queue of this test's own."""
    settings.BPCOURSE_NOTIFY_URL = url = redis_url_or_skip()
    settings.BPCOURSE_GRADING_WAKE_SECONDS = 10
    settings.BPCOURSE_GRADING_LINGER_SECONDS = 0.3
    settings.BPCOURSE_GRADING_BATCH = 32
    pipeline._per_submission_s = 0.001
    name = f"linger-test-{uuid.uuid4().hex[:8]}"
    yield name
    redis.Redis.from_url(url).delete(wake._key(name), wake._poke_key(name), wake._helper_key(name))


@pytest.fixture
def sent():
    """Every grading task published: (args, kwargs) of apply_async."""
    calls: list[tuple[tuple, dict]] = []
    with mock.patch.object(tasks.grade_submission, "apply_async",
                           side_effect=lambda args, kwargs=None, **kw: calls.append((args, kwargs or {}))):
        yield calls


def submit(variant, queue: str, capture) -> Submission:
    """A submit as the web makes it: the row committed, then the wake flag tested (poke or send)."""
    with mock.patch("exercises.grading.store.grading_queue", return_value=queue):
        with capture(execute=True):
            return practice_services.submission_create(variant=variant, answers=reference_answers(variant))


def run_task(submission_id: str, queue: str, **kwargs) -> None:
    task = tasks.grade_submission
    task.push_request(is_eager=False, delivery_info={"routing_key": queue})
    try:
        task.run(submission_id, **kwargs)
    finally:
        task.pop_request()


def status(sub: Submission) -> str:
    return Submission.objects.get(pk=sub.pk).status


def during(name: str, action: Callable[[], None], times: int = 1):
    """Patch wake.<name> so that `action` runs just before its first `times` calls."""
    real = getattr(wake, name)
    calls = {"n": 0}

    def wrapped(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] <= times:
            action()
        return real(*args, **kwargs)

    return mock.patch.object(wake, name, side_effect=wrapped)


def test_a_submit_while_a_task_listens_is_graded_without_a_task_being_sent(queue, sent,
                                                                           django_capture_on_commit_callbacks):
    variant = practice_services.variant_create(template="article", seed="listen")
    first = submit(variant, queue, django_capture_on_commit_callbacks)
    assert len(sent) == 1
    later: list[Submission] = []
    stored: list[int] = []

    def grade(**kwargs):
        run = pipeline.submissions_grade(**kwargs)
        stored.append(run.stored)
        return run

    with during("listen_wait", lambda: later.append(submit(variant, queue, django_capture_on_commit_callbacks))):
        with mock.patch.object(linger, "submissions_grade", side_effect=grade):
            run_task(str(first.pk), queue)
    assert len(sent) == 1  # the later submit poked the listener instead
    assert status(first) == status(later[0]) == Submission.Status.GRADED
    assert stored == [0, 1, 0]  # the round at once, the round its poke woke, the final round
    assert wake.wake_needed(queue)  # the listener has left: the next submit sends a task again


def test_a_poke_wakes_the_listener_at_once(queue, sent, django_capture_on_commit_callbacks):
    variant = practice_services.variant_create(template="article", seed="woken")
    first = submit(variant, queue, django_capture_on_commit_callbacks)
    stored_at: list[float] = []
    later: list[Submission] = []

    def submit_later() -> None:
        later.append(submit(variant, queue, django_capture_on_commit_callbacks))
        stored_at.append(time.monotonic())

    real_grade = pipeline.submissions_grade
    graded_at: list[float] = []

    def grade(**kwargs):
        run = real_grade(**kwargs)
        if run.stored and later and not graded_at:
            graded_at.append(time.monotonic())
        return run

    with during("listen_wait", submit_later), mock.patch.object(linger, "submissions_grade", side_effect=grade):
        run_task(str(first.pk), queue)
    assert status(later[0]) == Submission.Status.GRADED
    assert graded_at[0] - stored_at[0] < 0.2  # the poke, not the end of listening (0.3 s idle)


def test_the_final_round_after_the_flag_is_cleared_grades_a_row_committed_just_before(
        queue, sent, django_capture_on_commit_callbacks):
    variant = practice_services.variant_create(template="article", seed="final")
    first = submit(variant, queue, django_capture_on_commit_callbacks)
    late: list[Submission] = []
    with during("listen_end", lambda: late.append(submit(variant, queue, django_capture_on_commit_callbacks))):
        run_task(str(first.pk), queue)
    assert len(sent) == 1  # the late submit found the flag set: it poked, sent nothing
    assert status(late[0]) == Submission.Status.GRADED


def test_a_poked_row_is_graded_even_after_the_tasks_own_row_was_deleted(queue, sent,
                                                                          django_capture_on_commit_callbacks):
    """The listener's rounds claim by the poked row, so the kind is known whatever was deleted."""
    variant = practice_services.variant_create(template="article", seed="deleted")
    other = practice_services.variant_create(template="article", seed="deleted-2")
    first = submit(variant, queue, django_capture_on_commit_callbacks)
    later: list[Submission] = []

    def delete_then_submit() -> None:
        variant.delete()  # the task's own submission goes with it
        later.append(submit(other, queue, django_capture_on_commit_callbacks))

    with during("listen_wait", delete_then_submit):
        run_task(str(first.pk), queue)
    assert len(sent) == 1 and status(later[0]) == Submission.Status.GRADED


def test_the_final_round_claims_by_a_poke_left_unread(queue, sent, django_capture_on_commit_callbacks):
    variant = practice_services.variant_create(template="article", seed="unread")
    other = practice_services.variant_create(template="article", seed="unread-2")
    first = submit(variant, queue, django_capture_on_commit_callbacks)
    late: list[Submission] = []

    def delete_then_submit() -> None:
        variant.delete()
        late.append(submit(other, queue, django_capture_on_commit_callbacks))

    with during("listen_end", delete_then_submit):
        run_task(str(first.pk), queue)
    assert len(sent) == 1 and status(late[0]) == Submission.Status.GRADED


def test_a_task_that_finds_another_on_its_way_does_not_listen(queue, sent, django_capture_on_commit_callbacks):
    variant = practice_services.variant_create(template="article", seed="on-its-way")
    first = submit(variant, queue, django_capture_on_commit_callbacks)
    # after the task cleared the flag, another submit sent a task: that one comes to listen
    with during("listen_begin", lambda: submit(variant, queue, django_capture_on_commit_callbacks)):
        with mock.patch.object(wake, "listen_wait") as listening:
            run_task(str(first.pk), queue)
    assert len(sent) == 2 and not listening.called


def test_a_listener_leaves_when_another_task_starts(queue, sent, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(wake, "POLL_S", 0.05)  # it looks at its flag this often
    variant = practice_services.variant_create(template="article", seed="leaves")
    first = submit(variant, queue, django_capture_on_commit_callbacks)
    started = time.monotonic()
    with during("listen_wait", lambda: wake.wake_taken(queue)):
        run_task(str(first.pk), queue)
    assert time.monotonic() - started < 0.2  # not the 0.3 s of listening


@pytest.mark.parametrize("how", ["linger 0", "no Redis"])
def test_without_lingering_a_task_leaves_at_once_and_every_flag_is_as_before(how, queue, sent, settings,
                                                                             django_capture_on_commit_callbacks):
    if how == "linger 0":
        settings.BPCOURSE_GRADING_LINGER_SECONDS = 0
    else:
        settings.BPCOURSE_NOTIFY_URL = ""
    variant = practice_services.variant_create(template="article", seed="no-linger")
    first = submit(variant, queue, django_capture_on_commit_callbacks)
    with mock.patch.object(wake, "listen_begin") as listen:
        run_task(str(first.pk), queue)
    assert not listen.called and status(first) == Submission.Status.GRADED
    submit(variant, queue, django_capture_on_commit_callbacks)
    submit(variant, queue, django_capture_on_commit_callbacks)
    assert len(sent) == (2 if how == "linger 0" else 3)  # one per task start, or one per submit
    assert not redis.Redis.from_url(django_settings.CELERY_BROKER_URL).exists(wake._poke_key(queue))


def test_a_listener_with_a_backlog_sends_one_helper_not_more(queue, sent, settings,
                                                            django_capture_on_commit_callbacks):
    settings.BPCOURSE_GRADING_BATCH = 2  # every round of a burst comes back full
    variant = practice_services.variant_create(template="article", seed="backlog")
    first = submit(variant, queue, django_capture_on_commit_callbacks)
    burst: list[Submission] = []

    def six_submits() -> None:
        burst.extend(submit(variant, queue, django_capture_on_commit_callbacks) for _ in range(6))

    with during("listen_wait", six_submits, times=2):
        run_task(str(first.pk), queue)
    helpers = [args for args, kwargs in sent if kwargs == {"helper": True}]
    assert len(sent) == 2 and len(helpers) == 1 and helpers[0][0] in {str(s.pk) for s in burst}
    assert {status(s) for s in burst} == {Submission.Status.GRADED} and len(burst) == 12


def test_a_helper_grades_and_leaves_without_touching_the_listeners_flag(queue, sent):
    variant = practice_services.variant_create(template="article", seed="helper")
    reference = make_queued(variant)
    pipeline.submission_grade(submission_id=reference.pk)
    queued = [make_queued(variant) for _ in range(3)]
    assert wake.listen_begin(queue, "listener", 5000)
    assert wake.helper_needed(queue, 5000)
    client = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    started = time.monotonic()
    run_task(str(reference.pk), queue, helper=True)
    assert time.monotonic() - started < 0.25  # it did not listen
    assert {status(s) for s in queued} == {Submission.Status.GRADED}
    assert client.get(wake._key(queue)) == b"listener"
    assert wake.helper_needed(queue, 5000)  # it cleared the helper flag as it started


def test_a_killed_listeners_flag_expires_and_submits_send_tasks_again(queue):
    assert wake.listen_begin(queue, "killed", 150)
    assert not wake.wake_needed(queue)  # pokes a listener that will never answer
    time.sleep(0.3)
    assert wake.wake_needed(queue)


def test_the_poke_list_holds_one_element_however_many_submits_poke(queue):
    assert wake.listen_begin(queue, "busy", 5000)
    ids = [str(uuid.uuid4()) for _ in range(5)]
    for submission_id in ids:
        assert not wake.wake_needed(queue, submission_id)
    client = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    assert client.llen(wake._poke_key(queue)) == 1
    assert 0 < client.pttl(wake._poke_key(queue)) <= 10_000
    assert wake.listen_wait(queue, "busy", 5000, 0.1) == ids[0]  # the first poke names its row
    assert wake.listen_wait(queue, "busy", 5000, 0.05) is False  # drained by the one pop
    assert wake.listen_wait(queue, "someone else", 5000, 0.05) is None


def test_an_unreachable_redis_means_no_listening(settings):
    settings.BPCOURSE_NOTIFY_URL = "redis://127.0.0.1:1/0"
    settings.BPCOURSE_GRADING_LINGER_SECONDS = 2
    settings.BPCOURSE_GRADING_WAKE_SECONDS = 10
    assert wake.listen_begin("any", "t", 1000) is False
    assert wake.listen_wait("any", "t", 1000, 0.1) is None
    assert wake.helper_needed("any", 1000) is False
    wake.listen_end("any", "t")  # only logs
    assert wake.wake_needed("any") is True


def test_listening_stays_well_under_the_soft_time_limit(queue, sent, settings, django_capture_on_commit_callbacks):
    """Pokes keep a listener on, but only up to half the soft time limit after its task started."""
    settings.BPCOURSE_GRADING_LINGER_SECONDS = 5
    variant = practice_services.variant_create(template="article", seed="capped")
    first = submit(variant, queue, django_capture_on_commit_callbacks)
    started = time.monotonic()
    with during("listen_wait", lambda: submit(variant, queue, django_capture_on_commit_callbacks), times=1000):
        run_task(str(first.pk), queue)
    took = time.monotonic() - started
    assert django_settings.CELERY_TASK_SOFT_TIME_LIMIT / 2 <= took < django_settings.CELERY_TASK_SOFT_TIME_LIMIT * 0.8
    assert Submission.objects.filter(status=Submission.Status.QUEUED).count() == 0
    assert len(sent) == 1
