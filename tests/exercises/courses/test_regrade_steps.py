"""Regrades run in steps: chunks that each commit with the job's cursor, so a redelivered,
duplicated or killed step neither loses a submission nor applies one twice."""

from __future__ import annotations

import sys
from pathlib import Path
from unittest import mock

import pytest
from django.utils import timezone

from exercises.courses.services import homework as homework_services
from exercises.courses.services import regrade as regrade_services
from exercises.models import RegradeJob, Submission
from exercises.practice.mastery import graded_attempts

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # homework_support
pytest.register_assert_rewrite("homework_support")

from homework_support import enroll, make_assignment, make_user, off_by_answers, submit  # noqa: E402

pytest_plugins = ["homework_support"]

pytestmark = pytest.mark.django_db

LOOSER = {"tolerance": {"kind": "relative", "value": 0.01}}


@pytest.fixture
def graded(course, instructor, settings, django_capture_on_commit_callbacks):
    """Five students, each with one answer off by 0.4 %: wrong now, right under a 1 % tolerance."""
    settings.BPCOURSE_REGRADE_CHUNK_SIZE = 2
    assignment = make_assignment(course, instructor, parts=["net_h1"])
    for i in range(5):
        student = make_user(f"s{i}")
        enroll(course, student)
        variant = homework_services.homework_variant(assignment=assignment, student=student)
        submit(django_capture_on_commit_callbacks, assignment, student, off_by_answers(variant, ["net_h1"]))
    assert set(Submission.objects.values_list("final_score", flat=True)) == {0.0}
    return assignment


def start(assignment, instructor, capture, *, apply: bool = False) -> RegradeJob:
    """A preview (or, with apply, an applied preview) whose first step is not run yet."""
    with capture(execute=True):
        job = regrade_services.regrade_preview(assignment=assignment, actor=instructor, new_settings=LOOSER)
    if apply:
        job.refresh_from_db()
        with mock.patch("exercises.courses.tasks.regrade_step_task.delay"), capture(execute=True):
            job = regrade_services.regrade_apply(job=job, actor=instructor)
    job.refresh_from_db()
    return job


def test_a_preview_runs_in_steps_of_the_chunk_size_and_counts_progress(graded, instructor,
                                                                        django_capture_on_commit_callbacks):
    steps: list[tuple[int, str]] = []
    real = regrade_services.regrade_run_step

    def spy(*, job_id):
        job = RegradeJob.objects.get(pk=job_id)
        steps.append((job.done, job.cursor))
        real(job_id=job_id)

    with mock.patch("exercises.courses.tasks.regrade_run_step", side_effect=spy):
        job = start(graded, instructor, django_capture_on_commit_callbacks)
    assert [done for done, _ in steps] == [0, 2, 4]  # 2 + 2 + 1 submissions
    assert job.status == RegradeJob.Status.PREVIEW_READY and (job.done, job.total) == (5, 5)
    assert len(job.changes) == 5 and {c["new"] for c in job.changes} == {1.0}


def test_of_two_copies_of_a_step_racing_only_one_stores_its_chunk(graded, instructor,
                                                                  django_capture_on_commit_callbacks):
    real_commit = regrade_services._commit_chunk
    raced: list[int] = []

    def commit_after_a_rival(job, graded_chunk, ended):
        if not raced:  # a duplicate of this step runs to its commit first
            raced.append(1)
            regrade_services.regrade_run_step(job_id=job.pk)
        real_commit(job, graded_chunk, ended)

    with mock.patch("exercises.courses.tasks.regrade_step_task.delay") as sent:
        job = start(graded, instructor, django_capture_on_commit_callbacks)
        sent.reset_mock()  # the preview's first step, which this test runs by hand
        with mock.patch.object(regrade_services, "_commit_chunk", commit_after_a_rival), \
                django_capture_on_commit_callbacks(execute=True):
            regrade_services.regrade_run_step(job_id=job.pk)
    job.refresh_from_db()
    assert job.done == 2 and len(job.changes) == 2  # one chunk, stored once
    assert sent.call_count == 1  # only the copy that committed sends the next step


def test_a_step_that_dies_mid_chunk_leaves_nothing_and_its_redelivery_applies_each_score_once(
        graded, instructor, django_capture_on_commit_callbacks):
    job = start(graded, instructor, django_capture_on_commit_callbacks, apply=True)
    with mock.patch("exercises.courses.tasks.regrade_step_task.delay"):
        regrade_services.regrade_run_step(job_id=job.pk)  # writes the settings
        regrade_services.regrade_run_step(job_id=job.pk)  # first chunk
        job.refresh_from_db()
        assert job.done == 2 and job.settings_applied_at is not None
        cursor = job.cursor
        real_grade = regrade_services.graders.grade
        calls: list[int] = []

        def grade_then_die(*args, **kwargs):
            calls.append(1)
            if len(calls) == 2:
                raise SystemExit("kill -9")  # not an Exception: nothing in the step catches it
            return real_grade(*args, **kwargs)

        with mock.patch("exercises.courses.services.regrade.graders.grade", grade_then_die), pytest.raises(SystemExit):
            regrade_services.regrade_run_step(job_id=job.pk)
    job.refresh_from_db()
    assert (job.cursor, job.done, job.status) == (cursor, 2, RegradeJob.Status.APPLYING)
    assert Submission.objects.filter(final_score=1.0).count() == 2
    with django_capture_on_commit_callbacks(execute=True):  # the redelivered step, then the rest
        regrade_services.regrade_run_step(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == RegradeJob.Status.APPLIED and (job.done, job.total) == (5, 5)
    assert set(Submission.objects.values_list("final_score", flat=True)) == {1.0}


def test_a_step_over_its_time_budget_stops_early_and_the_next_step_goes_on(graded, instructor, settings,
                                                                           django_capture_on_commit_callbacks):
    settings.BPCOURSE_REGRADE_CHUNK_SECONDS = 0.0
    with mock.patch("exercises.courses.tasks.regrade_step_task.delay"):
        job = start(graded, instructor, django_capture_on_commit_callbacks)
        regrade_services.regrade_run_step(job_id=job.pk)
    job.refresh_from_db()
    assert job.done == 1 and job.status == RegradeJob.Status.PREVIEWING
    with django_capture_on_commit_callbacks(execute=True):
        regrade_services.regrade_run_step(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == RegradeJob.Status.PREVIEW_READY and job.done == 5


def test_submissions_graded_while_an_apply_runs_are_regraded_too(graded, instructor, course,
                                                                 django_capture_on_commit_callbacks):
    job = start(graded, instructor, django_capture_on_commit_callbacks, apply=True)
    with mock.patch("exercises.courses.tasks.regrade_step_task.delay"):
        regrade_services.regrade_run_step(job_id=job.pk)  # settings written
    late = Submission.objects.order_by("pk").first()  # graded by a worker that read the old settings
    Submission.objects.filter(pk=late.pk).update(final_score=0.0, score=0.0, graded_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        regrade_services.regrade_run_step(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == RegradeJob.Status.APPLIED and job.done == 5
    assert Submission.objects.get(pk=late.pk).final_score == 1.0


def test_the_sweep_restarts_a_job_whose_next_step_was_lost(graded, instructor, settings,
                                                          django_capture_on_commit_callbacks):
    with mock.patch("exercises.courses.tasks.regrade_step_task.delay"):  # the first step is lost
        job = start(graded, instructor, django_capture_on_commit_callbacks)
    assert regrade_services.regrade_sweep(older_than_seconds=60) == 0  # not stalled yet
    RegradeJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timezone.timedelta(seconds=61))
    with django_capture_on_commit_callbacks(execute=True):
        assert regrade_services.regrade_sweep(older_than_seconds=60) == 1
    job.refresh_from_db()
    assert job.status == RegradeJob.Status.PREVIEW_READY and job.done == 5


def test_every_step_finishes_inside_the_visibility_timeout(settings):
    from exercises.courses.tasks import regrade_step_task

    assert regrade_step_task.acks_late and regrade_step_task.reject_on_worker_lost
    assert regrade_step_task.time_limit < settings.BPCOURSE_VISIBILITY_TIMEOUT_SECONDS
    assert settings.BPCOURSE_REGRADE_CHUNK_SECONDS < regrade_step_task.soft_time_limit


def test_a_step_killed_between_its_commit_and_sending_the_next_is_carried_on_by_its_redelivery(
        graded, instructor, django_capture_on_commit_callbacks):
    with mock.patch("exercises.courses.tasks.regrade_step_task.delay"):  # nothing sent goes anywhere
        job = start(graded, instructor, django_capture_on_commit_callbacks)
        regrade_services.regrade_run_step(job_id=job.pk)  # commits chunk 1; its next step is lost
    job.refresh_from_db()
    assert job.done == 2
    with django_capture_on_commit_callbacks(execute=True):
        regrade_services.regrade_run_step(job_id=job.pk)  # Redis redelivers the unacknowledged copy
    job.refresh_from_db()
    assert job.status == RegradeJob.Status.PREVIEW_READY and job.done == 5 and len(job.changes) == 5


def test_an_applied_regrade_forgets_the_regraded_students_cached_mastery(graded, instructor,
                                                                       django_capture_on_commit_callbacks):
    student = Submission.objects.order_by("pk").first().user

    def statuses() -> list[str]:
        return [status for attempt in graded_attempts(user=student) for key, _, _, status, _ in attempt.parts
                if key == "net_h1"]

    assert statuses() == ["incorrect"]  # read now: cached until something changes
    job = start(graded, instructor, django_capture_on_commit_callbacks, apply=True)
    with django_capture_on_commit_callbacks(execute=True):
        regrade_services.regrade_run_step(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == RegradeJob.Status.APPLIED
    assert statuses() == ["correct"]  # the same graded_at, a new report
