"""axe-core on every main page, in English and Chinese, at 1280×900 and 390×844; pages that fit a
phone; network diagrams whose labels never overlap.

axe-core is vendored in tests/e2e/vendor/ (axe.min.js 4.14.1 from the npm registry, MPL-2.0, licence
beside it), so the test runs offline. The site's Content-Security-Policy refuses inline scripts, so
the script is run with page.evaluate (a CDP call, which CSP does not govern), not a <script> tag.
Screenshots go to test-artifacts/screenshots/a11y-*.png; their absolute paths are printed.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

import graders
from exercises.courses.services import assignments as assignment_services
from exercises.courses.services import courses as course_services
from exercises.courses.services import homework as homework_services
from exercises.courses.services import publishing as publishing_services
from exercises.courses.services.instructors import instructor_grant
from exercises.grading.variants import variant_spec
from exercises.practice import services as practice_services

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser_support import SCREENSHOTS, log_in, make_user, save_screenshot  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
LOCALES = {"en": "en-US", "zh": "zh-CN"}
BLOCKING = ("serious", "critical")

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: " + n.failureSummary.replace(/\\n/g, " ")),
  }));
}"""

# Elements wider than the viewport (or reaching past its right edge) that are not inside an element
# that scrolls sideways itself (overflow-x auto/scroll): what a phone would clip or scroll the page for.
WIDER_THAN_VIEWPORT = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if ((o === "auto" || o === "scroll") && p !== document.body && p !== document.documentElement) return true;
    }
    return false;
  };
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    if (el.closest(".visually-hidden, .skip-link")) continue;  // off-screen on purpose, for screen readers
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if ((box.right > width + 1 || box.left < -1) && !scrolls(el)) {
      out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + "." + el.className + " " + Math.round(box.left) + ".." + Math.round(box.right));
    }
  }
  return {overflow: document.documentElement.scrollWidth - width, elements: out.slice(0, 10)};
}"""


@dataclass
class Site:
    """The data behind every main page, and who may see each."""

    pages: dict[str, tuple[str | None, str]]


def run_axe(page: Page) -> list[dict[str, Any]]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(RUN_AXE)


@pytest.fixture
def site(live_server) -> Site:
    prof = make_user("prof", first_name="Ada", last_name="Lovelace")
    instructor_grant(user=prof)
    sam = make_user("sam", first_name="Sam", last_name="Student")
    course = course_services.course_create(title="Neural networks 101", instructor=prof)
    course_services.course_join(code=course.code, user=sam)
    now = timezone.now()
    assignment = assignment_services.assignment_create(course=course, actor=prof, data={
        "title": "Homework 1", "template_config": {"builtin": "article-random"},
        "opens_at": now - timedelta(hours=1), "due_at": now + timedelta(days=1),
    })
    publishing_services.assignment_publish(assignment=assignment, actor=prof)
    variant = homework_services.homework_variant(assignment=assignment, student=sam)
    solution = graders.solve(variant_spec(variant=variant))
    answers = {p.key: f"{solution.values[p.key]:.6g}" for p in solution.parts[:12]}
    answers[solution.parts[3].key] = f"{-solution.values[solution.parts[3].key]:.6g}"
    homework = homework_services.homework_submit(assignment=assignment, student=sam, answers=answers)
    practice_variant = practice_services.variant_create(template="article", seed="a11y", owner=sam)
    practice_solution = graders.solve(graders.generate("article", "a11y"))
    practice_answers = {p.key: f"{practice_solution.values[p.key]:.6g}" for p in practice_solution.parts}
    practice_answers["dE_dout_o1"] = f"{-practice_solution.values['dE_dout_o1']:.6g}"
    practice = practice_services.submission_create(variant=practice_variant, answers=practice_answers, user=sam)
    return Site(pages={
        "home": (None, "/"),
        "walkthrough": (None, "/walkthrough/"),
        "practice-list": (None, "/practice/"),
        "practice-form": (None, "/practice/article/a11y/"),
        "practice-result": ("sam", f"/submissions/{practice.pk}/"),
        "login": (None, "/accounts/login/"),
        "signup": (None, "/accounts/signup/"),
        "history": ("sam", "/history/"),
        "my-courses": ("sam", "/courses/"),
        "homework-form": ("sam", f"/assignments/{assignment.pk}/"),
        "homework-result": ("sam", f"/homework/submissions/{homework.pk}/"),
        "course-staff": ("prof", f"/courses/{course.pk}/"),
        "authoring": ("prof", f"/courses/{course.pk}/assignments/new/"),
        "gradebook": ("prof", f"/courses/{course.pk}/gradebook/"),
        "drill-down": ("prof", f"/assignments/{assignment.pk}/students/{sam.pk}/"),
        "analytics": ("prof", f"/assignments/{assignment.pk}/analytics/"),
        "regrade": ("prof", f"/assignments/{assignment.pk}/regrade/"),
    })


@pytest.fixture
def contexts(browser: Browser) -> Iterator[dict[tuple[str, str, str | None], BrowserContext]]:
    made: dict[tuple[str, str, str | None], BrowserContext] = {}
    yield made
    for context in made.values():
        context.close()


def page_for(browser: Browser, made: dict, base: str, language: str, viewport: str, user: str | None) -> Page:
    key = (language, viewport, user)
    if key not in made:
        phone = viewport == "phone"
        context = browser.new_context(locale=LOCALES[language], viewport=VIEWPORTS[viewport], is_mobile=phone,
                                      has_touch=phone)
        context.set_default_timeout(15_000)
        page = context.new_page()
        if user:
            log_in(page, base, user)
        made[key] = context
    return made[key].pages[0]


@pytest.mark.parametrize("language", list(LOCALES))
def test_every_main_page_has_no_serious_or_critical_axe_violation(live_server, browser: Browser, site: Site,
                                                                   contexts, language: str, capsys) -> None:
    found: list[str] = []
    for viewport in VIEWPORTS:
        for name, (user, url) in site.pages.items():
            page = page_for(browser, contexts, live_server.url, language, viewport, user)
            page.goto(live_server.url + url)
            page.wait_for_load_state("networkidle")
            for violation in run_axe(page):
                if violation["impact"] in BLOCKING:
                    found.append(f"{language} {viewport} {name} {url}: [{violation['impact']}] {violation['id']}: "
                                 f"{violation['help']}\n      " + "\n      ".join(violation["nodes"]))
    assert not found, "axe-core violations:\n" + "\n".join(found)


# ------------------------------------------------------------------------------------ phone


PHONE_PAGES = ("practice-form", "practice-result", "walkthrough", "homework-form", "homework-result", "gradebook",
               "analytics", "drill-down", "authoring", "course-staff")


def phone(browser: Browser, base: str, user: str | None, language: str = "en") -> tuple[BrowserContext, Page]:
    context = browser.new_context(locale=LOCALES[language], viewport=VIEWPORTS["phone"], is_mobile=True,
                                  has_touch=True, device_scale_factor=2)
    context.set_default_timeout(15_000)
    page = context.new_page()
    if user:
        log_in(page, base, user)
    return context, page


def test_on_a_phone_nothing_is_wider_than_the_screen_outside_a_scroll_container(live_server, browser: Browser,
                                                                                site: Site, capsys) -> None:
    contexts: dict[str | None, tuple[BrowserContext, Page]] = {}
    try:
        for name in PHONE_PAGES:
            user, url = site.pages[name]
            if user not in contexts:
                contexts[user] = phone(browser, live_server.url, user)
            page = contexts[user][1]
            page.goto(live_server.url + url)
            page.wait_for_load_state("networkidle")
            found = page.evaluate(WIDER_THAN_VIEWPORT)
            assert found["overflow"] <= 1 and not found["elements"], (name, found)
            if name in ("practice-form", "practice-result", "walkthrough"):
                save_screenshot(page, f"a11y-phone-{name}.png", capsys)
    finally:
        for context, _page in contexts.values():
            context.close()


def test_on_a_phone_the_nav_is_a_menu_and_inputs_do_not_zoom(live_server, browser: Browser, site: Site,
                                                             capsys) -> None:
    context, page = phone(browser, live_server.url, "prof", "zh")
    try:
        page.goto(live_server.url + "/practice/article/a11y/")
        toggle = page.locator(".menu-toggle")
        expect(toggle).to_be_visible()
        expect(toggle).to_have_text("菜单")
        expect(page.locator(".site-nav")).to_be_hidden()
        header = page.locator(".site-header").bounding_box()
        assert header is not None and header["height"] < 80, header  # one row, not three
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        expect(page.locator(".site-nav a", has_text="历史记录").or_(page.locator(".site-nav a").nth(2))).to_be_visible()
        expect(page.locator(".site-menu button", has_text="退出登录")).to_be_visible()
        page.screenshot(path=str(screenshot_path("a11y-phone-menu-open-zh.png", capsys)))
        page.keyboard.press("Escape")
        expect(page.locator(".site-nav")).to_be_hidden()
        size = page.evaluate("getComputedStyle(document.querySelector('#id_net_h1')).fontSize")
        assert size == "16px"
    finally:
        context.close()


def test_on_a_phone_the_given_values_stay_at_hand_while_answering(live_server, browser: Browser, capsys) -> None:
    context, page = phone(browser, live_server.url, None)
    try:
        page.goto(f"{live_server.url}/practice/article/a11y/")
        drawer = page.locator(".givens-drawer")
        page.locator(".answer-field input").last.scroll_into_view_if_needed()
        page.locator(".answer-field input").last.focus()
        box = drawer.bounding_box()
        assert box is not None and -1 <= box["y"] <= 2, box  # stuck to the top of the screen
        drawer.locator("summary").click()
        expect(drawer.locator(".givens li", has_text="0.05")).to_be_visible()
        page.screenshot(path=str(screenshot_path("a11y-phone-givens-drawer.png", capsys)))
    finally:
        context.close()


# ----------------------------------------------------------------------------------- diagrams

# Every pair of text boxes in the drawn SVG (getBBox, in the SVG's own units): none may overlap.
OVERLAPPING_TEXT = """(selector) => {
  const svg = document.querySelector(selector);
  const texts = Array.from(svg.querySelectorAll("text"));
  const boxes = texts.map(t => { const b = t.getBBox(); return {text: t.textContent, x: b.x, y: b.y, w: b.width, h: b.height}; });
  const clash = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], b = boxes[j];
    if (a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h) clash.push(a.text + " / " + b.text);
  }
  return {count: boxes.length, clash: clash};
}"""


@pytest.mark.parametrize("template", ["deep-4-8-8-3", "tanh-2-3-1", "relu-3-3-2"])
def test_no_two_labels_of_a_drawn_diagram_overlap(live_server, browser: Browser, template: str, capsys) -> None:
    context = browser.new_context(locale="en-US", viewport=VIEWPORTS["desktop"])
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/practice/{template}/a11y/")
        result = page.evaluate(OVERLAPPING_TEXT, "#practice-network")
        assert result["count"] > 10 and result["clash"] == [], result
        figure = page.locator("figure:has(#practice-network)")
        figure.screenshot(path=str(screenshot_path(f"a11y-diagram-{template}.png", capsys)))
        # Hovering an edge lights it and its label; the rest dims.
        box = page.locator('#practice-network .wire[data-edge="w1"]').bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        lit = page.locator("#practice-network .is-lit")
        assert lit.count() >= 1
        if template != "deep-4-8-8-3":
            expect(page.locator("#practice-network .edge-tag.is-lit")).to_have_count(1)
        else:  # no labels on its crowded layers: the weight table's cell lights instead
            expect(page.locator("#practice-network-weights td.is-lit")).to_have_count(1)
        # The keyboard: one tab stop, arrows between neurons; a focused neuron lights its connections.
        page.mouse.move(0, 0)
        page.locator('#practice-network .node-stop[tabindex="0"]').focus()
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowDown")
        focused = page.evaluate("document.activeElement.getAttribute('data-node')")
        assert focused in ("h2", "h1_2"), focused
        expect(page.locator(f'#practice-network .wire.is-lit[data-to="{focused}"]').first).to_be_attached()
        assert page.locator('#practice-network .node-stop[tabindex="0"]').count() == 1
    finally:
        context.close()


def screenshot_path(name: str, capsys) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = (SCREENSHOTS / name).resolve()
    with capsys.disabled():
        print(f"\nscreenshot: {path}")
    return path


# ------------------------------------------------------------------------------ format errors


def test_after_a_format_error_focus_is_on_a_summary_whose_links_reach_the_boxes(live_server, browser: Browser,
                                                                                capsys) -> None:
    context = browser.new_context(locale="en-US", viewport=VIEWPORTS["desktop"])
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/practice/article/a11y/")
        page.fill("#id_net_h1", "0.3.25")
        page.fill("#id_out_h1", "½")
        page.press("#id_out_h1", "Enter")
        page.wait_for_load_state()
        summary = page.locator(".error-summary")
        expect(summary).to_be_focused()
        expect(summary.locator("a")).to_have_count(2)
        expect(summary).to_contain_text("“½” U+00BD")
        save_screenshot(page, "a11y-format-error-summary.png", capsys)
        summary.locator('a[href="#id_out_h1"]').click()
        expect(page.locator("#id_out_h1")).to_be_focused()
        ring = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert ring == "solid"
    finally:
        context.close()
