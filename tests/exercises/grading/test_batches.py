"""Batched grading: a task also grades what else of its kind is queued, each submission once."""

from __future__ import annotations

import sys
import threading
import uuid
from pathlib import Path
from unittest import mock

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from exercises.courses.services import homework as homework_services
from exercises.grading import pipeline, tasks
from exercises.models import Submission, Variant
from exercises.practice import services as practice_services

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # homework_support, grading_support
pytest.register_assert_rewrite("homework_support")

from grading_support import make_queued  # noqa: E402
from homework_support import reference_answers  # noqa: E402

pytest_plugins = ["homework_support"]

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def measured_fast(monkeypatch):
    """As in a worker that has graded before: a submission takes about a millisecond."""
    monkeypatch.setattr(pipeline, "_per_submission_s", 0.001)


def statuses(subs: list[Submission]) -> list[str]:
    return [Submission.objects.get(pk=s.pk).status for s in subs]


def test_one_task_grades_every_queued_submission_of_its_kind_and_numbers_them_in_order():
    variant = practice_services.variant_create(template="article", seed="batch")
    subs = [make_queued(variant) for _ in range(5)]
    run = pipeline.submissions_grade(submission_id=subs[2].pk, limit=32)
    assert run == pipeline.GradeRun(own_stored=True, stored=5)
    rows = Submission.objects.filter(variant=variant).order_by("created_at")
    assert [(r.pk, r.status, r.attempt_number, r.score) for r in rows] == [
        (s.pk, Submission.Status.GRADED, n, 1.0) for n, s in enumerate(subs, start=1)
    ]
    assert Variant.objects.get(pk=variant.pk).attempt_count == 5
    assert Variant.objects.get(pk=variant.pk).solved_parts  # each kind's after_graded ran


def test_the_tasks_of_submissions_graded_in_a_batch_store_nothing():
    variant = practice_services.variant_create(template="article", seed="batch")
    subs = [make_queued(variant) for _ in range(3)]
    assert pipeline.submissions_grade(submission_id=subs[0].pk, limit=32).stored == 3
    before = list(Submission.objects.order_by("pk").values_list("pk", "graded_at", "attempt_number"))
    for sub in subs[1:]:
        assert pipeline.submissions_grade(submission_id=sub.pk, limit=32) == pipeline.GradeRun(False, 0)
    assert list(Submission.objects.order_by("pk").values_list("pk", "graded_at", "attempt_number")) == before


def test_a_batch_takes_at_most_its_limit_a_round_and_goes_on_while_rounds_are_full():
    variant = practice_services.variant_create(template="article", seed="batch")
    subs = [make_queued(variant) for _ in range(7)]
    sizes: list[int] = []
    claim = pipeline._claim

    def counting(*args, **kwargs):
        claims = claim(*args, **kwargs)
        sizes.append(len(claims))
        return claims

    with mock.patch.object(pipeline, "_claim", side_effect=counting):
        assert pipeline.submissions_grade(submission_id=subs[0].pk, limit=3).stored == 7
    assert sizes == [3, 3, 1]


def test_a_batch_is_sized_by_the_time_one_submission_takes(monkeypatch):
    monkeypatch.setattr(pipeline, "_per_submission_s", 0.3)
    assert pipeline._batch_size(32, 1.0) == 3
    monkeypatch.setattr(pipeline, "_per_submission_s", None)
    assert pipeline._batch_size(32, 1.0) == 2  # nothing measured yet
    monkeypatch.setattr(pipeline, "_per_submission_s", 5.0)
    assert pipeline._batch_size(32, 1.0) == 2  # its own and one more: the queue is always looked at
    assert pipeline._batch_size(32, -1.0) == 2
    assert pipeline._batch_size(1, 1.0) == 1


def test_a_batch_with_no_time_grades_one_round_of_two_and_says_more_may_wait():
    variant = practice_services.variant_create(template="article", seed="batch")
    subs = [make_queued(variant) for _ in range(4)]
    run = pipeline.submissions_grade(submission_id=subs[0].pk, limit=32, seconds=0)
    assert run == pipeline.GradeRun(True, 2, more=True)
    assert statuses(subs) == [Submission.Status.GRADED] * 2 + [Submission.Status.QUEUED] * 2


def test_a_slow_batch_that_drained_the_queue_says_nothing_more_waits(monkeypatch):
    monkeypatch.setattr(pipeline, "_per_submission_s", 5.0)
    variant = practice_services.variant_create(template="article", seed="batch")
    subs = [make_queued(variant) for _ in range(2)]
    assert pipeline.submissions_grade(submission_id=subs[0].pk, limit=32, seconds=1.0) == pipeline.GradeRun(True, 2)


def test_a_batch_stops_starting_rounds_after_its_time(monkeypatch):
    variant = practice_services.variant_create(template="article", seed="batch")
    subs = [make_queued(variant) for _ in range(6)]
    clock = iter([0.0, 0.0, 0.0, 0.5, 1.5])  # start, size, round, measured, the check after round 1
    monkeypatch.setattr(pipeline.time, "monotonic", lambda: next(clock))
    run = pipeline.submissions_grade(submission_id=subs[0].pk, limit=2, seconds=1.0)
    assert run == pipeline.GradeRun(True, 2, more=True)
    assert statuses(subs).count(Submission.Status.QUEUED) == 4


def test_a_batch_of_a_submission_already_graded_still_grades_the_queue():
    variant = practice_services.variant_create(template="article", seed="batch")
    first = make_queued(variant)
    assert pipeline.submission_grade(submission_id=first.pk)
    rest = [make_queued(variant) for _ in range(2)]
    assert pipeline.submissions_grade(submission_id=first.pk, limit=32) == pipeline.GradeRun(False, 2)
    assert statuses(rest) == [Submission.Status.GRADED] * 2


def test_rounds_that_only_name_the_kind_leave_that_submission_alone_and_take_the_others():
    """A listener's rounds: whatever the limit (one included), at least one other each round."""
    variant = practice_services.variant_create(template="article", seed="batch")
    reference, *rest = [make_queued(variant) for _ in range(3)]
    run = pipeline.submissions_grade(submission_id=reference.pk, limit=1, others_only=True)
    assert run == pipeline.GradeRun(False, 2) and run.backlog  # two full rounds of one, then none
    assert statuses([reference, *rest]) == [Submission.Status.QUEUED] + [Submission.Status.GRADED] * 2


def test_a_round_short_of_its_size_is_no_backlog(monkeypatch):
    monkeypatch.setattr(pipeline, "_per_submission_s", 0.001)  # rounds of 32
    variant = practice_services.variant_create(template="article", seed="batch")
    subs = [make_queued(variant) for _ in range(3)]
    assert not pipeline.submissions_grade(submission_id=subs[0].pk, limit=32).backlog


def test_a_batch_never_takes_submissions_of_another_kind(assignment, alice):
    homework_variant = homework_services.homework_variant(assignment=assignment, student=alice)
    with mock.patch("exercises.grading.enqueue.enqueue_grading", return_value=True):
        homework = homework_services.homework_submit(
            assignment=assignment, student=alice, answers=reference_answers(homework_variant, ["net_h1"])
        )
    practice = [make_queued() for _ in range(2)]
    assert pipeline.submissions_grade(submission_id=practice[0].pk, limit=32).stored == 2
    assert Submission.objects.get(pk=homework.pk).status == Submission.Status.QUEUED
    assert pipeline.submissions_grade(submission_id=homework.pk, limit=32) == pipeline.GradeRun(True, 1)
    assert Submission.objects.get(pk=homework.pk).final_score is not None  # homework's after_graded


def test_a_batch_leaves_claims_of_other_copies_alone():
    variant = practice_services.variant_create(template="article", seed="batch")
    held, queued = make_queued(variant), make_queued(variant)
    token = uuid.uuid4()
    Submission.objects.filter(pk=held.pk).update(
        status=Submission.Status.GRADING, grading_started_at=timezone.now(), claim_token=token
    )
    assert pipeline.submissions_grade(submission_id=queued.pk, limit=32) == pipeline.GradeRun(True, 1)
    assert Submission.objects.get(pk=held.pk).claim_token == token


def test_a_lost_claim_in_a_batch_stores_the_others_and_counts_its_attempt_nowhere():
    variant = practice_services.variant_create(template="article", seed="batch")
    subs = [make_queued(variant) for _ in range(3)]
    token = uuid.uuid4()
    claims = pipeline._claim(subs[0].pk, subs[0].pk, token, 2)
    Submission.objects.filter(pk=subs[1].pk).update(claim_token=uuid.uuid4())  # taken over meanwhile
    outcomes = [pipeline._grade(c) for c in claims]
    assert pipeline._finish(outcomes, token) == {subs[0].pk, subs[2].pk}
    assert Variant.objects.get(pk=variant.pk).attempt_count == 2
    assert [Submission.objects.get(pk=s.pk).attempt_number for s in subs] == [1, None, 2]


def test_a_database_error_in_a_batch_gives_back_the_whole_round():
    from django.db import OperationalError

    variant = practice_services.variant_create(template="article", seed="batch")
    subs = [make_queued(variant) for _ in range(3)]
    with mock.patch.object(pipeline, "_finish", side_effect=OperationalError("db gone")):
        with pytest.raises(OperationalError):
            pipeline.submissions_grade(submission_id=subs[0].pk, limit=32)
    assert statuses(subs) == [Submission.Status.QUEUED] * 3
    assert set(Submission.objects.values_list("claim_token", flat=True)) == {None}


def test_a_copy_meeting_a_young_batch_claim_waits_for_it_instead_of_coming_back_later(settings):
    sub = make_queued()
    Submission.objects.filter(pk=sub.pk).update(status=Submission.Status.GRADING, grading_started_at=timezone.now())

    def finish_meanwhile(seconds: float) -> None:
        Submission.objects.filter(pk=sub.pk).update(status=Submission.Status.GRADED)

    with mock.patch.object(pipeline.time, "sleep", side_effect=finish_meanwhile) as sleep:
        assert pipeline.claim_settled_wait(submission_id=sub.pk, young=1.0, settle=0.1) is None
    sleep.assert_called_once()


def test_a_copy_meeting_an_old_claim_does_not_wait(settings):
    sub = make_queued()
    Submission.objects.filter(pk=sub.pk).update(
        status=Submission.Status.GRADING, grading_started_at=timezone.now() - timezone.timedelta(seconds=2)
    )
    with mock.patch.object(pipeline.time, "sleep") as sleep:
        wait = pipeline.claim_settled_wait(submission_id=sub.pk, young=1.0, settle=0.1)
    sleep.assert_not_called()
    assert 0 < wait <= settings.BPCOURSE_GRADING_STALE_SECONDS


def run_copy(submission_id: str, *, redelivered: bool) -> None:
    task = tasks.grade_submission
    task.push_request(is_eager=False, retries=0, delivery_info={"routing_key": "q", "redelivered": redelivered})
    try:
        task.run(submission_id)
    finally:
        task.pop_request()


@pytest.mark.parametrize("redelivered", [True, False])
def test_a_redelivered_copy_comes_back_for_dead_claims_of_its_kind_that_have_no_task(redelivered, settings):
    """A killed listener's rows were poked, not sent: its redelivered copy, whose own row is long
    graded, is the only task that knows of them."""
    settings.BPCOURSE_GRADING_BATCH = 32
    variant = practice_services.variant_create(template="article", seed="dead")
    own = make_queued(variant)
    assert pipeline.submission_grade(submission_id=own.pk)
    held = make_queued(variant)
    Submission.objects.filter(pk=held.pk).update(
        status=Submission.Status.GRADING, grading_started_at=timezone.now() - timezone.timedelta(seconds=2)
    )
    with mock.patch.object(tasks.grade_submission, "retry", side_effect=RuntimeError("retry")) as retry:
        if redelivered:
            with pytest.raises(RuntimeError):
                run_copy(str(own.pk), redelivered=True)
            wait = retry.call_args.kwargs["countdown"]
            assert settings.BPCOURSE_GRADING_STALE_SECONDS - 2 < wait <= settings.BPCOURSE_GRADING_STALE_SECONDS
        else:  # a first delivery knows of no dead worker
            run_copy(str(own.pk), redelivered=False)
            retry.assert_not_called()


def test_a_redelivered_copy_leaves_young_claims_and_other_kinds_alone(settings, assignment, alice):
    settings.BPCOURSE_GRADING_BATCH = 32
    variant = practice_services.variant_create(template="article", seed="dead")
    own = make_queued(variant)
    assert pipeline.submission_grade(submission_id=own.pk)
    young = make_queued(variant)
    Submission.objects.filter(pk=young.pk).update(status=Submission.Status.GRADING, grading_started_at=timezone.now())
    homework_variant = homework_services.homework_variant(assignment=assignment, student=alice)
    with mock.patch("exercises.grading.enqueue.enqueue_grading", return_value=True):
        old = homework_services.homework_submit(
            assignment=assignment, student=alice, answers=reference_answers(homework_variant, ["net_h1"])
        )
    Submission.objects.filter(pk=old.pk).update(
        status=Submission.Status.GRADING, grading_started_at=timezone.now() - timezone.timedelta(seconds=2)
    )
    with mock.patch.object(tasks.grade_submission, "retry", side_effect=RuntimeError("retry")) as retry:
        run_copy(str(own.pk), redelivered=True)
    retry.assert_not_called()


def test_the_task_grades_in_batches_of_the_configured_size(settings):
    settings.BPCOURSE_GRADING_BATCH = 32
    variant = practice_services.variant_create(template="article", seed="batch")
    subs = [make_queued(variant) for _ in range(4)]
    tasks.grade_submission.run(str(subs[-1].pk))
    assert statuses(subs) == [Submission.Status.GRADED] * 4


@pytest.mark.django_db(transaction=True)
def test_concurrent_batches_grade_each_submission_once():
    """Threads run tasks of every submission at once, in batches: attempts 1..n, each once."""
    variants = [practice_services.variant_create(template="article", seed=f"batch-{i}") for i in range(3)]
    subs = [make_queued(variants[i % 3]) for i in range(24)]
    stored: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(4)

    def worker(offset: int) -> None:
        try:
            barrier.wait()
            for sub in subs[offset::4]:
                run = pipeline.submissions_grade(submission_id=sub.pk, limit=5)
                with lock:
                    stored.append(run.stored)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(stored) == len(subs)
    for variant in variants:
        numbers = sorted(Submission.objects.filter(variant=variant).values_list("attempt_number", flat=True))
        assert numbers == list(range(1, 9))
        assert Variant.objects.get(pk=variant.pk).attempt_count == 8
    assert set(Submission.objects.values_list("status", flat=True)) == {Submission.Status.GRADED}


def test_a_batch_takes_over_the_dead_claims_of_its_kind_but_not_live_ones(settings):
    variant = practice_services.variant_create(template="article", seed="batch")
    dead, live, own = make_queued(variant), make_queued(variant), make_queued(variant)
    long_ago = timezone.now() - timezone.timedelta(seconds=settings.BPCOURSE_GRADING_STALE_SECONDS + 1)
    Submission.objects.filter(pk=dead.pk).update(
        status=Submission.Status.GRADING, grading_started_at=long_ago, claim_token=uuid.uuid4())
    Submission.objects.filter(pk=live.pk).update(
        status=Submission.Status.GRADING, grading_started_at=timezone.now(), claim_token=uuid.uuid4())
    assert pipeline.submissions_grade(submission_id=own.pk, limit=32) == pipeline.GradeRun(True, 2)
    assert statuses([dead, live, own]) == [Submission.Status.GRADED, Submission.Status.GRADING,
                                           Submission.Status.GRADED]
