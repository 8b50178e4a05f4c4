"""Issue 14's instructor tools in a real browser: an assignment kept as a draft (the student
cannot find it), viewed as a student, published; a score overridden with a comment the student
then reads (English and Chinese, desktop and a 390 px phone); the gradebook sorted by a column
header; the CSV downloaded with its Chinese name intact; a removal message left in view.
Screenshots: test-artifacts/screenshots/instructor-*.png."""

from __future__ import annotations

import csv
import io
import re
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from exercises.courses.services import courses as course_services
from exercises.models import Course, ScoreOverride, Submission, Variant

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser_support import log_in, make_user, new_page, open_homework, save_screenshot  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

COMMENT = "步骤二的方法是对的，只是抄错了一个数。"


def test_draft_view_as_student_publish_override_csv(live_server, browser: Browser, capsys) -> None:
    base = live_server.url
    assignment = open_homework("prof14", "wang", "反向传播 101", published=False, title="Homework 14",
                               parts=["net_h1", "out_h1"])
    course = Course.objects.get(pk=assignment.course_id)
    wang = type(assignment.course.created_by).objects.get(username="wang")
    wang.first_name, wang.last_name = "伟", "王"
    wang.save()
    for name in ("amy", "zoe"):
        course_services.course_join(code=course.code, user=make_user(name, first_name=name.title(), last_name="X"))

    # ---- the draft: the student cannot find it
    student_context, student = new_page(browser, locale="zh-CN")
    log_in(student, base, "wang", then=f"/courses/{course.pk}/")
    expect(student.locator("body")).not_to_contain_text("Homework 14")
    response = student.goto(f"{base}/assignments/{assignment.pk}/")
    assert response is not None and response.status == 404

    # ---- the instructor sees a draft, views it as a student, publishes it
    prof_context, prof = new_page(browser)
    log_in(prof, base, "prof14", then=f"/assignments/{assignment.pk}/")
    expect(prof.locator("[data-testid=publication-status]")).to_have_text("Draft")
    save_screenshot(prof, "instructor-draft-overview.png", capsys)
    prof.click("[data-testid=view-as-student]")
    banner = prof.locator("[data-testid=student-view-banner]")
    expect(banner).to_contain_text("Student view: a sample student")
    expect(banner).to_contain_text("This assignment is a draft")
    expect(prof.locator("#id_net_h1")).to_be_disabled()
    expect(prof.locator("#submit-answers")).to_have_count(0)
    prof.select_option("#id_student", label="wang")
    prof.click("[data-testid=student-view-banner] button[type=submit]")
    expect(banner).to_contain_text("the page wang sees")
    save_screenshot(prof, "instructor-view-as-student.png", capsys)
    assert not Variant.objects.filter(assignment=assignment).exists()
    prof.goto(f"{base}/assignments/{assignment.pk}/")
    prof.click("#publish-assignment")
    expect(prof.locator("[data-testid=publication-status]")).to_have_text("Published")

    # ---- the student now finds it and submits one right, one wrong answer
    student.goto(f"{base}/courses/{course.pk}/")
    student.click("text=Homework 14")
    student.wait_for_url(re.compile(rf"/assignments/{assignment.pk}/$"))
    student.fill("#id_net_h1", "0.1")
    student.fill("#id_out_h1", "0.2")
    student.click("#submit-answers")
    student.wait_for_url(re.compile(r"/homework/submissions/[0-9a-f-]{36}/$"))
    expect(student.locator("#submission-live")).to_have_attribute("data-status", "graded")
    assert Submission.objects.get(user=wang).status == Submission.Status.GRADED

    # ---- the instructor overrides wang's score with a comment from the gradebook's drill-down
    prof.goto(f"{base}/courses/{course.pk}/gradebook/")
    prof.click('tr[data-student="wang"] td.score-cell a')
    prof.wait_for_url(re.compile(rf"/assignments/{assignment.pk}/students/{wang.pk}/$"))
    prof.fill("#id_percent", "90")
    prof.fill("#id_comment", COMMENT)
    prof.click("#override-save")
    expect(prof.locator("[data-testid=override-who]")).to_contain_text("set by prof14")
    expect(prof.locator("[data-testid=counted-score]")).to_contain_text(re.compile(r"90\.0\s%"))
    save_screenshot(prof, "instructor-override-drilldown.png", capsys)
    override = ScoreOverride.objects.get()
    assert override.score == pytest.approx(0.9) and override.comment == COMMENT

    # ---- the student sees the overridden score and the comment, in Chinese, on a desktop and a phone
    student.goto(f"{base}/courses/{course.pk}/")
    row = student.locator(f'#homework-table tr[data-assignment="{assignment.pk}"]')
    expect(row).to_contain_text(re.compile(r"90\.0\s%"))
    expect(row).to_contain_text("由课程教师设定")
    expect(row).to_contain_text(COMMENT)
    save_screenshot(student, "instructor-override-course-zh.png", capsys)
    student.goto(f"{base}/assignments/{assignment.pk}/")
    expect(student.locator("[data-testid=override-note]")).to_contain_text("课程教师将你的分数设为")
    expect(student.locator("[data-testid=override-comment]")).to_have_text(COMMENT)
    student.set_viewport_size({"width": 390, "height": 844})
    student.goto(f"{base}/courses/{course.pk}/")
    wide = student.evaluate("document.documentElement.scrollWidth")
    assert wide <= 390, wide
    save_screenshot(student, "instructor-override-course-zh-phone.png", capsys)

    # ---- the gradebook sorts by a column header (in place, aria-sort), the CSV keeps 王伟
    prof.goto(f"{base}/courses/{course.pk}/gradebook/")
    header = prof.locator("#gradebook thead th").nth(1)
    header.locator("button.sort-button").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    header.locator("button.sort-button").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    names = prof.locator("#gradebook tbody tr").evaluate_all("rows => rows.map(r => r.dataset.student)")
    assert names[0] == "wang", names  # the only score; the blanks follow
    expect(prof.locator("#gradebook tfoot tr[data-testid=average-row]")).to_be_visible()
    save_screenshot(prof, "instructor-gradebook-sorted.png", capsys)
    with prof.expect_download() as download_info:
        prof.click("[data-testid=csv-link]")
    raw = Path(download_info.value.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    by_user = {line[0]: line for line in rows[1:]}
    assert by_user["wang"][2] == "伟 王" and by_user["wang"][rows[0].index("Homework 14 override %")] == "90"

    # ---- removing a student: the message stays in view, focused
    prof.goto(f"{base}/courses/{course.pk}/")
    prof.click('#roster-table tr[data-user="zoe"] [data-testid=member-remove]')
    prof.click("#confirm-remove")
    prof.wait_for_url(re.compile(rf"/courses/{course.pk}/$"))
    flash = prof.locator(".flash-messages")
    expect(flash).to_contain_text("zoe is no longer in the course")
    expect(flash).to_be_focused()
    expect(flash).to_be_in_viewport()

    for context in (prof_context, student_context):
        context.close()
