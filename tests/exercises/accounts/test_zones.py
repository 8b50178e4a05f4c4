"""Time zones: taken from the browser at sign-up and login, chosen on the account page, and
every time on a page shown in the viewer's zone with the zone named; storage stays UTC."""

from __future__ import annotations

from datetime import datetime
from datetime import timezone as dt_timezone

import pytest
from django.contrib.auth import get_user_model
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from exercises.accounts import services as account_services
from exercises.models import Profile
from exercises.zones import BROWSER_ZONE_COOKIE, zone_or_none

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough pass phrase 42"
BEIJING_2359 = datetime(2026, 12, 1, 15, 59, tzinfo=dt_timezone.utc)  # 23:59 in Asia/Shanghai


def make_user(username: str = "mei"):
    return get_user_model().objects.create_user(username=username, password=PASSWORD)


@pytest.mark.parametrize("name", ["", "Mars/Olympus", "../../etc/passwd", "Asia/Shanghai" * 10, None, 8, ["UTC"]])
def test_unknown_or_malformed_zone_names_are_refused(name):
    assert zone_or_none(name) is None


@pytest.mark.parametrize("name", ["UTC", "Asia/Shanghai", "America/New_York", "Europe/Berlin"])
def test_iana_zone_names_are_accepted(name):
    assert zone_or_none(name) == name


def test_the_when_filter_writes_the_local_time_and_names_the_zone():
    template = Template("{% load bpcourse_tags %}{{ moment|when }}")
    with timezone.override("Asia/Shanghai"):
        html = template.render(Context({"moment": BEIJING_2359}))
    assert '<time datetime="2026-12-01T15:59:00+00:00">2026-12-01 23:59 <span class="zone">Asia/Shanghai</span></time>' == html
    with timezone.override("America/New_York"):
        assert "2026-12-01 10:59" in template.render(Context({"moment": BEIJING_2359}))
    assert template.render(Context({"moment": None})) == ""


def test_login_takes_the_browsers_zone(client):
    user = make_user()
    client.cookies[BROWSER_ZONE_COOKIE] = "Asia/Shanghai"
    response = client.post(reverse("login"), {"username": "mei", "password": PASSWORD})
    assert response.status_code == 302
    assert Profile.objects.get(user=user).time_zone == "Asia/Shanghai"
    html = client.get(reverse("exercises:home")).content.decode()
    assert "Times are shown in Asia/Shanghai." in html


def test_sign_up_takes_the_browsers_zone_from_the_form_field(client):
    response = client.post(reverse("exercises:signup"), {
        "username": "lin", "password1": PASSWORD, "password2": PASSWORD, "time_zone": "Europe/Berlin",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Profile.objects.get(user__username="lin").time_zone == "Europe/Berlin"


def test_a_bogus_browser_zone_changes_nothing(client):
    user = make_user()
    client.cookies[BROWSER_ZONE_COOKIE] = "Mars/Olympus"
    client.post(reverse("login"), {"username": "mei", "password": PASSWORD})
    assert Profile.objects.get(user=user).time_zone == "UTC"
    assert "Times are shown in UTC." in client.get(reverse("exercises:home")).content.decode()


def test_a_chosen_zone_survives_logging_in_from_another_browser(client):
    user = make_user()
    client.force_login(user)
    response = client.post(reverse("exercises:account"), {"time_zone": "Asia/Shanghai"})
    assert response.status_code == 302
    client.logout()
    client.cookies[BROWSER_ZONE_COOKIE] = "America/New_York"
    client.post(reverse("login"), {"username": "mei", "password": PASSWORD})
    profile = Profile.objects.get(user=user)
    assert (profile.time_zone, profile.time_zone_chosen) == ("Asia/Shanghai", True)
    html = client.get(reverse("exercises:account")).content.decode()
    assert "This browser is in America/New York." in html and 'value="Asia/Shanghai" selected' in html


def test_the_account_page_refuses_an_unknown_zone_with_a_translated_message(client):
    user = make_user()
    client.force_login(user)
    response = client.post(reverse("exercises:account"), {"time_zone": "Mars/Olympus"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert "请从列表中选择一个时区。" in response.content.decode()
    assert Profile.objects.get(user=user).time_zone == "UTC"


def test_the_account_page_is_for_signed_in_users_only(client):
    response = client.get(reverse("exercises:account"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_zone_takes_effect_on_the_next_page(client):
    user = make_user()
    client.force_login(user)
    client.post(reverse("exercises:account"), {"time_zone": "Asia/Tokyo"})
    assert "Times are shown in Asia/Tokyo." in client.get(reverse("exercises:home")).content.decode()


def test_visitors_who_are_not_signed_in_see_their_browsers_zone(client):
    client.cookies[BROWSER_ZONE_COOKIE] = "Asia/Kolkata"
    assert "Times are shown in Asia/Kolkata." in client.get(reverse("exercises:home")).content.decode()


def test_the_browser_zone_service_never_overrides_a_chosen_zone():
    user = make_user()
    account_services.profile_zone_set(user=user, zone="Asia/Shanghai")
    assert account_services.profile_zone_from_browser(user=user, zone="UTC").time_zone == "Asia/Shanghai"
    with pytest.raises(Exception) as exc, translation.override("en"):
        account_services.profile_zone_set(user=user, zone="Nowhere/Land")
    assert "Choose a time zone" in " ".join(exc.value.messages)
