"""Issue 11 in a real browser (Debian's Chromium via Playwright): practice that teaches.

A student submits only the forward pass: no expected value and no worked-solution line of any
other step appears in the page or in the API's answer; the result page opens with the summary
(screenshots: desktop 1280×900 and phone 390×844, English and Chinese). Typed answers survive
a reload, leaving asks first, and "New variant" asks first. Homework "Save" uses no attempt.
Every page reports Content-Security-Policy violations (browser_support); any one fails the test.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

import graders
from exercises.models import HomeworkDraft, Submission

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser_support import open_homework, log_in, new_page, save_screenshot  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TEMPLATE, SEED = "article-random", "teach-e2e"
FORWARD = ("net_h1", "out_h1", "net_h2", "out_h2", "net_o1", "out_o1", "net_o2", "out_o2")


def solution() -> graders.Solution:
    return graders.solve(graders.generate(TEMPLATE, SEED))


def forward_answers() -> dict[str, str]:
    values = solution().values
    answers = {key: f"{values[key]:.6g}" for key in FORWARD}
    answers["out_h2"] = f"{values['net_h2']:.6g}"  # net where out belongs: one part to fix
    return answers


def leaked_values(text: str) -> list[str]:
    """Reference values of parts outside the forward pass that appear in `text` (6 and 17 digits)."""
    values = solution().values
    found = []
    for part in solution().parts:
        if part.step != "forward":
            for shown in (f"{values[part.key]:.6g}", repr(values[part.key])):
                if shown in text:
                    found.append(f"{part.key}={shown}")
    return found


def test_forward_pass_only_reveals_nothing_else_drafts_survive_and_leaving_asks(
    live_server, browser: Browser, capsys
) -> None:
    context, page = new_page(browser)
    url = f"{live_server.url}/practice/{TEMPLATE}/{SEED}/"
    page.goto(url)
    answers = forward_answers()
    for key, text in answers.items():
        page.fill(f"#id_{key}", text)

    # Every question the page asks is recorded, then accepted or dismissed as `answer` says.
    asked: list[tuple[str, str]] = []
    answer = {"accept": True}

    def on_dialog(dialog) -> None:
        asked.append((dialog.type, dialog.message))
        dialog.accept() if answer["accept"] else dialog.dismiss()

    page.on("dialog", on_dialog)

    # A reload brings the typed answers back from the browser's storage, with a note saying so.
    page.reload()
    for key, text in answers.items():
        expect(page.locator(f"#id_{key}")).to_have_value(text)
    expect(page.locator("[data-testid=draft-note]")).to_be_visible()

    # "New variant" asks first when there is typed, unsent work; dismissing keeps the page and its boxes.
    page.fill("#id_net_h1", "")
    page.type("#id_net_h1", answers["net_h1"])
    asked.clear()
    answer["accept"] = False
    page.locator(".form-footer [data-testid=new-variant]").click()
    page.wait_for_timeout(300)
    assert asked and asked[0][0] == "confirm" and "not sent yet" in asked[0][1]
    assert page.url == url
    expect(page.locator("#id_net_h1")).to_have_value(answers["net_h1"])

    # Leaving the page with typed, unsent work fires the leave warning (beforeunload).
    page.fill("#id_E_o1", "0.5")
    page.evaluate("document.getElementById('id_E_o1').dispatchEvent(new Event('input', {bubbles: true}))")
    page.fill("#id_E_o1", "")
    page.evaluate("document.getElementById('id_E_o1').dispatchEvent(new Event('input', {bubbles: true}))")
    asked.clear()
    page.evaluate("window.location.href = '/practice/'")
    page.wait_for_timeout(500)
    assert [kind for kind, _message in asked] == ["beforeunload"], asked
    assert page.url == url  # the warning was dismissed: still here

    # Submit only the forward pass.
    asked.clear()
    page.click("#submit-answers")
    page.wait_for_url(re.compile(r"/submissions/[0-9a-f-]{36}/(\?wait=[0-9.]+)?$"))
    expect(page.locator("#submission-live")).to_have_attribute("data-status", "graded")
    html = page.content()
    assert leaked_values(html) == []
    worked = set(page.locator(".derivation").evaluate_all("lines => lines.map(l => l.dataset.key)"))
    # Lines whose numbers read the unrevealed out_h2 (net_o1, net_o2) stay hidden too.
    assert worked == set(FORWARD) - {"out_h2", "net_o1", "net_o2"}, worked
    # The page opens with the summary: it comes before the results, names the part to fix,
    # and shows progress over the parts answered.
    assert html.index('data-testid="results-summary"') < html.index('id="results-title"')
    expect(page.locator("[data-testid=problem-list] li")).to_have_count(1)
    expect(page.locator("[data-testid=problem-list] li a").first).to_have_attribute("href", "#part-out_h2")
    assert page.locator("[data-testid=step-progress] .step-progress-value").all_inner_texts() == [
        "7/8", "—", "—", "—", "—"]
    expect(page.locator("[data-testid=score]")).to_have_count(0)
    assert asked == []  # sending the answers asks nothing
    # Back to the sheet: the typed answers are there again.
    result_url = page.url
    page.go_back()
    page.wait_for_url(url)
    expect(page.locator("#id_out_o2")).to_have_value(answers["out_o2"])
    page.goto(result_url)
    submission_id = page.url.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
    api = page.request.get(f"{live_server.url}/api/submissions/{submission_id}").json()
    assert {p["key"] for p in api["parts"] if p["expected"] is not None} == set(FORWARD) - {"out_h2"}
    assert leaked_values(str(api)) == []

    # "Show only problems" hides the correct rows; the summary link leads to the row.
    page.check("#only-problems")
    expect(page.locator('tr[data-key="net_h1"]')).to_be_hidden()
    expect(page.locator('tr[data-key="out_h2"]')).to_be_visible()
    page.uncheck("#only-problems")
    save_screenshot(page, "issue11-result-desktop-en.png", capsys)

    # The same page in Chinese, chosen with the language form.
    page.select_option("#language-select", "zh-hans")
    page.click(".language-form button[type=submit]")
    page.wait_for_load_state()
    expect(page.locator("#summary-title")).to_have_text("概览")
    save_screenshot(page, "issue11-result-desktop-zh.png", capsys)

    # On a 390 px phone (the same browser session's cookies), both languages.
    cookies = context.cookies()
    for locale, lang, name in (("zh-CN", "zh-hans", "zh"), ("en-US", "en", "en")):
        phone = browser.new_context(locale=locale, viewport={"width": 390, "height": 844}, is_mobile=True,
                                    has_touch=True, device_scale_factor=2)
        phone.add_cookies([c for c in cookies if c["name"] != "django_language"])
        mobile = phone.new_page()
        mobile.goto(f"{live_server.url}/submissions/{submission_id}/")
        expect(mobile.locator("html")).to_have_attribute("lang", lang)
        expect(mobile.locator("[data-testid=results-summary]")).to_be_visible()
        overflow = mobile.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        wide = mobile.evaluate("""Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > 391).slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
        assert overflow <= 1, (overflow, wide)
        save_screenshot(mobile, f"issue11-result-phone-{name}.png", capsys)
        phone.close()

    # "Show answer" on the wrong part reveals it, and only it.
    page.goto(f"{live_server.url}/submissions/{submission_id}/")
    page.locator('tr[data-key="out_h2"] [data-testid=show-answer]').click()
    page.wait_for_url(re.compile(r"#part-out_h2$"))
    expect(page.locator('tr[data-key="out_h2"] td.num')).to_have_text(f"{solution().values['out_h2']:.6g}")
    assert leaked_values(page.content()) == []
    context.close()


def test_homework_save_uses_no_attempt_and_comes_back(live_server, browser: Browser, capsys) -> None:
    assignment = open_homework("prof11", "stu11", "Drafts", title="Saved work", attempts_allowed=3)
    context, page = new_page(browser)
    log_in(page, live_server.url, "stu11")
    page.goto(f"{live_server.url}/assignments/{assignment.pk}/")
    expect(page.locator("[data-testid=attempts-left]")).to_have_text("3")
    page.fill("#id_net_h1", "0.3775")
    page.fill("#id_out_h1", "1/(1+exp(-0.3775))")
    page.click("#save-answers")
    page.wait_for_load_state()
    expect(page.locator("[data-testid=draft-saved]")).to_be_visible()
    expect(page.locator("[data-testid=attempts-left]")).to_have_text("3")
    assert Submission.objects.count() == 0 and HomeworkDraft.objects.count() == 1
    # Coming back later: the saved answers are in their boxes, with the saved time.
    page.goto(f"{live_server.url}/courses/")
    page.goto(f"{live_server.url}/assignments/{assignment.pk}/")
    expect(page.locator("#id_out_h1")).to_have_value("1/(1+exp(-0.3775))")
    expect(page.locator("[data-testid=draft-saved] time")).to_contain_text("UTC")
    save_screenshot(page, "issue11-homework-saved.png", capsys)
    # "Submit for grading" is the one that uses an attempt.
    page.click("#submit-answers")
    page.wait_for_url(re.compile(r"/homework/submissions/[0-9a-f-]{36}/$"))
    assert Submission.objects.count() == 1
    context.close()
