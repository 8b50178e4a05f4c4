"""The analytics charts: well-formed SVG, one bar per row, accessible titles, escaped text."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter

import pytest
from django.utils import translation

from exercises.courses import charts
from exercises.courses.charts import CountRow, StackedRow, histogram_chart, misconception_chart, stacked_bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None and title.text, "a chart names itself"
    assert desc is not None and desc.text, "a chart describes its data in words"
    assert root.get("aria-labelledby") == title.get("id")
    assert root.get("aria-describedby") == desc.get("id")
    return root


def groups(root: ET.Element, css_class: str = "bar-row") -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == css_class]


def all_text(element: ET.Element) -> str:
    return "".join(element.itertext())


@pytest.fixture
def part_rows() -> list[StackedRow]:
    return [
        StackedRow("net_h1", "net<sub>h1</sub>", Counter(correct=8, followthrough=1, incorrect=1)),
        StackedRow("dE_dw6", "∂E<sub>total</sub>/∂w6", Counter(correct=3, incorrect=5, missing=1, invalid=1)),
        StackedRow("w6_new", "w6<sup>+</sup>", Counter()),
    ]


def test_stacked_bars_one_row_per_part_with_segments(part_rows):
    root = parse(stacked_bar_chart(part_rows, title="Per part", element_id="parts-chart"))
    rows = groups(root)
    assert [row.get("data-key") for row in rows] == ["net_h1", "dE_dw6", "w6_new"]
    segments = [[rect.get("data-segment") for rect in row.iter(f"{SVG}rect") if rect.get("data-segment")] for row in rows]
    assert segments == [["correct", "followthrough", "incorrect"], ["correct", "incorrect", "other"], []]
    # The "other" segment folds format errors and blanks together.
    other = next(r for r in rows[1].iter(f"{SVG}rect") if r.get("data-segment") == "other")
    assert other.get("data-count") == "2"
    # Every bar has a tooltip naming its count and share; shares on the bar add up to the whole.
    first = [r for r in rows[0].iter(f"{SVG}rect") if r.get("data-segment")]
    assert "8/10 (80%)" in all_text(first[0].find(f"{SVG}title"))
    assert sum(float(r.get("width")) for r in first) == pytest.approx(
        sum(float(r.get("width")) for r in rows[1].iter(f"{SVG}rect") if r.get("data-segment")), abs=0.5
    )
    # An empty row still shows a grey track and says so.
    assert any(r.get("class") == "bar-empty" for r in rows[2].iter(f"{SVG}rect"))
    # A legend names all four segments.
    assert len(groups(root, "legend-item")) == 4


def test_labels_keep_the_notation_as_tspans(part_rows):
    root = parse(stacked_bar_chart(part_rows, title="t", element_id="c"))
    label = next(t for t in root.iter(f"{SVG}text") if t.get("class") == "bar-label")
    sub = label.find(f"{SVG}tspan")
    assert label.text == "net" and sub is not None and sub.text == "h1"
    assert sub.get("baseline-shift") == "sub"


def test_text_is_escaped():
    hostile = "<script>alert(1)</script> & \"quotes\""
    svg = stacked_bar_chart(
        [StackedRow("x\"><script>", hostile, Counter(correct=1))], title=hostile, element_id="e\"vil"
    )
    assert "<script>" not in svg
    root = parse(svg)
    assert hostile in all_text(root)
    svg = misconception_chart([CountRow("k", hostile, 3)], title=hostile, element_id="m")
    assert "<script>" not in svg
    parse(svg)


def test_misconception_chart_orders_and_counts():
    rows = [CountRow("sign_flipped", "The sign is flipped", 7), CountRow("forgot_activation_derivative", "x" * 300, 2)]
    root = parse(misconception_chart(rows, title="Top misconceptions", element_id="mis"))
    bars = groups(root)
    assert [g.get("data-key") for g in bars] == ["sign_flipped", "forgot_activation_derivative"]
    assert [g.get("data-count") for g in bars] == ["7", "2"]
    widths = [float(next(g.iter(f"{SVG}rect")).get("width")) for g in bars]
    assert widths[0] > widths[1] * 3
    # A long message is cut on the chart, whole in the tooltip.
    assert "…" in all_text(bars[1].find(f"{SVG}text"))
    assert "x" * 300 in all_text(bars[1].find(f"{SVG}title"))


def test_histogram_has_ten_bars_scaled_to_the_largest():
    counts = [0, 1, 0, 2, 0, 0, 3, 0, 5, 12]
    root = parse(histogram_chart(counts, title="Scores", element_id="hist"))
    bars = groups(root)
    assert len(bars) == 10
    heights = [float(next(g.iter(f"{SVG}rect")).get("height")) for g in bars]
    assert heights[9] == max(heights) and heights[0] == 0
    assert heights[8] / heights[9] == pytest.approx(5 / 12, rel=0.02)
    assert "90–100%" in all_text(root)


def test_empty_data_still_renders():
    for svg in (
        stacked_bar_chart([], title="t", element_id="a"),
        misconception_chart([], title="t", element_id="b"),
        histogram_chart([0] * 10, title="t", element_id="c"),
    ):
        parse(svg)


def test_legend_and_axis_words_are_translated(part_rows):
    with translation.override("zh-hans"):
        svg = stacked_bar_chart(part_rows, title="每个小题", element_id="z")
        hist = histogram_chart([1] * 10, title="分数", element_id="h")
    assert "正确" in svg and "Correct" not in svg
    assert "Score" not in hist
    parse(svg)
    parse(hist)


def test_wide_characters_count_double():
    assert charts.text_width("正确") == pytest.approx(2 * charts.text_width("ab"))
