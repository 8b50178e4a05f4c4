"""The grading pipeline: claim, grade, finish exactly once, concurrent copies, and the sweep."""
from __future__ import annotations

import threading
import uuid
from datetime import timedelta
from unittest import mock

import pytest
from django.db import OperationalError, close_old_connections, connection
from django.utils import timezone

import graders
from exercises.grading import pipeline
from exercises.practice import services as practice_services
from exercises.grading import specs
from exercises.grading import sweep
from exercises.grading.variants import variant_spec
from exercises.models import Submission, Variant




from tests.exercises.grading_support import make_queued

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------------- grading


def test_grade_is_idempotent():
    submission = make_queued()
    assert pipeline.submission_grade(submission_id=submission.id) is True
    first = Submission.objects.get(pk=submission.pk)
    assert first.status == Submission.Status.GRADED
    assert pipeline.submission_grade(submission_id=str(submission.id)) is False
    again = Submission.objects.get(pk=submission.pk)
    assert (again.status, again.graded_at, again.attempt_number, again.report) == (
        first.status,
        first.graded_at,
        first.attempt_number,
        first.report,
    )


@pytest.mark.parametrize("bad", ["5f0c8c3e-3a43-4c5e-9d1e-6f8e2f6d1a27", "not-a-uuid", "", None, 12, "'; DROP TABLE x"])
def test_grade_unknown_or_malformed_ids_return_cleanly(bad):
    assert pipeline.submission_grade(submission_id=bad) is False


def test_grade_deleted_submission():
    submission = make_queued()
    Submission.objects.filter(pk=submission.pk).delete()
    assert pipeline.submission_grade(submission_id=submission.id) is False


def test_attempts_counted_once_in_grading_order():
    variant = practice_services.variant_create(template="article", seed="s")
    subs = [make_queued(variant) for _ in range(3)]
    for sub in subs:
        pipeline.submission_grade(submission_id=sub.id)
        pipeline.submission_grade(submission_id=sub.id)  # redelivery
    numbers = sorted(Submission.objects.filter(variant=variant).values_list("attempt_number", flat=True))
    assert numbers == [1, 2, 3]


def test_claim_held_by_another_copy_blocks_until_stale(settings):
    submission = make_queued()
    token = uuid.uuid4()
    (claim,) = pipeline._claim(submission.pk, submission.pk, token, 0)
    # a second copy while the first is grading: nothing to do
    assert pipeline.submission_grade(submission_id=submission.id) is False
    assert Submission.objects.get(pk=submission.pk).status == Submission.Status.GRADING
    # the first copy's worker died: once the claim is stale another copy takes over
    Submission.objects.filter(pk=submission.pk).update(
        grading_started_at=timezone.now() - timedelta(seconds=settings.BPCOURSE_GRADING_STALE_SECONDS + 1)
    )
    assert pipeline.submission_grade(submission_id=submission.id) is True
    # the first copy comes back late: it no longer holds the claim and stores nothing
    assert not pipeline._finish([pipeline._Outcome(claim, Submission.Status.ERROR, error_reason="late")], token)
    final = Submission.objects.get(pk=submission.pk)
    assert final.status == Submission.Status.GRADED and final.attempt_number == 1 and final.error_reason == ""


def test_grader_exception_gives_error_status_with_reason():
    submission = make_queued()
    with mock.patch("exercises.grading.pipeline.graders.grade", side_effect=ZeroDivisionError("boom")):
        pipeline.submission_grade(submission_id=submission.id)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.ERROR
    assert submission.error_reason == pipeline.ERROR_GRADER_FAILED
    assert submission.attempt_number is None and submission.score is None


def test_soft_time_limit_gives_error_status():
    from celery.exceptions import SoftTimeLimitExceeded

    submission = make_queued()
    with mock.patch("exercises.grading.pipeline.graders.grade", side_effect=SoftTimeLimitExceeded()):
        pipeline.submission_grade(submission_id=submission.id)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.ERROR
    assert submission.error_reason == pipeline.ERROR_GRADER_TIMEOUT


def test_a_variant_whose_template_was_removed_is_graded_on_its_frozen_numbers():
    submission = make_queued()
    Variant.objects.filter(pk=submission.variant_id).update(template="removed-template")
    specs._generate.cache_clear()
    pipeline.submission_grade(submission_id=submission.id)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.GRADED and submission.score == 1.0


def test_unknown_template_without_frozen_numbers_gives_error_status():
    """Rows from before numbers were frozen (and missed by the migration) regenerate, and may fail."""
    submission = make_queued()
    Variant.objects.filter(pk=submission.variant_id).update(template="removed-template", numbers=None)
    Submission.objects.filter(pk=submission.pk).update(numbers=None)
    specs._generate.cache_clear()
    pipeline.submission_grade(submission_id=submission.id)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.ERROR
    assert submission.error_reason == pipeline.ERROR_VARIANT_BROKEN


def test_database_error_releases_the_claim():
    submission = make_queued()
    with mock.patch("exercises.grading.pipeline._finish", side_effect=OperationalError("db gone")):
        with pytest.raises(OperationalError):
            pipeline.submission_grade(submission_id=submission.id)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.QUEUED and submission.claim_token is None
    assert pipeline.submission_grade(submission_id=submission.id) is True


def test_partial_answers_score_and_followthrough():
    variant = practice_services.variant_create(template="article", seed="s")
    solution = graders.solve(variant_spec(variant=variant))
    wrong_net = solution.values["net_h1"] + 0.1
    import math

    answers = {"net_h1": repr(wrong_net), "out_h1": repr(1 / (1 + math.exp(-wrong_net)))}
    submission = make_queued(variant, answers)
    pipeline.submission_grade(submission_id=submission.id)
    submission.refresh_from_db()
    parts = submission.report["parts"]
    assert parts["net_h1"]["status"] == "incorrect"
    assert parts["out_h1"]["status"] == "followthrough"
    assert parts["E_total"]["status"] == "missing"
    assert 0 < submission.score < 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_copies_yield_one_result():
    """Several threads grade the same submissions at once: one result each, attempts 1..n."""
    if connection.vendor == "sqlite":
        pass  # IMMEDIATE transactions serialise writers; the claim still decides
    variant = practice_services.variant_create(template="article", seed="s")
    subs = [make_queued(variant) for _ in range(12)]
    results: list[bool] = []
    lock = threading.Lock()
    barrier = threading.Barrier(4)

    def worker() -> None:
        try:
            barrier.wait()
            for sub in subs:
                out = pipeline.submission_grade(submission_id=sub.id)
                with lock:
                    results.append(out)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == len(subs)
    numbers = sorted(Submission.objects.filter(variant=variant).values_list("attempt_number", flat=True))
    assert numbers == list(range(1, len(subs) + 1))
    assert set(Submission.objects.values_list("status", flat=True)) == {Submission.Status.GRADED}


# ----------------------------------------------------------------------------------- sweep


def age(submission: Submission, seconds: float, *, grading: bool = False) -> None:
    past = timezone.now() - timedelta(seconds=seconds)
    fields = {"enqueued_at": past, "created_at": past}
    if grading:
        fields.update(status=Submission.Status.GRADING, grading_started_at=past, claim_token=uuid.uuid4())
    Submission.objects.filter(pk=submission.pk).update(**fields)


def test_sweep_reenqueues_stale_queued_and_grading_only():
    variant = practice_services.variant_create(template="article", seed="s")
    fresh, old, stuck, recent_grading, done = (make_queued(variant) for _ in range(5))
    age(old, 60)
    age(stuck, 60, grading=True)
    age(recent_grading, 1, grading=True)
    pipeline.submission_grade(submission_id=done.id)
    age(done, 60)
    with mock.patch("exercises.grading.enqueue.enqueue_grading", return_value=True) as enqueue:
        sent = sweep.submission_sweep(older_than_seconds=30)
    assert sent == 2
    assert sorted(c.args[0] for c in enqueue.call_args_list) == sorted([str(old.id), str(stuck.id)])
    old.refresh_from_db()
    assert old.enqueue_count == 2
    # re-sent just now: the next sweep leaves them alone
    with mock.patch("exercises.grading.enqueue.enqueue_grading", return_value=True) as enqueue:
        assert sweep.submission_sweep(older_than_seconds=30) == 0
    # a stuck claim is taken over by the re-sent task
    assert pipeline.submission_grade(submission_id=stuck.id) is True
    assert fresh.pk


def test_sweep_stops_when_broker_is_down():
    variant = practice_services.variant_create(template="article", seed="s")
    subs = [make_queued(variant) for _ in range(3)]
    for sub in subs:
        age(sub, 60)
    with mock.patch("exercises.grading.enqueue.enqueue_grading", return_value=False) as enqueue:
        assert sweep.submission_sweep(older_than_seconds=30) == 0
    assert enqueue.call_count == 1
    assert set(Submission.objects.values_list("enqueue_count", flat=True)) == {1}


def test_sweep_eager_grades(settings):
    sub = make_queued()
    age(sub, 60)
    assert sweep.submission_sweep(older_than_seconds=30) == 1
    sub.refresh_from_db()
    assert sub.status == Submission.Status.GRADED


def test_a_practice_grade_takes_a_fixed_number_of_statements(django_assert_num_queries):
    """PostgreSQL: the claim (returning the variant and its frozen numbers), then one transaction
    (here a savepoint pair inside the test's transaction) that numbers the attempt, stores the
    result, and adds the verdicts to the variant's reveal state (read locked, written). SQLite
    also reads the variant after the claim."""
    variant = practice_services.variant_create(template="article", seed="two-statements")
    first, second = make_queued(variant), make_queued(variant)
    expected = 7 if connection.vendor == "postgresql" else 8
    with django_assert_num_queries(expected):
        assert pipeline.submission_grade(submission_id=first.id) is True
    with django_assert_num_queries(expected):
        assert pipeline.submission_grade(submission_id=second.id) is True
    graded = Submission.objects.filter(variant=variant).order_by("attempt_number")
    assert [(s.pk, s.attempt_number, s.score) for s in graded] == [(first.pk, 1, 1.0), (second.pk, 2, 1.0)]
    assert Variant.objects.get(pk=variant.pk).attempt_count == 2


def test_an_error_outcome_numbers_no_attempt():
    submission = make_queued()
    with mock.patch("exercises.grading.pipeline.graders.grade", side_effect=ValueError("boom")):
        assert pipeline.submission_grade(submission_id=submission.id) is True
    submission.refresh_from_db()
    assert (submission.status, submission.attempt_number) == (Submission.Status.ERROR, None)
    assert Variant.objects.get(pk=submission.variant_id).attempt_count == 0
