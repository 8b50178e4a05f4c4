"""Password reset (exercises/accounts/passwords.py): issue 9, finding 3 — the login page links to
it, the pages are the site's own in both languages, invited accounts (no usable password yet) get
a link, and the reply never says whether an address exists."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from exercises.models import Course, Invitation

pytestmark = pytest.mark.django_db

User = get_user_model()
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}


def invited_account(username: str, email: str) -> object:
    """An account as a roster import leaves it: no usable password, an invitation, never logged in."""
    user = User.objects.create_user(username=username, email=email)  # no password: unusable
    course = Course.objects.create(title="Course")
    Invitation.objects.create(course=course, user=user, created_account=True)
    return user


def ask_reset(client: Client, email: str, **headers):
    return client.post(reverse("password_reset"), {"email": email}, **headers)


def test_login_page_links_to_forgot_password(client):
    html = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("password_reset")}"' in html and "Forgot password?" in html
    assert "忘记密码" in client.get(reverse("login"), **ZH).content.decode()


@pytest.mark.parametrize("name", ["password_reset", "password_reset_done", "password_reset_complete"])
def test_reset_pages_are_the_sites_own_in_both_languages(client, name):
    english = client.get(reverse(name))
    chinese = client.get(reverse(name), **ZH).content.decode()
    assert english.status_code == 200
    html = english.content.decode()
    assert 'class="site-header"' in html and "Django administration" not in html and 'lang="en"' in html
    assert 'class="site-header"' in chinese and 'lang="zh-hans"' in chinese
    assert re.search(r"<h1>[^<]*[\u4e00-\u9fff]", chinese), name


def test_a_bad_confirm_link_says_so_in_the_sites_style(client):
    html = client.get(reverse("password_reset_confirm", kwargs={"uidb64": "MQ", "token": "nope-nope"})).content.decode()
    assert 'class="site-header"' in html and "does not work any more" in html


def test_invited_accounts_get_a_reset_link_and_the_reply_never_tells(client):
    """Finding 3: Django's form skipped accounts without a usable password (every roster account)."""
    invited_account("newbie", "newbie@example.org")
    User.objects.create_user(username="normal", email="normal@example.org", password="pw-normal-123456")
    disabled = User.objects.create_user(username="disabled", email="disabled@example.org")  # unusable, not invited
    assert not disabled.has_usable_password()
    replies = {}
    for email in ("newbie@example.org", "NORMAL@example.org", "disabled@example.org", "nobody@example.org"):
        response = ask_reset(client, email)
        replies[email] = (response.status_code, response["Location"])
    assert set(replies.values()) == {(302, reverse("password_reset_done"))}
    assert sorted(m.to[0] for m in mail.outbox) == ["newbie@example.org", "normal@example.org"]
    # The invited student follows the link and sets a password.
    body = next(m.body for m in mail.outbox if m.to == ["newbie@example.org"])
    assert "newbie" in body
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", body).group(1)
    page = client.get(link, follow=True)
    client.post(page.redirect_chain[-1][0], {"new_password1": "chosen pass 77", "new_password2": "chosen pass 77"})
    assert Client().login(username="newbie", password="chosen pass 77")


def test_an_invited_account_that_was_used_is_treated_like_any_other(client):
    user = invited_account("newbie", "newbie@example.org")
    user.set_unusable_password()  # e.g. an admin disabled it after its owner had logged in
    user.last_login = user.date_joined
    user.save()
    ask_reset(client, "newbie@example.org")
    assert mail.outbox == []


def test_the_reset_email_is_in_the_askers_language(client):
    User.objects.create_user(username="normal", email="normal@example.org", password="pw-normal-123456")
    ask_reset(client, "normal@example.org", **ZH)
    assert len(mail.outbox) == 1 and "密码" in mail.outbox[0].subject and "你好" in mail.outbox[0].body


def test_the_done_page_does_not_claim_the_link_was_sent(client):
    html = client.get(reverse("password_reset_done")).content.decode()
    assert "If an account uses this address" in html and "has been sent" not in html
