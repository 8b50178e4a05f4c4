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
