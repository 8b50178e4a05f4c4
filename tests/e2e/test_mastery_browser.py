"""Issue 15 in a real browser (Debian's Chromium via Playwright): "My progress" and one adaptive
exercise. A student who flipped the sign of ∂E/∂out in three practice variants opens My progress
(next: output-layer gradients), presses "Practise what I get wrong", gets an exercise asking only
the output-layer gradients with the forward pass given, answers it right and sees the result and
the skill's new point. Screenshots: English at 1280×900, Chinese at 390×844 (nothing wider than
the phone's screen), no serious or critical axe-core violation. Every page reports Content-Security-Policy violations (browser_support)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from exercises.grading.variants import variant_solution
from exercises.models import Variant
from exercises.practice import services as practice_services

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser_support import SCREENSHOTS, log_in, make_user, new_page, save_screenshot  # noqa: E402
from test_accessibility_browser import BLOCKING, run_axe  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def flipped_history(user) -> None:
    """Three whole article-random variants, right except ∂E/∂out of each output (sign flipped)."""
    for i in range(3):
        variant = practice_services.variant_create(template="article-random", seed=f"flip-e2e-{i}", owner=user)
        values = variant_solution(variant=variant).values
        answers = {p.key: f"{(-values[p.key] if p.key.startswith('dE_dout_o') else values[p.key]):.6g}"
                   for p in variant_solution(variant=variant).parts}
        practice_services.submission_create(variant=variant, answers=answers, user=user)


def fill_right_answers(page: Page, variant: Variant) -> None:
    values = variant_solution(variant=variant).values
    for key in variant.focus["parts"]:
        page.fill(f"#id_{key}", f"{values[key]:.6g}")


def serious_axe_violations(page: Page) -> list[str]:
    return [f"{page.url}: {v['id']} ({v['impact']}) {v['nodes']}" for v in run_axe(page) if v["impact"] in BLOCKING]


def no_page_overflow(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_my_progress_and_an_adaptive_exercise_in_english_and_in_chinese_on_a_phone(
    live_server, browser: Browser, capsys
) -> None:
    user = make_user("flipper")
    flipped_history(user)

    context, page = new_page(browser)
    log_in(page, live_server.url, "flipper", then="/progress/")
    focus = page.get_by_test_id("next-focus")
    expect(focus).to_have_attribute("data-step", "output_gradients")
    expect(focus).to_contain_text("wrong sign")
    expect(page.get_by_test_id("recent-misconceptions")).to_contain_text("wrong sign")
    assert page.locator("svg.chart-mastery").count() == 6  # five steps and the sign flip
    save_screenshot(page, "mastery-progress-en.png", capsys)
    found = serious_axe_violations(page)

    page.click("#adaptive-start")
    page.wait_for_url(re.compile(r"/adaptive/[0-9a-f-]{36}/$"))
    variant = Variant.objects.get(pk=page.url.rstrip("/").rsplit("/", 1)[-1])
    assert variant.focus["step"] == "output_gradients"
    assert page.locator("fieldset.step-fieldset").count() == 1
    assert page.locator(".answer-field input").count() == len(variant.focus["parts"])
    expect(page.get_by_test_id("adaptive-focus")).to_contain_text("wrong sign")
    expect(page.locator("main")).to_contain_text("Earlier results (given)")
    fill_right_answers(page, variant)
    save_screenshot(page, "mastery-adaptive-en.png", capsys)
    found += serious_axe_violations(page)
    page.click("#submit-answers")
    page.wait_for_url(re.compile(r"/submissions/[0-9a-f-]{36}/$"))
    expect(page.locator(".status-pill.status-graded").first).to_be_visible()
    expect(page.locator("#adaptive-next")).to_be_visible()
    save_screenshot(page, "mastery-adaptive-result-en.png", capsys)
    context.close()

    phone, page = new_page(browser, locale="zh-CN")
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server.url, "flipper", then="/progress/")
    expect(page.locator("h1")).to_have_text("我的进度")
    expect(page.get_by_test_id("skill-output_gradients")).to_contain_text("输出层")
    points = page.locator("#mastery-output_gradients circle.point")
    assert points.count() == 4  # three flipped attempts, then the adaptive one
    assert no_page_overflow(page)
    save_screenshot(page, "mastery-progress-zh-390.png", capsys)
    found += serious_axe_violations(page)
    page.locator("#mastery-sign_flipped").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "mastery-progress-zh-390-screen.png"))  # one screen, full size
    page.click("#adaptive-start")
    page.wait_for_url(re.compile(r"/adaptive/[0-9a-f-]{36}/$"))
    expect(page.get_by_test_id("adaptive-focus")).to_contain_text("前面步骤的结果")
    assert no_page_overflow(page)
    save_screenshot(page, "mastery-adaptive-zh-390.png", capsys)
    found += serious_axe_violations(page)
    phone.close()
    assert not found, "axe-core violations:\n" + "\n".join(found)
