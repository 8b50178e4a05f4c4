"""A DrawBudget shared by several `generate` calls: it never changes a result, only gives up."""

from __future__ import annotations

import pytest

import graders
from graders import variants
from graders.variants import template_from_dict

SATURATING = {"layers": [8, 8, 8], "activations": ["tanh", "tanh"], "bias": "per_neuron", "train_biases": True}


def test_a_budget_does_not_change_what_a_seed_gives():
    template = template_from_dict({"layers": [2, 2, 2], "activations": ["sigmoid", "sigmoid"]})
    budget = graders.DrawBudget(draws=1000, seconds=60)
    for seed in ("a", "b", "c"):
        assert graders.generate(template, seed, budget=budget) == graders.generate(template, seed)
    assert 3 <= budget.used < 1000


def test_one_budget_of_draws_is_shared_by_every_seed(monkeypatch):
    template = template_from_dict(SATURATING)
    real_draw, calls = variants.draw, []
    monkeypatch.setattr(variants, "draw", lambda *args: calls.append(args) or real_draw(*args))
    budget = graders.DrawBudget(draws=25, seconds=60)
    with pytest.raises(graders.BudgetExhausted) as first:
        graders.generate(template, "s1", budget=budget)
    assert first.value.reason == "draws" and budget.used == 25
    assert isinstance(first.value, graders.NoUsableVariant)
    with pytest.raises(graders.BudgetExhausted):
        graders.generate(template, "s2", budget=budget)  # nothing left for the next seed
    assert len(calls) == 25


def test_a_budget_of_time_is_cpu_time_and_gives_up_with_its_reason():
    template = template_from_dict(SATURATING)
    with pytest.raises(graders.BudgetExhausted) as spent:
        graders.generate(template, "s", budget=graders.DrawBudget(draws=1000, seconds=-1.0))
    assert spent.value.reason == "time"


def test_confusable_draws_are_counted_apart():
    """η = 0.5003 makes "forgot ½" and "forgot η" agree without being equal: confusions, which
    another learning rate can undo (the site keys such refusals by the learning rate too)."""
    config = {"layers": [2, 2, 2], "activations": ["sigmoid", "sigmoid"], "learning_rate": 0.5003}
    budget = graders.DrawBudget(draws=30, seconds=60)
    with pytest.raises(graders.BudgetExhausted):
        graders.generate(template_from_dict(config), "check-0", budget=budget)
    assert budget.confusions > 0
    other = graders.DrawBudget(draws=30, seconds=60)
    assert graders.generate(template_from_dict({**config, "learning_rate": 0.3}), "check-0", budget=other)
    saturated = graders.DrawBudget(draws=30, seconds=60)
    with pytest.raises(graders.BudgetExhausted):
        graders.generate(template_from_dict(SATURATING), "check-0", budget=saturated)
    assert saturated.confusions == 0
