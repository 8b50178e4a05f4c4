"""Issue 14's whole path in Chromium, one test: an instructor builds a two-question set whose
second question is a pool of two networks (the assignment form, then the question form), keeps it
as a draft (a student cannot find it), views it as a student (a sample seed, then the two students'
own pool draws, nothing stored) and publishes it; two students are given different networks from
the pool (English on a desktop, Chinese at 390 px) and answer question 2; the instructor overrides
one student's score on question 2 with a comment, which that student reads on the course page and
the question's page (and not on question 1); the gradebook and its CSV (UTF-8 with a BOM, decoded
with utf-8-sig) keep the Chinese name 王伟 and the override in the question's own columns.
Screenshots: test-artifacts/screenshots/problem-set-*.png."""

from __future__ import annotations

import csv
import io
import re
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

import graders
from exercises.courses.config import pool_draw, question_max_points
from exercises.courses.services import courses as course_services
from exercises.courses.services.instructors import instructor_grant
from exercises.grading.variants import variant_spec
from exercises.models import Assignment, Course, Question, ScoreOverride, Submission, Variant

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser_support import log_in, make_user, new_page, save_screenshot  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

COMMENT = "第二题的方法是对的，只是 net_h1 把权重 w1 和 w2 抄反了。"
PHONE = {"width": 390, "height": 844}
GIVENS = "section[aria-labelledby=givens-title]"


def test_an_instructor_drafts_a_pooled_set_views_it_as_a_student_publishes_it_overrides_a_score_and_exports_it(
    live_server, browser: Browser, capsys
):
    base = live_server.url
    prof_user = make_user("prof", first_name="Ada", last_name="Lovelace")
    instructor_grant(user=prof_user)
    course = course_services.course_create(title="Neural networks 101", instructor=prof_user)
    prof_context, prof = new_page(browser)
    log_in(prof, base, "prof")

    # ==== 1. the instructor builds a two-question set, question 2 a pool of two networks
    # ---- question 1 through the assignment form (the article's network, every part)
    prof.goto(f"{base}/courses/{course.pk}/assignments/new/")
    prof.fill("#id_title", "Problem set 1")
    expect(prof.locator("#assignment-preview svg.network")).to_be_visible()
    prof.click("#save-assignment")
    prof.wait_for_url(re.compile(r"/assignments/\d+/$"))
    assignment = Assignment.objects.get(course=course)

    # ---- question 2: a 2-3-1 tanh network, then a 3-3-2 ReLU network in its pool
    prof.click("[data-testid=add-question]")
    prof.wait_for_url(re.compile(r"/questions/new/$"))
    expect(prof.locator("#id_title")).to_have_count(0)  # only the network's own fields
    prof.select_option("#id_builtin", "tanh-2-3-1")
    expect(prof.locator('#assignment-preview [data-key="net_h3"]')).to_have_count(1)
    expect(prof.locator('#parts-checklist input[value="net_h3"]')).to_have_count(1)
    prof.click("#save-question")
    prof.wait_for_url(re.compile(r"/assignments/\d+/\?q=2#questions$"))
    expect(prof.locator(".flash-success")).to_contain_text("Question 2 saved.")
    prof.locator('li[data-position="2"] [data-testid=add-pool-member]').click()
    prof.wait_for_url(re.compile(r"/questions/new/\?pool=2$"))
    expect(prof.locator("h1")).to_contain_text("Add a network to the pool of question 2")
    prof.select_option("#id_builtin", "relu-3-3-2")  # three hidden neurons and two outputs
    expect(prof.locator('#assignment-preview [data-key="net_h3"]')).to_have_count(1)
    expect(prof.locator('#parts-checklist input[value="net_h3"]')).to_have_count(1)
    expect(prof.locator('#parts-checklist input[value="net_o2"]')).to_have_count(1)
    save_screenshot(prof, "problem-set-pool-member-form.png", capsys)
    prof.click("#save-question")
    expect(prof.locator(".flash-success")).to_contain_text("Question 2 saved.")
    assert prof.url.endswith("?q=2#questions"), prof.locator(".errorlist").all_inner_texts()
    expect(prof.locator('[data-testid=question-list] > li')).to_have_count(2)
    expect(prof.locator('li[data-position="2"] li[data-member]')).to_have_count(2)
    expect(prof.locator('li[data-position="2"]')).to_contain_text("a pool of 2 networks")
    rows = list(Question.objects.filter(assignment=assignment).values_list("position", "member", "template_config"))
    assert rows == [(1, 1, {"builtin": "article-random"}), (2, 1, {"builtin": "tanh-2-3-1"}),
                    (2, 2, {"builtin": "relu-3-3-2"})]

    # ---- two students of the course whose seeds draw different networks of the pool; one is 王伟
    by_member: dict[int, str] = {}
    for index in range(40):
        user = make_user(f"student{index}")
        course_services.course_join(code=Course.objects.get(pk=course.pk).code, user=user)
        by_member.setdefault(pool_draw(assignment=assignment, user_id=user.pk, position=2, size=2), user.username)
        if len(by_member) == 2:
            break
    assert len(by_member) == 2
    tanh_student, relu_student = by_member[0], by_member[1]
    User = type(prof_user)
    wang = User.objects.get(username=relu_student)
    wang.first_name = "王伟"  # as a roster line "username,email,王伟" names him (no space: no last name)
    wang.save()

    # ---- the set is a draft: a student neither finds it on the course page nor opens it
    first_context, first = new_page(browser)
    log_in(first, base, tanh_student, then=f"/courses/{course.pk}/")
    expect(first.locator("main")).not_to_contain_text("Problem set 1")
    response = first.goto(f"{base}/assignments/{assignment.pk}/")
    assert response is not None and response.status == 404

    # ---- the instructor views it as a sample student, then as each student on question 2
    prof.goto(f"{base}/assignments/{assignment.pk}/")
    expect(prof.locator("[data-testid=publication-status]")).to_have_text("Draft")
    save_screenshot(prof, "problem-set-overview-draft.png", capsys)
    prof.click("[data-testid=view-as-student]")
    banner = prof.locator("[data-testid=student-view-banner]")
    expect(banner).to_contain_text("Student view: a sample student")
    expect(banner).to_contain_text("This assignment is a draft")
    expect(prof.locator("[data-testid=question-nav] a")).to_have_count(2)
    expect(prof.locator("[data-testid=question-title]")).to_have_text("Question 1 of 2")
    prof.select_option("#id_student", label=tanh_student)
    prof.click("[data-testid=student-view-banner] button[type=submit]")
    expect(banner).to_contain_text(f"the page {tanh_student} sees")
    prof.click('[data-testid=question-nav] a[data-question="2"]')  # the link keeps the chosen student
    expect(prof.locator("[data-testid=question-title]")).to_have_text("Question 2 of 2")
    expect(banner).to_contain_text(f"the page {tanh_student} sees")
    expect(prof.locator('input[name="net_h3"]')).to_be_disabled()
    expect(prof.locator('input[name="net_o2"]')).to_have_count(0)  # the 2-3-1 network has one output
    expect(prof.locator("#submit-answers")).to_have_count(0)
    previewed_givens = prof.locator(GIVENS).inner_text()
    save_screenshot(prof, "problem-set-view-as-student.png", capsys)
    prof.goto(f"{base}/assignments/{assignment.pk}/as-student/?student={wang.pk}&q=2")
    expect(banner).to_contain_text(f"the page {relu_student} sees")
    expect(prof.locator('input[name="net_o2"]')).to_have_count(1)  # the 3-3-2 network: two outputs
    assert not Variant.objects.filter(assignment=assignment).exists()  # viewing drew nothing for anyone

    # ---- ... and publishes it
    prof.goto(f"{base}/assignments/{assignment.pk}/")
    prof.click("#publish-assignment")
    expect(prof.locator("[data-testid=publication-status]")).to_have_text("Published")
    expect(prof.locator(".flash-success")).to_contain_text("Published: the students see the assignment now.")
    save_screenshot(prof, "problem-set-overview-published.png", capsys)

    # ==== 2. the two students get different networks from the pool
    first.goto(f"{base}/courses/{course.pk}/")
    first.click("text=Problem set 1")
    first.wait_for_url(re.compile(rf"/assignments/{assignment.pk}/$"))
    expect(first.locator("[data-testid=question-nav] a")).to_have_count(2)
    expect(first.locator("[data-testid=question-title]")).to_have_text("Question 1 of 2")
    first.click('[data-testid=question-nav] a[data-question="2"]')
    first.wait_for_url(re.compile(r"\?q=2$"))
    expect(first.locator("[data-testid=question-title]")).to_have_text("Question 2 of 2")
    expect(first.locator('input[name="net_h3"]')).to_have_count(1)
    expect(first.locator('input[name="net_o2"]')).to_have_count(0)  # the 2-3-1 network has one output
    assert first.locator(GIVENS).inner_text() == previewed_givens  # the numbers "view as student" showed
    save_screenshot(first, "problem-set-student-tanh.png", capsys)

    second_context, second = new_page(browser, locale="zh-CN")
    second.set_viewport_size(PHONE)
    log_in(second, base, relu_student)
    second.goto(f"{base}/assignments/{assignment.pk}/?q=2")
    expect(second.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(second.locator("[data-testid=question-title]")).to_have_text("第 2 题，共 2 题")
    expect(second.locator('input[name="net_o2"]')).to_have_count(1)  # the 3-3-2 network: two outputs
    save_screenshot(second, "problem-set-student-relu-zh-390.png", capsys)
    drawn = dict(Variant.objects.filter(assignment=assignment, position=2).values_list("owner__username",
                                                                                        "question__member"))
    assert drawn == {tanh_student: 1, relu_student: 2}

    # ---- the first student answers question 2 right, 王伟 answers one part of it wrong
    variant = Variant.objects.get(assignment=assignment, owner__username=tanh_student, position=2)
    solution = graders.solve(variant_spec(variant=variant))
    for part in solution.parts:
        first.fill(f'input[name="{part.key}"]', f"{solution.values[part.key]:.6g}")
    first.press(f'input[name="{solution.parts[0].key}"]', "Enter")  # Enter sends the answers, not a hint
    first.wait_for_url(re.compile(r"/homework/submissions/"))
    expect(first.locator("#submission-live")).to_have_attribute("data-status", "graded")
    submission = Submission.objects.get(variant=variant)
    assert submission.status == Submission.Status.GRADED and submission.final_score == 1.0

    second.fill('input[name="net_h1"]', "12345")
    second.click("#submit-answers")
    second.wait_for_url(re.compile(r"/homework/submissions/"))
    expect(second.locator("#submission-live")).to_have_attribute("data-status", "graded")
    assert Submission.objects.get(user=wang).final_score == 0.0

    prof.goto(f"{base}/courses/{course.pk}/gradebook/")
    expect(prof.locator("[data-testid=question-column]")).to_have_count(2)
    row = prof.locator(f'tr[data-student="{tanh_student}"]')
    worth = question_max_points(question=Question.objects.get(assignment=assignment, position=2, member=1))
    expect(row.locator('td[data-question="2"] [data-testid=points]')).to_have_text(f"{worth:g}")
    expect(row.locator('td[data-question="1"]')).to_contain_text("—")

    # ==== 3. the instructor overrides 王伟's score on question 2 with a comment, from the drill-down
    wang_row = prof.locator(f'tr[data-student="{relu_student}"]')
    expect(wang_row.locator("th")).to_contain_text("王伟")
    wang_row.locator('td[data-question="2"] a').click()
    prof.wait_for_url(re.compile(rf"/assignments/{assignment.pk}/students/{wang.pk}/\?q=2$"))
    expect(prof.locator("[data-testid=question-title]")).to_have_text("Question 2 of 2 · pool network 2")
    prof.fill("#id_percent", "80")
    prof.fill("#id_comment", COMMENT)
    prof.click("#override-save")
    prof.wait_for_url(re.compile(r"\?q=2#override-title$"))
    expect(prof.locator(".flash-success")).to_contain_text(f"The score of {relu_student} is set by hand.")
    expect(prof.locator("[data-testid=override-who]")).to_contain_text("set by prof")
    expect(prof.locator("[data-testid=counted-score]")).to_contain_text(re.compile(r"80\.0\s%"))
    save_screenshot(prof, "problem-set-override-drilldown.png", capsys)
    override = ScoreOverride.objects.get()
    assert (override.student_id, override.position, override.comment) == (wang.pk, 2, COMMENT)
    assert override.score == pytest.approx(0.8) and override.created_by_id == prof_user.pk
    prof.goto(f"{base}/courses/{course.pk}/gradebook/")
    expect(wang_row.locator('td[data-question="2"] [data-testid=override-mark]')).to_have_count(1)
    expect(wang_row.locator('td[data-question="1"] [data-testid=override-mark]')).to_have_count(0)
    save_screenshot(prof, "problem-set-gradebook.png", capsys)

    # ---- 王伟 reads it, in Chinese on a phone: on the course page and on question 2, not on question 1
    second.goto(f"{base}/courses/{course.pk}/")
    homework_row = second.locator(f'#homework-table tr[data-assignment="{assignment.pk}"]')
    expect(homework_row).to_contain_text("由课程教师设定")
    expect(homework_row).to_contain_text(f"第 2 题：{COMMENT}")
    wide = second.evaluate("document.documentElement.scrollWidth")
    assert wide <= PHONE["width"], wide
    save_screenshot(second, "problem-set-override-course-zh-390.png", capsys)
    second.goto(f"{base}/assignments/{assignment.pk}/?q=2")
    expect(second.locator("[data-testid=override-note]")).to_contain_text("课程教师将你的分数设为")
    expect(second.locator("[data-testid=override-note]")).to_contain_text(re.compile(r"80\.0\s%"))
    expect(second.locator("[data-testid=override-comment]")).to_have_text(COMMENT)
    wide = second.evaluate("document.documentElement.scrollWidth")
    assert wide <= PHONE["width"], wide
    save_screenshot(second, "problem-set-override-question-zh-390.png", capsys)
    second.goto(f"{base}/assignments/{assignment.pk}/?q=1")
    expect(second.locator("[data-testid=question-title]")).to_have_text("第 1 题，共 2 题")
    expect(second.locator("[data-testid=override-note]")).to_have_count(0)

    # ==== 4. the CSV keeps 王伟 (UTF-8 with a BOM) and the override in question 2's columns
    with prof.expect_download() as download_info:
        prof.click("[data-testid=csv-link]")
    raw = Path(download_info.value.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header, *lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    by_user = {line[0]: dict(zip(header, line, strict=True)) for line in lines}
    assert by_user[relu_student]["Name"] == "王伟"
    assert by_user[relu_student]["Problem set 1 Q2 override %"] == "80"
    assert by_user[relu_student]["Problem set 1 Q2 %"] == "80"
    assert by_user[relu_student]["Problem set 1 Q1 override %"] == ""
    assert by_user[tanh_student]["Problem set 1 Q2 %"] == "100"
    assert by_user[tanh_student]["Problem set 1 Q2 override %"] == ""
    for context in (prof_context, first_context, second_context):
        context.close()
