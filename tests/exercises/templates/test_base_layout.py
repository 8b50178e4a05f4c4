"""The base layout (exercises/templates/base.html): its request-free parts are kept per process
({% process_cache %}), and what belongs to one request or viewer is never kept."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from exercises.templatetags import page_cache
from exercises.zones import BROWSER_ZONE_COOKIE

from tests.exercises.homework_support import EN, ZH

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    page_cache.process_cache_clear()
    yield
    page_cache.process_cache_clear()


def csrf_tokens(html: str) -> list[str]:
    return re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)


def header(html: str) -> str:
    return html[html.index("<header"):html.index("</header>")]


def test_each_signed_in_user_sees_their_own_name_and_links(client, user, other_user):
    client.force_login(user)
    alice = client.get(reverse("exercises:home")).content.decode()
    other = Client()
    other.force_login(other_user)
    bob = other.get(reverse("exercises:home")).content.decode()
    assert ">alice</a>" in header(alice) and "alice" not in header(bob)
    assert ">bob</a>" in header(bob) and "bob" not in header(alice)
    assert reverse("exercises:history") in header(bob) and reverse("logout") in header(bob)


def test_a_visitor_after_a_signed_in_user_sees_no_name_and_their_own_next_path(client, user):
    client.force_login(user)
    client.get(reverse("exercises:home"))
    visitor = Client().get(reverse("exercises:walkthrough")).content.decode()
    assert "alice" not in visitor and reverse("exercises:history") not in visitor
    assert f'{reverse("login")}?next=/walkthrough/"' in visitor
    assert '<input type="hidden" name="next" value="/walkthrough/">' in visitor
    practice_list = Client().get(reverse("exercises:practice_list")).content.decode()
    assert f'{reverse("login")}?next=/practice/"' in practice_list


def test_every_response_carries_a_fresh_csrf_token():
    first, second = Client(), Client()
    tokens = csrf_tokens(first.get("/").content.decode()) + csrf_tokens(second.get("/").content.decode())
    assert len(tokens) == 2 and tokens[0] != tokens[1]
    again = csrf_tokens(first.get("/").content.decode())
    assert again and again[0] not in tokens  # masked anew each time, never a kept copy


def test_the_header_and_language_list_follow_the_page_language(client):
    english = client.get("/", **EN).content.decode()
    chinese = client.get("/", **ZH).content.decode()
    assert '<html lang="en">' in english and '<html lang="zh-hans">' in chinese
    assert ">Walkthrough</a>" in header(english) and "Walkthrough</a>" not in header(chinese)
    assert re.search(r'<option value="en" lang="en" selected>', english)
    assert re.search(r'<option value="zh-hans" lang="zh-hans" selected>', chinese)
    assert not re.search(r'<option value="en" lang="en" selected>', chinese)
    assert client.get("/", **EN).content.decode().count(">Walkthrough</a>") == english.count(">Walkthrough</a>")


def test_the_footer_names_each_viewers_own_zone():
    shanghai, new_york = Client(), Client()
    shanghai.cookies[BROWSER_ZONE_COOKIE] = "Asia/Shanghai"
    new_york.cookies[BROWSER_ZONE_COOKIE] = "America/New_York"
    assert "Times are shown in Asia/Shanghai." in shanghai.get("/").content.decode()
    page = new_york.get("/").content.decode()
    assert "Times are shown in America/New York." in page and "Asia/Shanghai" not in page


def test_the_footer_offers_a_change_of_zone_only_to_signed_in_users(client, user):
    visitor = Client().get("/").content.decode()
    client.force_login(user)
    member = client.get("/").content.decode()
    footer = lambda html: html[html.index('<footer'):html.index("</footer>")]  # noqa: E731
    assert reverse("exercises:account") in footer(member)
    assert reverse("exercises:account") not in footer(visitor)


def test_a_message_is_shown_once_to_its_own_user_only(client, user, other_user):
    client.force_login(user)
    response = client.get("/")
    storage = get_messages(response.wsgi_request)
    storage.add(20, "only for alice")
    storage.update(response)
    client.cookies.update(response.cookies)
    other = Client()
    other.force_login(other_user)
    assert "only for alice" in client.get("/").content.decode()
    assert "only for alice" not in other.get("/").content.decode()
    assert "only for alice" not in client.get("/").content.decode()
