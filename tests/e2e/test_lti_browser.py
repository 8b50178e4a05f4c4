"""LTI deep linking in a real browser against the simulated platform: the instructor's login
initiation → the platform's authorization page posts the id_token → the tool's deep linking page
(a new course, an assignment picked) → static/exercises/lti.js posts the signed answer back to the
platform, allowed by the page's widened form-action and nothing else (no CSP violation). Then a
refused launch in Chinese on a phone. Screenshots: lti-deep-link-en.png, lti-deep-link-zh.png,
lti-refused-zh-390.png."""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "exercises"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "exercises" / "lti"))

from browser_support import new_page, save_screenshot  # noqa: E402
from homework_support import make_assignment  # noqa: E402
from platform_sim import INSTRUCTOR, LEARNER, Link, Platform, User  # noqa: E402

from exercises.lti.services.registration import platform_register  # noqa: E402
from exercises.models import Course, LtiIdentity  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

INA = User("ina-7", "Ina", "Instructor", INSTRUCTOR)
SAM = User("sam-9", "Sam", "Student", LEARNER)


@pytest.fixture
def platform(live_server):
    sim = Platform(host="localhost")
    sim.tool_base = live_server.url
    sim.start()
    platform_register(**sim.registration())
    yield sim
    sim.stop()


def login_url(platform: Platform, user: User, hint: str) -> str:
    return platform.tool_base + "/lti/login/?" + urlencode({
        "iss": platform.issuer, "login_hint": user.sub, "lti_message_hint": hint, "client_id": platform.client_id,
        "target_link_uri": platform.tool_base + "/lti/launch/"})


def test_deep_linking_in_a_browser_posts_the_link_back_to_the_platform(platform, browser: Browser, capsys) -> None:
    context, page = new_page(browser)
    platform.expect_launch("dl", lambda nonce: platform.deep_link_claims(INA, nonce))
    page.goto(login_url(platform, INA, "dl"), wait_until="commit", timeout=60_000)
    page.wait_for_url("**/lti/deep-link/**", timeout=60_000)
    save_screenshot(page, "lti-deep-link-en.png", capsys)
    page.click("[data-testid=lti-create-course]")
    page.wait_for_selector("text=This course has no assignment yet.")
    course = Course.objects.get(lti_contexts__context_id=platform.context_id)
    make_assignment(course, LtiIdentity.objects.get(subject=INA.sub).user, title="Backprop homework")
    page.reload()
    page.click("[data-testid=lti-pick]")
    page.wait_for_url(platform.url + "/deep-link-return")
    assert [link.title for link in platform.links] == ["Backprop homework"]
    context.close()

    context, page = new_page(browser, locale="zh-CN")
    platform.expect_launch("dl2", lambda nonce: platform.deep_link_claims(INA, nonce))
    page.goto(login_url(platform, INA, "dl2"), wait_until="commit", timeout=60_000)
    page.wait_for_selector("[data-testid=lti-pick]")
    assert "把作业链接到你的学习平台" in page.content()
    save_screenshot(page, "lti-deep-link-zh.png", capsys)
    context.close()


def test_a_refused_launch_reads_well_in_chinese_on_a_phone(platform, browser: Browser, capsys) -> None:
    context, page = new_page(browser, locale="zh-CN")
    page.set_viewport_size({"width": 390, "height": 844})
    link = Link("link-9", "HW", platform.tool_base + "/lti/launch/", {}, platform.url + "/lineitems/9", 1.0)
    platform.expect_launch("late", lambda nonce: {**platform.resource_claims(SAM, nonce, link), "exp": 1000})
    page.goto(login_url(platform, SAM, "late"), wait_until="commit", timeout=60_000)
    page.wait_for_selector("[data-testid=lti-refused]")
    assert "此次启动已过期" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    save_screenshot(page, "lti-refused-zh-390.png", capsys)
    context.close()
