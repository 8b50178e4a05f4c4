"""Homework in a real browser (Debian's Chromium via Playwright) against the live server.

The issue's "done when": an instructor creates an assignment through the form (with its live
preview), two students get different numbers and submit, the gradebook, the CSV and the
analytics show their results, and after the instructor changes the tolerance the regrade
preview shows a changed score. Grading runs eagerly inside the live server (test settings).
Screenshots go to test-artifacts/screenshots/homework-*.png; their absolute paths are printed.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

import graders
from exercises.courses.services.instructors import instructor_grant
from exercises.grading.variants import variant_spec
from exercises.models import Assignment, Course, Question, Submission, Variant

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser_support import log_in, make_user, new_page, open_homework, save_screenshot  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ASKED_STEPS = ("forward", "error", "output_gradients")


# ----------------------------------------------------------------------------------- fixtures


def asked_answers(variant: Variant) -> dict[str, str]:
    solution = graders.solve(variant_spec(variant=variant))
    return {p.key: f"{solution.values[p.key]:.6g}" for p in solution.parts if p.step in ASKED_STEPS}


def givens_text(page: Page) -> str:
    return " ".join(page.locator(".givens li").all_inner_texts())


# -------------------------------------------------------------------------------------- test


def test_instructor_assigns_students_submit_gradebook_analytics_regrade(live_server, browser: Browser, capsys):
    base = live_server.url
    instructor_grant(user=make_user("prof", first_name="Ada", last_name="Lovelace"))
    make_user("ana", first_name="Ana", last_name="Alves")
    make_user("ben", first_name="Ben", last_name="Baker")

    # ---- the instructor creates a course and an assignment through the form
    prof_context, prof = new_page(browser)
    log_in(prof, base, "prof")
    prof.click("nav.site-nav >> text=Teach")
    prof.fill("#id_title", "Neural networks 101")
    prof.click("text=Create course")
    prof.wait_for_url(re.compile(r"/courses/\d+/$"))
    code = prof.locator("[data-testid=join-code]").inner_text().strip()
    course = Course.objects.get(code=code)

    prof.click("text=New assignment")
    prof.wait_for_url(re.compile(r"/assignments/new/$"))
    preview = prof.locator("#assignment-preview")
    expect(preview.locator("svg.network")).to_be_visible()
    prof.fill("#id_title", "Backpropagation, homework 1")
    prof.fill("#id_instructions", "Compute the forward pass, the error and the output-layer gradients.")
    # The live preview follows the network: tanh-2-3-1 has a third hidden neuron and its own checklist.
    prof.select_option("#id_builtin", "tanh-2-3-1")
    expect(preview.locator('[data-key="net_h3"]')).to_have_count(1)
    expect(prof.locator('#parts-checklist input[value="net_h3"]')).to_have_count(1)
    prof.select_option("#id_builtin", "article-random")
    expect(preview.locator('[data-key="net_h3"]')).to_have_count(0)
    expect(prof.locator('#parts-checklist input[value="net_h3"]')).to_have_count(0)
    # Ask three steps: clear the two others with their "tick all / none" buttons.
    for step in ("hidden_gradients", "updates"):
        prof.click(f'[data-step="{step}"] [data-step-toggle]')
    expect(preview).to_contain_text("Parts asked: 21")
    prof.fill("#id_points_output_gradients", "2")
    expect(preview.locator("[data-testid=preview-total]")).to_have_text("31 points")
    prof.select_option("#id_tolerance_kind", "sigfigs")
    prof.fill("#id_tolerance_value", "4")
    prof.fill("#id_attempts_allowed", "3")
    prof.check("#id_reveal_0")  # after each submission, with 3 attempts: the form warns
    expect(prof.locator("#reveal-warning")).to_be_visible()
    prof.check("#id_reveal_1")  # after the last attempt: no warning
    expect(prof.locator("#reveal-warning")).to_be_hidden()
    prof.check("#id_reveal_0")
    prof.fill("#id_attempts_allowed", "1")
    expect(prof.locator("#reveal-warning")).to_be_hidden()
    prof.fill("#id_attempts_allowed", "3")
    expect(prof.locator("#reveal-warning")).to_be_visible()
    # The custom network fields appear only for "my own network".
    expect(prof.locator("#id_layers")).to_be_hidden()
    prof.check("#id_network_1")
    expect(prof.locator("#id_layers")).to_be_visible()
    prof.check("#id_network_0")
    expect(preview.locator("svg.network")).to_be_visible()
    prof.set_viewport_size({"width": 1280, "height": 2200})  # the sticky preview shows whole
    save_screenshot(prof, "homework-authoring-form.png", capsys)
    prof.set_viewport_size({"width": 1280, "height": 900})
    prof.click("#save-assignment")
    prof.wait_for_url(re.compile(r"/assignments/\d+/$"))
    expect(prof.locator(".flash-success")).to_contain_text("Assignment created.")
    expect(prof.locator(".flash-warning")).to_contain_text("can be typed into the next attempt")
    assignment = Assignment.objects.get(course=course)
    question = Question.objects.get(assignment=assignment, position=1)
    assert len(question.parts) == 21 and question.points["dE_dw5"] == 2.0
    assert assignment.reveal == "after_submission" and assignment.attempts_allowed == 3
    # A new assignment is a draft until the instructor publishes it.
    expect(prof.locator("[data-testid=publication-status]")).to_have_text("Draft")
    prof.click("#publish-assignment")
    expect(prof.locator("[data-testid=publication-status]")).to_have_text("Published")

    # ---- ana joins with the code, ben is imported with the roster; both see different numbers
    ana_context, ana = new_page(browser)
    log_in(ana, base, "ana")
    ana.click("nav.site-nav >> text=My courses")
    ana.fill("#id_code", code.lower())
    ana.click("main form >> text=Join")
    ana.wait_for_url(re.compile(rf"/courses/{course.pk}/$"))
    prof.goto(f"{base}/courses/{course.pk}/")
    prof.fill("#id_csv_text", "username,email,name\nben,ben@example.org,Ben Baker")
    prof.click("#roster-import")
    expect(prof.locator(".flash").first).to_contain_text("Invitations sent: 1.")
    expect(prof.locator('#invitation-table li[data-user="ben"]')).to_have_count(1)

    ana.click(f"text={assignment.title}")
    ana.wait_for_url(re.compile(rf"/assignments/{assignment.pk}/$"))
    expect(ana.locator("#homework-network")).to_be_visible()
    ana_numbers = givens_text(ana)
    ben_context, ben = new_page(browser, locale="zh-CN")
    log_in(ben, base, "ben")
    ben.goto(f"{base}/courses/")
    ben.click("#invitations button:has-text('接受')")  # ben joins by accepting the invitation
    ben.wait_for_url(re.compile(rf"/courses/{course.pk}/$"))
    prof.goto(f"{base}/courses/{course.pk}/")
    expect(prof.locator('#roster-table tr[data-user="ben"]')).to_have_count(1)
    save_screenshot(prof, "homework-course-staff.png", capsys)
    ben.goto(f"{base}/assignments/{assignment.pk}/")
    expect(ben.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(ben.locator("h2").first).to_have_text("已知量")
    ben_numbers = givens_text(ben)
    assert ana_numbers and ben_numbers and ana_numbers != ben_numbers
    ana_variant = Variant.objects.get(assignment=assignment, owner__username="ana")
    ben_variant = Variant.objects.get(assignment=assignment, owner__username="ben")
    assert ana_variant.seed != ben_variant.seed

    # ---- both submit: ana right except E_total 0.5 % off; ben right except a flipped sign
    ana_answers = asked_answers(ana_variant)
    ana_answers["E_total"] = f"{float(ana_answers['E_total']) * 1.005:.6g}"
    for key, text in ana_answers.items():
        ana.fill(f"#id_{key}", text)
    ana.click("#submit-answers")
    ana.wait_for_url(re.compile(r"/homework/submissions/[0-9a-f-]{36}/$"))
    expect(ana.locator("#submission-live")).to_have_attribute("data-status", "graded")
    expect(ana.locator('tr[data-key="E_total"]')).to_have_attribute("data-status", "incorrect")

    ben_answers = asked_answers(ben_variant)
    ben_answers["dE_dout_o1"] = f"{-float(ben_answers['dE_dout_o1']):.6g}"
    for key, text in ben_answers.items():
        ben.fill(f"#id_{key}", text)
    save_screenshot(ben, "homework-page-zh.png", capsys)
    ben.click("#submit-answers")
    ben.wait_for_url(re.compile(r"/homework/submissions/[0-9a-f-]{36}/$"))
    expect(ben.locator("#submission-live")).to_have_attribute("data-status", "graded")
    row = ben.locator('tr[data-key="dE_dout_o1"]')
    expect(row).to_have_attribute("data-status", "incorrect")
    expect(row.locator(".diagnosis")).to_contain_text("符号")
    save_screenshot(ben, "homework-result-zh.png", capsys)
    ana_score = Submission.objects.get(user__username="ana").final_score
    ben_score = Submission.objects.get(user__username="ben").final_score
    assert 0 < ana_score < 1 and 0 < ben_score < 1

    # ---- gradebook, CSV, drill-down
    prof.goto(f"{base}/courses/{course.pk}/gradebook/")
    for username, score in (("ana", ana_score), ("ben", ben_score)):
        cell = prof.locator(f'tr[data-student="{username}"] [data-testid=points]')
        expect(cell).to_have_text(f"{round(score * 31, 2):g}")
    save_screenshot(prof, "homework-gradebook.png", capsys)
    response = prof.request.get(f"{base}/courses/{course.pk}/gradebook.csv")
    assert response.ok and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.body().decode("utf-8-sig"))))
    assert rows[0][:5] == ["Username", "Email", "Name", "Backpropagation, homework 1 (31)", "Backpropagation, homework 1 %"]
    assert rows[0][-1] == "Last submission (UTC)"
    by_user = {row[0]: row for row in rows[1:]}
    assert by_user["ana"][1:3] == ["ana@example.org", "Ana Alves"]
    assert float(by_user["ana"][3]) == pytest.approx(ana_score * 31, abs=0.01)
    assert float(by_user["ben"][3]) == pytest.approx(ben_score * 31, abs=0.01)
    prof.click('tr[data-student="ben"] a')
    expect(prof.locator('.attempt-card tr[data-key="dE_dout_o1"]')).to_have_attribute("data-status", "incorrect")
    save_screenshot(prof, "homework-drilldown.png", capsys)
    ana.goto(f"{base}/courses/")
    expect(ana.locator(f'#homework-table tr[data-assignment="{assignment.pk}"]')).to_contain_text(re.compile(rf"{ana_score * 100:.1f}\s%"))
    expect(ana.locator(f'#homework-table tr[data-assignment="{assignment.pk}"]')).to_contain_text("2 of 3 left")
    save_screenshot(ana, "homework-my-courses.png", capsys)

    # ---- analytics: charts, the misconception in words, both students counted
    prof.goto(f"{base}/assignments/{assignment.pk}/analytics/")
    expect(prof.locator("[data-testid=students-graded]")).to_have_text("2")
    for chart in ("#steps-chart", "#parts-chart", "#misconceptions-chart", "#histogram-chart"):
        expect(prof.locator(chart)).to_be_visible()
    assert prof.locator("#parts-chart g.bar-row").count() == 21
    assert prof.locator("#steps-chart g.bar-row").count() == 3
    assert prof.locator("#histogram-chart g.bar-row").count() == 10
    message = Submission.objects.get(user__username="ben").report["parts"]["dE_dout_o1"]["diagnoses"][0]["message"]
    expect(prof.locator("#misconception-table")).to_contain_text(message["en"])
    save_screenshot(prof, "homework-analytics.png", capsys)

    # ---- regrade: a relative tolerance of 1 % accepts ana's E_total; the preview shows it
    prof.goto(f"{base}/assignments/{assignment.pk}/regrade/")
    prof.select_option("#id_tolerance_kind", "relative")
    prof.fill("#id_tolerance_value", "0.01")
    prof.click("#regrade-preview")
    prof.wait_for_url(re.compile(r"/regrades/\d+/$"))
    changes = prof.locator("#regrade-changes")
    expect(changes.locator('tr[data-student="ana"]')).to_have_count(1)
    old = changes.locator('tr[data-student="ana"] [data-testid=old-score]').inner_text()
    new = changes.locator('tr[data-student="ana"] [data-testid=new-score]').inner_text()
    assert old != new and new.replace("\u00a0", " ") == "100.0 %"
    save_screenshot(prof, "homework-regrade-preview.png", capsys)
    prof.fill("#id_reason", "A 1 % tolerance is fairer.")
    prof.click("#regrade-apply")
    expect(prof.locator("[data-testid=regrade-status]")).to_contain_text("Applied")
    assert Submission.objects.get(user__username="ana").final_score == pytest.approx(1.0)
    # ana is told, with the reason, and dismisses the notice
    ana.goto(f"{base}/courses/{course.pk}/")
    notice = ana.locator("[data-testid=regrade-notice]")
    expect(notice).to_contain_text("A 1 % tolerance is fairer.")
    expect(notice).to_contain_text(re.compile(r"\+\d+\.\d\spp"))
    save_screenshot(ana, "homework-regrade-notice.png", capsys)
    notice.locator("[data-testid=notice-dismiss]").click()
    expect(ana.locator("[data-testid=regrade-notice]")).to_have_count(0)

    for context in (prof_context, ana_context, ben_context):
        context.close()


def test_homework_pages_fit_a_phone(live_server, browser: Browser, capsys) -> None:
    """The student's homework page on a 390 px wide phone: no horizontal scrolling of the page."""
    assignment = open_homework("prof2", "sam", "Phones", title="On the bus")
    context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True, device_scale_factor=2)
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in(page, live_server.url, "sam")
    for url in (f"/assignments/{assignment.pk}/", "/courses/"):
        page.goto(live_server.url + url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 392, (url, width)
    page.goto(f"{live_server.url}/assignments/{assignment.pk}/")
    save_screenshot(page, "homework-phone.png", capsys)
    context.close()
