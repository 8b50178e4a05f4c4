"""The practice result page in a browser: the grouped follow-through note above the tables and a
near miss named on its row, in English on a desktop and in Chinese on a 390 px phone.
Screenshots: test-artifacts/screenshots/feedback-*.png."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Browser, expect

import graders
from graders.variants import ARTICLE_SPEC

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from browser_support import SCREENSHOTS, save_screenshot  # noqa: E402
from tests.graders.reference import forward  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def flipped_chain_answers() -> dict[str, str]:
    """The forward pass right, ∂E/∂out_o1's sign flipped and carried on, ∂E/∂w7 typed as δ_o2."""
    values = graders.solve(ARTICLE_SPEC).values
    answers = {key: f"{values[key]:.6g}" for key in ("net_h1", "out_h1", "net_h2", "out_h2", "net_o1", "out_o1",
                                                     "net_o2", "out_o2", "E_o1", "E_o2", "E_total")}
    (_, hidden), (_, out) = forward(ARTICLE_SPEC)
    t = np.array(ARTICLE_SPEC["targets"])
    flipped = t[0] - out[0]
    delta = flipped * out[0] * (1 - out[0])
    delta_o2 = (out[1] - t[1]) * out[1] * (1 - out[1])
    answers.update({"dE_dout_o1": f"{flipped:.6g}", "delta_o1": f"{delta:.6g}",
                    "dE_dw5": f"{delta * hidden[0]:.6g}", "dE_dw6": f"{delta * hidden[1]:.6g}",
                    "dE_dw7": f"{delta_o2:.6g}"})
    return answers


@pytest.mark.parametrize("locale,viewport,name", [
    ("en-US", {"width": 1280, "height": 900}, "feedback-desktop-en.png"),
    ("zh-CN", {"width": 390, "height": 844}, "feedback-phone-zh.png"),
])
def test_the_result_page_groups_follow_through_and_names_the_near_miss(live_server, browser: Browser, capsys,
                                                                       locale, viewport, name) -> None:
    context = browser.new_context(locale=locale, viewport=viewport)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/practice/article/p11a/")
    for key, text in flipped_chain_answers().items():
        page.fill(f"#id_{key}", text)
    page.click("#submit-answers")
    page.wait_for_url(re.compile(r"/submissions/[0-9a-f-]{36}/(\?wait=[0-9.]+)?$"))
    notes = page.locator("[data-followthrough-notes] li")
    expect(notes).to_have_count(1)
    row = page.locator('tr[data-key="dE_dw7"] [data-diagnosis="delta_for_weight_gradient"]')
    if locale == "en-US":
        expect(notes).to_have_text("3 later values follow from your ∂E_total/∂out_o1 (wrong sign): credited.")
        expect(row).to_contain_text("You entered ∂E_total/∂net_o2 as ∂E_total/∂w7, forgetting the × out_h1 factor")
    else:
        expect(notes).to_have_text("后面 3 个值由你的 ∂E_total/∂out_o1（符号反了） 推出：已给分。")
        expect(row).to_contain_text("你把 ∂E_total/∂net_o2 当成了 ∂E_total/∂w7，漏乘了 out_h1")
    notes_box = page.locator("[data-followthrough-notes]").bounding_box()
    assert notes_box is not None and notes_box["width"] <= viewport["width"]  # fits the phone
    save_screenshot(page, name, capsys)
    page.locator("[data-followthrough-notes]").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / name.replace(".png", "-notes.png")))  # the viewport around the note
    page.locator('tr[data-key="dE_dw7"]').scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / name.replace(".png", "-row.png")))
    context.close()
