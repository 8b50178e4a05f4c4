"""Local times in a real browser: a teacher in Beijing (zh-CN, Asia/Shanghai) types a due date
of 23:59; a student in the same zone sees 23:59, a student in New York sees the same instant as
10:59 of that morning. The zones come from the browsers themselves (zone.js), at login.
Screenshots: test-artifacts/screenshots/zones-*.png."""

from __future__ import annotations

import re
import sys
import zoneinfo
from datetime import timedelta
from datetime import timezone as dt_timezone
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from exercises.courses.services import courses as course_services
from exercises.courses.services.instructors import instructor_grant
from exercises.models import Assignment, Membership, Profile

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser_support import log_in, make_user, new_page, save_screenshot  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")


def test_a_due_date_typed_in_beijing_reads_right_in_beijing_and_new_york(live_server, browser: Browser, capsys):
    base = live_server.url
    prof, mei, sam = make_user("prof"), make_user("mei"), make_user("sam")
    instructor_grant(user=prof)
    course = course_services.course_create(title="反向传播", instructor=prof)
    for student in (mei, sam):
        Membership.objects.create(course=course, user=student, role=Membership.Role.STUDENT)
    due_day = (timezone.now().astimezone(BEIJING) + timedelta(days=5)).date()

    context, page = new_page(browser, "zh-CN", timezone_id="Asia/Shanghai")
    log_in(page, base, "prof")
    assert Profile.objects.get(user=prof).time_zone == "Asia/Shanghai"
    page.goto(f"{base}/courses/{course.pk}/assignments/new/")
    expect(page.locator("[data-testid=form-zone]")).to_contain_text("Asia/Shanghai")
    page.fill("#id_title", "作业一")
    page.fill("#id_due_at", f"{due_day:%Y-%m-%d}T23:59")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/assignments/\d+/$"))
    assignment = Assignment.objects.get(course=course)
    due_utc = assignment.due_at.astimezone(dt_timezone.utc)
    assert (due_utc.date(), due_utc.hour, due_utc.minute) == (due_day, 15, 59)  # storage stays UTC
    # A new assignment is a draft until published (Publication card on its overview).
    expect(page.locator("[data-testid=publish-card]")).to_have_attribute("data-published", "false")
    page.click("#publish-assignment")
    expect(page.locator("[data-testid=publish-card]")).to_have_attribute("data-published", "true")
    save_screenshot(page, "zones-teacher-zh.png", capsys)
    context.close()

    context, page = new_page(browser, "zh-CN", timezone_id="Asia/Shanghai")
    log_in(page, base, "mei")
    page.goto(f"{base}/assignments/{assignment.pk}/")
    expect(page.locator("main")).to_contain_text(f"{due_day:%Y-%m-%d} 23:59 Asia/Shanghai")
    expect(page.locator("[data-testid=time-zone]")).to_contain_text("Asia/Shanghai")
    save_screenshot(page, "zones-student-beijing.png", capsys)
    context.close()

    context, page = new_page(browser, "en-US", timezone_id="America/New_York")
    log_in(page, base, "sam")
    page.goto(f"{base}/assignments/{assignment.pk}/")
    expect(page.locator("main")).to_contain_text(f"{due_day:%Y-%m-%d} 10:59 America/New York")
    expect(page.locator("[data-testid=time-zone]")).to_contain_text("Times are shown in America/New York")
    # The zone is editable: sam moves to Beijing time and sees the teacher's 23:59.
    page.goto(f"{base}/account/")
    page.select_option("#id_time_zone", "Asia/Shanghai")
    page.click("main button[type=submit]")
    page.goto(f"{base}/assignments/{assignment.pk}/")
    expect(page.locator("main")).to_contain_text(f"{due_day:%Y-%m-%d} 23:59 Asia/Shanghai")
    save_screenshot(page, "zones-student-new-york.png", capsys)
    context.close()
