"""Mastery per skill: the decay formula, observations per attempt, runs and spaced review, checked
against numbers worked out by hand (and one real graded report)."""

from __future__ import annotations

import pytest

from graders import grade, solve
from graders.mastery import (
    DAY, MasteryConfig, Observation, PartEvent, mastery_value, recent_misconceptions, review_schedule,
    skill_states,
)
from graders.variants import ARTICLE_SPEC

CONFIG = MasteryConfig(decay=0.7, prior=0.5, threshold=0.8, run_length=3, review_days=(1.0, 3.0, 7.0))


def event(attempt: str, when: float, part: str, status: str, *, step: str = "output_gradients",
          kind: str = "dE_dout", diagnoses: tuple[str, ...] = (), revealed: bool = False, hint: int = 0) -> PartEvent:
    return PartEvent(attempt, when, part, step, kind, status, diagnoses, revealed, hint, "article-random")


def test_mastery_is_the_decayed_mean_with_a_prior_worked_by_hand():
    assert mastery_value([], CONFIG) == 0.0
    assert mastery_value([1.0], CONFIG) == pytest.approx(1 / 1.5)
    # newest right, older wrong: 1 / (0.5 + 1 + 0.7)
    assert mastery_value([1.0, 0.0], CONFIG) == pytest.approx(1 / 2.2)
    # newest wrong, older right weighs 0.7
    assert mastery_value([0.0, 1.0], CONFIG) == pytest.approx(0.7 / 2.2)
    # three right: (1 + 0.7 + 0.49) / (0.5 + 2.19) = 0.81413…
    assert mastery_value([1.0, 1.0, 1.0], CONFIG) == pytest.approx(0.8141264, abs=1e-7)


def test_without_decay_or_prior_mastery_is_the_plain_mean():
    plain = MasteryConfig(decay=1.0, prior=0.0)
    assert mastery_value([1.0, 0.0, 1.0, 1.0], plain) == pytest.approx(0.75)


def test_a_bad_configuration_is_refused():
    with pytest.raises(ValueError):
        MasteryConfig(decay=0.0)
    with pytest.raises(ValueError):
        MasteryConfig(review_days=())


def test_an_attempt_scores_a_step_by_the_share_of_its_answered_parts_that_earn_credit():
    events = [
        event("a", 0, "dE_dout_o1", "incorrect", diagnoses=("sign_flipped",)),
        event("a", 0, "dout_dnet_o1", "correct", kind="dout_dnet"),
        event("a", 0, "delta_o1", "followthrough", kind="delta"),
        event("a", 0, "dE_dw5", "missing", kind="dE_dw"),  # blank: no evidence
        event("a", 0, "net_h1", "invalid", step="forward", kind="net"),  # unreadable: no evidence
    ]
    states = skill_states(events, CONFIG)
    (obs,) = states["output_gradients"].observations
    assert obs.score == pytest.approx(2 / 3) and obs.parts == 3
    assert states["forward"].observations == ()
    assert states["output_gradients"].mastery == pytest.approx((2 / 3) / 1.5)


def test_shown_answers_and_level_three_hints_never_count_as_mastered():
    events = [
        event("a", 0, "dE_dout_o1", "correct", revealed=True),
        event("a", 0, "dE_dout_o2", "correct", hint=3),
        event("a", 0, "delta_o1", "correct", kind="delta", hint=2),  # a lighter hint still counts
        event("a", 0, "delta_o2", "missing", kind="delta", revealed=True),  # shown, never answered
    ]
    (obs,) = skill_states(events, CONFIG)["output_gradients"].observations
    assert obs.parts == 4 and obs.score == pytest.approx(1 / 4)


def test_a_misconception_is_scored_over_the_kinds_of_parts_where_it_was_seen():
    events = [
        event("a", 0, "dE_dout_o1", "incorrect", diagnoses=("sign_flipped",)),
        event("a", 0, "dE_dout_o2", "correct"),
        event("b", 60, "dE_dout_o1", "correct"),
        event("b", 60, "dE_dout_o2", "correct"),
        event("b", 60, "delta_o1", "incorrect", kind="delta", diagnoses=("forgot_activation_derivative",)),
        event("c", 120, "net_h1", "correct", step="forward", kind="net"),  # not a kind sign_flipped was seen on
    ]
    states = skill_states(events, CONFIG)
    flip = states["sign_flipped"]
    assert flip.kind == "misconception" and flip.step == "output_gradients"
    assert [o.score for o in flip.observations] == [0.5, 1.0]
    # (1 + 0.7·0.5) / (0.5 + 1 + 0.7)
    assert flip.mastery == pytest.approx(1.35 / 2.2)
    assert [o.score for o in states["forgot_activation_derivative"].observations] == [0.0]


def test_the_trajectory_and_run_follow_the_attempts_in_time_order():
    events = [event(name, when, "dE_dout_o1", status) for name, when, status in
              (("c", 30, "correct"), ("a", 10, "incorrect"), ("d", 40, "correct"), ("b", 20, "correct"))]
    state = skill_states(events, CONFIG)["output_gradients"]
    assert [o.attempt for o in state.observations] == ["a", "b", "c", "d"]
    assert state.run == 3 and state.last_practised == 40
    assert state.trajectory == pytest.approx([0.0, 1 / 2.2, 1.7 / 2.69, 2.19 / (0.5 + 1 + 0.7 + 0.49 + 0.343)])
    assert state.trajectory[-1] == state.mastery and not state.mastered  # 2.19 / 3.033 = 0.722


def test_spaced_review_grows_only_with_reviews_made_when_due():
    def obs(day: float, score: float = 1.0) -> Observation:
        return Observation(str(day), day * DAY, score, 1)

    run = [obs(0), obs(0.1), obs(0.2)]
    assert review_schedule(run[:2], CONFIG) == (None, None)
    assert review_schedule(run, CONFIG) == (0, pytest.approx(1.2 * DAY))
    early = [*run, obs(0.5)]  # practised before it was due: same level, due date moves
    assert review_schedule(early, CONFIG) == (0, pytest.approx(1.5 * DAY))
    reviewed = [*early, obs(2.0)]  # on time: the next interval (3 days)
    assert review_schedule(reviewed, CONFIG) == (1, pytest.approx(5.0 * DAY))
    assert review_schedule([*reviewed, obs(6.0), obs(20.0)], CONFIG) == (2, pytest.approx(27.0 * DAY))
    assert review_schedule([*reviewed, obs(2.5, 0.5)], CONFIG) == (None, None)


def test_only_a_mastered_skill_has_a_review_date():
    days = [0.0, 0.1, 0.2, 0.3, 0.4]
    events = [event(str(d), d * DAY, "dE_dout_o1", "correct") for d in days]
    state = skill_states(events[:3], CONFIG)["output_gradients"]
    assert state.mastered and state.review_level == 0 and state.review_due == pytest.approx(1.2 * DAY)
    assert not state.is_due(1.1 * DAY) and state.is_due(1.2 * DAY)
    with_wrong_start = [event("w", -DAY, "dE_dout_o1", "incorrect"), *events[:3]]
    unsure = skill_states(with_wrong_start, CONFIG)["output_gradients"]
    assert unsure.run == 3 and not unsure.mastered and unsure.review_due is None  # 2.19 / 3.033


def test_every_step_has_a_state_in_teaching_order_even_unpractised():
    states = skill_states([], CONFIG)
    assert list(states) == ["forward", "error", "output_gradients", "hidden_gradients", "updates"]
    assert all(s.mastery == 0.0 and s.observations == () for s in states.values())


def test_recent_misconceptions_are_newest_first_with_counts():
    events = [
        event("a", 10, "dE_dout_o1", "incorrect", diagnoses=("sign_flipped",)),
        event("b", 20, "w5_new", "incorrect", step="updates", kind="w_new", diagnoses=("added_gradient",)),
        event("c", 30, "dE_dout_o2", "incorrect", diagnoses=("sign_flipped", "local_formula")),
    ]
    seen = recent_misconceptions(events)
    assert [(s.key, s.when, s.part, s.count) for s in seen] == [
        ("sign_flipped", 30, "dE_dout_o2", 2), ("added_gradient", 20, "w5_new", 1)]


def test_a_real_sign_flip_gives_an_output_observation_below_one_and_a_misconception_skill():
    solution = solve(ARTICLE_SPEC)
    v = solution.values
    answers = {"dE_dout_o1": f"{-v['dE_dout_o1']:.6g}", "dout_dnet_o1": f"{v['dout_dnet_o1']:.6g}"}
    report = grade(ARTICLE_SPEC, answers).to_dict()
    info = {p.key: p for p in solution.parts}
    events = [PartEvent("s1", 0, key, info[key].step, info[key].kind, part["status"],
                        tuple(d["key"] for d in part["diagnoses"])) for key, part in report["parts"].items()]
    states = skill_states(events, CONFIG)
    assert [o.score for o in states["output_gradients"].observations] == [0.5]
    assert [o.score for o in states["sign_flipped"].observations] == [0.0]
