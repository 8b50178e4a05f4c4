"""Manual score overrides with a comment, and extensions that give extra attempts (issue 14)."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from exercises.courses.selectors import gradebook as gradebook_selectors
from exercises.courses.selectors import homework as homework_selectors
from exercises.courses.services import extensions as extension_services
from exercises.courses.services import homework as homework_services
from exercises.courses.services import overrides as override_services
from exercises.courses.services import regrade as regrade_services
from exercises.models import ScoreOverride

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
pytest.register_assert_rewrite("homework_support")

from homework_support import make_assignment, off_by_answers, reference_answers, submit  # noqa: E402

pytest_plugins = ["homework_support"]
pytestmark = pytest.mark.django_db


@pytest.fixture
def half(course, instructor, alice, django_capture_on_commit_callbacks):
    """An assignment of two parts, 2 points, where alice answered one right: 50 %."""
    assignment = make_assignment(course, instructor, parts=["net_h1", "out_h1"], tolerance={"kind": "sigfigs", "value": 4})
    variant = homework_services.homework_variant(assignment=assignment, student=alice)
    submit(django_capture_on_commit_callbacks, assignment, alice,
           {**reference_answers(variant, ["net_h1"]), **off_by_answers(variant, ["out_h1"])})
    return assignment


def test_an_override_counts_instead_of_the_attempts_everywhere(half, instructor, ta, alice):
    override = override_services.score_override_set(assignment=half, actor=ta, student=alice, score=0.8,
                                                     comment="Your method was right; a typo cost you.")
    assert (override.score, override.position, override.created_by) == (0.8, 1, ta)
    state = homework_selectors.homework_state(assignment=half, student=alice)
    assert state.score == 0.8 and state.graded_score == pytest.approx(0.5)
    row = {r.student.username: r for r in gradebook_selectors.gradebook(course=half.course).rows}["alice_s"]
    assert row.cells[0].score == 0.8 and row.cells[0].points == pytest.approx(1.6) and row.cells[0].override
    (student_row,) = homework_selectors.assignments_for_student(course=half.course, user=alice)
    assert student_row.score == 0.8 and student_row.overrides[0].comment.startswith("Your method")
    # Setting again replaces it and records who and when.
    later = override_services.score_override_set(assignment=half, actor=instructor, student=alice, score=0.75)
    assert later.pk == override.pk and later.created_by == instructor and later.updated_at >= override.updated_at
    assert ScoreOverride.objects.count() == 1
    assert override_services.score_override_clear(assignment=half, actor=instructor, student=alice)
    assert homework_selectors.homework_state(assignment=half, student=alice).score == pytest.approx(0.5)


def test_an_override_survives_a_regrade_until_it_is_cleared(half, instructor, alice, django_capture_on_commit_callbacks):
    override_services.score_override_set(assignment=half, actor=instructor, student=alice, score=0.3)
    with django_capture_on_commit_callbacks(execute=True):
        job = regrade_services.regrade_preview(assignment=half, actor=instructor,
                                               new_settings={"tolerance": {"kind": "relative", "value": 0.01}})
    job.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        regrade_services.regrade_apply(job=job, actor=instructor, reason="Looser tolerance")
    state = homework_selectors.homework_state(assignment=half, student=alice)
    assert state.graded_score == pytest.approx(1.0) and state.score == 0.3  # the attempt moved, the override stands
    override_services.score_override_clear(assignment=half, actor=instructor, student=alice)
    assert homework_selectors.homework_state(assignment=half, student=alice).score == pytest.approx(1.0)


def test_override_scores_are_fractions_from_0_to_1_and_comments_are_bounded(half, instructor, alice):
    for bad in (-0.1, 1.5, "x", float("nan")):
        with pytest.raises(ValidationError):
            override_services.score_override_set(assignment=half, actor=instructor, student=alice, score=bad)
    with pytest.raises(ValidationError):
        override_services.score_override_set(assignment=half, actor=instructor, student=alice, score=0.5,
                                             comment="x" * 2001)
    with pytest.raises(ValidationError):
        override_services.score_override_set(assignment=half, actor=instructor, student=alice, score=0.5, position=2)
    assert not ScoreOverride.objects.exists()


def test_students_and_other_courses_staff_cannot_set_or_clear_overrides(client, half, alice, bob, other_instructor):
    for user in (alice, bob, other_instructor):
        with pytest.raises(PermissionDenied):
            override_services.score_override_set(assignment=half, actor=user, student=alice, score=1.0)
        with pytest.raises(PermissionDenied):
            override_services.score_override_clear(assignment=half, actor=user, student=alice)
    url = reverse("exercises:score_override", args=[half.pk, alice.pk])
    client.force_login(alice)
    assert client.post(url, {"percent": "100", "comment": "me"}).status_code == 403
    client.force_login(other_instructor)
    assert client.post(url, {"percent": "100"}).status_code == 404
    assert not ScoreOverride.objects.exists()


def test_staff_set_an_override_in_the_drilldown_and_the_student_sees_it_with_the_comment(client, half, instructor,
                                                                                         alice, bob):
    client.force_login(instructor)
    url = reverse("exercises:score_override", args=[half.pk, alice.pk])
    response = client.post(url, {"percent": "87.5", "comment": "Partial credit for step 2 — 做得好"})
    assert response.status_code == 302
    drill = client.get(reverse("exercises:student", args=[half.pk, alice.pk])).content.decode()
    assert 'data-testid="override-who"' in drill and "set by prof" in drill and "87.5\u00a0%" in drill
    book = client.get(reverse("exercises:gradebook", args=[half.course_id])).content.decode()
    assert 'data-testid="override-mark"' in book and "87.5\u00a0%" in book
    client.force_login(alice)
    homework = client.get(reverse("exercises:assignment", args=[half.pk])).content.decode()
    assert "87.5\u00a0%" in homework and "Partial credit for step 2 — 做得好" in homework
    course_page = client.get(reverse("exercises:course", args=[half.course_id])).content.decode()
    assert "87.5\u00a0%" in course_page and "Partial credit for step 2" in course_page
    client.force_login(bob)  # another student never sees it
    assert "Partial credit" not in client.get(reverse("exercises:course", args=[half.course_id])).content.decode()
    assert client.get(reverse("exercises:student", args=[half.pk, alice.pk])).status_code == 403
    client.force_login(instructor)
    client.post(url, {"action": "clear"})
    assert not ScoreOverride.objects.exists()
    assert client.post(url, {"percent": "101"}).status_code == 302 and not ScoreOverride.objects.exists()


def test_an_extension_gives_extra_attempts_enforced_on_submit(course, instructor, alice, django_capture_on_commit_callbacks):
    assignment = make_assignment(course, instructor, attempts_allowed=1, parts=["net_h1"])
    submit(django_capture_on_commit_callbacks, assignment, alice, {"net_h1": "0.3"})
    with pytest.raises(ValidationError) as caught:
        homework_services.homework_submit(assignment=assignment, student=alice, answers={"net_h1": "0.3"})
    assert caught.value.code == "no_attempts_left"
    extension_services.extension_grant(assignment=assignment, actor=instructor, student=alice, extra_attempts=2)
    state = homework_selectors.homework_state(assignment=assignment, student=alice)
    assert state.attempts_left == 2 and state.extra_attempts == 2 and state.due_at == assignment.due_at
    (row,) = homework_selectors.assignments_for_student(course=course, user=alice)
    assert row.attempts_allowed == 3 and row.attempts_left == 2
    submit(django_capture_on_commit_callbacks, assignment, alice, {"net_h1": "0.31"})
    submit(django_capture_on_commit_callbacks, assignment, alice, {"net_h1": "0.32"})
    with pytest.raises(ValidationError):
        homework_services.homework_submit(assignment=assignment, student=alice, answers={"net_h1": "0.3"})


def test_an_extension_needs_a_later_date_or_extra_attempts(course, instructor, alice, client):
    assignment = make_assignment(course, instructor, attempts_allowed=2)
    with pytest.raises(ValidationError):
        extension_services.extension_grant(assignment=assignment, actor=instructor, student=alice)
    unlimited = make_assignment(course, instructor, title="Unlimited")
    with pytest.raises(ValidationError):
        extension_services.extension_grant(assignment=unlimited, actor=instructor, student=alice, extra_attempts=1)
    later = assignment.due_at + timedelta(days=2)
    extension = extension_services.extension_grant(assignment=assignment, actor=instructor, student=alice,
                                                   due_at=later, extra_attempts=1)
    assert (extension.due_at, extension.extra_attempts) == (later, 1)
    client.force_login(instructor)
    response = client.post(reverse("exercises:extension", args=[assignment.pk, alice.pk]),
                           {"due_at": "", "extra_attempts": "3"})
    assert response.status_code == 302
    extension.refresh_from_db()
    assert (extension.due_at, extension.extra_attempts) == (None, 3)
    drill = client.get(reverse("exercises:student", args=[assignment.pk, alice.pk])).content.decode()
    assert "+3 extra" in drill and 'name="extra_attempts"' in drill
