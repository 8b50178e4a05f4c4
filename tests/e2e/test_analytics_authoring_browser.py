"""In Chromium: the analytics page (misconceptions by students, linked to who made them; item
analysis) passes axe-core in English and Chinese, on a desktop and a phone; the authoring form's
fixed values are a grid that follows the layer sizes, and after a failed save focus lands on an
error summary whose links move focus to each field. Screenshots in test-artifacts/screenshots/."""

from __future__ import annotations

import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

import graders
from exercises.courses.services import homework as homework_services
from exercises.grading.variants import variant_spec
from exercises.models import Submission, Variant

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser_support import SCREENSHOTS, log_in, make_user, new_page, open_homework, save_screenshot  # noqa: E402
from test_accessibility_browser import BLOCKING, WIDER_THAN_VIEWPORT, run_axe  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

KEYS = ["net_h1", "out_h1", "net_h2", "out_h2", "net_o1", "out_o1", "E_total", "dE_dout_o1", "dE_dout_o2"]


def graded(variant: Variant, student, answers: dict[str, str]) -> None:
    """One graded attempt of `answers`, graded by the grader and stored as the pipeline would."""
    spec = variant_spec(variant=variant)
    report = graders.grade(spec, answers, graders.Policy(parts=tuple(KEYS))).to_dict()
    now = timezone.now() - timedelta(minutes=5)
    Submission.objects.create(id=uuid.uuid4(), variant=variant, user=student, answers=answers,
                              status=Submission.Status.GRADED, score=report["score"], final_score=report["score"],
                              penalty=0.0, attempt_number=1, seed=variant.seed, report=report, created_at=now,
                              graded_at=now)
    Variant.objects.filter(pk=variant.pk).update(attempt_count=1)


@pytest.fixture
def class_with_answers(live_server):
    """Six students: two flip the sign of ∂E/∂out (one of them on both outputs), the rest vary."""
    assignment = open_homework("prof", "stu0", "Item analysis 101", parts=KEYS, title="Backprop 1")
    students = [assignment.course.memberships.get(user__username="stu0").user]
    from exercises.courses.services import courses as course_services

    for index in range(1, 6):
        student = make_user(f"stu{index}", first_name=f"Student{index}", last_name="王")
        course_services.course_join(code=assignment.course.code, user=student)
        students.append(student)
    for index, student in enumerate(students):
        variant = homework_services.homework_variant(assignment=assignment, student=student)
        values = graders.solve(variant_spec(variant=variant)).values
        answers = {key: f"{values[key]:.6g}" for key in KEYS[: 3 + index]}  # better students answer more
        if index in (1, 4):
            answers["dE_dout_o1"] = f"{-values['dE_dout_o1']:.6g}"
        if index == 4:
            answers["dE_dout_o2"] = f"{-values['dE_dout_o2']:.6g}"
        graded(variant, student, answers)
    return assignment


def test_analytics_counts_students_links_them_and_passes_axe(live_server, browser: Browser, class_with_answers,
                                                             capsys) -> None:
    assignment = class_with_answers
    for locale, tag in (("en-US", "en"), ("zh-CN", "zh")):
        for viewport in ({"width": 1280, "height": 900}, {"width": 390, "height": 844}):
            phone = viewport["width"] < 500
            context = browser.new_context(locale=locale, viewport=viewport, is_mobile=phone, has_touch=phone)
            page = context.new_page()
            try:
                log_in(page, live_server.url, "prof")
                page.goto(f"{live_server.url}/assignments/{assignment.pk}/analytics/")
                page.locator("#item-analysis details.formulas summary").click()
                row = page.locator('#misconception-table tr[data-key="sign_flipped"]')
                expect(row.locator('[data-testid="misconception-students"]')).to_have_text(
                    "2 students" if tag == "en" else "2 名学生")
                expect(page.locator("#item-table tbody tr")).to_have_count(len(KEYS))
                expect(page.locator("#item-table math, .formula-list math").first).to_be_attached()
                blocking = [v for v in run_axe(page) if v["impact"] in BLOCKING]
                assert not blocking, blocking
                if phone:
                    wide = page.evaluate(WIDER_THAN_VIEWPORT)
                    assert wide["overflow"] <= 0 and not wide["elements"], wide
                size = "phone" if phone else "desktop"
                save_screenshot(page, f"analytics-items-{tag}-{size}.png", capsys)
                for section in ("#item-analysis", "#misconception-table"):
                    part = SCREENSHOTS / f"analytics-{section[1:]}-{tag}-{size}.png"
                    page.locator(section).screenshot(path=str(part))
                row.locator('[data-testid="misconception-students"]').click()
                expect(page.locator("#misconception-students tbody tr")).to_have_count(2)
                blocking = [v for v in run_axe(page) if v["impact"] in BLOCKING]
                assert not blocking, blocking
                save_screenshot(page, f"analytics-misconception-students-{tag}-{size}.png", capsys)
                page.locator("#misconception-students tbody tr").first.locator("a").click()
                expect(page.locator("#student-title")).to_contain_text("stu4")  # two parts: listed first
            finally:
                context.close()


def test_the_fixed_values_grid_follows_the_shape_and_a_failed_save_focuses_the_summary(live_server, browser: Browser,
                                                                                      capsys) -> None:
    assignment = open_homework("prof", "stu", "Authoring 101", title="Homework 1")
    course = assignment.course
    for locale, tag in (("en-US", "en"), ("zh-CN", "zh")):
        context, page = new_page(browser, locale=locale)
        try:
            log_in(page, live_server.url, "prof", then="/teach/")
            page.goto(f"{live_server.url}/courses/{course.pk}/assignments/new/")
            page.locator('input[name="network"][value="fixed"]').check()
            grid = page.locator("#values-grid")
            expect(grid).to_be_visible()
            expect(page.locator('label[for="id_fixed_w_1_0_0"]')).to_contain_text("w5")
            expect(page.locator("#id_fixed_w_1_0_0")).to_have_value("0.25")
            # A new shape: the grid is redrawn by the live preview, w1's number stays in w1's box.
            page.fill("#id_fixed_w_0_0_0", "0.07")
            page.fill("#id_layers", "2-3-1")
            expect(page.locator("#id_fixed_w_1_0_2")).to_be_attached(timeout=10_000)  # h3 → o1
            expect(page.locator('label[for="id_fixed_w_1_0_2"]')).to_contain_text("w9")
            expect(page.locator("#id_fixed_w_0_0_0")).to_have_value("0.07")
            save_screenshot(page, f"authoring-grid-{tag}.png", capsys)
            # Save with a missing title and empty boxes: the summary is focused, its links reach the boxes.
            page.fill("#id_title", "")
            page.locator("#save-assignment").click()
            page.wait_for_load_state()
            summary = page.locator("#form-errors")
            expect(summary).to_be_focused()
            expect(summary.locator('a[href="#id_title"]')).to_be_visible()
            save_screenshot(page, f"authoring-error-summary-{tag}.png", capsys)
            summary.screenshot(path=str(SCREENSHOTS / f"authoring-error-summary-detail-{tag}.png"))
            box = summary.locator('a[href="#id_fixed_w_1_0_2"]')
            expect(box).to_contain_text("w9")
            box.click()
            expect(page.locator("#id_fixed_w_1_0_2")).to_be_focused()
            summary.locator('a[href="#id_title"]').click()
            expect(page.locator("#id_title")).to_be_focused()
            blocking = [v for v in run_axe(page) if v["impact"] in BLOCKING]
            assert not blocking, blocking
        finally:
            context.close()
    # a phone: the grid scrolls inside its own box
    context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    try:
        log_in(page, live_server.url, "prof", then="/teach/")
        page.goto(f"{live_server.url}/courses/{course.pk}/assignments/new/")
        page.locator('input[name="network"][value="fixed"]').check()
        wide = page.evaluate(WIDER_THAN_VIEWPORT)
        assert wide["overflow"] <= 0 and not wide["elements"], wide
        save_screenshot(page, "authoring-grid-phone.png", capsys)
        page.locator(".fixed-values").screenshot(path=str(SCREENSHOTS / "authoring-grid-phone-detail.png"))
    finally:
        context.close()
