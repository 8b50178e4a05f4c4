"""Adaptive practice: the focus rules, the parts asked with the earlier values given (listed by
hand from the article's network), and the choice of network."""

from __future__ import annotations

from graders import Policy, grade, solve
from graders.adaptive import ADAPTIVE_TEMPLATES, FocusParts, choose_focus, choose_template, focus_parts
from graders.graph import build_graph
from graders.mastery import DAY, MasteryConfig, PartEvent, skill_states
from graders.spec import parse_spec
from graders.variants import ARTICLE_SPEC, TEMPLATES

CONFIG = MasteryConfig(run_length=3, review_days=(1.0, 3.0))
ARTICLE_GRAPH = build_graph(parse_spec(ARTICLE_SPEC).arch)


def attempt(name: str, when: float, step: str, status: str, diagnoses: tuple[str, ...] = ()) -> PartEvent:
    kinds = {"output_gradients": ("dE_dout_o1", "dE_dout"), "forward": ("net_h1", "net"),
             "error": ("E_o1", "E_o"), "hidden_gradients": ("delta_h1", "delta"), "updates": ("w1_new", "w_new")}
    part, kind = kinds[step]
    return PartEvent(name, when, part, step, kind, status, diagnoses)


def test_output_gradients_are_asked_with_the_forward_pass_given():
    parts = focus_parts(ARTICLE_GRAPH, "output_gradients")
    assert parts.asked == ("dE_dout_o1", "dout_dnet_o1", "delta_o1", "dE_dout_o2", "dout_dnet_o2", "delta_o2",
                           "dE_dw5", "dE_dw6", "dE_dw7", "dE_dw8")
    assert parts.given == ("out_h1", "out_h2", "net_o1", "out_o1", "net_o2", "out_o2")


def test_hidden_gradients_are_asked_with_the_forward_pass_and_output_deltas_given():
    parts = focus_parts(ARTICLE_GRAPH, "hidden_gradients")
    assert set(parts.asked) == {"dE_dout_h1", "dout_dnet_h1", "delta_h1", "dE_dout_h2", "dout_dnet_h2",
                                "delta_h2", "dE_dw1", "dE_dw2", "dE_dw3", "dE_dw4"}
    assert parts.given == ("net_h1", "out_h1", "net_h2", "out_h2", "delta_o1", "delta_o2")


def test_other_steps_give_exactly_what_their_formulas_read():
    assert focus_parts(ARTICLE_GRAPH, "forward").given == ()
    assert focus_parts(ARTICLE_GRAPH, "error") == FocusParts(("E_o1", "E_o2", "E_total"), ("out_o1", "out_o2"))
    updates = focus_parts(ARTICLE_GRAPH, "updates")
    assert updates.asked == tuple(f"w{i}_new" for i in range(1, 9))  # not E_total_new (a new forward pass)
    assert sorted(updates.given) == sorted(f"dE_dw{i}" for i in range(1, 9))


def test_the_grader_grades_only_the_asked_parts_of_a_focused_exercise():
    parts = focus_parts(ARTICLE_GRAPH, "hidden_gradients")
    values = solve(ARTICLE_SPEC).values
    report = grade(ARTICLE_SPEC, {k: f"{values[k]:.6g}" for k in parts.asked}, Policy(parts=parts.asked))
    assert set(report.parts) == set(parts.asked)
    assert report.score == 1.0


def test_a_student_who_flips_the_sign_is_served_output_gradients_until_a_run_then_moves_on():
    history = [attempt(f"full{i}", i * 60, "output_gradients", "incorrect", ("sign_flipped",)) for i in range(3)]
    history += [attempt(f"fwd{i}", i * 60 + 1, "forward", "correct") for i in range(3)]
    states = skill_states(history, CONFIG)
    latest = ("sign_flipped", "output_gradients")
    focus = choose_focus(states, latest_misconception=latest, current=None, now=400, config=CONFIG)
    assert (focus.step, focus.reason, focus.misconception) == ("output_gradients", "misconception", "sign_flipped")
    masteries = [states["output_gradients"].mastery]
    for i in range(3):
        history.append(attempt(f"adaptive{i}", 1000 + i * 60, "output_gradients", "correct"))
        states = skill_states(history, CONFIG)
        masteries.append(states["output_gradients"].mastery)
        focus = choose_focus(states, latest_misconception=latest, current="output_gradients", now=2000, config=CONFIG)
        assert focus.step == ("output_gradients" if i < 2 else "error")  # error: weakest left (never practised)
    assert masteries == sorted(masteries) and masteries[0] == 0.0 and masteries[-1] > 0.5
    assert focus.reason == "weakest"


def test_the_current_exercise_continues_until_its_run_even_when_another_step_is_weaker():
    history = [attempt("a", 0, "forward", "correct")]
    states = skill_states(history, CONFIG)
    assert choose_focus(states, latest_misconception=None, current="forward", now=10, config=CONFIG).reason == "continue"
    assert choose_focus(states, latest_misconception=None, current=None, now=10, config=CONFIG).step == "error"


def test_after_its_run_the_current_step_gives_way_even_when_it_is_still_the_weakest():
    history = [attempt(f"{s}{i}", i * 10 + n, s, "correct") for n, s in enumerate(("forward", "error")) for i in range(5)]
    history += [attempt(f"out{i}", 100 + i, "output_gradients", "correct") for i in range(3)]
    states = skill_states(history, CONFIG)
    assert states["output_gradients"].mastery < states["forward"].mastery
    focus = choose_focus(states, latest_misconception=None, current="output_gradients", now=200, config=CONFIG)
    assert (focus.step, focus.reason) == ("hidden_gradients", "weakest")
    done = skill_states(history + [attempt(f"{s}{i}", 300 + i, s, "correct") for s in ("hidden_gradients", "updates")
                                   for i in range(5)], CONFIG)
    again = choose_focus(done, latest_misconception=None, current="output_gradients", now=400, config=CONFIG)
    assert again.step != "output_gradients"


def test_a_mastered_step_comes_back_for_review_when_due():
    steps = ("forward", "error", "output_gradients", "hidden_gradients", "updates")
    history = [attempt(f"{s}{i}", i * 10 + n, s, "correct") for n, s in enumerate(steps) for i in range(5)]
    states = skill_states(history, CONFIG)
    assert all(states[s].mastered for s in steps)
    soon = choose_focus(states, latest_misconception=None, current=None, now=100, config=CONFIG)
    assert soon.reason == "practise"
    later = choose_focus(states, latest_misconception=None, current=None, now=2 * DAY, config=CONFIG)
    assert (later.step, later.reason) == ("forward", "review")  # all due; forward's date is the earliest


def test_the_network_fits_the_misconception_and_rotates_by_least_recent_use():
    templates = [TEMPLATES[name] for name in ADAPTIVE_TEMPLATES]
    assert choose_template(templates).name == "article-random"
    used = {"article-random": 50.0, "article-biases": 10.0}
    assert choose_template(templates, last_used=used).name == "tanh-2-3-1"  # never used comes first
    # one_output_path needs a hidden layer feeding two outputs: not tanh-2-3-1
    assert choose_template(templates, misconception="one_output_path", last_used=used).name == "relu-3-3-2"
    # forgot_half is about ½ squared error: never the cross-entropy network
    all_used = {t.name: float(i) for i, t in enumerate(reversed(templates))}
    assert choose_template(templates, misconception="forgot_half", last_used=all_used).name != "softmax-2-2-2"
