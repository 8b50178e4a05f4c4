"""Practice done anonymously follows the student when they log in."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

import graders
from exercises.models import Submission

pytestmark = pytest.mark.django_db


def test_anonymous_practice_moves_to_the_user_who_logs_in(client, django_capture_on_commit_callbacks):
    url = reverse("exercises:practice", args=["article", "claim"])
    html = client.get(url).content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    values = graders.solve(graders.generate("article", "claim")).values
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"form_token": token, "net_h1": f"{values['net_h1']:.6g}"})
    assert response.status_code == 302
    user = get_user_model().objects.create_user("late-signer", password="pw-123456-x")
    client.login(username="late-signer", password="pw-123456-x")
    submission = Submission.objects.get()
    assert submission.user == user and submission.variant.owner == user
    assert client.get(response["Location"]).status_code == 200
    assert "article" in client.get(reverse("exercises:history")).content.decode()


def test_logging_in_claims_nothing_of_other_sessions(client, django_capture_on_commit_callbacks):
    other = type(client)()
    url = reverse("exercises:practice", args=["article", "other"])
    token = re.search(r'name="form_token" value="([^"]+)"', other.get(url).content.decode()).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        other.post(url, {"form_token": token, "net_h1": "0.325"})
    get_user_model().objects.create_user("someone", password="pw-123456-x")
    client.login(username="someone", password="pw-123456-x")
    assert Submission.objects.get().user is None
