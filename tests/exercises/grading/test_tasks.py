"""Task tests (eager): thin wrappers, retry policy, the sweep task and management command."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import InterfaceError, OperationalError
from django.utils import timezone

import graders
from bpcourse.celery import app
from exercises.practice import services as practice_services
from exercises.grading import tasks
from exercises.grading.variants import variant_spec
from exercises.models import Submission

pytestmark = pytest.mark.django_db


def queued_submission() -> Submission:
    variant = practice_services.variant_create(template="article", seed="t")
    solution = graders.solve(variant_spec(variant=variant))
    answers = {p.key: repr(solution.values[p.key]) for p in solution.parts}
    with mock.patch("exercises.grading.enqueue.enqueue_grading", return_value=True):
        return practice_services.submission_create(variant=variant, answers=answers)


def test_tasks_are_registered_with_the_project_app():
    assert "exercises.grade_submission" in app.tasks
    assert "exercises.sweep_submissions" in app.tasks


def test_grade_task_options():
    task = tasks.grade_submission
    assert task.acks_late is True
    assert task.reject_on_worker_lost is True
    assert task.ignore_result is True
    assert set(task.autoretry_for) == {OperationalError, InterfaceError}
    assert task.retry_backoff and task.retry_backoff_max <= 20


def test_app_configuration_follows_settings():
    conf = app.conf
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_ignore_result
    assert conf.task_soft_time_limit < conf.task_time_limit
    assert "sweep-stale-submissions" in conf.beat_schedule


def test_grade_task_grades_once():
    submission = queued_submission()
    tasks.grade_submission.delay(str(submission.id))
    tasks.grade_submission.delay(str(submission.id))
    submission.refresh_from_db()
    assert submission.status == Submission.Status.GRADED
    assert submission.attempt_number == 1


@pytest.mark.parametrize("bad", ["5f0c8c3e-3a43-4c5e-9d1e-6f8e2f6d1a27", "garbage"])
def test_grade_task_drops_unknown_ids(bad):
    result = tasks.grade_submission.apply(args=[bad])
    assert result.successful()


def test_grade_task_retries_database_errors():
    with mock.patch("exercises.grading.tasks.submissions_grade", side_effect=OperationalError("down")):
        with mock.patch.object(tasks.grade_submission, "retry", side_effect=RuntimeError("retry")) as retry:
            with pytest.raises(RuntimeError):
                tasks.grade_submission.run("x")
    # autoretry_for wraps run(): calling the wrapped function triggers retry on OperationalError
    assert retry.called


def test_sweep_task_and_command():
    submission = queued_submission()
    past = timezone.now() - timedelta(seconds=120)
    Submission.objects.filter(pk=submission.pk).update(enqueued_at=past)
    with mock.patch("exercises.grading.enqueue.enqueue_grading", return_value=True) as enqueue:
        assert tasks.sweep_submissions.apply().get() == 1
    enqueue.assert_called_once_with(str(submission.id), queue=None)  # practice: the default queue
    Submission.objects.filter(pk=submission.pk).update(enqueued_at=past)
    out = StringIO()
    with mock.patch("exercises.grading.enqueue.enqueue_grading", return_value=True):
        call_command("sweep_submissions", "--older-than", "60", stdout=out)
    assert "re-enqueued 1" in out.getvalue()
    Submission.objects.filter(pk=submission.pk).update(enqueued_at=past)
    out = StringIO()
    call_command("sweep_submissions", stdout=out)  # eager: the task runs and grades it
    submission.refresh_from_db()
    assert submission.status == Submission.Status.GRADED


@contextlib.contextmanager
def run_on_a_worker(task, *, retries: int = 0):
    """Run `task.run` as a worker would (not eagerly), having been retried `retries` times."""
    task.push_request(is_eager=False, retries=retries)
    try:
        yield
    finally:
        task.pop_request()


def test_a_copy_meeting_a_live_claim_comes_back_when_the_claim_goes_stale(settings):
    from celery.exceptions import Retry

    submission = queued_submission()
    Submission.objects.filter(pk=submission.pk).update(
        status=Submission.Status.GRADING, grading_started_at=timezone.now() - timedelta(seconds=1)
    )
    asked: list[dict] = []

    def fake_retry(**options):
        asked.append(options)
        return Retry()

    task = tasks.grade_submission
    with run_on_a_worker(task), mock.patch.object(task, "retry", side_effect=fake_retry), pytest.raises(Retry):
        task.run(str(submission.pk))
    remaining = settings.BPCOURSE_GRADING_STALE_SECONDS - 1
    assert remaining < asked[0]["countdown"] <= remaining + 1


def test_a_copy_gives_up_after_its_takeover_retries_and_leaves_it_to_the_sweep():
    submission = queued_submission()
    Submission.objects.filter(pk=submission.pk).update(
        status=Submission.Status.GRADING, grading_started_at=timezone.now()
    )
    task = tasks.grade_submission
    with run_on_a_worker(task, retries=tasks.TAKEOVER_RETRIES), mock.patch.object(task, "retry") as retry:
        task.run(str(submission.pk))
    retry.assert_not_called()


def test_a_finished_submission_is_not_retried():
    submission = queued_submission()
    tasks.grade_submission.delay(str(submission.pk))
    task = tasks.grade_submission
    with run_on_a_worker(task), mock.patch.object(task, "retry") as retry:
        task.run(str(submission.pk))
    retry.assert_not_called()
    assert Submission.objects.get(pk=submission.pk).status == Submission.Status.GRADED
