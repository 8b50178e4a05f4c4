"""A regrade's preview in counted scores per student (percentage points), the reason given when
applying it, and the notice the affected students see and dismiss (issue 14)."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from django.urls import reverse

from exercises.courses.counted import Attempt, counted_changes, preview_counted_changes
from exercises.courses.services import homework as homework_services
from exercises.courses.services import overrides as override_services
from exercises.courses.services import regrade as regrade_services
from exercises.models import RegradeJob, RegradeNotice

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
pytest.register_assert_rewrite("homework_support")

from homework_support import make_assignment, off_by_answers, reference_answers, submit  # noqa: E402

pytest_plugins = ["homework_support"]
pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 1, tzinfo=timezone.utc)


def test_the_counted_score_can_move_to_another_attempt():
    # The Bob: attempt 1 was 90 % and becomes 63 %, attempt 2 stays 50 %.
    attempts = [Attempt(7, (T0, "a"), 0.90, 0.63), Attempt(7, (T0 + timedelta(hours=1), "b"), 0.50, 0.50)]
    (best,) = counted_changes(attempts, scoring_before="best", scoring_after="best", names={7: "bob"}, overrides={})
    assert (best.student, best.before, best.after) == ("bob", 0.90, 0.63)
    assert best.points_change == pytest.approx(-27.0)
    # Counting the last attempt, the change does not reach bob's counted score at all.
    assert counted_changes(attempts, scoring_before="last", scoring_after="last", names={}, overrides={}) == []
    # Switching best → last: 90 % → 50 %.
    (switch,) = counted_changes(attempts, scoring_before="best", scoring_after="last", names={}, overrides={})
    assert switch.points_change == pytest.approx(-40.0)
    (overridden,) = counted_changes(attempts, scoring_before="best", scoring_after="best", names={}, overrides={(7, 1): 0.8})
    assert overridden.override == 0.8 and overridden.points_change == 0.0


@pytest.fixture
def regraded(course, instructor, alice, bob, django_capture_on_commit_callbacks):
    """alice's only answer is 0.4 % off (wrong at 4 figures, right at 1 %); bob's is right either way.
    A preview with a 1 % tolerance is ready."""
    assignment = make_assignment(course, instructor, parts=["net_h1", "out_h1"], tolerance={"kind": "sigfigs", "value": 4})
    va = homework_services.homework_variant(assignment=assignment, student=alice)
    vb = homework_services.homework_variant(assignment=assignment, student=bob)
    submit(django_capture_on_commit_callbacks, assignment, alice,
           {**reference_answers(va, ["net_h1"]), **off_by_answers(va, ["out_h1"])})
    submit(django_capture_on_commit_callbacks, assignment, bob, reference_answers(vb, ["net_h1", "out_h1"]))
    with django_capture_on_commit_callbacks(execute=True):
        job = regrade_services.regrade_preview(assignment=assignment, actor=instructor,
                                               new_settings={"tolerance": {"kind": "relative", "value": 0.01}})
    job.refresh_from_db()
    assert job.status == RegradeJob.Status.PREVIEW_READY
    return job


def test_the_preview_lists_each_students_counted_score_before_and_after(regraded):
    (change,) = preview_counted_changes(regraded)
    assert (change.student, change.before, change.after) == ("alice_s", 0.5, 1.0)
    assert change.points_change == pytest.approx(50.0)


def test_applying_gives_the_affected_students_a_notice_with_the_reason(client, regraded, instructor, alice, bob,
                                                                       django_capture_on_commit_callbacks):
    course = regraded.assignment.course
    with django_capture_on_commit_callbacks(execute=False):  # applied later: no notice shows yet
        regrade_services.regrade_apply(job=regraded, actor=instructor, reason="A 1 % tolerance is fairer.")
    client.force_login(alice)
    assert 'data-testid="regrade-notice"' not in client.get(reverse("exercises:course", args=[course.pk])).content.decode()
    regrade_services.regrade_run_step(job_id=regraded.pk)  # settings
    regrade_services.regrade_run_step(job_id=regraded.pk)  # the submissions
    regrade_services.regrade_run_step(job_id=regraded.pk)  # those graded meanwhile
    regraded.refresh_from_db()
    assert regraded.status == RegradeJob.Status.APPLIED
    page = client.get(reverse("exercises:course", args=[course.pk])).content.decode()
    assert 'data-testid="regrade-notice"' in page and "A 1 % tolerance is fairer." in page
    assert "It went from 50.0\u00a0% to 100.0\u00a0% (+50.0\u00a0pp)." in page
    (notice,) = RegradeNotice.objects.all()
    assert notice.student == alice and (notice.old_score, notice.new_score) == (0.5, 1.0)
    client.force_login(bob)  # unchanged: no notice; and alice's cannot be dismissed by bob
    assert 'data-testid="regrade-notice"' not in client.get(reverse("exercises:course", args=[course.pk])).content.decode()
    assert client.post(reverse("exercises:notice_dismiss", args=[course.pk, notice.pk])).status_code == 404
    client.force_login(alice)
    response = client.post(reverse("exercises:notice_dismiss", args=[course.pk, notice.pk]))
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.dismissed_at is not None
    assert 'data-testid="regrade-notice"' not in client.get(reverse("exercises:course", args=[course.pk])).content.decode()


def test_a_student_with_an_override_gets_no_notice(regraded, instructor, alice, django_capture_on_commit_callbacks):
    override_services.score_override_set(assignment=regraded.assignment, actor=instructor, student=alice, score=0.7)
    (change,) = preview_counted_changes(regraded)
    assert change.override == 0.7
    with django_capture_on_commit_callbacks(execute=True):
        regrade_services.regrade_apply(job=regraded, actor=instructor, reason="x")
    assert not RegradeNotice.objects.exists()


def test_a_reason_longer_than_1000_characters_is_refused(regraded, instructor):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        regrade_services.regrade_apply(job=regraded, actor=instructor, reason="x" * 1001)
    regraded.refresh_from_db()
    assert regraded.status == RegradeJob.Status.PREVIEW_READY
