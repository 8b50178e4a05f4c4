"""Variants: deterministic from a seed string, on the grid, and never degenerate."""

from __future__ import annotations

import subprocess
import sys

import pytest

from graders import TEMPLATES, UnknownTemplate, generate, solve
from graders.variants import ARTICLE_SPEC, degeneracy

GOLDEN = {
    "layers": [2, 2, 2], "activations": ["sigmoid", "sigmoid"], "loss": "half_sse",
    "bias": "shared", "train_biases": False, "learning_rate": 0.5,
    "inputs": [0.95, 0.85], "targets": [0.25, 0.65],
    "weights": [[[0.95, 0.55], [0.65, 0.25]], [[0.75, 0.2], [0.6, 0.85]]],
    "biases": [[0.5], [0.55]],
}


def test_a_seed_gives_the_same_variant_on_any_machine():
    # pinned values: a change here silently changes every student's numbers
    assert generate("article-random", "golden") == GOLDEN


def test_a_seed_gives_the_same_variant_in_a_fresh_interpreter_with_another_hash_seed():
    code = "import json, graders; print(json.dumps(graders.generate('article-random', 'golden')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"PYTHONHASHSEED": "12345", "PATH": ""}, check=True, cwd=".")
    import json

    assert json.loads(out.stdout) == GOLDEN


def test_different_seeds_give_different_numbers():
    specs = {str(generate("article-random", f"student-{i}")) for i in range(30)}
    assert len(specs) == 30


def test_the_article_template_is_the_articles_numbers_whatever_the_seed():
    assert generate("article", "x") == generate("article", "y") == ARTICLE_SPEC


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_template_draws_valid_non_degenerate_variants(name):
    template = TEMPLATES[name]
    for i in range(8):
        spec = generate(name, f"vet-{i}")
        assert solve(spec).values["E_total"] > 0
        if template.fixed is None:  # fixed numbers are the instructor's (or article's) choice
            assert degeneracy(template, spec) is None


def test_values_lie_on_the_templates_grid():
    template = TEMPLATES["article-random"]
    spec = generate("article-random", "grid")
    flat = [w for m in spec["weights"] for row in m for w in row] + spec["inputs"]
    grid = template.weights.points() + template.inputs.points()
    assert all(any(abs(v - g) < 1e-12 for g in grid) for v in flat)


def test_saturated_variants_are_rejected():
    saturated = dict(ARTICLE_SPEC, inputs=[0.1, 0.2],
                     weights=[[[9, 9], [9, 9]], [[9, 9], [9, 9]]])
    assert "saturated" in degeneracy(TEMPLATES["article-random"], saturated)


def test_variants_whose_gradients_round_to_zero_are_rejected():
    flat = dict(ARTICLE_SPEC, inputs=[0.0001, 0.0001])
    assert "rounds to zero" in degeneracy(TEMPLATES["article-random"], flat)


def test_an_unknown_template_is_refused():
    with pytest.raises(UnknownTemplate):
        generate("no-such-template", "1")


def test_softmax_targets_sum_to_one():
    for i in range(5):
        targets = generate("softmax-2-2-2", str(i))["targets"]
        assert sum(targets) == pytest.approx(1.0)


def test_an_instructors_template_round_trips_and_draws_on_its_own_grid():
    from graders.variants import template_from_dict

    template = template_from_dict({"layers": [2, 3, 2], "activations": ["tanh", "sigmoid"],
                                   "weights": [-0.5, 0.5, 0.1], "inputs": [0.1, 0.9, 0.1]})
    assert template_from_dict(template.to_dict()) == template
    spec = generate(template, "student-7")
    weights = [w for m in spec["weights"] for row in m for w in row]
    assert all(-0.5 <= w <= 0.5 and abs(w * 10 - round(w * 10)) < 1e-9 for w in weights)


def test_an_instructors_fixed_values_are_used_as_given():
    from graders.variants import template_from_dict

    template = template_from_dict({"layers": [2, 2, 2], "activations": ["sigmoid", "sigmoid"],
                                   "fixed": ARTICLE_SPEC})
    assert generate(template, "anyone") == ARTICLE_SPEC


@pytest.mark.parametrize(("data", "field"), [
    ({"layers": [2, 2], "activations": ["swish"]}, "activations[0]"),
    ({"layers": [2, 2], "activations": ["tanh"], "weights": [1, 0, 0.1]}, "weights"),
    ({"layers": [2, 2], "activations": ["tanh"], "inputs": "all"}, "inputs"),
    ("nope", "template"),
])
def test_a_malformed_instructor_template_names_its_field(data, field):
    from graders import SpecError
    from graders.variants import template_from_dict

    with pytest.raises(SpecError) as error:
        template_from_dict(data)
    assert error.value.field == field


def test_ranges_that_only_give_degenerate_networks_are_reported_not_looped_forever():
    from graders.variants import NoUsableVariant, template_from_dict

    hopeless = template_from_dict({"layers": [2, 2, 2], "activations": ["sigmoid", "sigmoid"],
                                   "weights": [9, 9.5, 0.5], "inputs": [5, 6, 1]})
    with pytest.raises(NoUsableVariant):
        generate(hopeless, "x")
