"""Hints on demand: each level's formula checked against independent references — finite
differences of E_total for gradients, sympy's derivative of the loss, and a numpy forward pass
for the forward quantities — by reading the printed LaTeX back into a number."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy

import graders
from graders.hints import NoHint, hint, hint_available
from graders.worked import format_number, key_tex
from tests.graders import reference
from tests.graders.latex_eval import evaluate

TWO_LAYER = ["article", "article-biases", "tanh-2-3-1", "softmax-2-2-2", "relu-3-3-2"]


def spec_of(template: str, seed: str = "hints") -> dict:
    return graders.generate(graders.TEMPLATES[template], seed)


def every_part(spec: dict) -> list[str]:
    return [p.key for p in graders.solve(spec).parts]


def last_form(latex: str) -> str:
    return latex.split(" = ")[-1]


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=2e-4, abs_tol=2e-7)


def bias_gradient(spec: dict, layer: int, i: int, h: float = 1e-6) -> float:
    """∂E_total/∂b by a central finite difference of the reference E_total."""
    def error_with(delta: float) -> float:
        changed = {**spec, "biases": [list(row) for row in spec["biases"]]}
        changed["biases"][layer][i] += delta
        return reference.total_error(changed)

    return (error_with(h) - error_with(-h)) / (2 * h)


def neuron_values(spec: dict) -> dict[str, float]:
    """net_/out_ of a two-layer network from the reference forward pass (h1…, o1…)."""
    values = {}
    for layer, prefix in zip(reference.forward(spec), ("h", "o")):
        for j, (net, out) in enumerate(zip(*layer)):
            values[f"net_{prefix}{j + 1}"] = float(net)
            values[f"out_{prefix}{j + 1}"] = float(out)
    return values


@pytest.mark.parametrize("template", TWO_LAYER + ["deep-4-8-8-3"])
def test_level_three_of_every_weight_gradient_multiplies_out_to_the_finite_difference(template):
    spec = spec_of(template)
    parts = every_part(spec)
    paths = reference.weight_paths(spec)
    if template.startswith("deep"):
        paths = paths[::9]  # a sample across all three layers
    for layer, j, k in paths:
        key = f"dE_dw{reference.weight_paths(spec).index((layer, j, k)) + 1}"
        level3 = hint(spec, key, 3, shown=parts)
        assert level3.missing == []
        assert close(evaluate(last_form(level3.latex)), reference.weight_gradient(spec, layer, j, k)), key


def test_level_three_of_every_bias_gradient_adds_up_to_the_finite_difference():
    spec = spec_of("article-biases")
    parts = every_part(spec)
    for n, (layer, i) in enumerate(reference.bias_paths(spec), start=1):
        level3 = hint(spec, f"dE_db{n}", 3, shown=parts)
        assert close(evaluate(last_form(level3.latex)), bias_gradient(spec, layer, i))


@pytest.mark.parametrize("template", TWO_LAYER)
def test_level_three_of_forward_quantities_gives_the_reference_forward_pass(template):
    spec = spec_of(template)
    parts, expected = every_part(spec), neuron_values(spec)
    for key, value in expected.items():
        level3 = hint(spec, key, 3, shown=parts)
        assert close(evaluate(last_form(level3.latex)), value), key


@pytest.mark.parametrize("template", ["article", "tanh-2-3-1", "softmax-2-2-2"])
def test_level_three_of_an_output_error_gradient_matches_sympy_differentiating_the_loss(template):
    spec = spec_of(template)
    t, o = sympy.symbols("t o")
    size = spec["layers"][-1]
    term = {"half_sse": sympy.Rational(1, 2) * (t - o) ** 2, "mse": (t - o) ** 2 / size,
            "ce": -t * sympy.log(o), "bce": -(t * sympy.log(o) + (1 - t) * sympy.log(1 - o))}[spec["loss"]]
    derivative = sympy.diff(term, o)
    outs = neuron_values(spec)
    for j, target in enumerate(spec["targets"]):
        key = f"dE_dout_o{j + 1}"
        level3 = hint(spec, key, 3, shown=every_part(spec))
        want = float(derivative.subs({t: target, o: outs[f"out_o{j + 1}"]}))
        assert close(evaluate(last_form(level3.latex)), want), key


def test_level_two_of_an_output_weight_gradient_in_symbols_evaluates_to_the_finite_difference():
    spec = spec_of("article")
    values = neuron_values(spec)
    symbols = {key_tex(k): v for k, v in values.items()}
    symbols.update({key_tex(f"target_o{j + 1}"): t for j, t in enumerate(spec["targets"])})
    level2 = hint(spec, "dE_dw5", 2)  # w5: output o1, from h1
    names = last_form(level2.latex)
    assert r"\mathrm{out}_{h1}" in names and r"\mathrm{target}_{o1}" in names
    assert close(evaluate(names, symbols), reference.weight_gradient(spec, 1, 0, 0))
    # and its chain rule names the three partial derivatives in the article's order
    assert level2.latex.split(" = ")[1].count(r"\partial") == 6


def test_level_one_names_the_chain_rule_factors_whose_product_is_the_gradient():
    spec = spec_of("article")
    level1 = hint(spec, "dE_dw5", 1)
    assert [f.key for f in level1.factors] == ["dE_dout_o1", "dout_dnet_o1", "out_h1"]
    assert [f.name for f in level1.factors] == ["∂E_total/∂out_o1", "∂out_o1/∂net_o1", "out_h1"]
    values, (t1, _) = neuron_values(spec), spec["targets"]
    o1, h1 = values["out_o1"], values["out_h1"]
    assert close(-(t1 - o1) * o1 * (1 - o1) * h1, reference.weight_gradient(spec, 1, 0, 0))
    assert "∂E_total/∂w5" in level1.text["en"] and "取决于" in level1.text["zh"]
    assert level1.latex == "" and level1.mathml == ""


def test_level_one_of_a_net_input_lists_only_givens():
    level1 = hint(spec_of("article"), "net_h1", 1)
    assert [f.key for f in level1.factors] == ["w1", "w2", "i1", "i2", "b1"]
    assert all(f.given for f in level1.factors)
    assert "work out first" not in level1.text["en"]


def test_level_three_puts_in_the_students_own_values_where_they_typed_them():
    spec = spec_of("article")
    values, t1 = neuron_values(spec), spec["targets"][0]
    o1 = values["out_o1"]
    typed = {"dE_dout_o1": 0.125, "out_h1": 0.61}  # the student's (wrong) numbers
    level3 = hint(spec, "dE_dw5", 3, typed=typed, shown=["dout_dnet_o1"])
    assert [(f.key, f.source) for f in level3.factors] == [
        ("dE_dout_o1", "yours"), ("dout_dnet_o1", "reference"), ("out_h1", "yours")]
    assert close(evaluate(last_form(level3.latex)), 0.125 * o1 * (1 - o1) * 0.61)
    assert not close(0.125, -(t1 - o1))


def test_level_three_leaves_unrevealed_earlier_parts_as_symbols_and_names_them():
    spec = spec_of("article")
    level3 = hint(spec, "dE_dw5", 3)
    assert level3.missing == ["dE_dout_o1", "dout_dnet_o1", "out_h1"]
    assert "Still to work out first" in level3.text["en"] and "还需要先算出" in level3.text["zh"]
    solution = graders.solve(spec)
    for key in level3.missing:
        assert format_number(solution.values[key]).latex not in level3.latex
    update = hint(spec, "w5_new", 3)  # givens always go in
    assert last_form(update.latex).startswith(f"{format_number(spec['weights'][1][0][0]).latex} - ")
    assert update.missing == ["dE_dw5"]


@pytest.mark.parametrize("template", TWO_LAYER)
def test_level_three_stops_short_of_the_final_number(template):
    spec = spec_of(template)
    solution, parts = graders.solve(spec), every_part(spec)
    for key in parts:
        if not hint_available(spec, key):
            continue
        level3 = hint(spec, key, 3, shown=parts)
        value = format_number(solution.values[key]).latex
        assert last_form(level3.latex) != value or not level3.factors, key


def test_levels_two_and_three_come_as_mathml_without_placeholders():
    spec = spec_of("article")
    for level in (2, 3):
        got = hint(spec, "delta_h1", level, shown=every_part(spec))
        assert got.mathml.startswith("<math") and "<mi>out</mi>" in got.mathml
        assert not any(0xE000 <= ord(c) <= 0xF8FF for c in got.mathml)


def test_unknown_parts_levels_and_the_error_after_the_update_have_no_hint():
    spec = spec_of("article")
    assert not hint_available(spec, "E_total_new") and not hint_available(spec, "nope")
    for key, level in (("E_total_new", 1), ("nope", 1), ("dE_dw5", 4), ("dE_dw5", 0)):
        with pytest.raises(NoHint):
            hint(spec, key, level)


def test_a_hint_of_a_deep_network_names_neurons_with_layer_and_index():
    spec = spec_of("deep-4-8-8-3")
    level1 = hint(spec, "delta_h1_1", 1)
    assert [f.name for f in level1.factors] == ["∂E_total/∂out_h1,1", "∂out_h1,1/∂net_h1,1"]
    assert np.isfinite(evaluate(last_form(hint(spec, "net_h1_1", 3).latex)))
