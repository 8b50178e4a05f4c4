"""An independent numpy forward pass, written from the formulas, for checking the grader."""

from __future__ import annotations

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
