"""Shared by the browser tests (tests/e2e/test_*.py) and their conftest.py: where Chromium is,
how it is started, and where screenshots go."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page

from exercises.courses.services import assignments as assignment_services
from exercises.courses.services import courses as course_services
from exercises.courses.services import publishing as publishing_services
from exercises.courses.services.instructors import instructor_grant

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"


def new_page(browser: Browser, locale: str = "en-US", **options: Any) -> tuple[BrowserContext, Page]:
    """A fresh context (its own cookies) of a browser in the locale (desktop-sized unless
    `viewport=` says otherwise), and a page."""
    options = {"viewport": {"width": 1280, "height": 900}, **options}
    context = browser.new_context(locale=locale, **options)
    context.set_default_timeout(15_000)
    return context, context.new_page()


def password_of(username: str) -> str:
    return f"pw-{username}-123456"


def make_user(username: str, **extra: Any) -> Any:
    """A user whose password is password_of(username) and email <username>@example.org."""
    return get_user_model().objects.create_user(
        username=username, password=password_of(username), email=f"{username}@example.org", **extra
    )


def log_in(page: Page, base: str, username: str, password: str | None = None, *, then: str = "/") -> None:
    """Sign in through the login form and wait for the page it leads to."""
    page.goto(f"{base}/accounts/login/?next={then}")
    page.fill("#id_username", username)
    page.fill("#id_password", password or password_of(username))
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(re.escape(then) + "$"))


def open_homework(instructor: str, student: str, course_title: str, *, published: bool = True, **settings_: Any) -> Any:
    """An approved instructor's course with one student who joined it, and an assignment open
    since an hour and due in a day (article-random unless `settings_` say otherwise), published
    unless `published=False` (a draft)."""
    prof = make_user(instructor)
    instructor_grant(user=prof)
    course = course_services.course_create(title=course_title, instructor=prof)
    course_services.course_join(code=course.code, user=make_user(student))
    now = timezone.now()
    data = {"template_config": {"builtin": "article-random"}, "opens_at": now - timedelta(hours=1),
            "due_at": now + timedelta(days=1), **settings_}
    assignment = assignment_services.assignment_create(course=course, actor=prof, data=data)
    if published:
        publishing_services.assignment_publish(assignment=assignment, actor=prof)
    return assignment


def save_screenshot(page: Page, name: str, capsys: pytest.CaptureFixture[str]) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = (SCREENSHOTS / name).resolve()
    page.screenshot(path=str(path), full_page=True)
    with capsys.disabled():
        print(f"\nscreenshot: {path}")
    return path


# ----------------------------------------------------------- Content-Security-Policy violations
# Every page opened by a browser test reports CSP violations (the `securitypolicyviolation` event,
# and Chromium's own "Refused to …" console errors); conftest.py fails the test if any occurred.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  console.error("CSP violation: " + event.violatedDirective + " blocked " + (event.blockedURI || "inline")
                + " at " + event.sourceFile + ":" + event.lineNumber);
});
"""


class CspWatch:
    """The CSP violations reported by every page of every watched browser context."""

    def __init__(self) -> None:
        self.violations: list[str] = []

    def attach(self, context: BrowserContext) -> BrowserContext:
        context.add_init_script(script=REPORT_VIOLATIONS)
        context.on("console", self._console)
        return context

    def _console(self, message: ConsoleMessage) -> None:
        text = message.text
        if text.startswith("CSP violation:") or "Content Security Policy" in text:
            self.violations.append(f"{message.page.url if message.page else '?'}: {text}")

    def take(self) -> list[str]:
        """The violations reported so far (and forget them)."""
        found, self.violations = self.violations, []
        return found


CSP = CspWatch()


class WatchedBrowser:
    """A Browser whose every new context (and page) reports CSP violations to CSP."""

    def __init__(self, browser: Browser) -> None:
        self._browser = browser

    def new_context(self, **options: Any) -> BrowserContext:
        return CSP.attach(self._browser.new_context(**options))

    def new_page(self, **options: Any) -> Page:
        return self.new_context(**options).new_page()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)
