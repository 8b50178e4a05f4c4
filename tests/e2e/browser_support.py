"""Shared by the browser tests (tests/e2e/test_*.py) and their conftest.py: where Chromium is,
how it is started, and where screenshots go."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"


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
