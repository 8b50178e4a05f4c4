"""The gradebook's sorting, percent format and footer rows; CSV and XLSX exports with the
percentage, attempts, late and override columns, Chinese names intact (issue 14)."""

from __future__ import annotations

import csv
import io
import re
import sys
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse

from exercises.courses.selectors import export as export_selectors
from exercises.courses.services import homework as homework_services
from exercises.courses.services import overrides as override_services
from exercises.templatetags.bpcourse_tags import percent, pp_change

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
pytest.register_assert_rewrite("homework_support")

from homework_support import enroll, fake_graded, make_assignment, make_user  # noqa: E402

pytest_plugins = ["homework_support"]
pytestmark = pytest.mark.django_db


def test_percentages_have_one_format_and_changes_are_in_percentage_points():
    assert percent(0.81) == "81.0\u00a0%" and percent(1) == "100.0\u00a0%" and percent(0.324) == "32.4\u00a0%"
    assert percent(None) == "" and percent("x") == "" and percent(float("inf")) == ""
    assert pp_change(0.324, 0.38) == "\u22125.6\u00a0pp" and pp_change(0.9, 0.5) == "+40.0\u00a0pp"
    assert pp_change(0.5, 0.5) == "±0.0\u00a0pp"


@pytest.fixture
def book(course, instructor):
    """Three students with 25 %, 75 % and nothing on a 1-point assignment; 王伟 has a Chinese name."""
    assignment = make_assignment(course, instructor, title="作业 1", parts=["net_h1"])
    students = []
    for username, first, last in (("wang", "伟", "王"), ("amy", "Amy", "A"), ("zed", "Zed", "Z")):
        user = make_user(username, first_name=first, last_name=last)
        enroll(course, user)
        students.append(user)
    fake_graded(homework_services.homework_variant(assignment=assignment, student=students[0]), students[0], 1, score=0.25)
    fake_graded(homework_services.homework_variant(assignment=assignment, student=students[1]), students[1], 2, score=0.75)
    override_services.score_override_set(assignment=assignment, actor=instructor, student=students[1], score=0.9,
                                         comment="=cmd|' /C calc'!A0")
    return assignment, students


def order(html: str) -> list[str]:
    return re.findall(r'<tr data-student="([^"]+)"', html)


def test_columns_sort_on_the_server_with_aria_sort_and_blanks_last(client, instructor, book):
    assignment, _students = book
    client.force_login(instructor)
    url = reverse("exercises:gradebook", args=[assignment.course_id])
    plain = client.get(url).content.decode()
    assert order(plain) == ["amy", "zed", "wang"]  # by family name: A, Z, 王
    assert '<th scope="col" aria-sort="ascending"><button type="submit" form="gradebook-sort"' in plain
    up = client.get(url, {"sort": f"a{assignment.pk}"}).content.decode()
    assert order(up) == ["wang", "amy", "zed"] and 'aria-sort="ascending"' in up
    down = client.get(url, {"sort": f"-a{assignment.pk}"}).content.decode()
    assert order(down) == ["amy", "wang", "zed"] and 'aria-sort="descending"' in down
    assert order(client.get(url, {"sort": "-total"}).content.decode()) == ["amy", "wang", "zed"]
    assert order(client.get(url, {"sort": "bogus"}).content.decode()) == ["amy", "zed", "wang"]
    assert order(client.get(url, {"sort": "-student"}).content.decode()) == ["wang", "zed", "amy"]
    # The average and median rows stay at the foot, after every student.
    assert down.index("</tbody>") < down.index('data-testid="average-row"') < down.index('data-testid="median-row"')
    assert "90.0\u00a0%" in down and "25.0\u00a0%" in down and 'src="/static/exercises/gradebook.js"' in down


def test_the_csv_download_has_a_bom_and_every_column(client, instructor, book):
    assignment, _students = book
    client.force_login(instructor)
    raw = client.get(reverse("exercises:gradebook_csv", args=[assignment.course_id])).content
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:8] == ["Username", "Email", "Name", "作业 1 (1)", "作业 1 %", "作业 1 attempts",
                           "作业 1 late attempts", "作业 1 override %"]
    by_user = {row[0]: row for row in rows[1:]}
    assert by_user["wang"][2:8] == ["伟 王", "0.25", "25", "1", "0", ""]
    assert by_user["amy"][3:8] == ["0.9", "90", "2", "0", "90"]
    assert by_user["zed"][3:8] == ["", "", "0", "0", ""]


def test_the_xlsx_has_the_same_columns_numbers_as_numbers_and_chinese_names(client, instructor, book, alice):
    assignment, _students = book
    client.force_login(instructor)
    response = client.get(reverse("exercises:gradebook_xlsx", args=[assignment.course_id]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    csv_rows = list(csv.reader(io.StringIO(
        client.get(reverse("exercises:gradebook_csv", args=[assignment.course_id])).content.decode("utf-8-sig"))))
    assert rows[0] == csv_rows[0]
    by_user = {row[0]: row for row in rows[1:]}
    assert by_user["wang"][2] == "伟 王" and by_user["wang"][3] == 0.25 and by_user["wang"][4] == 25.0
    assert by_user["amy"][7] == 90.0 and by_user["zed"][3] is None
    # Staff only: a student of the course gets a 403.
    client.force_login(alice)
    assert client.get(reverse("exercises:gradebook_xlsx", args=[assignment.course_id])).status_code == 403


def test_xlsx_text_that_looks_like_a_formula_stays_text(course, instructor):
    make_assignment(course, instructor, title="=SUM(1,2)")
    enroll(course, make_user("eve", first_name="=HYPERLINK(\"x\")", last_name=""))
    data = export_selectors.gradebook_xlsx(course=course)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet.cell(row=1, column=4).value == "=SUM(1,2) (40)" or sheet.cell(row=1, column=4).data_type == "s"
    assert sheet.cell(row=1, column=4).data_type == "s" and sheet.cell(row=2, column=3).data_type == "s"
