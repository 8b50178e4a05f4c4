"""Grade passback against the simulated platform, in process: after a graded homework submission
the counted score reaches the line item; a duplicate task posts nothing; failures are recorded for
staff and retried with backoff; a regrade re-posts the scores it changes; "Send all grades again"
re-sends; students of other platforms and plain members are left alone."""

from __future__ import annotations

from collections.abc import Iterator
from unittest import mock

import pytest
from django.test import Client
from platform_sim import Platform

from homework_support import enroll, make_assignment, make_user, off_by_answers, reference_answers, submit
from exercises.courses.services import homework as homework_services
from exercises.courses.services import regrade as regrade_services
from exercises.lti import tasks
from exercises.lti.keys import jwks
from exercises.lti.services.grades import GradeSendError, grade_send, grades_resend
from exercises.lti.services.registration import platform_register
from exercises.models import LtiContext, LtiDeployment, LtiGradeSync, LtiIdentity, LtiResourceLink

pytest_plugins = ["homework_support"]
pytestmark = pytest.mark.django_db

PARTS = ["net_h1", "out_o1"]


@pytest.fixture
def sim() -> Iterator[Platform]:
    platform = Platform()
    platform.tool_base = "http://tool.invalid"
    platform.start()
    platform.tool_keys = jwks()  # made here, in the test's transaction, and handed over
    yield platform
    platform.stop()


@pytest.fixture
def linked(sim, course, instructor):
    """An assignment of the course placed in the simulated LMS course, with its line item."""
    registered = platform_register(**sim.registration())
    deployment = LtiDeployment.objects.get(platform=registered)
    context = LtiContext.objects.create(deployment=deployment, context_id=sim.context_id, course=course)
    assignment = make_assignment(course, instructor, parts=PARTS)
    link = LtiResourceLink.objects.create(context=context, resource_link_id="link-1", assignment=assignment,
                                          lineitem_url=f"{sim.url}/contexts/{sim.context_id}/lineitems/1")
    return assignment, link


def lms_student(sim: Platform, course, subject: str = "sam-9"):
    student = make_user(f"lti-{subject}")
    LtiIdentity.objects.create(issuer=sim.issuer, subject=subject, user=student)
    enroll(course, student)
    return student


def variant_of(assignment, student):
    return homework_services.homework_variant(assignment=assignment, student=student)


def test_a_graded_submission_sends_the_counted_points_to_the_line_item(sim, linked, course, capture) -> None:
    assignment, link = linked
    sam = lms_student(sim, course)
    submit(capture, assignment, sam, off_by_answers(variant_of(assignment, sam), ["out_o1"]) | {
        "net_h1": reference_answers(variant_of(assignment, sam), ["net_h1"])["net_h1"]})
    [score] = sim.scores_received
    assert (score["userId"], score["scoreGiven"], score["scoreMaximum"]) == ("sam-9", 1.0, 2.0)
    assert score["lineitem"] == link.lineitem_url
    sync = LtiGradeSync.objects.get()
    assert (sync.status, sync.sent_score, sync.sent_maximum) == (LtiGradeSync.Status.SENT, 1.0, 2.0)
    assert score["timestamp"].startswith(sync.requested_at.isoformat(timespec="milliseconds")[:19])


def test_a_second_run_of_the_same_task_posts_nothing(sim, linked, course, capture) -> None:
    assignment, _link = linked
    sam = lms_student(sim, course)
    submit(capture, assignment, sam, reference_answers(variant_of(assignment, sam), PARTS))
    assert grade_send(sync_id=LtiGradeSync.objects.get().pk) == "done"
    assert len(sim.scores_received) == 1


def test_a_failed_post_is_recorded_for_staff_retried_with_backoff_and_then_sent(sim, linked, course, instructor,
                                                                               capture) -> None:
    assignment, _link = linked
    sam = lms_student(sim, course)
    with mock.patch.object(tasks.grade_send_task, "delay_on_commit") as enqueued:
        submit(capture, assignment, sam, reference_answers(variant_of(assignment, sam), PARTS))
    sync = LtiGradeSync.objects.get()
    enqueued.assert_called_once_with(sync.pk)
    sim.score_failures = 1
    with pytest.raises(GradeSendError):
        grade_send(sync_id=sync.pk)
    sync.refresh_from_db()
    assert (sync.status, sync.tries) == (LtiGradeSync.Status.FAILED, 1) and "500" in sync.error
    client = Client()
    client.force_login(instructor)
    page = client.get(f"/courses/{course.pk}/lti/").content.decode()
    assert 'data-testid="lti-failures"' in page and 'data-status="failed"' in page
    # the task retries on that error with exponential backoff (2, 4, 8 … s, at most 10 minutes)
    assert GradeSendError in tasks.grade_send_task.autoretry_for
    assert (tasks.grade_send_task.retry_backoff, tasks.grade_send_task.retry_backoff_max) == (2, 600)
    assert tasks.grade_send_task.max_retries == 8
    assert grade_send(sync_id=sync.pk) == "sent"
    sync.refresh_from_db()
    assert (sync.status, sync.tries, sync.error, sync.sent_score) == (LtiGradeSync.Status.SENT, 2, "", 2.0)
    assert len(sim.scores_received) == 2 and list(sim.results.values())[0]["scoreGiven"] == 2.0


def test_a_regrade_re_posts_only_the_scores_it_changes(sim, linked, course, instructor, capture) -> None:
    assignment, _link = linked
    sam, lee = lms_student(sim, course, "sam-9"), lms_student(sim, course, "lee-10")
    submit(capture, assignment, sam, off_by_answers(variant_of(assignment, sam), ["net_h1"]) | {
        "out_o1": reference_answers(variant_of(assignment, sam), ["out_o1"])["out_o1"]})
    submit(capture, assignment, lee, reference_answers(variant_of(assignment, lee), PARTS))
    assert sorted((s["userId"], s["scoreGiven"]) for s in sim.scores_received) == [("lee-10", 2.0), ("sam-9", 1.0)]
    with capture(execute=True):
        job = regrade_services.regrade_preview(assignment=assignment, actor=instructor,
                                               new_settings={"tolerance": {"kind": "relative", "value": 0.01}})
    job.refresh_from_db()
    with capture(execute=True):
        regrade_services.regrade_apply(job=job, actor=instructor)
    assert [(s["userId"], s["scoreGiven"]) for s in sim.scores_received[2:]] == [("sam-9", 2.0)]
    assert sim.results[(_link.lineitem_url, "sam-9")]["scoreGiven"] == 2.0


def test_send_all_grades_again_re_sends_every_lms_students_score(sim, linked, course, instructor, capture) -> None:
    assignment, link = linked
    sam = lms_student(sim, course)
    plain = make_user("plain")  # joined with the code: no LMS identity, nothing to send
    enroll(course, plain)
    submit(capture, assignment, sam, reference_answers(variant_of(assignment, sam), PARTS))
    submit(capture, assignment, plain, reference_answers(variant_of(assignment, plain), PARTS))
    assert len(sim.scores_received) == 1
    client = Client()
    client.force_login(instructor)
    with capture(execute=True):
        response = client.post(f"/courses/{course.pk}/lti/", {"action": "resend"}, follow=True)
    assert "Scores to send again: 1." in response.content.decode()
    assert [s["userId"] for s in sim.scores_received] == ["sam-9", "sam-9"]
    first, second = sim.scores_received
    assert second["timestamp"] > first["timestamp"]


def test_only_the_courses_staff_see_the_lms_page_or_resend(sim, linked, course, capture) -> None:
    sam = lms_student(sim, course)
    outsider = make_user("mallory")
    for user, status in [(sam, 403), (outsider, 403)]:
        client = Client()
        client.force_login(user)
        assert client.get(f"/courses/{course.pk}/lti/").status_code == status
        assert client.post(f"/courses/{course.pk}/lti/", {"action": "resend"}).status_code == status
    with pytest.raises(Exception, match="permission"):
        grades_resend(course=course, actor=sam)
    assert sim.scores_received == []


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks
