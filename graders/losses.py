"""Loss functions: each states its per-output term E_o and its gradient ∂E_total/∂out_o."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable


def _ln(x: float) -> float:
    """Natural log that yields nan instead of raising for x ≤ 0."""
    return math.log(x) if x > 0 else math.nan


@dataclass(frozen=True)
class Loss:
    """E_total = Σ_k term(t_k, o_k, K); ∂E_total/∂o_k = grad(t_k, o_k, K)."""

    name: str
    term: Callable[[float, float, int], float]
    grad: Callable[[float, float, int], float]
    needs_unit_interval: bool = False  # outputs and targets must lie in (0, 1)
    needs_softmax: bool = False


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss(
            "half_sse",
            lambda t, o, k: 0.5 * (t - o) ** 2,
            lambda t, o, k: -(t - o),
        ),
        Loss(
            "mse",
            lambda t, o, k: (t - o) ** 2 / k,
            lambda t, o, k: -2.0 * (t - o) / k,
        ),
        Loss(
            "bce",
            lambda t, o, k: -(t * _ln(o) + (1.0 - t) * _ln(1.0 - o)),
            lambda t, o, k: -t / o + (1.0 - t) / (1.0 - o),
            needs_unit_interval=True,
        ),
        Loss(
            "ce",
            lambda t, o, k: -t * _ln(o) if t else 0.0,
            lambda t, o, k: -t / o,
            needs_unit_interval=True,
            needs_softmax=True,
        ),
    )
}
