"""In Chromium: an instructor builds a two-question set whose second question is a pool of two
networks, through the assignment form and the question form; two students open the set and are
given different networks from the pool (screenshots in English, in Chinese at 390 px); one answers
question 2 and the gradebook shows it in its own column and in the total."""

from __future__ import annotations

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
from exercises.models import Assignment, Course, Question, Submission, Variant

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser_support import log_in, make_user, new_page, save_screenshot  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_instructor_builds_a_set_with_a_pool_and_two_students_get_different_problems(
    live_server, browser: Browser, capsys
):
    base = live_server.url
    prof_user = make_user("prof", first_name="Ada", last_name="Lovelace")
    instructor_grant(user=prof_user)
    course = course_services.course_create(title="Neural networks 101", instructor=prof_user)
    prof_context, prof = new_page(browser)
    log_in(prof, base, "prof")

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
    save_screenshot(prof, "problem-set-overview.png", capsys)
    expect(prof.locator("[data-testid=publication-status]")).to_have_text("Draft")  # new assignments are drafts
    prof.click("#publish-assignment")
    expect(prof.locator("[data-testid=publication-status]")).to_have_text("Published")
    rows = list(Question.objects.filter(assignment=assignment).values_list("position", "member", "template_config"))
    assert rows == [(1, 1, {"builtin": "article-random"}), (2, 1, {"builtin": "tanh-2-3-1"}),
                    (2, 2, {"builtin": "relu-3-3-2"})]

    # ---- two students whose seeds draw different networks of the pool
    by_member: dict[int, str] = {}
    for index in range(40):
        user = make_user(f"student{index}")
        course_services.course_join(code=Course.objects.get(pk=course.pk).code, user=user)
        by_member.setdefault(pool_draw(assignment=assignment, user_id=user.pk, position=2, size=2), user.username)
        if len(by_member) == 2:
            break
    assert len(by_member) == 2
    tanh_student, relu_student = by_member[0], by_member[1]

    first_context, first = new_page(browser)
    log_in(first, base, tanh_student)
    first.goto(f"{base}/assignments/{assignment.pk}/")
    expect(first.locator("[data-testid=question-nav] a")).to_have_count(2)
    expect(first.locator("[data-testid=question-title]")).to_have_text("Question 1 of 2")
    first.click('[data-testid=question-nav] a[data-question="2"]')
    first.wait_for_url(re.compile(r"\?q=2$"))
    expect(first.locator("[data-testid=question-title]")).to_have_text("Question 2 of 2")
    expect(first.locator('input[name="net_h3"]')).to_have_count(1)
    expect(first.locator('input[name="net_o2"]')).to_have_count(0)  # the 2-3-1 network has one output
    save_screenshot(first, "problem-set-student-tanh.png", capsys)

    second_context, second = new_page(browser, locale="zh-CN")
    second.set_viewport_size({"width": 390, "height": 844})
    log_in(second, base, relu_student)
    second.goto(f"{base}/assignments/{assignment.pk}/?q=2")
    expect(second.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(second.locator("[data-testid=question-title]")).to_have_text("第 2 题，共 2 题")
    expect(second.locator('input[name="net_o2"]')).to_have_count(1)  # the 3-3-2 network: two outputs
    save_screenshot(second, "problem-set-student-relu-zh-390.png", capsys)

    # ---- the first student answers question 2 correctly; the gradebook counts it per question
    variant = Variant.objects.get(assignment=assignment, owner__username=tanh_student, position=2)
    solution = graders.solve(variant_spec(variant=variant))
    for part in solution.parts:
        first.fill(f'input[name="{part.key}"]', f"{solution.values[part.key]:.6g}")
    first.click("#submit-answers")
    first.wait_for_url(re.compile(r"/homework/submissions/"))
    expect(first.locator("body")).to_contain_text("100", timeout=20_000)
    submission = Submission.objects.get(variant=variant)
    assert submission.status == Submission.Status.GRADED and submission.final_score == 1.0

    prof.goto(f"{base}/courses/{course.pk}/gradebook/")
    expect(prof.locator("[data-testid=question-column]")).to_have_count(2)
    row = prof.locator(f'tr[data-student="{tanh_student}"]')
    worth = question_max_points(question=Question.objects.get(assignment=assignment, position=2, member=1))
    expect(row.locator('td[data-question="2"] [data-testid=points]')).to_have_text(f"{worth:g}")
    expect(row.locator('td[data-question="1"]')).to_contain_text("—")
    save_screenshot(prof, "problem-set-gradebook.png", capsys)
    for context in (prof_context, first_context, second_context):
        context.close()
