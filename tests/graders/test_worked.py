"""Worked solutions: article notation, every quantity covered, numbers right, MathML clean."""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET
from unittest import mock

import latex2mathml.converter
import pytest
import sympy

import graders
from graders.graph import STEPS, build_graph, section_name
from graders.spec import parse_spec
from graders.variants import ARTICLE_SPEC
from graders.worked import format_number, join_identifiers, line_templates, worked_solution

MATHML = "{http://www.w3.org/1998/Math/MathML}"
NUMBER = re.compile(r"^(-?\d+(?:\.\d+)?)(?: \\times 10\^\{(-?\d+)\})?$")


def partial(top: str, bottom: str) -> str:
    return rf"\frac{{\partial {top}}}{{\partial {bottom}}}"


E = r"E_{\mathrm{total}}"
OUT_O1, NET_O1 = r"\mathrm{out}_{o1}", r"\mathrm{net}_{o1}"
OUT_H1, NET_H1 = r"\mathrm{out}_{h1}", r"\mathrm{net}_{h1}"

EXTRA_SPECS = {
    "relu-linear-mse-nobias": {
        "layers": [2, 2, 1], "activations": ["relu", "linear"], "loss": "mse", "bias": "none",
        "inputs": [0.5, -0.4], "targets": [0.7],
        "weights": [[[0.3, -0.2], [-0.6, 0.1]], [[0.8, -0.5]]], "biases": [],
    },
    "tanh-sigmoid-bce-per-neuron-trained": {
        "layers": [2, 3, 2], "activations": ["tanh", "sigmoid"], "loss": "bce",
        "bias": "per_neuron", "train_biases": True, "learning_rate": 0.1,
        "inputs": [0.2, -0.7], "targets": [1.0, 0.25],
        "weights": [[[0.1, 0.4], [-0.3, 0.2], [0.5, -0.5]], [[0.2, -0.1, 0.3], [0.4, 0.6, -0.2]]],
        "biases": [[0.1, -0.2, 0.05], [0.3, -0.1]],
    },
    "deep-softmax-ce-shared-trained": {
        "layers": [3, 2, 2, 3], "activations": ["sigmoid", "tanh", "softmax"], "loss": "ce",
        "bias": "shared", "train_biases": True,
        "inputs": [0.1, 0.9, -0.3], "targets": [0.2, 0.0, 0.8],
        "weights": [[[0.1, 0.2, 0.3], [-0.4, 0.5, 0.6]], [[0.7, -0.8], [0.9, 0.1]],
                    [[0.2, -0.3], [0.4, 0.5], [-0.6, 0.7]]],
        "biases": [[0.1], [-0.2], [0.3]],
    },
    "linear-mse-tiny-numbers": {
        "layers": [1, 1, 3], "activations": ["linear", "linear"], "loss": "mse",
        "bias": "per_neuron", "train_biases": True,
        "inputs": [0.00001], "targets": [0.00002, -3e-6, 123456.0],
        "weights": [[[0.5]], [[0.2], [-0.3], [0.4]]], "biases": [[-0.000004], [0.1, 2e-7, -0.3]],
    },
}


def all_specs() -> dict[str, dict]:
    specs = {name: graders.generate(name, "t1") for name in graders.TEMPLATES}
    specs.update(EXTRA_SPECS)
    return specs


SPECS = all_specs()


def parse_number(text: str) -> float:
    match = NUMBER.match(text)
    assert match, f"not a formatted number: {text!r}"
    mantissa, exponent = match.groups()
    return float(f"{mantissa}e{exponent}" if exponent else mantissa)


@pytest.fixture(scope="module")
def article():
    return worked_solution(ARTICLE_SPEC)


# ---------------------------------------------------------------------------------------------
# The article's example


def test_steps_follow_graph_steps(article):
    assert [s.name for s in article.steps] == list(STEPS)
    assert [line.key for line in article.steps[0].lines][:2] == ["net_h1", "out_h1"]


def test_article_forward_lines(article):
    net = article.line("net_h1")
    assert net.forms == [
        r"\mathrm{net}_{h1}", r"w_{1} \times i_{1} + w_{2} \times i_{2} + b_{1}",
        r"0.05 \times 0.1 + 0.1 \times 0.2 + 0.3", "0.325",
    ]
    out = article.line("out_h1")
    assert out.forms[0] == OUT_H1
    assert NET_H1 in out.forms[1] and "e^{" in out.forms[1]
    assert "0.325" in out.forms[2] and out.forms[-1] == "0.580542"
    e_o1 = article.line("E_o1")
    assert r"\mathrm{target}_{o1} - \mathrm{out}_{o1}" in e_o1.forms[1]
    assert r"\frac{1}{2}" in e_o1.forms[1]
    assert abs(e_o1.value - 0.011167) < 5e-7


def test_article_w6_line(article):
    line = article.line("dE_dw6")
    assert line.forms[0] == partial(E, "w_{6}")
    chain = line.forms[1]
    factors = [partial(E, OUT_O1), partial(OUT_O1, NET_O1), partial(NET_O1, "w_{6}")]
    positions = [chain.find(f) for f in factors]
    assert -1 not in positions and positions == sorted(positions)
    assert chain == r" \times ".join(factors)
    names = line.forms[2]
    assert names.startswith(r"- (\mathrm{target}_{o1} - \mathrm{out}_{o1})")
    assert names.endswith(r"\mathrm{out}_{h2}")
    assert line.forms[3] == r"-0.149444 \times 0.227333 \times 0.58783"
    assert abs(line.value - -0.019971) < 5e-7
    assert parse_number(line.forms[-1]) == pytest.approx(-0.019971, abs=5e-7)
    assert line.latex == " = ".join(line.forms)


def test_article_w2_goes_through_both_outputs(article):
    hidden = article.line("dE_dout_h1")
    assert hidden.forms[0] == partial(E, OUT_H1)
    assert r"\delta_{o1} \times w_{5} + \delta_{o2} \times w_{7}" in hidden.forms
    assert partial(E, NET_O1) in hidden.forms[1]
    assert partial(E, r"\mathrm{net}_{o2}") in hidden.forms[1]
    line = article.line("dE_dw2")
    factors = [partial(E, OUT_H1), partial(OUT_H1, NET_H1), partial(NET_H1, "w_{2}")]
    assert line.forms[1] == r" \times ".join(factors)
    assert r"\left(\delta_{o1} \times w_{5} + \delta_{o2} \times w_{7}\right)" in line.forms[2]
    assert line.forms[2].endswith("i_{2}")


def test_article_delta_and_update(article):
    delta = article.line("delta_o1")
    assert delta.forms[:2] == [r"\delta_{o1}", partial(E, NET_O1)]
    update = article.line("w6_new")
    assert update.forms == [
        "w_{6}^{+}", r"w_{6} - \eta \times " + partial(E, "w_{6}"),
        r"0.3 - 0.5 \times \left(-0.0199706\right)", "0.309985",
    ]
    new_error = article.line("E_total_new")
    assert new_error.forms == [E + "^{+}", f"{new_error.value:.6g}"]
    assert new_error.value < article.line("E_total").value


def test_to_dict_is_json_safe(article):
    data = json.loads(json.dumps(article.to_dict(), allow_nan=False))
    assert [s["name"] for s in data["steps"]] == list(STEPS)
    first = data["steps"][0]["lines"][0]
    assert set(first) >= {"key", "value", "latex", "mathml", "forms"}


def test_unknown_key_raises(article):
    with pytest.raises(KeyError):
        article.line("dE_dw99")


# ---------------------------------------------------------------------------------------------
# Every template and architecture


@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_quantity_has_a_checked_line(name):
    spec = SPECS[name]
    worked = worked_solution(spec)
    solution = graders.solve(spec)
    graph = build_graph(solution.spec.arch)
    keys = [line.key for line in worked.lines]
    in_order = sorted(graph.nodes, key=lambda n: (n.meta.get("iteration", 1), STEPS.index(n.step)))
    assert keys == [n.key for n in in_order]
    for step in worked.steps:  # a later training step's sections are s2_forward…
        assert all(section_name(line.step, step.iteration) == step.name for line in step.lines)
    for line in worked.lines:
        assert line.latex == " = ".join(line.forms)
        assert len(line.forms) >= 2
        assert not re.search("[\ue000-\uf8ff]", line.latex + line.mathml)
        # the value, to 6 significant figures
        assert line.value == solution.values[line.key]
        shown = parse_number(line.forms[-1])
        assert shown == float(f"{line.value:.6g}"), line.key
        assert math.isclose(shown, line.value, rel_tol=1e-5, abs_tol=1e-300)
        # MathML: well-formed, block display, no sympy MathML artefacts
        root = ET.fromstring(line.mathml)
        assert root.tag == MATHML + "math" and root.get("display") == "block"
        lowered = line.mathml.lower()
        assert "unevaluatedexpr" not in lowered and "{o1}" not in line.mathml
        text = "".join(el.text or "" for el in root.iter() if el.get("fence") != "true")
        assert "{" not in text and "}" not in text and "\\" not in text, line.key


@pytest.mark.parametrize("name", sorted(SPECS))
def test_mathml_is_what_latex2mathml_makes_of_the_line_with_names_joined(name):
    for line in worked_solution(SPECS[name]).lines:
        expected = join_identifiers(latex2mathml.converter.convert(line.latex, display="block"))
        assert line.mathml == expected, line.key


def test_multi_letter_names_are_one_identifier_each():
    line = worked_solution(graders.generate("article", "")).line("dE_dout_h1")
    assert "<mi>net</mi>" in line.mathml and "<mi>out</mi>" in line.mathml and "<mi>total</mi>" in line.mathml
    assert '<mi mathvariant="normal">n</mi>' not in line.mathml
    assert join_identifiers('<mrow><mi mathvariant="normal">x</mi></mrow>') == '<mrow><mi mathvariant="normal">x</mi></mrow>'


def test_deep_names_are_readable():
    worked = worked_solution(graders.generate("deep-4-8-8-3", "t1"))
    assert worked.line("net_h1_3").forms[0] == r"\mathrm{net}_{h_{1,3}}"
    assert worked.line("delta_h2_1").forms[0] == r"\delta_{h_{2,1}}"
    assert r"\delta_{h_{2,1}} \times w_{33}" in worked.line("dE_dout_h1_1").forms[2]


def test_softmax_delta_uses_the_jacobian():
    worked = worked_solution(graders.generate("softmax-2-2-2", "t1"))
    line = worked.line("delta_o1")
    assert partial(r"\mathrm{out}_{o2}", NET_O1) in line.forms[2]
    assert r"\left(- \mathrm{out}_{o2} \times \mathrm{out}_{o1}\right)" in line.forms[3]
    assert "dout_dnet_o1" not in [x.key for x in worked.lines]
    weight = worked.line("dE_dw5")
    assert weight.forms[1] == partial(E, NET_O1) + r" \times " + partial(NET_O1, "w_{5}")


def test_bias_lines():
    worked = worked_solution(graders.generate("article-biases", "t1"))
    grad = worked.line("dE_db1")
    assert grad.forms[2] == r"\delta_{h1} + \delta_{h2}"
    assert worked.line("b1_new").forms[1] == r"b_{1} - \eta \times " + partial(E, "b_{1}")
    none = worked_solution(EXTRA_SPECS["relu-linear-mse-nobias"])
    assert "b_{" not in none.line("net_h1").latex
    assert none.line("dout_dnet_o1").forms == [partial(OUT_O1, NET_O1), "1"]


# ---------------------------------------------------------------------------------------------
# Numbers


@pytest.mark.parametrize(
    "value", [0.3, -0.019971, 1e-05, -1.234567e-7, 123456789.0, 0.0, -0.0, 2.5]
)
def test_number_mathml_matches_latex2mathml(value):
    number = format_number(value)
    for latex, mathml in ((number.latex, number.mathml),
                          (number.latex_wrapped, number.mathml_wrapped)):
        whole = latex2mathml.converter.convert(latex)
        assert whole == f'<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline">' \
                        f"<mrow>{mathml}</mrow></math>"
    assert float(f"{value:.6g}") == parse_number(number.latex)


def test_negative_numbers_in_parentheses_after_an_operator():
    worked = worked_solution(EXTRA_SPECS["tanh-sigmoid-bce-per-neuron-trained"])
    net = worked.line("net_h1").forms[2]
    assert net == r"0.1 \times 0.2 + 0.4 \times \left(-0.7\right) + 0.1"
    tiny = worked_solution(EXTRA_SPECS["linear-mse-tiny-numbers"])
    assert tiny.line("net_h1").forms[2] == (
        r"0.5 \times 1 \times 10^{-5} + \left(-4 \times 10^{-6}\right)"
    )


# ---------------------------------------------------------------------------------------------
# Caching: sympy and latex2mathml run once per architecture


def test_symbolic_build_is_cached_per_architecture():
    worked_solution(ARTICLE_SPEC)
    other = graders.generate("article-random", "cache-check")
    assert parse_spec(other).arch == parse_spec(ARTICLE_SPEC).arch
    failing = mock.Mock(side_effect=AssertionError("called per variant"))
    with mock.patch.object(sympy, "latex", failing), \
            mock.patch.object(latex2mathml.converter, "convert", failing):
        worked = worked_solution(other)
    failing.assert_not_called()
    assert worked.line("dE_dw6").value == graders.solve(other).values["dE_dw6"]
    assert line_templates.cache_info().hits >= 1
