"""The analytics endpoint: misconceptions with the number of students, and item analysis."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from django.test import Client

from exercises.courses.services import homework as homework_services

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # homework_support
pytest.register_assert_rewrite("homework_support")

from homework_support import fake_graded, make_assignment  # noqa: E402

pytest_plugins = ["homework_support"]

pytestmark = pytest.mark.django_db


def part(points: float, diagnosed: bool = False) -> dict:
    diagnoses = [{"key": "sign_flipped", "message": {"en": "sign"}}] if diagnosed else []
    return {"status": "correct" if points else "incorrect", "points": points, "max_points": 1.0,
            "diagnoses": diagnoses}


def test_analytics_json_counts_misconceptions_by_students_and_gives_item_analysis(course, instructor, alice, bob):
    a = make_assignment(course, instructor, parts=["net_h1", "out_h1"])
    # alice: sign flipped on both parts (0 points); bob: both right
    for student, report_parts in ((alice, {"net_h1": part(0, True), "out_h1": part(0, True)}),
                                  (bob, {"net_h1": part(1), "out_h1": part(1)})):
        total = sum(p["points"] for p in report_parts.values())
        fake_graded(homework_services.homework_variant(assignment=a, student=student), student, 1,
                    score=total / 2, report={"score": total / 2, "points": total, "max_points": 2.0,
                                             "parts": report_parts})
    client = Client()
    client.force_login(instructor)
    stats = client.get(f"/api/assignments/{a.pk}/analytics").json()
    assert stats["misconceptions"][0]["key"] == "sign_flipped"
    assert (stats["misconceptions"][0]["count"], stats["misconceptions"][0]["students"]) == (2, 1)
    items = {item["key"]: item for item in stats["item_analysis"]["items"]}
    # net_h1: scores (0, 1), mean 0.5 of 1 → 50 %; rest (out_h1) (0, 1): perfectly correlated → 100 %
    assert items["net_h1"]["facility"] == 50.0 and items["net_h1"]["discrimination"] == pytest.approx(100.0)
    test = stats["item_analysis"]["test"]
    assert (test["n"], test["items"], test["max_mark"], test["mean"]) == (2, 2, 2.0, 1.0)
    # CIC = 100 · 2/1 · (1 − (½ + ½)/2) = 100: V(x) = ½ each, V(T) = V((0, 2)) = 2
    assert test["cic"] == pytest.approx(100.0)
    client.force_login(alice)
    assert client.get(f"/api/assignments/{a.pk}/analytics").status_code == 403
