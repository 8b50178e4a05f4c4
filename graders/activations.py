"""Activation functions: each states its forward value and its local gradient rule."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable


def _sigmoid(net: float) -> float:
    """σ(net) = 1 / (1 + e^(−net)), computed without overflow for large |net|."""
    if net >= 0:
        return 1.0 / (1.0 + math.exp(-net))
    z = math.exp(net)
    return z / (1.0 + z)


@dataclass(frozen=True)
class Activation:
    """out = forward(net); ∂out/∂net = derivative(net, out); outputs lie in out_range."""

    name: str
    forward: Callable[[float], float]
    derivative: Callable[[float, float], float]
    out_range: tuple[float, float]
    output_only: bool = False
    derivative_range: tuple[float, float] = (-math.inf, math.inf)


def softmax(nets: list[float]) -> list[float]:
    """softmax(net)_k = e^(net_k) / Σ_j e^(net_j), shifted by max(net) for stability."""
    top = max(nets)
    exps = [math.exp(n - top) for n in nets]
    total = sum(exps)
    return [e / total for e in exps]


def softmax_jacobian(outs: list[float], j: int, k: int) -> float:
    """∂out_j/∂net_k = out_j (δ_jk − out_k)."""
    return outs[j] * ((1.0 if j == k else 0.0) - outs[k])


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation(
            "sigmoid", _sigmoid, lambda net, out: out * (1.0 - out), (0.0, 1.0),
            derivative_range=(0.0, 0.25),
        ),
        Activation(
            "tanh", math.tanh, lambda net, out: 1.0 - out * out, (-1.0, 1.0),
            derivative_range=(0.0, 1.0),
        ),
        # relu's derivative at exactly 0 is taken as 0 (the subgradient most libraries use).
        Activation(
            "relu", lambda net: net if net > 0 else 0.0,
            lambda net, out: 1.0 if net > 0 else 0.0, (0.0, math.inf),
            derivative_range=(0.0, 1.0),
        ),
        Activation(
            "linear", lambda net: net, lambda net, out: 1.0, (-math.inf, math.inf),
            derivative_range=(1.0, 1.0),
        ),
        # softmax couples the outputs; forward/derivative here are never called per neuron.
        Activation(
            "softmax", lambda net: math.nan, lambda net, out: math.nan, (0.0, 1.0),
            output_only=True,
        ),
    )
}
