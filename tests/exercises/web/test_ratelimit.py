"""Rate limits of the site's pages: each throttled page answers 429 in the site's style with a
translated message and Retry-After once its limit is reached (limits set low here; the rest of
the suite runs without them)."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from exercises.web.ratelimit import client_ip

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # homework_support
pytest.register_assert_rewrite("homework_support")

from homework_support import make_user  # noqa: E402

pytest_plugins = ["homework_support"]

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
ZH_MESSAGE = re.compile(r"请求过于频繁。请等待 (\d+) 秒后再试。")
SCOPES = ("login", "signup", "join", "practice_variant", "practice_submit", "authoring_preview", "authoring_save",
          "password_reset")


@pytest.fixture
def limits(settings) -> dict[str, Any]:
    """Rate limits on, two requests per minute in every scope (per client and per address)."""
    cache.clear()
    settings.BPCOURSE_RATE_LIMITS_ENABLED = True
    settings.BPCOURSE_RATE_LIMITS = {scope: {"client": (2, 60), "ip": (2, 60)} for scope in SCOPES}
    yield settings.BPCOURSE_RATE_LIMITS
    cache.clear()


def assert_too_many(response, *, page: bool = True) -> None:
    """429, Retry-After within the window, and the Chinese message (the page in the site's style)."""
    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 60
    html = response.content.decode()
    found = ZH_MESSAGE.search(html)
    assert found and 1 <= int(found.group(1)) <= 60
    if page:
        assert "<html" in html and "429" in html and 'class="error-page"' in html


def test_login_refuses_after_two_failed_passwords_even_the_right_one(limits):
    user = make_user("victim")
    client = Client()
    url = reverse("login")
    for _ in range(2):
        response = client.post(url, {"username": "victim", "password": "wrong"}, **ZH)
        assert response.status_code == 200  # checked, refused: the form again
    assert_too_many(client.post(url, {"username": "victim", "password": "pw-victim-123456"}, **ZH))
    assert "_auth_user_id" not in client.session
    user.refresh_from_db()
    assert user.last_login is None


def test_login_successes_are_not_counted(limits):
    make_user("regular")
    for _ in range(4):
        response = Client().post(reverse("login"), {"username": "regular", "password": "pw-regular-123456"})
        assert response.status_code == 302


def test_signup_is_limited_per_address(limits):
    url = reverse("exercises:signup")
    for _ in range(2):
        assert Client().post(url, {"username": "x"}).status_code == 400  # a new session each time
    assert_too_many(Client().post(url, {"username": "x"}, **ZH))


def test_password_reset_requests_are_limited_and_send_no_mail_beyond(limits, mailoutbox):
    make_user("mei")  # mei@example.org
    client = Client()
    url = reverse("password_reset")
    for _ in range(2):
        assert client.post(url, {"email": "mei@example.org"}).status_code == 302
    assert_too_many(client.post(url, {"email": "mei@example.org"}, **ZH))
    assert len(mailoutbox) == 2
    assert client.get(url).status_code == 200  # reading the form is not counted


def test_joining_a_course_is_limited_per_user(limits, course):
    client = Client()
    client.force_login(make_user("guesser"))
    url = reverse("exercises:course_join")
    for code in ("AAAA1111", "BBBB2222"):
        assert client.post(url, {"code": code}).status_code == 400
    assert_too_many(client.post(url, {"code": course.code}, **ZH))
    assert not course.memberships.filter(user__username="guesser").exists()


def test_new_practice_variants_are_limited(limits):
    client = Client()
    url = reverse("exercises:practice_start", args=["deep-4-8-8-3"])
    for _ in range(2):
        assert client.get(url).status_code == 302
    assert_too_many(client.get(url, **ZH))


def test_practice_submits_are_limited(limits):
    client = Client()
    url = reverse("exercises:practice", args=["article", "limit-seed"])
    assert client.get(url).status_code == 200  # reading the page is not counted
    for _ in range(2):
        assert client.post(url, {"net_h1": "0.3775"}).status_code == 400  # no form token
    assert_too_many(client.post(url, {"net_h1": "0.3775"}, **ZH))


def test_the_authoring_preview_is_limited_with_a_fragment(limits, course, instructor):
    client = Client()
    client.force_login(instructor)
    url = reverse("exercises:assignment_preview", args=[course.pk])
    for _ in range(2):
        assert client.post(url, {"network": "builtin", "builtin": "article-random"}).status_code in (200, 400)
    response = client.post(url, {"network": "builtin", "builtin": "article-random"}, **ZH)
    assert_too_many(response, page=False)
    assert "<html" not in response.content.decode() and "preview-errors" in response.content.decode()


def test_saving_an_assignment_is_limited(limits, course, instructor):
    client = Client()
    client.force_login(instructor)
    url = reverse("exercises:assignment_create", args=[course.pk])
    assert client.get(url).status_code == 200  # the empty form is not counted
    for _ in range(2):
        assert client.post(url, {"title": ""}).status_code == 400
    assert_too_many(client.post(url, {"title": ""}, **ZH))


def test_each_user_has_a_budget_of_their_own(limits, course, instructor):
    url = reverse("exercises:course_join")
    first, second = Client(), Client()
    first.force_login(make_user("first"))
    second.force_login(make_user("second"))
    for _ in range(2):
        first.post(url, {"code": "AAAA1111"})
    assert first.post(url, {"code": "AAAA1111"}).status_code == 429
    assert second.post(url, {"code": "AAAA1111"}).status_code == 400


def test_limits_are_off_when_disabled(settings, limits):
    settings.BPCOURSE_RATE_LIMITS_ENABLED = False
    url = reverse("exercises:practice_start", args=["article"])
    assert all(Client().get(url).status_code == 302 for _ in range(5))


def test_finding_6_thirty_wrong_passwords_stop_at_the_eleventh_with_the_default_limits(settings):
    """Issue 9, finding 6: 30 wrong passwords in a row were all checked. Default limits."""
    cache.clear()
    settings.BPCOURSE_RATE_LIMITS_ENABLED = True
    make_user("target")
    statuses = [Client().post(reverse("login"), {"username": "target", "password": f"guess-{i}"}).status_code
                for i in range(30)]
    assert statuses[:10] == [200] * 10 and set(statuses[10:]) == {429}
    cache.clear()


def test_the_admin_sign_in_has_the_same_limit(limits):
    make_user("boss", is_staff=True)
    client = Client()
    for _ in range(2):
        assert client.post("/admin/login/", {"username": "boss", "password": "wrong"}).status_code == 200
    assert_too_many(client.post("/admin/login/", {"username": "boss", "password": "pw-boss-123456"}, **ZH))


def test_the_address_is_the_proxys_last_entry_and_ipv6_counts_by_64(settings, rf):
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.1.2.3", REMOTE_ADDR="172.16.0.2")
    assert client_ip(request) == "172.16.0.2"  # no proxy header configured: the peer
    settings.BPCOURSE_RATE_LIMIT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    assert client_ip(request) == "10.1.2.3"  # what the trusted proxy saw, not what the client wrote
    assert client_ip(rf.get("/", REMOTE_ADDR="2001:db8:1:2:aaaa::1")) == client_ip(rf.get("/", REMOTE_ADDR="2001:db8:1:2::9"))
    assert client_ip(rf.get("/", REMOTE_ADDR="2001:db8:1:3::1")) != client_ip(rf.get("/", REMOTE_ADDR="2001:db8:1:2::1"))


def test_a_cache_outage_serves_instead_of_failing(limits):
    with mock.patch("exercises.web.ratelimit.cache.incr", side_effect=ConnectionError("redis down")):
        for _ in range(4):
            assert Client().get(reverse("exercises:practice_start", args=["article"])).status_code == 302
