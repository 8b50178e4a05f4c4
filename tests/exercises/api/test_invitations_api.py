"""Invitations JSON API (exercises/api/invitations.py): list my invitations, accept, decline,
leave a course — someone else's or an answered invitation is 404, anonymous 401."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from exercises.courses.permissions import role_in
from exercises.courses.services import roster as roster_services
from exercises.models import Invitation

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # homework_support
pytest.register_assert_rewrite("homework_support")

from homework_support import make_user  # noqa: E402

pytest_plugins = ["homework_support"]

pytestmark = pytest.mark.django_db

User = get_user_model()


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def post(client: Client, url: str):
    return client.post(url, json.dumps({}), content_type="application/json")


@pytest.fixture
def dave_invited(course, instructor):
    dave = make_user("dave")
    roster_services.roster_import(course=course, actor=instructor, csv_text="dave,,\n")
    return dave, Invitation.objects.get(user=dave)


def test_list_and_accept(course, dave_invited):
    dave, invitation = dave_invited
    client = client_for(dave)
    listed = client.get("/api/invitations").json()
    assert listed == [{"id": invitation.pk, "course_id": course.pk, "course_title": course.title,
                       "created_at": listed[0]["created_at"]}]
    response = post(client, f"/api/invitations/{invitation.pk}/accept")
    assert response.status_code == 200 and response.json() == {"course_id": course.pk, "course_title": course.title,
                                                                "role": "student"}
    assert role_in(course=course, user=dave) == "student" and client.get("/api/invitations").json() == []
    assert post(client, f"/api/invitations/{invitation.pk}/accept").status_code == 404  # answered
    assert course.pk in [c["id"] for c in client.get("/api/courses").json()]


def test_decline(course, dave_invited):
    dave, invitation = dave_invited
    response = post(client_for(dave), f"/api/invitations/{invitation.pk}/decline")
    assert response.status_code == 204
    invitation.refresh_from_db()
    assert invitation.status == "declined" and role_in(course=course, user=dave) is None


def test_someone_elses_invitation_is_not_found(course, dave_invited, alice, instructor):
    _dave, invitation = dave_invited
    for user in (alice, instructor):
        client = client_for(user)
        assert client.get("/api/invitations").json() == []
        for action in ("accept", "decline"):
            response = post(client, f"/api/invitations/{invitation.pk}/{action}")
            assert response.status_code == 404 and response.json()["detail"]
    for url in ("/api/invitations/nope/accept", "/api/invitations/999999/decline"):
        assert post(client_for(alice), url).status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_anonymous_gets_401(dave_invited, course):
    _dave, invitation = dave_invited
    anonymous = client_for(None)
    assert anonymous.get("/api/invitations").status_code == 401
    for url in (f"/api/invitations/{invitation.pk}/accept", f"/api/invitations/{invitation.pk}/decline",
                f"/api/courses/{course.pk}/leave"):
        assert post(anonymous, url).status_code == 401, url


def test_leave_a_course(course, alice, instructor, other_course):
    client = client_for(alice)
    assert post(client, f"/api/courses/{other_course.pk}/leave").status_code == 404
    assert post(client, f"/api/courses/{course.pk}/leave").status_code == 204
    assert role_in(course=course, user=alice) is None
    assert post(client, f"/api/courses/{course.pk}/leave").status_code == 404  # no longer a member
    last = post(client_for(instructor), f"/api/courses/{course.pk}/leave")
    assert last.status_code == 409 and "instructor" in last.json()["detail"]
    assert role_in(course=course, user=instructor) == "instructor"
