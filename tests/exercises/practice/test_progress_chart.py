"""The mastery chart: a well-formed, labelled SVG whose points, description and threshold line say
what the values are (checked against the numbers given), with every text escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.utils import translation

from exercises.practice.progress_chart import HEIGHT, TOP, BOTTOM, MAX_POINTS, mastery_chart

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_the_chart_draws_one_point_per_attempt_at_its_height_and_describes_them():
    svg = mastery_chart([0.0, 0.5, 1.0], title="Mastery of <x>", element_id="m-1", threshold=0.8)
    root = ET.fromstring(svg)
    assert root.get("role") == "img" and root.get("aria-labelledby") == "m-1-title"
    assert root.find(f"{SVG}title").text == "Mastery of <x>"
    assert root.find(f"{SVG}desc").text == "Mastery after each attempt: 0%, 50%, 100%; mastered from 80%."
    points = root.findall(f".//{SVG}circle")
    assert [float(p.get("data-value")) for p in points] == [0.0, 0.5, 1.0]
    plot = HEIGHT - TOP - BOTTOM
    assert [float(p.get("cy")) for p in points] == [TOP + plot, TOP + plot / 2, TOP]
    (threshold,) = [line for line in root.findall(f"{SVG}line") if line.get("class") == "threshold"]
    assert float(threshold.get("y1")) == round(TOP + plot * 0.2, 1)
    assert [p.find(f"{SVG}title").text for p in points][-1] == "After attempt 3: 100%"


def test_only_the_latest_attempts_are_drawn_and_numbered_as_such():
    values = [i / 40 for i in range(30)]
    root = ET.fromstring(mastery_chart(values, title="t", element_id="m", threshold=0.8))
    points = root.findall(f".//{SVG}circle")
    assert len(points) == MAX_POINTS
    assert points[0].find(f"{SVG}title").text == f"After attempt {30 - MAX_POINTS + 1}: 25%"


def test_a_skill_never_practised_says_so():
    root = ET.fromstring(mastery_chart([], title="t", element_id="m", threshold=0.8))
    assert root.findall(f".//{SVG}circle") == [] and root.find(f"{SVG}desc").text == "Not practised yet"
