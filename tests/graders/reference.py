"""An independent numpy forward pass, written from the formulas, for checking the grader."""

from __future__ import annotations

import math

import numpy as np


def activate(name: str, net: np.ndarray) -> np.ndarray:
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-net))
    if name == "tanh":
        return np.tanh(net)
    if name == "relu":
        return np.maximum(net, 0.0)
    if name == "linear":
        return net
    if name == "softmax":
        e = np.exp(net - net.max())
        return e / e.sum()
    raise ValueError(name)


def loss(name: str, t: np.ndarray, o: np.ndarray) -> float:
    if name == "half_sse":
        return float(np.sum(0.5 * (t - o) ** 2))
    if name == "mse":
        return float(np.mean((t - o) ** 2))
    if name == "bce":
        return float(-np.sum(t * np.log(o) + (1 - t) * np.log(1 - o)))
    if name == "ce":
        return float(-np.sum(t * np.log(o)))
    raise ValueError(name)


def total_error(spec: dict) -> float:
    """E_total of a spec dict, straight from the definitions."""
    x = np.array(spec["inputs"], dtype=float)
    for layer, (w, act) in enumerate(zip(spec["weights"], spec["activations"])):
        w = np.array(w, dtype=float)
        b = np.array(spec["biases"][layer], dtype=float) if spec["bias"] != "none" else 0.0
        if spec["bias"] == "shared":
            b = b[0]
        x = activate(act, w @ x + b)
    return loss(spec["loss"], np.array(spec["targets"], dtype=float), x)


def weight_paths(spec: dict) -> list[tuple[int, int, int]]:
    """(layer, j, k) of w1, w2, … in the numbering order."""
    return [
        (layer, j, k)
        for layer, matrix in enumerate(spec["weights"])
        for j, row in enumerate(matrix)
        for k, _ in enumerate(row)
    ]


def bias_paths(spec: dict) -> list[tuple[int, int]]:
    """(layer, index) of b1, b2, … in the numbering order."""
    return [(layer, i) for layer, row in enumerate(spec["biases"]) for i, _ in enumerate(row)]


def forward(spec: dict) -> list[tuple[np.ndarray, np.ndarray]]:
    """(net, out) of every non-input layer, straight from the definitions."""
    x = np.array(spec["inputs"], dtype=float)
    layers = []
    for layer, (w, act) in enumerate(zip(spec["weights"], spec["activations"])):
        b = np.array(spec["biases"][layer], dtype=float) if spec["bias"] != "none" else 0.0
        if spec["bias"] == "shared":
            b = b[0]
        net = np.array(w, dtype=float) @ x + b
        x = activate(act, net)
        layers.append((net, x))
    return layers


def weight_gradient(spec: dict, layer: int, j: int, k: int, h: float = 1e-6) -> float:
    """∂E_total/∂w by a central finite difference of total_error."""
    def error_with(delta: float) -> float:
        changed = {**spec, "weights": [[list(row) for row in m] for m in spec["weights"]]}
        changed["weights"][layer][j][k] += delta
        return total_error(changed)

    return (error_with(h) - error_with(-h)) / (2 * h)


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def one_step(x, w, b, t, eta) -> dict[str, float]:
    """Forward, error, backward and update of a 2-2-2 sigmoid network (shared biases, ½ SSE),
    written out by hand; w = [w1 … w8] in the article's numbering."""
    net_h = [w[0] * x[0] + w[1] * x[1] + b[0], w[2] * x[0] + w[3] * x[1] + b[0]]
    out_h = [sigmoid(n) for n in net_h]
    net_o = [w[4] * out_h[0] + w[5] * out_h[1] + b[1], w[6] * out_h[0] + w[7] * out_h[1] + b[1]]
    out_o = [sigmoid(n) for n in net_o]
    e_o = [0.5 * (t[j] - out_o[j]) ** 2 for j in range(2)]
    de_dout = [out_o[j] - t[j] for j in range(2)]
    delta_o = [de_dout[j] * out_o[j] * (1 - out_o[j]) for j in range(2)]
    de_dout_h = [delta_o[0] * w[4] + delta_o[1] * w[6], delta_o[0] * w[5] + delta_o[1] * w[7]]
    delta_h = [de_dout_h[k] * out_h[k] * (1 - out_h[k]) for k in range(2)]
    grads = [delta_h[0] * x[0], delta_h[0] * x[1], delta_h[1] * x[0], delta_h[1] * x[1],
             delta_o[0] * out_h[0], delta_o[0] * out_h[1], delta_o[1] * out_h[0], delta_o[1] * out_h[1]]
    values = {
        "net_h1": net_h[0], "out_h1": out_h[0], "net_h2": net_h[1], "out_h2": out_h[1],
        "net_o1": net_o[0], "out_o1": out_o[0], "net_o2": net_o[1], "out_o2": out_o[1],
        "E_o1": e_o[0], "E_o2": e_o[1], "E_total": e_o[0] + e_o[1],
        "dE_dout_o1": de_dout[0], "dE_dout_o2": de_dout[1], "delta_o1": delta_o[0], "delta_o2": delta_o[1],
        "dE_dout_h1": de_dout_h[0], "dE_dout_h2": de_dout_h[1], "delta_h1": delta_h[0], "delta_h2": delta_h[1],
    }
    for name_, out in (("o1", out_o[0]), ("o2", out_o[1]), ("h1", out_h[0]), ("h2", out_h[1])):
        values[f"dout_dnet_{name_}"] = out * (1 - out)
    for n, g in enumerate(grads, start=1):
        values[f"dE_dw{n}"] = g
        values[f"w{n}_new"] = w[n - 1] - eta * g
    return values


def two_training_steps(spec: dict, override: dict[int, float] | None = None) -> dict[str, float]:
    """Step 1 and step 2 by hand; step 2 starts from step 1's updated weights, `override` replacing
    some of them (a student's own w⁺). Step 2's keys get the s2_ prefix."""
    x, t, eta = spec["inputs"], spec["targets"], spec["learning_rate"]
    b = [spec["biases"][0][0], spec["biases"][1][0]]
    w = [v for matrix in spec["weights"] for row in matrix for v in row]
    first = one_step(x, w, b, t, eta)
    w2 = [first[f"w{n}_new"] for n in range(1, 9)]
    for n, v in (override or {}).items():
        w2[n - 1] = v
    second = one_step(x, w2, b, t, eta)
    w3 = [second[f"w{n}_new"] for n in range(1, 9)]
    after = one_step(x, w3, b, t, eta)["E_total"]
    return {**first, **{f"s2_{k}": v for k, v in second.items()}, "s2_E_total_new": after}
