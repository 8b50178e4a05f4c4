"""grade(): verdicts, follow-through on chained wrong answers, diagnosis, robustness."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graders import Policy, Tolerance, generate, grade, solve
from graders.grading import variant_context
from graders.graph import build_graph
from graders.mistakes import MISTAKES, MistakeContext
from graders.variants import ARTICLE_SPEC, TEMPLATES


def fmt(value: float) -> str:
    return f"{value:.6g}"


def reference_answers(spec) -> dict[str, str]:
    return {k: fmt(v) for k, v in solve(spec).quantities().items()}


def test_all_reference_answers_score_full_marks_on_every_template():
    for name in TEMPLATES:
        spec = generate(name, "full-marks")
        report = grade(spec, reference_answers(spec))
        assert report.score == 1.0, name
        assert {p.status for p in report.parts.values()} == {"correct"}


def test_the_articles_truncated_four_figure_numbers_are_accepted():
    # E_total is 0.036114: the article's 0.0361 has three significant figures, 0.03611 four
    report = grade(ARTICLE_SPEC, {"out_h1": "0.5805", "out_o1": "0.6505", "out_o2": "0.6766",
                                  "E_total": "0.03611", "net_o1": "0.6214"})
    assert all(report.parts[k].status == "correct"
               for k in ("out_h1", "out_o1", "out_o2", "E_total", "net_o1"))


def test_unanswered_parts_are_missing_and_score_nothing():
    report = grade(ARTICLE_SPEC, {"net_h1": "0.325"})
    assert report.parts["net_h1"].status == "correct"
    assert report.parts["out_h1"].status == "missing"
    assert report.points == 1.0 and report.max_points == len(report.parts)


def test_a_wrong_hidden_output_carries_through_the_chained_later_answers():
    # the student gets out_h1 wrong, then computes net_o1, out_o1, E_o1 from their own value
    out_h1 = 0.6
    net_o1 = 0.25 * out_h1 + 0.30 * solve(ARTICLE_SPEC).values["out_h2"] + 0.3
    out_o1 = 1 / (1 + math.exp(-net_o1))
    e_o1 = 0.5 * (0.8 - out_o1) ** 2
    report = grade(ARTICLE_SPEC, {"out_h1": "0.6", "net_o1": fmt(net_o1),
                                  "out_o1": fmt(out_o1), "E_o1": fmt(e_o1)})
    assert report.parts["out_h1"].status == "incorrect"
    for key in ("net_o1", "out_o1", "E_o1"):
        assert report.parts[key].status == "followthrough", key
        assert report.parts[key].points == 1.0
    assert report.parts["out_o1"].followthrough_expected == pytest.approx(out_o1)


def test_follow_through_skips_unanswered_intermediate_steps():
    out_h1 = 0.6
    net_o1 = 0.25 * out_h1 + 0.30 * solve(ARTICLE_SPEC).values["out_h2"] + 0.3
    out_o1 = 1 / (1 + math.exp(-net_o1))
    report = grade(ARTICLE_SPEC, {"out_h1": "0.6", "out_o1": fmt(out_o1)})
    assert report.parts["out_o1"].status == "followthrough"


def test_follow_through_can_be_switched_off_or_given_partial_credit():
    answers = {"out_h1": "0.6", "net_o1": fmt(0.25 * 0.6 + 0.30 * 0.587830 + 0.3)}
    off = grade(ARTICLE_SPEC, answers, Policy(followthrough=False))
    assert off.parts["net_o1"].status == "incorrect"
    half = grade(ARTICLE_SPEC, answers, Policy(followthrough_credit=0.5))
    assert half.parts["net_o1"].status == "followthrough"
    assert half.parts["net_o1"].points == 0.5


def test_an_implausible_upstream_value_earns_no_follow_through():
    # a sigmoid output of 3 is impossible: later answers built on it get no credit
    net_o1 = 0.25 * 3 + 0.30 * 0.587830 + 0.3
    report = grade(ARTICLE_SPEC, {"out_h1": "3", "net_o1": fmt(net_o1)})
    assert report.parts["net_o1"].status == "incorrect"


def test_format_errors_are_invalid_and_never_raise():
    report = grade(ARTICLE_SPEC, {"net_h1": "abc", "out_h1": "9**9**9", "E_total": "w5*out_h1"})
    for key in ("net_h1", "out_h1", "E_total"):
        assert report.parts[key].status == "invalid"
        assert report.parts[key].error["code"]
    assert report.parts["E_total"].error["code"] == "forbidden_name"
    assert set(report.invalid_parts) == {"net_h1", "out_h1", "E_total"}


def test_expressions_of_given_values_are_graded_by_their_value():
    report = grade(ARTICLE_SPEC, {"out_h1": "1/(1+exp(-(w1*i1+w2*i2+b1)))",
                                  "dout_dnet_o1": "0.650556*(1-0.650556)"})
    assert report.parts["out_h1"].status == "correct"
    assert report.parts["dout_dnet_o1"].status == "correct"


def test_per_part_points_and_tolerances_apply():
    policy = Policy(points={"net_h1": 3}, part_tolerances={"out_h1": Tolerance("decimals", 2)},
                    parts=("net_h1", "out_h1"))
    report = grade(ARTICLE_SPEC, {"net_h1": "0.325", "out_h1": "0.58"}, policy)
    assert list(report.parts) == ["net_h1", "out_h1"]
    assert report.points == 4 and report.score == 1.0


def test_policy_round_trips_through_json_safe_dicts():
    policy = Policy(tolerance=Tolerance("relative", 0.01), points={"w1_new": 2.0},
                    parts=("w1_new",), followthrough_credit=0.5, diagnose=False)
    assert Policy.from_dict(policy.to_dict()) == policy


def test_report_to_dict_is_json_safe():
    import json

    report = grade(ARTICLE_SPEC, {"net_h1": "0.3", "out_h1": "x"})
    json.dumps(report.to_dict(), allow_nan=False)


def _distinct_example(mistake, spec):
    """A part and a value that this misconception alone would produce."""
    solution = solve(spec)
    cache = variant_context(spec)
    ctx = MistakeContext(build_graph(solution.spec.arch), solution.givens, solution.values,
                         solution.values, cache.full_values)
    for part in solution.parts:
        for value in mistake.static_candidates(ctx, part.key):
            expected = solution.values[part.key]
            if math.isfinite(value) and abs(value - expected) > 0.01 * abs(expected) + 1e-4:
                return part.key, value
    return None


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.key)
def test_every_misconception_is_named_when_a_student_holds_it(mistake):
    for name in ("article-random", "article-biases", "tanh-2-3-1", "softmax-2-2-2", "article-2step"):
        spec = generate(name, f"diagnose-{mistake.key}")
        if not mistake.applies(solve(spec).spec.arch):
            continue
        example = _distinct_example(mistake, spec)
        if example is None:
            continue
        key, value = example
        report = grade(spec, {key: f"{value:.8g}"})
        assert report.parts[key].status == "incorrect"
        assert mistake.key in [d.key for d in report.parts[key].diagnoses], (name, key)
        assert {"en", "zh"} <= set(report.parts[key].diagnoses[0].message)
        return
    pytest.fail(f"no template shows {mistake.key}")


def test_sign_flip_on_the_output_error_derivative_is_diagnosed_on_the_article():
    v = solve(ARTICLE_SPEC).values
    report = grade(ARTICLE_SPEC, {"dE_dout_o1": fmt(-v["dE_dout_o1"])})
    assert [d.key for d in report.parts["dE_dout_o1"].diagnoses] == ["sign_flipped"]


def test_a_mistake_made_on_the_students_own_numbers_is_still_named():
    # forgot σ' when computing δ_o1 from their own (wrong) ∂E/∂out_o1
    report = grade(ARTICLE_SPEC, {"dE_dout_o1": "-0.2", "delta_o1": "-0.2"})
    keys = [d.key for d in report.parts["delta_o1"].diagnoses]
    assert "forgot_activation_derivative" in keys


def test_diagnosis_can_be_switched_off():
    v = solve(ARTICLE_SPEC).values
    report = grade(ARTICLE_SPEC, {"dE_dout_o1": fmt(-v["dE_dout_o1"])}, Policy(diagnose=False))
    assert report.parts["dE_dout_o1"].diagnoses == []


NASTY = ["9**9**9", "((9**9)**9999)**9999", "__import__('os')", "1e999", "nan", "-inf",
         "1" * 100_000, "\x00\x01", "ⅰ＋①", "exp(1000)", "log(0)", "", "   ", None, 3.5,
         "lambda: 1", "[1]*9", "().__class__", "0.1.2", "0,1,2", "w5*out_h1"]


def test_hostile_answers_give_verdicts_not_exceptions():
    keys = list(solve(ARTICLE_SPEC).quantities())
    answers = {keys[i % len(keys)]: text for i, text in enumerate(NASTY)}
    report = grade(ARTICLE_SPEC, answers)
    assert {p.status for p in report.parts.values()} <= {"invalid", "missing", "incorrect",
                                                         "correct"}


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["net_h1", "out_o1", "dE_dw6", "w2_new", "bogus"]),
                       st.one_of(st.text(max_size=60), st.none(), st.floats())))
def test_any_answer_dictionary_yields_a_report(answers):
    report = grade(ARTICLE_SPEC, answers)
    assert 0.0 <= report.score <= 1.0
