"""Follow-through: the values a student's own earlier answers imply for later quantities."""

from __future__ import annotations

import math

from graders.activations import ACTIVATIONS
from graders.graph import Graph, Node, run_node

# Quantities that can never be negative, whatever the activation or loss.
_NON_NEGATIVE = {"E_o", "E_total", "E_total_new"}


def plausible(node: Node, value: float) -> bool:
    """Whether a value could be this quantity at all (a sigmoid output in (0, 1), E ≥ 0…)."""
    if not math.isfinite(value):
        return False
    if node.kind in _NON_NEGATIVE:
        return value >= 0
    activation = ACTIVATIONS.get(node.meta.get("activation", ""))
    if activation is None:
        return True
    if node.kind == "out":
        low, high = activation.out_range
        return (low < value < high) if activation.name != "relu" else value >= 0
    if node.kind == "dout_dnet":
        low, high = activation.derivative_range
        return low <= value <= high
    return True


def student_world(graph: Graph, givens: dict[str, float], answers: dict[str, float]) -> dict:
    """Every quantity, taking the student's plausible answers as given and computing the rest."""
    world = dict(givens)
    for node in graph.nodes:
        value = answers.get(node.key)
        if value is not None and plausible(node, value):
            world[node.key] = value
        else:
            world[node.key] = run_node(node, [world[k] for k in node.inputs])
    return world


def followthrough_value(node: Node, world: dict[str, float]) -> float:
    """The node's rule applied to the student's own upstream values."""
    return run_node(node, [world[k] for k in node.inputs])
