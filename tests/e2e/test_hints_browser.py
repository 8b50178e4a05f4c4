"""Issue 15 in a real browser (Debian's Chromium via Playwright): hints on demand.

A student asks for the three hint levels of a part, one button press each, in English and in
Chinese (in place, with JavaScript; and without it, through the form and back); level 3 puts in
the student's own typed value. In homework, the page states what hints cost before the student
asks, and the result of a submission made after three hints shows the cost taken off that part
(screenshots: 1280×900 and 390×844). Every page reports Content-Security-Policy violations.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

import graders
from exercises.models import Submission, Variant

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser_support import log_in, new_page, open_homework, save_screenshot  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TEMPLATE, SEED = "article-random", "hints-e2e"
PHONE = {"width": 390, "height": 844}
COSTS = {"hint_penalty_1": 0.1, "hint_penalty_2": 0.15, "hint_penalty_3": 0.25}


def ask_three(page: Page, part: str, labels: tuple[str, str, str]) -> None:
    """Press the part's hint button three times, waiting for each level to appear in place."""
    panel = page.locator(f"#hint-{part}")
    for level, label in enumerate(labels, start=1):
        button = panel.locator("[data-hint-button]")
        expect(button).to_contain_text(label)
        url = page.url
        button.click()
        expect(panel.locator(f'[data-hint-level="{level}"]')).to_be_visible()
        assert page.url == url  # in place: the page did not reload
    expect(panel.locator("[data-hint-button]")).to_have_count(0)


def test_three_hint_levels_in_place_in_english_and_chinese(live_server, browser: Browser, capsys) -> None:
    url = f"{live_server.url}/practice/{TEMPLATE}/{SEED}/"
    context, page = new_page(browser)
    page.goto(url)
    page.fill("#id_out_h1", "0.61")  # the student's own (wrong) out_h1
    ask_three(page, "dE_dw5", ("Hint 1", "Hint 2", "Hint 3"))
    panel = page.locator("#hint-dE_dw5")
    expect(panel.locator('[data-hint-level="1"]')).to_contain_text("∂E_total/∂out_o1, ∂out_o1/∂net_o1, out_h1")
    expect(panel.locator('[data-hint-level="2"] math')).to_be_visible()
    level3 = panel.locator('[data-hint-level="3"]')
    expect(level3).to_contain_text("Your own values: out_h1")
    assert "0.61" in level3.locator("math").inner_html()
    values = graders.solve(graders.generate(TEMPLATE, SEED)).values
    assert f"{values['dE_dw5']:.6g}" not in panel.inner_html()  # short of the final number
    assert f"{values['out_h1']:.6g}" not in panel.inner_html()  # no unseen reference value
    expect(panel.locator("[data-hint-levels]")).to_have_attribute("aria-live", "polite")
    assert Variant.objects.get(seed=SEED).hints_used == {"dE_dw5": 3}
    save_screenshot(page, "issue15-practice-hints-en.png", capsys)
    page.set_viewport_size(PHONE)
    panel.scroll_into_view_if_needed()
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= PHONE["width"], wide
    save_screenshot(page, "issue15-practice-hints-en-390.png", capsys)
    context.close()

    context, page = new_page(browser, locale="zh-CN", viewport=PHONE)
    page.goto(url)
    ask_three(page, "out_h1", ("提示 1", "提示 2", "提示 3"))
    expect(page.locator('#hint-out_h1 [data-hint-level="1"]')).to_contain_text("取决于")
    expect(page.locator('#hint-out_h1 [data-hint-level="3"]')).to_contain_text("代入数值后的")
    save_screenshot(page, "issue15-practice-hints-zh-390.png", capsys)
    context.close()


def test_hints_work_without_javascript_and_keep_the_typed_answers(live_server, browser: Browser, capsys) -> None:
    context, page = new_page(browser, java_script_enabled=False)
    page.goto(f"{live_server.url}/practice/{TEMPLATE}/{SEED}-nojs/")
    page.fill("#id_net_h1", "0.4")
    for level in (1, 2, 3):
        page.locator("#hint-out_h1 [data-hint-button]").click()
        page.wait_for_url(re.compile(r"#hint-out_h1$"))
        expect(page.locator(f'#hint-out_h1 [data-hint-level="{level}"]')).to_be_visible()
        expect(page.locator("#id_net_h1")).to_have_value("0.4")
    assert "<mn>0.4</mn>" in page.locator('#hint-out_h1 [data-hint-level="3"] math').inner_html()
    save_screenshot(page, "issue15-practice-hints-nojs.png", capsys)
    context.close()


@pytest.mark.parametrize("locale, labels, cost_note, used", [
    ("en-US", ("Hint 1 (costs 10 %", "Hint 2 (costs 15 %", "Hint 3 (costs 25 %"),
     "hint 1 takes 10 % of the part's points", "Hint 3 used: −50 % of this part's points."),
    ("zh-CN", ("提示 1（扣该小题分值的 10 %", "提示 2（扣该小题分值的 15 %", "提示 3（扣该小题分值的 25 %"),
     "提示 1 扣该小题分值的 10 %", "用了提示 3：扣该小题分值的 50 %。"),
])
def test_homework_states_the_costs_and_the_result_applies_them(live_server, browser: Browser, capsys,
                                                              locale, labels, cost_note, used) -> None:
    tag = locale[:2]
    assignment = open_homework(f"prof15{tag}", f"stu15{tag}", f"Hints {tag}", title="Hints cost", **COSTS)
    context, page = new_page(browser, locale=locale)
    log_in(page, live_server.url, f"stu15{tag}")
    page.goto(f"{live_server.url}/assignments/{assignment.pk}/")
    expect(page.locator("[data-testid=hint-costs]")).to_contain_text(cost_note)
    ask_three(page, "dE_dw5", labels)
    save_screenshot(page, f"issue15-homework-hints-{tag}.png", capsys)
    variant = Variant.objects.get(assignment=assignment)
    values = graders.solve(variant.numbers.spec).values
    for part in graders.solve(variant.numbers.spec).parts:
        page.fill(f"#id_{part.key}", f"{values[part.key]:.10g}")
    page.click("#submit-answers")
    page.wait_for_url(re.compile(r"/homework/submissions/[0-9a-f-]{36}/$"))
    expect(page.locator("[data-testid=status-banner] .status-pill")).to_have_attribute("data-status", "graded")
    submission = Submission.objects.get(variant=variant)
    assert submission.score == pytest.approx(1.0)
    assert submission.final_score == pytest.approx(1 - 0.5 / 40)  # one of 40 parts lost half its point
    expect(page.locator("[data-testid=score]")).to_have_text("98.8\u00a0%")  # the percent filter: one decimal
    expect(page.locator("[data-testid=hint-loss]")).to_be_visible()
    row = page.locator('tr[data-key="dE_dw5"]')
    row.locator("xpath=ancestor::details").evaluate("el => el.open = true")
    expect(row.locator("[data-hint-used]")).to_have_text(used)
    save_screenshot(page, f"issue15-homework-result-{tag}.png", capsys)
    page.set_viewport_size(PHONE)
    row.scroll_into_view_if_needed()
    save_screenshot(page, f"issue15-homework-result-{tag}-390.png", capsys)
    context.close()
