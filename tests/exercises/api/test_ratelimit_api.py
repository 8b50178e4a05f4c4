"""Rate limits of the JSON API: the endpoints that do what the throttled pages do answer 429 with
a translated `{"detail": …}` and Retry-After, count per token user, per session and per address,
and share their budget with the pages."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import Client

import graders
from exercises.api import tokens
from exercises.models import Submission, Variant

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # homework_support
pytest.register_assert_rewrite("homework_support")

from homework_support import make_user  # noqa: E402

pytest_plugins = ["homework_support"]

pytestmark = pytest.mark.django_db

JSON = "application/json"
SCOPES = ("login", "signup", "join", "practice_variant", "practice_submit", "authoring_preview", "authoring_save")


@pytest.fixture
def limits(settings):
    """Rate limits on, two requests per minute in every scope (per client and per address)."""
    cache.clear()
    settings.BPCOURSE_RATE_LIMITS_ENABLED = True
    settings.BPCOURSE_RATE_LIMITS = {scope: {"client": (2, 60), "ip": (2, 60)} for scope in SCOPES}
    yield
    cache.clear()


def post(client: Client, url: str, data, **extra):
    return client.post(url, json.dumps(data), content_type=JSON, **extra)


def assert_too_many(response) -> None:
    """429 JSON with the Chinese message and Retry-After within the window."""
    assert response.status_code == 429, response.content
    assert response["Content-Type"].startswith(JSON)
    assert 1 <= int(response["Retry-After"]) <= 60
    detail = response.json()["detail"]
    assert detail.startswith("请求过于频繁。请等待 ") and detail.endswith(" 秒后再试。")


def bearer(username: str) -> dict[str, str]:
    _token, raw = tokens.api_token_create(user=make_user(username))
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_creating_practice_variants_is_limited_per_address(limits):
    for _ in range(2):
        assert post(Client(), "/api/practice", {"template": "article"}).status_code == 201
    assert_too_many(post(Client(), "/api/practice", {"template": "article"}, HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert Variant.objects.count() == 2


def test_creating_practice_variants_is_limited_per_token_user(limits):
    alice, bob = bearer("alice_api"), bearer("bob_api")
    for _ in range(2):
        assert post(Client(), "/api/practice", {"template": "article"}, **alice).status_code == 201
    assert_too_many(post(Client(), "/api/practice", {"template": "article"}, HTTP_ACCEPT_LANGUAGE="zh-hans", **alice))
    assert post(Client(), "/api/practice", {"template": "article"}, **bob).status_code == 201


def test_practice_submits_are_limited_and_store_nothing_beyond(limits):
    user = bearer("submitter")
    variant = post(Client(), "/api/practice", {"template": "article", "seed": "lim"}, **user).json()
    url = f"/api/variants/{variant['id']}/submissions"
    for _ in range(2):
        assert post(Client(), url, {"answers": {"net_h1": "0.3775"}}, **user).status_code == 202
    assert_too_many(post(Client(), url, {"answers": {"net_h1": "0.3775"}}, HTTP_ACCEPT_LANGUAGE="zh-hans", **user))
    assert Submission.objects.count() == 2


def test_joining_a_course_is_limited(limits, course):
    user = bearer("joiner")
    for _ in range(2):
        assert post(Client(), "/api/courses/join", {"code": "AAAA1111"}, **user).status_code == 422
    assert_too_many(post(Client(), "/api/courses/join", {"code": course.code}, HTTP_ACCEPT_LANGUAGE="zh-hans", **user))
    assert not course.memberships.filter(user__username="joiner").exists()


def test_the_page_and_the_api_share_one_budget(limits, course):
    client = Client()
    client.force_login(make_user("both_ways"))
    assert client.post("/courses/join/", {"code": "AAAA1111"}).status_code == 400
    assert post(client, "/api/courses/join", {"code": "AAAA1111"}).status_code in (403, 422)  # CSRF or bad code
    assert_too_many(post(client, "/api/courses/join", {"code": course.code}, HTTP_ACCEPT_LANGUAGE="zh-hans"))


def test_the_openapi_schema_documents_the_429s():
    paths = Client().get("/api/openapi.json").json()["paths"]
    for path in ("/api/practice", "/api/variants/{variant_id}/submissions", "/api/courses/join"):
        assert "429" in paths[path]["post"]["responses"], path


def test_finding_6_an_anonymous_flood_of_deep_variants_stops_at_the_31st(settings):
    """Issue 9, finding 6: 60 deep-network variants, each with a 340-answer submit, from one
    anonymous client in 8 s all went through. Default limits: 30 variants a minute."""
    cache.clear()
    settings.BPCOURSE_RATE_LIMITS_ENABLED = True
    api = Client()
    created = refused = 0
    with mock.patch("exercises.grading.enqueue.enqueue_grading", return_value=True):
        for i in range(60):
            response = post(api, "/api/practice", {"template": "deep-4-8-8-3", "seed": f"flood-{i}"})
            if response.status_code == 429:
                refused += 1
                continue
            assert response.status_code == 201
            created += 1
            body = response.json()
            values = graders.solve(graders.generate("deep-4-8-8-3", body["seed"])).values
            answers = {key: repr(values[key]) for key in body["part_keys"]}
            assert len(answers) == 340
            assert post(api, f"/api/variants/{body['id']}/submissions", {"answers": answers}).status_code == 202
    assert (created, refused) == (30, 30)
    assert Submission.objects.count() == 30
    cache.clear()
