"""A real browser (Debian's Chromium via Playwright) against pytest-django's live server.

Grading runs eagerly inside the live server (test settings), except in the live-status test,
which holds grading back to watch the page go from "queued" to "graded" without a reload.
Screenshots go to test-artifacts/screenshots/; their absolute paths are printed.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

import graders
from exercises.grading import enqueue, pipeline
from exercises.models import Submission

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser_support import CSP, save_screenshot  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SEED = "e2e-seed"


# ----------------------------------------------------------------------------------- fixtures


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def reference_answers(template: str, seed: str) -> dict[str, str]:
    solution = graders.solve(graders.generate(template, seed))
    return {part.key: f"{solution.values[part.key]:.6g}" for part in solution.parts}


def fill_answers(page: Page, answers: dict[str, str]) -> None:
    for key, text in answers.items():
        page.fill(f"#id_{key}", text)


def submit_answers(page: Page) -> None:
    page.click("#submit-answers")
    page.wait_for_url(re.compile(r"/submissions/[0-9a-f-]{36}/(\?wait=[0-9.]+)?$"))


# -------------------------------------------------------------------------------------- tests


def test_walkthrough_renders_network_and_mathml(live_server, page: Page, capsys) -> None:
    page.goto(f"{live_server.url}/walkthrough/")
    expect(page.locator("h1")).to_contain_text("Walkthrough")
    expect(page.locator("#walkthrough-network")).to_be_visible()
    assert page.locator("#walkthrough-network line.edge-weight").count() == 8
    assert page.locator("math").count() > 40
    # MathML is laid out natively: a fraction has real height, not a line of raw text.
    box = page.locator('.derivation[data-key="dE_dw6"] mfrac').first.bounding_box()
    assert box is not None and box["height"] > 20
    save_screenshot(page, "walkthrough.png", capsys)


def test_practice_all_correct_then_diagnosis_then_chinese(live_server, page: Page, capsys) -> None:
    page.goto(f"{live_server.url}/practice/")
    page.click('a[href="/practice/article-random/"]')
    page.wait_for_url(re.compile(r"/practice/article-random/[0-9a-f]{8}/$"))
    seed = page.url.rstrip("/").rsplit("/", 1)[-1]
    answers = reference_answers("article-random", seed)
    expect(page.locator("#practice-network")).to_be_visible()

    # Every box from the reference answers: everything correct.
    fill_answers(page, answers)
    submit_answers(page)
    live = page.locator("#submission-live")
    expect(live).to_have_attribute("data-status", "graded")
    # Practice shows progress per step over the parts answered (no percentage): all right here.
    assert page.locator("[data-testid=step-progress] .step-progress-value").all_inner_texts() == [
        "8/8", "3/3", "10/10", "10/10", "9/9"]
    expect(page.locator("[data-testid=nothing-to-fix]")).to_be_visible()
    assert page.locator("tr[data-status=correct]").count() == len(answers)
    assert page.locator("tr[data-status]:not([data-status=correct])").count() == 0
    assert page.locator("#worked-title").is_visible()
    save_screenshot(page, "practice-graded-all-correct.png", capsys)

    # One box wrong in a diagnosable way: the sign of ∂E_total/∂out_o1 flipped.
    page.click("text=Edit these answers and try again")
    expect(page.locator("#id_dE_dout_o1")).to_have_value(answers["dE_dout_o1"])
    flipped = f"{-float(answers['dE_dout_o1']):.6g}"
    page.fill("#id_dE_dout_o1", flipped)
    submit_answers(page)
    expect(live).to_have_attribute("data-status", "graded")
    row = page.locator('tr[data-key="dE_dout_o1"]')
    expect(row).to_have_attribute("data-status", "incorrect")
    spec = graders.generate("article-random", seed)
    report = graders.grade(spec, {**answers, "dE_dout_o1": flipped})
    diagnoses = report.parts["dE_dout_o1"].diagnoses
    assert diagnoses, "the grader diagnoses a flipped sign"
    expect(row.locator(".diagnosis").last).to_have_text(diagnoses[0].message["en"])
    save_screenshot(page, "practice-graded-diagnosis.png", capsys)

    # Switch to Chinese with the language form: same page, translated.
    page.select_option("#language-select", "zh-hans")
    page.click(".language-form button[type=submit]")
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("h1")).to_have_text("你的结果")
    expect(page.locator('tr[data-key="dE_dout_o1"] .status-pill')).to_have_text("错误")
    expect(page.locator('tr[data-key="dE_dout_o1"] .diagnosis').last).to_have_text(diagnoses[0].message["zh"])
    expect(page.locator("#worked-title")).to_have_text("本题的详细解答")
    save_screenshot(page, "practice-graded-zh.png", capsys)


def test_status_updates_live_without_reload(live_server, page: Page, monkeypatch, capsys) -> None:
    monkeypatch.setattr(enqueue, "enqueue_grading", lambda submission_id, queue=None, coalesce=False: True)  # hold grading back
    page.goto(f"{live_server.url}/practice/article/{SEED}/")
    fill_answers(page, {"net_h1": "0.325", "out_h1": "1/(1+exp(-0.325))"})
    submit_answers(page)
    live = page.locator("#submission-live")
    expect(live).to_have_attribute("data-status", "queued")
    expect(page.locator(".status-banner .status-pill")).to_have_text("Queued")
    save_screenshot(page, "submission-queued.png", capsys)
    page.evaluate("window.__sameDocument = true")

    submission = Submission.objects.get()
    pipeline.submission_grade(submission_id=submission.pk)

    expect(live).to_have_attribute("data-status", "graded", timeout=10_000)
    expect(live).to_have_attribute("data-final", "true")
    expect(page.locator('tr[data-key="out_h1"]')).to_have_attribute("data-status", "correct")
    expect(page.locator("#status-announcer")).to_have_text("Graded")
    assert page.evaluate("window.__sameDocument === true"), "the page was not reloaded"


def test_format_error_keeps_input_next_to_its_box(live_server, page: Page) -> None:
    page.goto(f"{live_server.url}/practice/article/{SEED}/")
    page.fill("#id_net_h1", "0.3.25")
    page.fill("#id_out_h1", "0.580542")
    page.press("#id_out_h1", "Enter")  # keyboard submit
    page.wait_for_load_state()
    expect(page.locator("#id_net_h1")).to_have_value("0.3.25")
    expect(page.locator("#id_out_h1")).to_have_value("0.580542")
    expect(page.locator("#id_net_h1")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_net_h1-error")).to_be_visible()
    expect(page.locator("#form-message")).to_be_visible()
    assert Submission.objects.count() == 0


def test_practice_page_fits_a_phone(live_server, browser: Browser, capsys) -> None:
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/practice/article/{SEED}/")
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")  # chosen from the browser
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, "no sideways scrolling on a phone"
        save_screenshot(page, "practice-phone-zh.png", capsys)
    finally:
        context.close()


def test_a_csp_violation_is_caught_by_the_shared_fixture(live_server, page: Page) -> None:
    # The site's policy allows no inline style: the browser refuses one, and the watch sees it.
    page.goto(f"{live_server.url}/")
    header = page.request.get(f"{live_server.url}/").headers["content-security-policy"]
    assert "default-src 'self'" in header and "unsafe-inline" not in header
    page.evaluate("document.body.setAttribute('style', 'outline: 1px solid red')")
    page.wait_for_timeout(300)
    caught = CSP.take()
    assert caught and "style-src" in caught[0], caught


def test_the_api_docs_work_under_the_content_security_policy(live_server, page: Page) -> None:
    page.goto(f"{live_server.url}/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("bpcourse API")
    expect(page.locator(".opblock-summary-path", has_text="/api/practice")).to_have_count(1)
    page.locator(".opblock-summary", has_text="/api/templates").first.click()
    expect(page.locator(".opblock-body").first).to_be_visible()


def test_the_admin_works_under_the_content_security_policy(live_server, page: Page, django_user_model) -> None:
    django_user_model.objects.create_superuser(username="root", password="pw-root-123456", email="r@example.org")
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "root")
    page.fill("#id_password", "pw-root-123456")
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_be_visible()
    for path in ("/admin/exercises/assignment/", "/admin/exercises/variant/", "/admin/auth/user/add/"):
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("#content")).to_be_visible()
