"""Two training steps in a browser: a wrong w5⁺ in step 1 carried correctly into step 2 earns
follow-through on the result page (English on a desktop, Chinese on a 390 px phone), and the
walkthrough's section for step 2. Screenshots: test-artifacts/screenshots/two-steps-*.png."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

import graders

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from browser_support import SCREENSHOTS, save_screenshot  # noqa: E402
from exercises.practice.walkthrough import walkthrough_context  # noqa: E402
from tests.graders.reference import two_training_steps  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TEMPLATE, SEED = "article-2step", "e2e2step"
CARRIED = ("s2_net_o1", "s2_out_o1", "s2_E_o1", "s2_dE_dw5")


def carried_answers() -> dict[str, str]:
    """Step 1's w5⁺ off by 0.04, and step 2's o1 values computed by hand from that w5⁺."""
    spec = graders.generate(TEMPLATE, SEED)
    own_w5 = two_training_steps(spec)["w5_new"] + 0.04
    own = two_training_steps(spec, override={5: own_w5})
    return {"w5_new": f"{own_w5:.6g}", **{key: f"{own[key]:.6g}" for key in CARRIED}}


@pytest.mark.parametrize("locale,viewport,name", [
    ("en-US", {"width": 1280, "height": 900}, "two-steps-desktop-en"),
    ("zh-CN", {"width": 390, "height": 844}, "two-steps-phone-zh"),
])
def test_a_wrong_w5_update_carried_into_step_2_is_credited(live_server, browser: Browser, capsys,
                                                           locale, viewport, name) -> None:
    context = browser.new_context(locale=locale, viewport=viewport)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/practice/{TEMPLATE}/{SEED}/")
    legend = page.locator("legend", has_text="Training step 2" if locale == "en-US" else "训练第 2 步").first
    expect(legend).to_be_visible()
    for key, text in carried_answers().items():
        page.fill(f"#id_{key}", text)
    page.locator("#id_s2_net_o1").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / f"{name}-sheet.png"))
    page.click("#submit-answers")
    page.wait_for_url(re.compile(r"/submissions/[0-9a-f-]{36}/(\?wait=[0-9.]+)?$"))
    notes = page.locator("[data-followthrough-notes] li")
    expect(notes).to_have_count(1)
    if locale == "en-US":
        expect(notes).to_have_text("4 later values follow from your w5⁺: credited.")
    else:
        expect(notes).to_have_text("后面 4 个值由你的 w5⁺ 推出：已给分。")
    for key in CARRIED:
        expect(page.locator(f'tr[data-key="{key}"]')).to_have_attribute("data-status", "followthrough")
    expect(page.locator('tr[data-key="w5_new"]')).to_have_attribute("data-status", "incorrect")
    box = page.locator("[data-followthrough-notes]").bounding_box()
    assert box is not None and box["width"] <= viewport["width"]
    save_screenshot(page, f"{name}-result.png", capsys)
    page.locator('tr[data-key="s2_net_o1"]').scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / f"{name}-result-step2.png"))
    context.close()


@pytest.mark.parametrize("locale,viewport,name", [
    ("en-US", {"width": 1280, "height": 900}, "two-steps-walkthrough-en.png"),
    ("zh-CN", {"width": 390, "height": 844}, "two-steps-walkthrough-zh.png"),
])
def test_the_walkthrough_shows_the_second_training_step(live_server, browser: Browser, locale, viewport,
                                                        name) -> None:
    context = browser.new_context(locale=locale, viewport=viewport)
    page = context.new_page()
    page.goto(f"{live_server.url}/walkthrough/#second-step")
    section = page.locator("#second-step")
    expect(section.locator("h2")).to_have_text("7. A second training step" if locale == "en-US" else "7. 第二个训练步")
    expect(section.locator('[data-key="s2_E_total"] math')).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"]  # nothing wider than the screen outside its scroll box
    section.screenshot(path=str(SCREENSHOTS / name))
    context.close()


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_the_two_step_pages_pass_axe_and_fit_a_phone(live_server, browser: Browser, locale) -> None:
    from test_accessibility_browser import BLOCKING, WIDER_THAN_VIEWPORT, run_axe

    walkthrough_context()  # the live server's thread shares this process: its first render is not timed
    context = browser.new_context(locale=locale, viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    found = []
    for url in ("/walkthrough/", f"/practice/{TEMPLATE}/{SEED}/"):
        page.goto(live_server.url + url)
        page.wait_for_load_state("networkidle")
        found += [f"{url}: {v['id']} {v['help']}" for v in run_axe(page) if v["impact"] in BLOCKING]
        wide = page.evaluate(WIDER_THAN_VIEWPORT)
        assert wide["overflow"] <= 1 and not wide["elements"], (url, wide)
    context.close()
    assert not found, found
