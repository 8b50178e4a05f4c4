"""Analytics: misconceptions counted by students and linked to who made them (staff only), item
analysis per part, per step and of the total, and a table beside every chart."""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from exercises.courses.selectors import analytics as analytics_selectors
from exercises.courses.services import homework as homework_services
from exercises.grading.variants import variant_solution

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # homework_support
pytest.register_assert_rewrite("homework_support")

from homework_support import EN, ZH, enroll, fake_graded, make_assignment, make_user, submit  # noqa: E402

pytest_plugins = ["homework_support"]

pytestmark = pytest.mark.django_db

KEYS_FLIP = ["net_h1", "out_h1", "net_h2", "out_h2", "net_o1", "out_o1", "net_o2", "out_o2", "E_total",
             "dE_dout_o1", "dE_dout_o2"]


def flipped(variant: Any, keys: list[str]) -> dict[str, str]:
    """The reference answers with the sign of `keys` flipped (the misconception sign_flipped)."""
    values = variant_solution(variant=variant).values
    return {key: repr(-values[key] if key in keys else values[key]) for key in KEYS_FLIP}


def add_students(course: Any, count: int) -> list[Any]:
    students = [make_user(f"s{i:03d}") for i in range(count)]
    for student in students:
        enroll(course, student)
    return students


@pytest.fixture
def sign_flips(course, instructor, alice, bob, django_capture_on_commit_callbacks):
    """alice flips the sign of ∂E/∂out on both outputs, bob on one; nobody else has it."""
    assignment = make_assignment(course, instructor, parts=KEYS_FLIP)
    for student, keys in ((alice, ["dE_dout_o1", "dE_dout_o2"]), (bob, ["dE_dout_o1"])):
        variant = homework_services.homework_variant(assignment=assignment, student=student)
        submit(django_capture_on_commit_callbacks, assignment, student, flipped(variant, keys))
    return assignment


def test_misconceptions_are_counted_by_students_not_by_parts(sign_flips, alice, bob):
    data = analytics_selectors.assignment_analytics(assignment=sign_flips)
    rows = {row.key: row for row in data.misconceptions}
    assert rows["sign_flipped"].students == 2 and rows["sign_flipped"].count == 3
    found = analytics_selectors.misconception_students(assignment=sign_flips, key="sign_flipped")
    assert [(row.user, row.parts) for row in found.students] == [
        (alice, ["dE_dout_o1", "dE_dout_o2"]), (bob, ["dE_dout_o1"])]
    assert found.message["en"]


def test_each_count_links_to_the_students_and_each_student_to_their_attempts(client, instructor, sign_flips,
                                                                             alice, bob):
    client.force_login(instructor)
    html = client.get(reverse("exercises:analytics", args=[sign_flips.pk]), **EN).content.decode()
    students_url = reverse("exercises:misconception_students", args=[sign_flips.pk, "sign_flipped"])
    assert re.search(rf'<a href="{re.escape(students_url)}"[^>]*>2 students</a>', html)
    page = client.get(students_url, **EN)
    assert page.status_code == 200
    text = page.content.decode()
    for student in (alice, bob):
        assert reverse("exercises:student", args=[sign_flips.pk, student.pk]) in text
    assert "Diagnosed in the counted attempts of 2 students." in text
    zh = client.get(students_url, **ZH).content.decode()
    assert "2 名学生" in zh and 'lang="zh-hans"' in zh


def test_the_students_of_a_misconception_are_for_staff_only(client, sign_flips, alice, ta, other_course):
    url = reverse("exercises:misconception_students", args=[sign_flips.pk, "sign_flipped"])
    client.force_login(alice)
    assert client.get(url).status_code in (403, 404)
    other = other_course.memberships.get(role="instructor").user
    client.force_login(other)
    assert client.get(url).status_code in (403, 404)
    client.force_login(ta)
    assert client.get(url).status_code == 200
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_an_unknown_misconception_or_the_local_formula_is_not_found(client, instructor, sign_flips):
    client.force_login(instructor)
    for key in ("no_such_thing", "local_formula"):
        url = reverse("exercises:misconception_students", args=[sign_flips.pk, key])
        assert client.get(url).status_code == 404
    # a known misconception nobody made: the page says so
    html = client.get(reverse("exercises:misconception_students", args=[sign_flips.pk, "forgot_bias"]),
                      **EN).content.decode()
    assert "No student&#x27;s counted attempt has it now." in html or "No student's counted attempt has it now." in html


def report(points: dict[str, float]) -> dict[str, Any]:
    """A stored report with these points per part (each worth 1, except out_o1 worth 2)."""
    maxima = {"net_h1": 1.0, "out_h1": 1.0, "out_o1": 2.0}
    parts = {key: {"status": "correct" if value == maxima[key] else ("incorrect" if value == 0 else "followthrough"),
                   "points": value, "max_points": maxima[key], "diagnoses": []} for key, value in points.items()}
    total = sum(points.values())
    return {"score": total / 4, "points": total, "max_points": 4.0, "parts": parts}


def test_item_analysis_per_part_step_and_total_from_the_counted_attempts(course, instructor):
    """The example of tests/graders/test_itemstats.py, stored as four students' reports:
    A = net_h1, B = out_h1 (1 point each), C = out_o1 (2 points)."""
    assignment = make_assignment(course, instructor, parts=["net_h1", "out_h1", "out_o1"], points={"out_o1": 2})
    rows = [(1, 1, 2), (1, 0, 1), (0, 1, 0), (0, 0, 1)]
    for student, (a, b, c) in zip(add_students(course, len(rows)), rows, strict=True):
        variant = homework_services.homework_variant(assignment=assignment, student=student)
        fake_graded(variant, student, 1, score=(a + b + c) / 4,
                    report=report({"net_h1": a, "out_h1": b, "out_o1": c}))
    data = analytics_selectors.assignment_analytics(assignment=assignment)
    items = {item.key: item for item in data.items.items}
    assert [items[k].facility for k in ("net_h1", "out_h1", "out_o1")] == [50.0, 50.0, 50.0]
    assert items["net_h1"].discrimination == pytest.approx(100 / math.sqrt(3))
    assert items["out_h1"].discrimination == pytest.approx(0.0)
    assert items["out_o1"].discrimination == pytest.approx(50.0)
    assert data.items.test.cic == pytest.approx(50.0) and data.items.test.max_mark == 4.0
    # per step: net_h1 and out_h1 are the forward step... and so is out_o1: one item, no CIC
    assert [item.key for item in data.step_items.items] == ["forward"]
    assert data.step_items.items[0].facility == 50.0 and data.step_items.test.cic is None


def test_the_item_table_shows_the_indices_and_dashes_where_undefined(client, instructor, course, alice):
    assignment = make_assignment(course, instructor, parts=["net_h1", "out_h1", "out_o1"], points={"out_o1": 2})
    client.force_login(instructor)
    url = reverse("exercises:analytics", args=[assignment.pk])
    html = client.get(url, **EN).content.decode()
    assert 'id="item-table"' in html and "No graded attempts yet." in html
    # one student: facility only; the rest cannot be computed
    variant = homework_services.homework_variant(assignment=assignment, student=alice)
    fake_graded(variant, alice, 1, score=0.75, report=report({"net_h1": 1, "out_h1": 0, "out_o1": 2}))
    html = client.get(url, **EN).content.decode()
    row = re.search(r'<tr data-key="out_h1">(.*?)</tr>', html.split('id="item-table"')[1], re.S).group(1)
    assert '<td class="num" data-stat="facility">0.0%<span class="reading">extremely difficult</span>' in row
    assert '<td class="num" data-stat="discrimination">—</td>' in row
    assert 'data-testid="cic">—<' in html
    assert "<math" in html and 'alttext="D i equals 100 times' in html  # the formulas, read aloud
    zh = client.get(url, **ZH).content.decode()
    assert "区分度指数" in zh and "难易度指数" in zh


def test_every_chart_has_a_table_with_the_same_rows(client, instructor, sign_flips):
    client.force_login(instructor)
    html = client.get(reverse("exercises:analytics", args=[sign_flips.pk]), **EN).content.decode()
    charts = re.findall(r'<figure class="chart-figure">(.*?)</figure>\s*(.*?)</section>', html, re.S)
    assert len(charts) == 4
    for svg, after in charts:
        bars = len(re.findall(r'class="bar-row"', svg))
        body = re.search(r"<tbody>(.*?)</tbody>", after, re.S)
        assert body, svg[:200]
        assert len(re.findall(r"<tr[ >]", body.group(1))) == bars, svg[:200]


def test_analytics_queries_stay_constant_with_item_analysis(course, instructor, django_assert_num_queries):
    import graders

    assignment = make_assignment(course, instructor)
    stored = graders.grade(graders.generate("article", "x"), {"net_h1": "0.1"}).to_dict()
    for student in add_students(course, 12):
        fake_graded(homework_services.homework_variant(assignment=assignment, student=student), student, 2,
                    report=stored)
    with django_assert_num_queries(2):  # the question's networks, the counted attempts
        data = analytics_selectors.assignment_analytics(assignment=assignment)
    assert data.items.test.n == 12 and len(data.items.items) == 40
