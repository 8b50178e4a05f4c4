"""The reference solution against the article, finite differences and sympy."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from graders import generate, solve, train
from graders.variants import ARTICLE_SPEC
from tests.graders.reference import bias_paths, total_error, weight_paths


def test_article_forward_pass_reproduces_the_printed_numbers():
    values = solve(ARTICLE_SPEC).values
    assert values["net_h1"] == pytest.approx(0.325, abs=1e-12)
    # the article truncates to four decimals: 0.580542 → 0.5805, 0.650556 → 0.6505
    truncated = {"out_h1": 0.5805, "out_h2": 0.5878, "net_o1": 0.6214, "out_o1": 0.6505,
                 "out_o2": 0.6766}
    for key, number in truncated.items():
        assert math.floor(values[key] * 1e4) / 1e4 == pytest.approx(number)
    assert round(values["E_total"], 4) == 0.0361


def test_article_output_weight_gradient_is_the_three_factor_chain_rule_product():
    v = solve(ARTICLE_SPEC).values
    by_hand = -(0.8 - v["out_o1"]) * v["out_o1"] * (1 - v["out_o1"]) * v["out_h2"]
    assert v["dE_dw6"] == pytest.approx(by_hand, rel=1e-12)
    assert v["w6_new"] == pytest.approx(0.30 - 0.5 * by_hand, rel=1e-12)


def test_article_hidden_weight_gradient_sums_both_output_paths_with_old_weights():
    v = solve(ARTICLE_SPEC).values
    d_o1 = -(0.8 - v["out_o1"]) * v["out_o1"] * (1 - v["out_o1"])
    d_o2 = -(0.9 - v["out_o2"]) * v["out_o2"] * (1 - v["out_o2"])
    de_dout_h1 = d_o1 * 0.25 + d_o2 * 0.35
    assert v["dE_dout_h1"] == pytest.approx(de_dout_h1, rel=1e-12)
    assert v["dE_dw2"] == pytest.approx(de_dout_h1 * v["out_h1"] * (1 - v["out_h1"]) * 0.2)


def _sympy_article_gradients() -> dict[str, float]:
    i1, i2, b1, b2, t1, t2 = 0.1, 0.2, 0.3, 0.3, 0.8, 0.9
    w = sympy.symbols("w1:9")
    sig = lambda x: 1 / (1 + sympy.exp(-x))  # noqa: E731
    h1, h2 = sig(w[0] * i1 + w[1] * i2 + b1), sig(w[2] * i1 + w[3] * i2 + b1)
    o1, o2 = sig(w[4] * h1 + w[5] * h2 + b2), sig(w[6] * h1 + w[7] * h2 + b2)
    error = sympy.Rational(1, 2) * ((t1 - o1) ** 2 + (t2 - o2) ** 2)
    at = dict(zip(w, [0.05, 0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.40]))
    return {f"dE_dw{n + 1}": float(sympy.diff(error, w[n]).subs(at)) for n in range(8)}


def test_article_gradients_agree_with_sympy_symbolic_derivatives():
    values = solve(ARTICLE_SPEC).values
    for key, exact in _sympy_article_gradients().items():
        assert values[key] == pytest.approx(exact, rel=1e-10)


def _central_difference(spec: dict, path, h: float = 1e-6) -> float:
    def shifted(delta: float) -> float:
        s = copy.deepcopy(spec)
        node = s
        for index in path[:-1]:
            node = node[index]
        node[path[-1]] += delta
        return total_error(s)

    return (shifted(h) - shifted(-h)) / (2 * h)


ACTIVATION_PAIRS = [
    ("sigmoid", "sigmoid", "half_sse"), ("tanh", "linear", "mse"), ("relu", "sigmoid", "bce"),
    ("sigmoid", "softmax", "ce"), ("linear", "tanh", "half_sse"), ("tanh", "sigmoid", "mse"),
    ("relu", "softmax", "ce"), ("sigmoid", "relu", "half_sse"), ("tanh", "softmax", "half_sse"),
]


@st.composite
def networks(draw):
    hidden_act, out_act, loss = draw(st.sampled_from(ACTIVATION_PAIRS))
    depth = draw(st.integers(1, 3))
    layers = [draw(st.integers(1, 4)) for _ in range(depth)] + [draw(st.integers(2, 3))]
    bias = draw(st.sampled_from(["shared", "per_neuron", "none"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    acts = [hidden_act] * (len(layers) - 2) + [out_act]
    per = {"shared": lambda m: 1, "per_neuron": lambda m: layers[m + 1], "none": lambda m: 0}
    targets = rng.uniform(0.1, 0.9, layers[-1])
    if loss == "ce":
        targets = targets / targets.sum()
    return {
        "layers": layers, "activations": acts, "loss": loss, "bias": bias,
        "train_biases": draw(st.booleans()) and bias != "none", "learning_rate": 0.5,
        "inputs": rng.uniform(-1, 1, layers[0]).round(3).tolist(),
        "targets": targets.tolist(),
        "weights": [rng.uniform(-1, 1, (layers[m + 1], layers[m])).round(3).tolist()
                    for m in range(len(layers) - 1)],
        "biases": [rng.uniform(-0.5, 0.5, per[bias](m)).round(3).tolist()
                   for m in range(len(layers) - 1)],
    }


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_gradients_agree_with_central_finite_differences_for_every_mode(spec):
    values = solve(spec).values
    nets = [v for k, v in values.items() if k.startswith("net_")]
    assume(all(abs(n) > 1e-3 for n in nets))  # finite differences straddle relu's kink
    assert values["E_total"] == pytest.approx(total_error(spec), rel=1e-9, abs=1e-12)
    for n, (layer, j, k) in enumerate(weight_paths(spec)):
        numeric = _central_difference(spec, ["weights", layer, j, k])
        assert values[f"dE_dw{n + 1}"] == pytest.approx(numeric, rel=1e-5, abs=1e-8)
    if spec["train_biases"]:
        for n, (layer, i) in enumerate(bias_paths(spec)):
            numeric = _central_difference(spec, ["biases", layer, i])
            assert values[f"dE_db{n + 1}"] == pytest.approx(numeric, rel=1e-5, abs=1e-8)


@settings(max_examples=30, deadline=None)
@given(networks())
def test_error_after_one_update_is_the_forward_pass_with_the_updated_parameters(spec):
    values = solve(spec).values
    updated = copy.deepcopy(spec)
    for n, (layer, j, k) in enumerate(weight_paths(spec)):
        updated["weights"][layer][j][k] = values[f"w{n + 1}_new"]
    if spec["train_biases"]:
        for n, (layer, i) in enumerate(bias_paths(spec)):
            updated["biases"][layer][i] = values[f"b{n + 1}_new"]
    assert values["E_total_new"] == pytest.approx(total_error(updated), rel=1e-9, abs=1e-12)


def test_training_repeats_until_the_error_falls_steadily():
    errors = train(ARTICLE_SPEC, 50)
    assert len(errors) == 51
    assert errors[0] == pytest.approx(solve(ARTICLE_SPEC).values["E_total"])
    assert errors[1] == pytest.approx(solve(ARTICLE_SPEC).values["E_total_new"])
    assert all(b < a for a, b in zip(errors, errors[1:]))


def test_article_weights_are_numbered_layer_then_destination_then_source():
    solution = solve(ARTICLE_SPEC)
    net_o1 = solution.graph.by_key["net_o1"]
    assert net_o1.inputs[:2] == ("w5", "w6") and "out_h2" in net_o1.inputs
    assert solution.graph.by_key["net_o2"].inputs[:2] == ("w7", "w8")
    assert solution.givens["w7"] == 0.35


def test_deeper_networks_name_hidden_neurons_by_layer_and_index():
    values = solve(generate("deep-4-8-8-3", "names")).values
    assert {"out_h1_1", "out_h2_8", "delta_h1_3", "out_o3", "dE_dw120"} <= set(values)


def test_shared_trained_bias_gradient_sums_the_deltas_it_feeds():
    spec = dict(ARTICLE_SPEC, train_biases=True)
    v = solve(spec).values
    assert v["dE_db2"] == pytest.approx(v["delta_o1"] + v["delta_o2"])
    assert v["b1_new"] == pytest.approx(0.3 - 0.5 * (v["delta_h1"] + v["delta_h2"]))
