"""Class analytics count statuses per part and step, misconceptions and scores."""

from __future__ import annotations

from graders import grade, solve
from graders.analytics import summarize
from graders.variants import ARTICLE_SPEC


def test_statuses_misconceptions_and_scores_are_counted_per_part_and_step():
    v = solve(ARTICLE_SPEC).values
    steps = {p.key: p.step for p in solve(ARTICLE_SPEC).parts}
    reports = [
        grade(ARTICLE_SPEC, {"net_h1": "0.325", "dE_dout_o1": f"{-v['dE_dout_o1']:.6g}"}).to_dict(),
        grade(ARTICLE_SPEC, {"net_h1": "0.4", "dE_dout_o1": f"{v['dE_dout_o1']:.6g}"}).to_dict(),
        grade(ARTICLE_SPEC, {k: f"{x:.6g}" for k, x in solve(ARTICLE_SPEC).quantities().items()}).to_dict(),
    ]
    result = summarize(reports, steps)
    assert result.students == 3
    assert result.parts["net_h1"]["correct"] == 2 and result.parts["net_h1"]["incorrect"] == 1
    assert abs(result.share("net_h1", "correct") - 2 / 3) < 1e-12
    assert result.top_misconceptions()[0] == ("sign_flipped", 1)
    assert result.steps["output_gradients"]["correct"] >= 1
    assert result.histogram[9] == 1 and sum(result.histogram) == 3


def test_analytics_describe_a_near_miss_in_general_and_do_not_count_the_local_formula():
    steps = {p.key: p.step for p in solve(ARTICLE_SPEC).parts}
    # δ_o1 (−0.0339735, the article's) typed for ∂E/∂w5 and for ∂E/∂w6; net_h1 = 0.5 nothing explains
    reports = [grade(ARTICLE_SPEC, {"dE_dw5": "-0.03397", "dE_dw6": "-0.03397", "net_h1": "0.5"}).to_dict()]
    result = summarize(reports, steps)
    assert result.misconceptions == {"delta_for_weight_gradient": 2}
    message = result.misconception_messages["delta_for_weight_gradient"]["en"]
    assert message.startswith("You entered δ where ∂E/∂w belongs") and "w5" not in message


def test_misconceptions_are_counted_by_students_not_by_parts():
    """One student flipping two signs is one student with that misconception, diagnosed twice."""
    v = solve(ARTICLE_SPEC).values
    steps = {p.key: p.step for p in solve(ARTICLE_SPEC).parts}
    flipped_twice = {"dE_dout_o1": f"{-v['dE_dout_o1']:.6g}", "dE_dout_o2": f"{-v['dE_dout_o2']:.6g}"}
    flipped_once = {"dE_dout_o1": f"{-v['dE_dout_o1']:.6g}"}
    reports = [grade(ARTICLE_SPEC, answers).to_dict() for answers in (flipped_twice, flipped_once, {})]
    result = summarize(reports, steps, owners=["ann", "ben", "cal"])
    assert result.misconceptions["sign_flipped"] == 3  # times diagnosed, over parts
    assert result.students_with("sign_flipped") == 2  # ann and ben
    assert result.misconception_students["sign_flipped"] == {"ann": ["dE_dout_o1", "dE_dout_o2"],
                                                             "ben": ["dE_dout_o1"]}
    assert result.top_misconceptions_by_students()[0] == ("sign_flipped", 2)
    # without owners every report is its own student
    assert summarize(reports, steps).students_with("sign_flipped") == 2
