"""A regrade on real workers, real Redis and the real database: kill -9 mid-apply loses nothing
and applies nothing twice."""

from __future__ import annotations

import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from integration_support import wait_until

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "exercises"))  # homework_support

from homework_support import (  # noqa: E402
    enroll, make_assignment, make_instructor, make_user, off_by_answers, question_of,
)

from exercises.courses.services import courses as course_services  # noqa: E402
from exercises.courses.services import homework as homework_services  # noqa: E402
from exercises.courses.services import regrade as regrade_services  # noqa: E402
from exercises.models import RegradeJob, Submission  # noqa: E402

pytestmark = pytest.mark.integration

SUBMISSIONS = 60
LOOSER = {"tolerance": {"kind": "relative", "value": 0.01}}


def graded_homework() -> tuple[object, object]:
    """An assignment with 60 graded attempts, each off by 0.4 %: 0 now, full marks at a 1 % tolerance."""
    instructor = make_instructor("prof")
    course = course_services.course_create(title="Regrade under fire", instructor=instructor)
    student = make_user("alice_s")
    enroll(course, student)
    assignment = make_assignment(course, instructor, parts=["net_h1"], attempts_allowed=SUBMISSIONS)
    variant = homework_services.homework_variant(assignment=assignment, student=student)
    answers = off_by_answers(variant, ["net_h1"])
    start = timezone.now() - timedelta(hours=1)
    Submission.objects.bulk_create(
        Submission(
            id=uuid.uuid4(), variant=variant, user=student, answers=answers, status=Submission.Status.GRADED,
            score=0.0, final_score=0.0, penalty=0.0, attempt_number=i + 1, seed=variant.seed,
            numbers_id=variant.numbers_id, report={"score": 0.0, "parts": {}},
            created_at=start + timedelta(seconds=i), graded_at=start + timedelta(seconds=i),
        )
        for i in range(SUBMISSIONS)
    )
    return assignment, instructor


def job_state(job_id: int) -> RegradeJob:
    return RegradeJob.objects.get(pk=job_id)


def test_kill_9_mid_apply_loses_nothing_and_applies_nothing_twice(start_worker):
    assignment, instructor = graded_homework()
    slow = {"BPCOURSE_REGRADE_CHUNK_SIZE": "4"}
    first = start_worker(concurrency=1, grade_delay=0.05, extra_env=slow)
    job = regrade_services.regrade_preview(assignment=assignment, actor=instructor, new_settings=LOOSER)
    wait_until(lambda: job_state(job.pk).status == RegradeJob.Status.PREVIEW_READY, 60, 0.1, what="the preview")
    preview = job_state(job.pk)
    assert (preview.done, preview.total, len(preview.changes)) == (SUBMISSIONS, SUBMISSIONS, SUBMISSIONS)

    regrade_services.regrade_apply(job=preview, actor=instructor)
    wait_until(lambda: job_state(job.pk).done >= 12, 60, 0.01, what="three chunks applied")
    first.kill9()
    killed = job_state(job.pk)
    assert killed.status == RegradeJob.Status.APPLYING and killed.done < SUBMISSIONS, "the apply finished first"
    assert Submission.objects.filter(final_score=1.0).count() == killed.done  # committed chunks only

    started = time.monotonic()
    start_worker(concurrency=2, extra_env=slow)  # no beat: Redis redelivers the killed step
    wait_until(lambda: job_state(job.pk).status == RegradeJob.Status.APPLIED, 60, 0.1, what="the apply")
    applied = job_state(job.pk)
    # Each chunk counts its submissions in the transaction that writes them: a chunk applied
    # twice would count past the total.
    assert (applied.done, applied.total) == (SUBMISSIONS, SUBMISSIONS)
    assert set(Submission.objects.values_list("final_score", flat=True)) == {1.0}
    assignment.refresh_from_db()
    assert question_of(assignment).tolerance == LOOSER["tolerance"]
    print(f"\nregrade kill -9 after {killed.done} of {SUBMISSIONS}; finished in {time.monotonic() - started:.1f}s")
