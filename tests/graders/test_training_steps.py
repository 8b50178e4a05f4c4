"""Two training steps (spec "steps": 2, template article-2step): step 2's quantities against a
plain-Python loop and finite differences, follow-through from step 1 into step 2, names."""

from __future__ import annotations

import hashlib
import pytest

import graders
from graders.grading import Policy
from graders.graph import section_name, training_step_of
from graders.notation import formula, name
from graders.solve import spec_key
from graders.spec import SpecError, parse_spec
from graders.variants import ARTICLE_SPEC

from .reference import total_error, two_training_steps as hand_loop

TWO_STEPS = dict(ARTICLE_SPEC, steps=2)


SPECS = [TWO_STEPS] + [graders.generate("article-2step", seed) for seed in ("a", "b", "c")]


@pytest.mark.parametrize("spec", SPECS)
def test_every_quantity_of_both_steps_matches_a_hand_written_loop(spec):
    values = graders.solve(spec).values
    expected = hand_loop(spec)
    assert set(graders.solve(spec).quantities()) == set(expected)
    for key, value in expected.items():
        assert values[key] == pytest.approx(value, rel=1e-12, abs=1e-15), key


def test_step_2_error_is_the_error_after_step_1_and_matches_train():
    values = graders.solve(TWO_STEPS).values
    errors = graders.train(ARTICLE_SPEC, 2)
    assert values["E_total"] == pytest.approx(errors[0])
    assert values["s2_E_total"] == pytest.approx(errors[1])
    assert values["s2_E_total_new"] == pytest.approx(errors[2])
    assert "E_total_new" not in values  # step 1's error after the update is step 2's E_total


@pytest.mark.parametrize("spec", SPECS)
def test_step_2_gradients_match_finite_differences_at_step_1s_updated_weights(spec):
    values = graders.solve(spec).values
    moved = parse_spec(spec).to_dict()
    moved.pop("steps")
    moved["weights"] = [[[values[f"w{2 * (2 * m + j) + k + 1}_new"] for k in range(2)] for j in range(2)]
                        for m in range(2)]
    h = 1e-6
    for n in range(8):
        m, j, k = n // 4, (n % 4) // 2, n % 2
        up, down = [[[list(r) for r in mat] for mat in moved["weights"]] for _ in range(2)]
        up[m][j][k] += h
        down[m][j][k] -= h
        slope = (total_error({**moved, "weights": up}) - total_error({**moved, "weights": down})) / (2 * h)
        assert values[f"s2_dE_dw{n + 1}"] == pytest.approx(slope, rel=1e-6, abs=1e-10), n + 1
    assert values["s2_E_total"] == pytest.approx(total_error(moved))


def test_a_wrong_step_1_update_carries_into_step_2_as_follow_through():
    spec = TWO_STEPS
    reference = graders.solve(spec).values
    own_w5 = reference["w5_new"] + 0.05
    own = hand_loop(spec, override={5: own_w5})
    answers = {k: f"{v:.10g}" for k, v in reference.items() if k in graders.solve(spec).quantities()
               and training_step_of(k)[0] == 1}
    answers["w5_new"] = f"{own_w5:.10g}"
    answers.update({k: f"{v:.10g}" for k, v in own.items() if k.startswith("s2_")})
    report = graders.grade(spec, answers)
    assert report.parts["w5_new"].status == "incorrect"
    # step 2's forward pass through o1 reads w5⁺: each value follows from the student's own w5⁺
    for key in ("s2_net_o1", "s2_out_o1", "s2_E_o1", "s2_E_total", "s2_delta_o1", "s2_dE_dw5", "s2_w5_new"):
        part = report.parts[key]
        assert part.status == "followthrough", key
        assert part.followthrough_expected == pytest.approx(own[key], rel=1e-9)
        assert part.followthrough_roots == ["w5_new"]
        assert part.points == 1.0
    # step 2's hidden layer does not read w5⁺, so its forward values are simply right
    assert report.parts["s2_net_h1"].status == "correct"
    notes = [n for n in report.followthrough_notes if n.roots == ["w5_new"]]
    assert len(notes) == 1 and "w5⁺" in notes[0].message["en"]
    assert report.score == pytest.approx((len(report.parts) - 1) / len(report.parts))


def test_without_follow_through_step_2_values_from_a_wrong_update_earn_nothing():
    spec = TWO_STEPS
    reference = graders.solve(spec).values
    own = hand_loop(spec, override={5: reference["w5_new"] + 0.05})
    answers = {"w5_new": f"{reference['w5_new'] + 0.05:.10g}", "s2_net_o1": f"{own['s2_net_o1']:.10g}"}
    report = graders.grade(spec, answers, Policy(followthrough=False))
    assert report.parts["s2_net_o1"].status == "incorrect"


def test_a_sign_flip_in_step_2_is_diagnosed_in_step_2():
    spec = TWO_STEPS
    reference = graders.solve(spec).values
    report = graders.grade(spec, {"s2_dE_dout_o1": f"{-reference['s2_dE_dout_o1']:.10g}"})
    part = report.parts["s2_dE_dout_o1"]
    assert part.status == "incorrect"
    assert "sign_flipped" in [d.key for d in part.diagnoses]


def test_a_step_2_update_that_leaves_the_weight_unchanged_names_w_plus_itself():
    spec = TWO_STEPS
    reference = graders.solve(spec).values
    report = graders.grade(spec, {"s2_w5_new": f"{reference['w5_new']:.10g}"})
    keys = [d.key for d in report.parts["s2_w5_new"].diagnoses]
    assert "other_quantity" in keys
    message = report.parts["s2_w5_new"].diagnoses[keys.index("other_quantity")].message["en"]
    assert "w5⁺ itself, not updated" in message


def test_step_2_net_entered_for_out_reads_step_2s_net():
    spec = TWO_STEPS
    reference = graders.solve(spec).values
    report = graders.grade(spec, {"s2_out_h1": f"{reference['s2_net_h1']:.10g}"})
    diagnoses = report.parts["s2_out_h1"].diagnoses
    assert [d.key for d in diagnoses][:1] == ["net_entered_for_out"]
    assert "net_h1⁽²⁾" in diagnoses[0].message["en"]


def test_step_2_quantities_are_named_with_the_step_and_updates_with_two_pluses():
    assert name("s2_out_o1") == "out_o1⁽²⁾"
    assert name("s2_E_total") == "E_total⁽²⁾"
    assert name("s2_delta_o1") == "∂E_total⁽²⁾/∂net_o1⁽²⁾"
    assert name("s2_dE_dw5") == "∂E_total⁽²⁾/∂w5"
    assert name("s2_w5_new") == "w5⁺⁺"
    assert name("s2_E_total_new") == "E_total⁺⁺"
    graph = graders.solve(TWO_STEPS).graph
    assert formula(graph.by_key["s2_net_o1"], graph) == "net_o1⁽²⁾ = w5⁺·out_h1⁽²⁾ + w6⁺·out_h2⁽²⁾ + b2"
    assert formula(graph.by_key["s2_w5_new"], graph) == "w5⁺⁺ = w5⁺ − η·∂E_total⁽²⁾/∂w5"
    assert formula(graph.by_key["s2_dE_dout_h1"], graph) == (
        "∂E_total⁽²⁾/∂out_h1⁽²⁾ = ∂E_total⁽²⁾/∂net_o1⁽²⁾·w5⁺ + ∂E_total⁽²⁾/∂net_o2⁽²⁾·w7⁺")


def test_parts_know_their_training_step_and_section():
    parts = graders.solve(TWO_STEPS).parts
    assert len(parts) == 39 + 40
    assert {p.iteration for p in parts[:39]} == {1} and {p.iteration for p in parts[39:]} == {2}
    assert parts[39].key == "s2_net_h1" and parts[39].section == "s2_forward"
    assert section_name("updates", 1) == "updates"


@pytest.mark.parametrize("spec", SPECS[:2])
def test_worked_solution_has_a_section_per_step_of_each_training_step_with_the_loops_numbers(spec):
    worked = graders.worked_solution(spec)
    assert [s.name for s in worked.steps] == list(graders.STEPS) + [f"s2_{s}" for s in graders.STEPS]
    expected = hand_loop(spec)
    for line in worked.lines:
        assert line.value == pytest.approx(expected[line.key], rel=1e-12, abs=1e-15)
    assert worked.line("s2_net_o1").latex.startswith(r"\mathrm{net}_{o1}^{(2)} = w_{5}^{+} \times \mathrm{out}_{h1}^{(2)}")
    assert worked.line("s2_w5_new").latex.startswith(r"w_{5}^{++} = w_{5}^{+} - \eta")
    substituted = worked.line("s2_w5_new").forms[-2]
    assert f"{expected['w5_new']:.6g}" in substituted and f"{abs(expected['s2_dE_dw5']):.6g}" in substituted


def test_steps_is_validated_and_left_out_of_one_step_specs():
    assert "steps" not in parse_spec(ARTICLE_SPEC).to_dict()
    assert parse_spec(TWO_STEPS).to_dict()["steps"] == 2
    for bad in (0, 4, True, "2", 1.5):
        with pytest.raises(SpecError) as err:
            parse_spec(dict(ARTICLE_SPEC, steps=bad))
        assert err.value.field == "steps"


# sha256 over the canonical specs of seeds a…e, computed before article-2step existed
EARLIER_DRAWS = {
    "article": "221252a1bf6ee3cd",
    "article-random": "d958499b4afd6254",
    "article-biases": "352fde4df96d30e8",
    "tanh-2-3-1": "a69dcd885d8ab6dc",
    "relu-3-3-2": "d13bbdd509ff97b6",
    "softmax-2-2-2": "05ef34fff6ff764a",
}


@pytest.mark.parametrize("template", sorted(EARLIER_DRAWS))
def test_adding_the_two_step_template_leaves_other_templates_draws_unchanged(template):
    digest = hashlib.sha256()
    for seed in "abcde":
        digest.update(spec_key(graders.generate(template, seed)).encode())
    assert digest.hexdigest()[:16] == EARLIER_DRAWS[template]


def test_the_two_step_template_draws_reproducibly_and_asks_both_steps():
    spec = graders.generate("article-2step", "seed-1")
    assert spec == graders.generate("article-2step", "seed-1")
    assert spec["steps"] == 2 and spec["layers"] == [2, 2, 2]
    assert graders.TEMPLATES["article-2step"].architecture().steps == 2


def test_step_2_computed_from_the_original_weights_is_named():
    spec = TWO_STEPS
    values = graders.solve(spec).values
    w5, w6, b2 = (ARTICLE_SPEC["weights"][1][0][0], ARTICLE_SPEC["weights"][1][0][1],
                  ARTICLE_SPEC["biases"][1][0])  # the given weights into o1 and its intercept
    stale_net = w5 * values["s2_out_h1"] + w6 * values["s2_out_h2"] + b2  # by hand, with w5, w6 not w5⁺, w6⁺
    report = graders.grade(spec, {"s2_net_o1": f"{stale_net:.10g}"})
    diagnoses = report.parts["s2_net_o1"].diagnoses
    assert [d.key for d in diagnoses] == ["previous_step_weights"]
    assert diagnoses[0].message["en"].startswith("net_o1⁽²⁾ uses w5⁺, w6⁺, the weights updated in the previous step")
    assert diagnoses[0].message["zh"].startswith("net_o1⁽²⁾ 要用上一步更新后的 w5⁺、w6⁺，而不是 w5、w6：")
    # the second update applied to the original weight
    stale_update = w5 - 0.5 * values["s2_dE_dw5"]
    keys = [d.key for d in graders.grade(spec, {"s2_w5_new": f"{stale_update:.10g}"}).parts["s2_w5_new"].diagnoses]
    assert keys == ["previous_step_weights"]
    # step 1's own value typed again in step 2: the whole step redone from the old weights
    keys = [d.key for d in graders.grade(spec, {"s2_E_total": f"{values['E_total']:.10g}"}).parts["s2_E_total"].diagnoses]
    assert keys == ["previous_step_weights"]


def test_the_previous_step_model_never_applies_to_one_step_networks():
    from graders.mistakes import MISTAKES_BY_KEY

    model = MISTAKES_BY_KEY["previous_step_weights"]
    assert not model.applies(parse_spec(ARTICLE_SPEC).arch) and model.applies(parse_spec(TWO_STEPS).arch)
    assert not model.in_degeneracy_check  # so no template's draws change
