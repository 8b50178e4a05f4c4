"""The reference solution of a spec: every quantity, and k steps of training."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graders.graph import Graph, PartInfo, build_graph
from graders.spec import Spec, SpecError, parse_spec


@dataclass(frozen=True)
class Solution:
    """A spec with the value of every named quantity."""

    spec: Spec
    graph: Graph
    givens: dict[str, float]
    values: dict[str, float]

    @property
    def parts(self) -> list[PartInfo]:
        """Quantities a student can be asked for, in teaching order."""
        return self.graph.parts

    def quantities(self) -> dict[str, float]:
        """Only the computed quantities (not the givens), in teaching order."""
        return {p.key: self.values[p.key] for p in self.graph.parts}


def spec_key(spec: Any) -> str:
    """A canonical string for a spec, usable as a cache key."""
    data = spec.to_dict() if isinstance(spec, Spec) else spec
    try:
        return json.dumps(data, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise SpecError("spec", "must be JSON-safe with finite numbers", "not_finite") from exc


@lru_cache(maxsize=4096)
def _solve_cached(key: str) -> Solution:
    spec = parse_spec(json.loads(key))
    graph = build_graph(spec.arch)
    givens = spec.givens()
    values = graph.evaluate(givens)
    bad = [k for k, v in values.items() if not math.isfinite(v)]
    if bad:
        raise SpecError("weights", f"the network yields a non-finite value for {bad[0]}", "overflow", quantity=bad[0])
    return Solution(spec, graph, givens, values)


def solve(spec: dict | Spec) -> Solution:
    """Compute every quantity of the network (cached per spec)."""
    return _solve_cached(spec_key(spec))


def train(spec: dict | Spec, steps: int) -> list[float]:
    """E_total before training and after each of `steps` gradient-descent updates."""
    solution = solve(spec)
    graph, givens = solution.graph, dict(solution.givens)
    trained = [n.meta["param"] for n in graph.nodes if n.kind in ("w_new", "b_new")]
    errors = []
    for _ in range(steps + 1):
        values = graph.evaluate(givens)
        errors.append(values["E_total"])
        givens.update({p: values[f"{p}_new"] for p in trained})
    return errors
