"""Draft and publish (issue 14): a new assignment is a draft nobody but the staff sees, on any
page or API; publishing now or at a time shows it; "View as student" is read-only."""

from __future__ import annotations

import importlib
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from exercises.courses.config import variant_seed
from exercises.courses.selectors import homework as homework_selectors
from exercises.courses.selectors import student_view as student_view_selectors
from exercises.courses.services import homework as homework_services
from exercises.courses.services import publishing as publishing_services
from exercises.grading.variants import variant_spec
from exercises.models import Assignment, Submission, Variant

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
pytest.register_assert_rewrite("homework_support")

from homework_support import frozen, make_assignment, reference_answers, submit  # noqa: E402

pytest_plugins = ["homework_support"]
pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(course, instructor) -> Assignment:
    return make_assignment(course, instructor, title="Draft work", published=False)


def test_a_new_assignment_is_a_draft_that_students_cannot_find_anywhere(client, draft, alice):
    assert draft.published_at is None and not draft.is_published()
    client.force_login(alice)
    course_page = client.get(reverse("exercises:course", args=[draft.course_id])).content.decode()
    assert "Draft work" not in course_page
    assert "Draft work" not in client.get(reverse("exercises:courses")).content.decode()
    assert client.get(reverse("exercises:assignment", args=[draft.pk])).status_code == 404
    assert client.post(reverse("exercises:assignment", args=[draft.pk]), {"net_h1": "1"}).status_code == 404
    assert client.get("/api/assignments").json() == []
    assert client.get(f"/api/assignments/{draft.pk}").status_code == 404
    assert client.get(f"/api/assignments/{draft.pk}/variant").status_code == 404
    assert client.post(f"/api/assignments/{draft.pk}/submissions", {"answers": {"net_h1": "1"}},
                       content_type="application/json").status_code == 404
    with pytest.raises(ValidationError):
        homework_services.homework_submit(assignment=draft, student=alice, answers={"net_h1": "1"})
    with pytest.raises(ValidationError):
        homework_services.homework_draft_save(assignment=draft, student=alice, answers={"net_h1": "1"})
    assert not Variant.objects.filter(assignment=draft).exists()


def test_staff_see_the_draft_marked_as_a_draft(client, draft, instructor, ta, alice):
    for user in (instructor, ta):
        client.force_login(user)
        page = client.get(reverse("exercises:assignment", args=[draft.pk])).content.decode()
        assert 'data-testid="publication-status">Draft<' in page
        gradebook = client.get(reverse("exercises:gradebook", args=[draft.course_id])).content.decode()
        assert "Draft work" in gradebook and "· draft" in gradebook
        course_page = client.get(reverse("exercises:course", args=[draft.course_id])).content.decode()
        assert 'data-testid="draft-badge"' in course_page
    assert "publish-assignment" not in page  # the TA's page: only instructors publish


def test_publishing_now_shows_the_assignment_to_students(client, draft, instructor, alice, django_capture_on_commit_callbacks):
    client.force_login(instructor)
    response = client.post(reverse("exercises:assignment_publish", args=[draft.pk]), {"action": "publish"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_published()
    client.force_login(alice)
    assert client.get(reverse("exercises:assignment", args=[draft.pk])).status_code == 200
    assert [a["id"] for a in client.get("/api/assignments").json()] == [draft.pk]
    variant = Variant.objects.get(assignment=draft, owner=alice)
    graded = submit(django_capture_on_commit_callbacks, draft, alice, reference_answers(variant, ["net_h1"]))
    assert graded.status == Submission.Status.GRADED


def test_a_scheduled_assignment_appears_at_its_publication_time(client, draft, instructor, alice):
    at = timezone.now() + timedelta(hours=2)
    publishing_services.assignment_publish(assignment=draft, actor=instructor, at=at)
    draft.refresh_from_db()
    assert draft.published_at == at and not draft.is_published()
    client.force_login(alice)
    assert client.get(reverse("exercises:assignment", args=[draft.pk])).status_code == 404
    assert homework_selectors.assignments_for_student(course=draft.course, user=alice) == []
    with frozen(at + timedelta(minutes=1)):
        rows = homework_selectors.assignments_for_student(course=draft.course, user=alice)
        assert [r.assignment.pk for r in rows] == [draft.pk]
        assert client.get(reverse("exercises:assignment", args=[draft.pk])).status_code == 200


def test_a_publication_time_gone_by_publishes_now_and_one_after_the_due_date_is_refused(draft, instructor):
    before = timezone.now()
    publishing_services.assignment_publish(assignment=draft, actor=instructor, at=before - timedelta(days=30))
    assert draft.published_at >= before
    with pytest.raises(ValidationError) as caught:
        publishing_services.assignment_publish(assignment=draft, actor=instructor, at=draft.due_at + timedelta(hours=1))
    assert "publish_at" in caught.value.message_dict


def test_only_instructors_publish_or_unpublish(client, draft, ta, alice, outsider):
    for user in (ta, alice, outsider):
        with pytest.raises(PermissionDenied):
            publishing_services.assignment_publish(assignment=draft, actor=user)
    client.force_login(ta)
    assert client.post(reverse("exercises:assignment_publish", args=[draft.pk]), {"action": "publish"}).status_code == 403
    client.force_login(alice)
    assert client.post(reverse("exercises:assignment_publish", args=[draft.pk]), {"action": "publish"}).status_code == 404
    draft.refresh_from_db()
    assert draft.published_at is None


def test_an_assignment_goes_back_to_draft_only_before_any_submission(assignment, instructor, alice,
                                                                     django_capture_on_commit_callbacks):
    publishing_services.assignment_unpublish(assignment=assignment, actor=instructor)
    assert assignment.published_at is None
    publishing_services.assignment_publish(assignment=assignment, actor=instructor)
    submit(django_capture_on_commit_callbacks, assignment, alice, {"net_h1": "0.3"})
    with pytest.raises(ValidationError):
        publishing_services.assignment_unpublish(assignment=assignment, actor=instructor)
    assert Assignment.objects.get(pk=assignment.pk).is_published()


def test_the_migration_publishes_assignments_made_before_drafts_existed(course, instructor):
    old = make_assignment(course, instructor, published=False)
    migration = importlib.import_module("exercises.migrations.0014_instructor")
    migration.publish_existing(apps, None)
    old.refresh_from_db()
    assert old.published_at == old.created_at


def test_view_as_student_shows_the_homework_page_read_only_and_stores_nothing(client, draft, instructor, alice):
    client.force_login(instructor)
    url = reverse("exercises:assignment_as_student", args=[draft.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="student-view-banner"' in page and "Student view: a sample student (seed sample)" in page
    assert "This assignment is a draft" in page
    assert 'id="submit-answers"' not in page and "disabled" in page and 'name="net_h1"' in page
    assert client.get(url, {"seed": "other-1"}).status_code == 200
    bad = client.get(url, {"seed": "no spaces allowed"}).content.decode()
    assert "A seed is 1 to 64 characters" in bad
    mine = client.get(url, {"student": alice.pk}).content.decode()
    assert "Student view: the page alice_s sees" in mine
    assert not Variant.objects.filter(assignment=draft).exists() and not Submission.objects.exists()


def test_view_as_student_shows_the_numbers_the_student_gets(course, instructor, alice):
    assignment = make_assignment(course, instructor)
    before = student_view_selectors.student_view(assignment=assignment, viewer=instructor, student=alice)
    assert before.seed == variant_seed(assignment=assignment, user_id=alice.pk)
    variant = homework_services.homework_variant(assignment=assignment, student=alice)
    after = student_view_selectors.student_view(assignment=assignment, viewer=instructor, student=alice)
    assert before.spec == after.spec == variant_spec(variant=variant)


def test_only_staff_view_as_student(client, assignment, alice, bob):
    with pytest.raises(PermissionDenied):
        student_view_selectors.student_view(assignment=assignment, viewer=alice, student=bob)
    client.force_login(alice)
    url = reverse("exercises:assignment_as_student", args=[assignment.pk])
    assert client.get(url, {"student": bob.pk}).status_code == 403
