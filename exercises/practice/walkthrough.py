"""The walkthrough: the article's example step by step, its training curve and a second
training step, computed once per process (the page body is also cached per language)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

import graders
from graders.worked import WorkedLine

from ..grading.specs import template_spec
from ..web.http import allow_methods
from ..web.sheets import given_groups

ARTICLE_TEMPLATE = "article"
ARTICLE_SEED = ""
WALKTHROUGH_TRAINING_UPDATES = (0, 1, 10, 100, 1000)


@dataclass(frozen=True)
class TrainingPoint:
    updates: int
    error: float


@lru_cache(maxsize=1)
def article_training() -> tuple[TrainingPoint, ...]:
    """E_total of the article's network after 0, 1, 10, 100 and 1000 updates (computed once)."""
    spec = template_spec(template=ARTICLE_TEMPLATE, seed=ARTICLE_SEED)
    errors = graders.train(spec, WALKTHROUGH_TRAINING_UPDATES[-1])
    return tuple(TrainingPoint(n, errors[n]) for n in WALKTHROUGH_TRAINING_UPDATES)


@lru_cache(maxsize=1)
def walkthrough_context() -> dict[str, Any]:
    """The article's example step by step (the same for everyone: computed once per process;
    the page's body is also rendered once per language, see templatetags/page_cache.py)."""
    spec = template_spec(template=ARTICLE_TEMPLATE, seed=ARTICLE_SEED)
    solution = graders.solve(spec)
    worked = graders.worked_solution(spec)

    def lines(*keys: str) -> list[WorkedLine]:
        return [worked.line(key) for key in keys]

    context = {
        "spec": spec,
        "givens": given_groups(solution.givens),
        "values": solution.values,
        "given_values": solution.givens,
        "eta": solution.givens["eta"],
        "forward_hidden": lines("net_h1", "out_h1", "net_h2", "out_h2"),
        "forward_output": lines("net_o1", "out_o1", "net_o2", "out_o2"),
        "error_lines": lines("E_o1", "E_o2", "E_total"),
        "w6_factors": lines("dE_dout_o1", "dout_dnet_o1"),
        "w6_result": lines("dE_dw6"),
        "output_others": lines("delta_o1", "dE_dw5", "dE_dout_o2", "dout_dnet_o2", "delta_o2", "dE_dw7", "dE_dw8"),
        "w2_deltas": lines("delta_o1", "delta_o2"),
        "w2_factors": lines("dE_dout_h1", "dout_dnet_h1"),
        "w2_result": lines("dE_dw2"),
        "hidden_others": lines("delta_h1", "dE_dw1", "dE_dout_h2", "dout_dnet_h2", "delta_h2", "dE_dw3", "dE_dw4"),
        "updates_shown": lines("w6_new", "w2_new"),
        "updates_others": lines("w1_new", "w3_new", "w4_new", "w5_new", "w7_new", "w8_new"),
        "error_after": lines("E_total_new"),
        "training": article_training(),
        **second_step_context(spec),
    }
    return context


def second_step_context(spec: dict[str, Any]) -> dict[str, Any]:
    """The walkthrough's second training step: the same network asked for two steps, step 2's
    lines picked by key (s2_…) from that worked solution."""
    worked = graders.worked_solution({**spec, "steps": 2})

    def lines(*keys: str) -> list[WorkedLine]:
        return [worked.line(f"s2_{key}") for key in keys]

    shown = {"net_o1", "out_o1", "E_total", "dE_dw6", "dE_dw2", "w6_new", "w2_new", "E_total_new"}
    return {
        "step2_forward": lines("net_o1", "out_o1"),
        "step2_error": lines("E_total"),
        "step2_gradients": lines("dE_dw6", "dE_dw2"),
        "step2_updates": lines("w6_new", "w2_new"),
        "step2_error_after": lines("E_total_new"),
        "step2_others": [step for step in (
            (step.name, [line for line in step.lines if line.key[3:] not in shown])
            for step in worked.steps if step.iteration == 2) if step[1]],
    }


@allow_methods("GET")
def walkthrough(request: HttpRequest) -> HttpResponse:
    """The article's example step by step; the lines are picked by key from the worked solution."""
    return render(request, "exercises/walkthrough.html", walkthrough_context())
