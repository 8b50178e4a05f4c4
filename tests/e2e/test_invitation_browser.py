"""Invitations end to end in a real browser (issue 9, part A), email through Django's locmem
backend (mail.outbox; the live server runs in this process, the Celery task eagerly):

an approved instructor imports a roster → each invitee gets an email → the new student opens its
one-time link, chooses a password (in Chinese), logs in, accepts the invitation and is a member;
an existing account accepts from its /courses/ page. Screenshots (test-artifacts/screenshots/):
invitation-zh.png (the invitation on /courses/), reset-confirm-zh.png, reset-form-zh.png.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from playwright.sync_api import Browser, expect

from exercises.courses.permissions import role_in
from exercises.courses.services import courses as course_services
from exercises.courses.services.instructors import instructor_grant

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser_support import log_in, new_page, save_screenshot  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

User = get_user_model()


def test_roster_invitation_email_set_password_log_in_accept(live_server, browser: Browser, capsys) -> None:
    base = live_server.url
    prof_user = User.objects.create_user(username="prof", password="pw-prof-123456", email="prof@example.org")
    instructor_grant(user=prof_user)
    dave = User.objects.create_user(username="dave", password="pw-dave-123456", email="dave@example.org",
                                    first_name="Dave", last_name="Diver")
    course = course_services.course_create(title="Neural networks 101", instructor=prof_user)

    # ---- the instructor imports a roster: one new account, one existing (given a wrong address)
    prof_context, prof = new_page(browser)
    log_in(prof, base, "prof", then="/courses/")
    expect(prof.locator("nav.site-nav")).to_contain_text("Teach")
    prof.goto(f"{base}/courses/{course.pk}/")
    prof.fill("#id_csv_text", "username,email,name\nnewbie,newbie@example.org,New Bie\ndave,spy@example.org,D")
    prof.click("#roster-import")
    expect(prof.locator(".flash").first).to_contain_text("Invitations sent: 2.")
    expect(prof.locator("#invitation-table li")).to_have_count(2)
    expect(prof.locator("#roster-table")).not_to_contain_text("dave@example.org")

    # ---- one email each, at the account's own address for dave
    assert sorted(m.to[0] for m in mail.outbox) == ["dave@example.org", "newbie@example.org"]
    newbie_mail = next(m for m in mail.outbox if m.to == ["newbie@example.org"])
    link = re.search(r"(http://\S+/accounts/reset/\S+/)", newbie_mail.body).group(1)
    dave_mail = next(m for m in mail.outbox if m.to == ["dave@example.org"])
    assert "/accounts/reset/" not in dave_mail.body and f"{base}/courses/" in dave_mail.body

    # ---- the new student follows the link (in Chinese), chooses a password, logs in, accepts
    newbie_context, newbie = new_page(browser, locale="zh-CN")
    newbie.goto(link)
    expect(newbie.locator("h1")).to_have_text("设置密码")
    expect(newbie.locator("main")).to_contain_text("newbie")
    save_screenshot(newbie, "reset-confirm-zh.png", capsys)
    newbie.fill("#id_new_password1", "a fine pass 42")
    newbie.fill("#id_new_password2", "a fine pass 42")
    newbie.click("main button[type=submit]")
    expect(newbie.locator("h1")).to_have_text("密码已设置")
    newbie.click("main a.button")
    newbie.fill("#id_username", "newbie")
    newbie.fill("#id_password", "a fine pass 42")
    newbie.click("main button[type=submit]")
    newbie.wait_for_url(re.compile(r"/courses/$"))
    invitation = newbie.locator("#invitations")
    expect(invitation).to_contain_text("Neural networks 101")
    expect(newbie.locator("nav.site-nav")).not_to_contain_text("教学")  # no "Teach" for students
    save_screenshot(newbie, "invitation-zh.png", capsys)
    invitation.locator("button", has_text="接受").click()
    newbie.wait_for_url(re.compile(rf"/courses/{course.pk}/$"))
    assert role_in(course=course, user=User.objects.get(username="newbie")) == "student"
    # The one-time link does not work a second time.
    newbie.goto(link)
    expect(newbie.locator("main")).to_contain_text("此链接已失效")

    # ---- the existing account accepts from its /courses/ page
    dave_context, dave_page = new_page(browser)
    log_in(dave_page, base, "dave", then="/courses/")
    dave_page.locator("#invitations button", has_text="Accept").click()
    dave_page.wait_for_url(re.compile(rf"/courses/{course.pk}/$"))
    assert role_in(course=course, user=dave) == "student"

    # ---- now the staff see both, with dave's own name and address
    prof.goto(f"{base}/courses/{course.pk}/")
    expect(prof.locator('#roster-table tr[data-user="dave"]')).to_contain_text("dave@example.org")
    expect(prof.locator('#roster-table tr[data-user="newbie"]')).to_have_count(1)
    expect(prof.locator("#invitation-table")).to_have_count(0)

    # ---- the forgot-password page, in Chinese, from the login page's link
    anon_context, anon = new_page(browser, locale="zh-CN")
    anon.goto(f"{base}/accounts/login/")
    anon.click("#forgot-password")
    expect(anon.locator("h1")).to_have_text("忘记密码了？")
    save_screenshot(anon, "reset-form-zh.png", capsys)
    anon.fill("#id_email", "nobody@example.org")
    anon.click("main button[type=submit]")
    expect(anon.locator("h1")).to_have_text("请查收邮件")

    for context in (prof_context, newbie_context, dave_context, anon_context):
        context.close()
