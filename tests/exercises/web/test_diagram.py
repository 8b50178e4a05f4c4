"""The network diagram: well-formed SVG, every edge labelled, the values shown, text escaped."""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET

import pytest
from django.utils import translation

import graders
from exercises.web import diagram
from exercises.web.diagram import format_value, network_svg

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def texts(root: ET.Element) -> list[str]:
    return [element.text or "" for element in root.iter(f"{SVG}text")]


def lines_with_class(root: ET.Element, css_class: str) -> list[ET.Element]:
    return [line for line in root.iter(f"{SVG}line") if line.get("class") == css_class]


@pytest.fixture(autouse=True)
def fresh_drawings():
    """network_svg caches drawings per network and language; each test draws afresh."""
    diagram._network_svg.cache_clear()
    yield
    diagram._network_svg.cache_clear()


@pytest.fixture
def article_spec() -> dict:
    return graders.generate("article", "")


def test_article_has_eight_labelled_weight_edges(article_spec):
    root = parse(network_svg(article_spec))
    assert len(lines_with_class(root, "edge edge-weight")) == 8
    labels = texts(root)
    expected = {
        "w1": "0.05", "w2": "0.1", "w3": "0.15", "w4": "0.2",
        "w5": "0.25", "w6": "0.3", "w7": "0.35", "w8": "0.4",
    }
    for name, value in expected.items():
        assert f"{name} = {value}" in labels


def test_article_shows_neurons_inputs_targets_and_intercepts(article_spec):
    root = parse(network_svg(article_spec))
    labels = texts(root)
    for name in ("i1", "i2", "h1", "h2", "o1", "o2", "b1", "b2"):
        assert name in labels
    assert "i1 = 0.1" in labels and "i2 = 0.2" in labels
    assert labels.count("= 0.3") == 2  # b1 = b2 = 0.3
    assert any("0.8" in text for text in labels) and any("0.9" in text for text in labels)
    # b1 feeds h1 and h2, b2 feeds o1 and o2: four dashed intercept edges.
    assert len(lines_with_class(root, "edge edge-bias")) == 4


def test_article_svg_is_accessible(article_spec):
    root = parse(network_svg(article_spec, element_id="net"))
    assert root.get("role") == "group"
    assert root.get("aria-labelledby") == "net-title"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None and title.get("id") == "net-title"
    assert desc is not None and "w6: h2 → o1 = 0.3" in (desc.text or "")


@pytest.mark.parametrize("template", sorted(graders.TEMPLATES))
def test_every_template_draws_every_weight(template):
    spec = graders.generate(template, "diagram-test")
    root = parse(network_svg(spec))
    layers = spec["layers"]
    weight_count = sum(a * b for a, b in zip(layers, layers[1:], strict=False))
    assert len(lines_with_class(root, "edge edge-weight")) == weight_count
    # Every edge names its weight, both ends and its value in its <title> (shown on hover), whether
    # or not there was room for a label on it.
    titles = [t.text or "" for t in root.iter(f"{SVG}title")]
    for n in range(1, weight_count + 1):
        assert any(title.startswith(f"w{n}: ") and " → " in title and " = " in title for title in titles), n
    circles = list(root.iter(f"{SVG}circle"))
    bias_nodes = [c for c in circles if "neuron-bias" in (c.get("class") or "")]
    expected_biases = {"shared": len(layers) - 1, "per_neuron": sum(layers[1:]), "none": 0}[spec["bias"]]
    assert len(bias_nodes) == expected_biases
    assert len(circles) - len(bias_nodes) == sum(layers)


def test_no_bias_mode_draws_no_intercepts(article_spec):
    spec = copy.deepcopy(article_spec)
    spec["bias"] = "none"
    spec["biases"] = []
    root = parse(network_svg(spec))
    assert lines_with_class(root, "edge edge-bias") == []
    assert not any(text.startswith("b") for text in texts(root))


def test_per_neuron_biases_each_feed_one_neuron(article_spec):
    spec = copy.deepcopy(article_spec)
    spec["bias"] = "per_neuron"
    spec["biases"] = [[0.1, 0.2], [0.3, 0.4]]
    root = parse(network_svg(spec))
    assert len(lines_with_class(root, "edge edge-bias")) == 4
    labels = texts(root)
    for name, value in (("b1", "0.1"), ("b2", "0.2"), ("b3", "0.3"), ("b4", "0.4")):
        assert name in labels and f"= {value}" in labels


def test_translated_text_is_escaped_and_well_formed(article_spec, monkeypatch):
    monkeypatch.setattr("exercises.web.diagram.gettext", lambda text: "<&\"'>" + text)
    svg = network_svg(article_spec)
    root = parse(svg)
    assert "<&\"'>" not in svg  # the marker only ever appears escaped
    assert any(text.startswith("<&\"'>") for text in texts(root))


def test_chinese_labels_parse(article_spec):
    with translation.override("zh-hans"):
        root = parse(network_svg(article_spec))
    assert "输入层" in texts(root)


def test_invalid_spec_is_rejected(article_spec):
    spec = copy.deepcopy(article_spec)
    spec["layers"] = [2, 2]
    with pytest.raises(graders.SpecError):
        network_svg(spec)


@pytest.mark.parametrize(
    ("value", "text"), [(0.05, "0.05"), (0.3, "0.3"), (-1.25, "-1.25"), (0.0, "0"), (0.123456, "0.1235"),
                          (0.00001, "0.00001"), (-2.5e-6, "-0.0000025"), (12345.0, "12340")]
)
def test_format_value(value, text):
    assert format_value(value) == text


# ------------------------------------------------------------------------ labels never overlap


def text_boxes(root: ET.Element) -> list[tuple[str, diagram.Box]]:
    """The box of every piece of text the diagram draws, estimated as the layout does: edge labels
    by their background rectangle, neuron names by their circle, values by their anchor and length."""
    boxes: list[tuple[str, diagram.Box]] = []
    for group in root.iter(f"{SVG}g"):
        rect = group.find(f"{SVG}rect")
        if "edge-tag" in (group.get("class") or "") and rect is not None:
            left, top = float(rect.get("x")), float(rect.get("y"))
            box = diagram.Box(left, top, left + float(rect.get("width")), top + float(rect.get("height")))
            boxes.append((group.findtext(f"{SVG}text") or "", box))
    for circle in root.iter(f"{SVG}circle"):
        x, y, r = float(circle.get("cx")), float(circle.get("cy")), float(circle.get("r"))
        boxes.append((f"circle {x},{y}", diagram.Box(x - r, y - r, x + r, y + r)))
    for text in root.iter(f"{SVG}text"):
        if text.get("class") != "neuron-value" or (text.text or "").startswith("b"):
            continue  # bias names sit inside their circles
        x, y, width = float(text.get("x")), float(text.get("y")), len(text.text or "") * diagram.CHAR_WIDTH
        anchor = text.get("text-anchor")
        left = x - width if anchor == "end" else x if anchor == "start" else x - width / 2
        boxes.append((text.text or "", diagram.Box(left, y - 7, left + width, y + 7)))
    return boxes


@pytest.mark.parametrize(("template", "least_labels"), [("deep-4-8-8-3", 0), ("tanh-2-3-1", 9), ("relu-3-3-2", 15),
                                                         ("article", 8)])
def test_no_two_labels_overlap(template, least_labels):
    for seed in ("a", "b", "c"):
        root = parse(network_svg(graders.generate(template, seed)))
        boxes = text_boxes(root)
        for i, (name, box) in enumerate(boxes):
            for other_name, other in boxes[i + 1:]:
                assert not box.overlaps(other, gap=0.0), (template, seed, name, other_name)
        edge_labels = [group for group in root.iter(f"{SVG}g") if group.get("class") == "edge-tag"]
        assert len(edge_labels) >= least_labels


def test_small_networks_show_every_weight_value_on_its_edge():
    for template in ("article", "tanh-2-3-1", "relu-3-3-2"):
        root = parse(network_svg(graders.generate(template, "values")))
        labels = [t for t in texts(root) if t.startswith("w")]
        assert labels and all(" = " in label for label in labels), (template, labels)


def test_deep_hidden_neurons_are_written_as_the_form_writes_them():
    svg = network_svg(graders.generate("deep-4-8-8-3", "x"))
    assert '>h<tspan class="sub" baseline-shift="sub">1,3</tspan></text>' in svg
    assert ">h1_3<" not in svg
    assert "w1: i1 → h₁,₁ = " in svg


def test_the_description_gives_every_connection_with_its_ends(article_spec):
    root = parse(network_svg(article_spec))
    desc = root.find(f"{SVG}desc").text or ""
    assert "w1: i1 → h1 = 0.05" in desc and "w8: h2 → o2 = 0.4" in desc
    assert "b1 → h1 = 0.3" in desc and "b2 → o2 = 0.3" in desc
    assert "i1 = 0.1" in desc and "o1 = 0.8" in desc


def test_weight_tables_give_every_weight_by_its_ends():
    spec = graders.generate("deep-4-8-8-3", "x")
    tables = diagram.weight_tables(spec, element_id="net")
    root = ET.fromstring(f"<div>{tables}</div>")
    assert root.find("details").get("id") == "net-weights" and root.find("details").get("open") == ""
    tables_found = list(root.iter("table"))
    assert len(tables_found) == 3
    first = tables_found[0]
    header = [th.text or "" for th in first.find("thead").iter("th")]
    assert header[1:5] == ["i1", "i2", "i3", "i4"]
    rows = list(first.find("tbody").iter("tr"))
    assert len(rows) == 8
    assert rows[0].find("th").text == "h" and rows[0].find("th/sub").text == "1,1"
    assert rows[0].find("td").get("data-edge") == "w1"
    assert f"w1 {format_value(spec['weights'][0][0][0])}" == "".join(rows[0].find("td").itertext())


def test_each_neuron_is_one_keyboard_stop_named_with_its_connections(article_spec):
    root = parse(network_svg(article_spec))
    nodes = [g for g in root.iter(f"{SVG}g") if "node-stop" in (g.get("class") or "")]
    assert [g.get("data-node") for g in nodes] == ["i1", "i2", "h1", "h2", "o1", "o2"]
    assert [g.get("tabindex") for g in nodes] == ["0", "-1", "-1", "-1", "-1", "-1"]  # one tab stop, arrows move
    h1 = nodes[2].get("aria-label")
    assert h1.startswith("h1: ") and "w1: i1 → h1 = 0.05" in h1 and "b1 → h1 = 0.3" in h1
    assert "w5: h1 → o1 = 0.25" in h1 and "w7: h1 → o2 = 0.35" in h1 and "w6" not in h1
