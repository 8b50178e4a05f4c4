"""Practice reads: who may see which variant or submission, and the history."""
from __future__ import annotations

import uuid

import pytest

from exercises.practice import selectors as practice_selectors
from exercises.practice import services as practice_services
from exercises.models import Submission




from tests.exercises.grading_support import make_queued

pytestmark = pytest.mark.django_db


# -------------------------------------------------------------------------------- selectors


def test_submission_get_for_viewer(user, other_user):
    variant = practice_services.variant_create(template="article", seed="s", owner=user)
    mine = make_queued(variant, user=user)
    anon_variant = practice_services.variant_create(template="article", seed="s", session_key="sess-a")
    anon = make_queued(anon_variant, session_key="sess-a")
    get = practice_selectors.submission_get_for_viewer
    assert get(submission_id=mine.id, user=user, session_key="") == mine
    assert get(submission_id=mine.id, user=other_user, session_key="") is None
    assert get(submission_id=str(anon.id), user=None, session_key="sess-a") == anon
    assert get(submission_id=anon.id, user=None, session_key="sess-b") is None
    assert get(submission_id=anon.id, user=None, session_key="") is None
    assert get(submission_id="garbage", user=user, session_key="") is None
    assert get(submission_id=mine.id, user=other_user, session_key="", public_practice=True) == mine

    from exercises.courses.services import courses as course_services
    from exercises.courses.services import homework as homework_services
    from tests.exercises.homework_support import enroll, make_assignment, make_instructor

    instructor = make_instructor("prof")
    course = course_services.course_create(title="Course", instructor=instructor)
    enroll(course, user)
    homework_variant = homework_services.homework_variant(assignment=make_assignment(course, instructor), student=user)
    homework = Submission.objects.create(variant=homework_variant, user=user, answers={"net_h1": "0.3"})
    assert get(submission_id=homework.id, user=user, session_key="") is None
    assert get(submission_id=homework.id, user=other_user, session_key="", public_practice=True) is None


def test_variant_get_for_viewer(user, other_user):
    variant = practice_services.variant_create(template="article", seed="s", owner=user)
    get = practice_selectors.variant_get_for_viewer
    assert get(variant_id=variant.id, user=user, session_key=None) == variant
    assert get(variant_id=variant.id, user=other_user, session_key=None) is None
    assert get(variant_id=variant.id, user=other_user, session_key=None, public_practice=True) == variant
    assert get(variant_id=uuid.uuid4(), user=user, session_key=None) is None


def test_practice_history(user, other_user):
    from django.contrib.auth.models import AnonymousUser

    variant = practice_services.variant_create(template="article", seed="s", owner=user)
    a = make_queued(variant, user=user)
    b = make_queued(variant, user=user)
    make_queued(practice_services.variant_create(template="article", seed="t", owner=other_user), user=other_user)
    assert list(practice_selectors.practice_history(user=user)) == [b, a]
    assert list(practice_selectors.practice_history(user=AnonymousUser())) == []
