"""Browser fixtures shared by tests/e2e: one Chromium per test module, started after the test
database exists and stopped before it is destroyed."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser_support import CHROMIUM, CHROMIUM_ARGS, CSP, WatchedBrowser  # noqa: E402


@pytest.fixture(scope="module")
def allow_orm_next_to_playwright() -> Iterator[None]:
    """Playwright's sync API keeps an event loop in this thread, which trips Django's async-safety
    check on the ORM calls of the test itself (data, flush); the live server has its own thread."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="module")
def playwright(django_db_setup: None, allow_orm_next_to_playwright: None) -> Iterator[Playwright]:
    """Started after the test database exists, stopped before it is destroyed."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run bin/test (it installs chromium with apt-get)")
    with sync_playwright() as instance:
        yield instance


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Chromium; every page it opens reports Content-Security-Policy violations (see below)."""
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield WatchedBrowser(browser)  # type: ignore[misc]
    browser.close()


@pytest.fixture(autouse=True)
def no_csp_violations() -> Iterator[None]:
    """Every browser test fails on a Content-Security-Policy violation of any page it opened."""
    CSP.take()
    yield
    violations = CSP.take()
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)
