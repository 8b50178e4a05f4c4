"""Bounded authoring (issue 9, finding 5): a size cap on an instructor's own network, one budget
of draws and CPU time across every seed a check tries, and refusals remembered — so that the
live preview of any network costs a request at most about 200 ms of CPU."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse

import graders
from exercises.courses.config import assignment_part_infos
from exercises.courses.services import assignments as assignment_services
from graders import variants

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # homework_support
pytest.register_assert_rewrite("homework_support")

from homework_support import settings_for  # noqa: E402

pytest_plugins = ["homework_support"]

pytestmark = pytest.mark.django_db

DEEP = {"layers": [8, 8, 8, 8, 8, 8], "activations": ["tanh"] * 5, "bias": "per_neuron", "train_biases": True}
# Positive weights on a deep tanh network: every draw saturates (no learning rate changes that).
SATURATING = {"layers": [8, 8, 8], "activations": ["tanh", "tanh"], "bias": "per_neuron", "train_biases": True}
ARTICLE_SHAPE = {"layers": [2, 2, 2], "activations": ["sigmoid", "sigmoid"]}


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    """An empty cache, and a CPU budget no loaded test machine runs out of: these tests are about
    draws and sizes; the one about time sets its own budget."""
    settings.BPCOURSE_AUTHORING_MAX_SECONDS = 60.0
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def draws(monkeypatch) -> list[tuple]:
    """Every draw graders makes of an instructor's own network (the cost finding 5 multiplied;
    the built-in network the checklist falls back to is drawn once per process)."""
    real_draw, calls = variants.draw, []

    def counting(template, rng):
        if template.name not in graders.TEMPLATES:
            calls.append(template)
        return real_draw(template, rng)

    monkeypatch.setattr(variants, "draw", counting)
    return calls


def preview_form(**overrides: str) -> dict[str, str]:
    data = {"network": "custom", "layers": "8-8-8-8-8-8", "activations": "tanh, tanh, tanh, tanh, tanh",
            "loss": "half_sse", "bias": "per_neuron", "train_biases": "on", "learning_rate": "0.5"}
    for grid in ("inputs", "weights", "biases", "targets"):
        data.update({f"{grid}_low": "0.05", f"{grid}_high": "0.95", f"{grid}_step": "0.05"})
    data.update(overrides)
    return data


def refusal(config: dict) -> ValidationError:
    with pytest.raises(ValidationError) as exc:
        assignment_services.assignment_preview(data={"template_config": config})
    return exc.value


def test_finding_5_the_deep_network_preview_is_refused_as_too_large_at_every_learning_rate(
    client, instructor, course, draws
):
    """8-8-8-8-8-8 tanh with trained per-neuron biases cost 5–7 s of CPU per preview, again at each
    learning rate. Now: refused as too large, without a single draw (its cost is measured by
    benchmarks/authoring_preview.py, not asserted here)."""
    client.force_login(instructor)
    url = reverse("exercises:assignment_preview", args=[course.pk])
    for step in range(20):
        response = client.post(url, preview_form(learning_rate=f"{0.5 + 0.0001 * step:.4f}"),
                               HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 400
        assert "这个网络太大：它要求计算 930 个量，最多允许 400 个。" in response.content.decode()
    assert draws == []


def test_too_large_is_refused_on_save_too(instructor, course, draws):
    with pytest.raises(ValidationError) as exc:
        assignment_services.assignment_create(course=course, actor=instructor,
                                              data=settings_for(template_config=DEEP))
    assert exc.value.error_dict["template_config"][0].code == "too_large"
    assert draws == []


def test_the_size_cap_is_a_setting(settings):
    settings.BPCOURSE_MAX_NETWORK_PARTS = 39  # the article's shape asks 40
    assert refusal(ARTICLE_SHAPE).error_dict["template_config"][0].code == "too_large"
    settings.BPCOURSE_MAX_NETWORK_PARTS = 40
    assert assignment_services.assignment_preview(data={"template_config": ARTICLE_SHAPE})["spec"]


def test_one_budget_of_draws_covers_every_seed_of_a_check(settings, draws):
    settings.BPCOURSE_AUTHORING_MAX_DRAWS = 12
    error = refusal(SATURATING)
    assert error.error_dict["template_config"][0].code == "no_usable_variant"
    assert len(draws) == 12  # not 400 per seed for each of several seeds


def test_a_check_that_runs_out_of_time_says_so(settings):
    settings.BPCOURSE_AUTHORING_MAX_SECONDS = -1.0  # a budget already spent
    error = refusal(SATURATING)
    assert error.error_dict["template_config"][0].code == "too_costly"


def test_a_refusal_is_remembered_whatever_the_learning_rate(draws):
    refusal(SATURATING)
    spent = len(draws)
    assert spent > 0
    for step in range(1, 20):
        error = refusal({**SATURATING, "learning_rate": 0.5 + 0.0001 * step})
        assert error.error_dict["template_config"][0].code in ("no_usable_variant", "too_costly")
    assert len(draws) == spent  # no draw made again


def test_a_refusal_that_depended_on_the_learning_rate_holds_for_that_rate_only(draws):
    """η = 0.5003 makes two misconceptions agree on every draw; η = 0.3 does not."""
    confusing = {**ARTICLE_SHAPE, "learning_rate": 0.5003}
    refusal(confusing)
    spent = len(draws)
    refusal(confusing)
    assert len(draws) == spent  # the same config: remembered
    preview = assignment_services.assignment_preview(data={"template_config": {**ARTICLE_SHAPE, "learning_rate": 0.3}})
    assert preview["spec"]["learning_rate"] == 0.3


def test_the_preview_gives_the_numbers_a_student_would_get_for_its_seed():
    config = {**ARTICLE_SHAPE, "weights": [0.1, 0.9, 0.05]}
    preview = assignment_services.assignment_preview(data={"template_config": config}, seed="sample-7")
    assert preview["spec"] == graders.generate(graders.template_from_dict(config), "sample-7")


def test_the_parts_of_a_custom_network_come_from_its_shape():
    config = {"layers": [3, 4, 2], "activations": ["tanh", "sigmoid"], "bias": "per_neuron", "train_biases": True,
              "inputs": [-0.9, 0.9, 0.05], "weights": [-0.6, 0.6, 0.05], "biases": [-0.3, 0.3, 0.05]}
    drawn = graders.solve(graders.generate(graders.template_from_dict(config), "any")).parts
    assert [(p.key, p.step) for p in assignment_part_infos(config=config)] == [(p.key, p.step) for p in drawn]


def test_an_instructor_can_still_preview_the_largest_builtin(client, instructor, course):
    client.force_login(instructor)
    url = reverse("exercises:assignment_preview", args=[course.pk])
    response = client.post(url, preview_form(network="builtin", builtin="deep-4-8-8-3"))
    assert response.status_code == 200 and 'id="preview-network"' in response.content.decode()


def test_a_student_gets_no_preview(client, alice, course, draws):
    client.force_login(alice)
    response = client.post(reverse("exercises:assignment_preview", args=[course.pk]), preview_form(layers="2-2-2"))
    assert response.status_code == 403 and draws == []
