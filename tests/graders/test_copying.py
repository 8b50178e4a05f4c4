"""The copying signal names a student whose answers are a classmate's numbers."""

from __future__ import annotations

from graders import generate, solve
from graders.copying import Sheet, copy_signals


def expected(seed: str) -> dict[str, float]:
    return solve(generate("article-random", seed)).quantities()


def test_answers_equal_to_a_classmates_expected_values_are_flagged():
    alice, bob, carol = expected("alice"), expected("bob"), expected("carol")
    sheets = [
        Sheet("alice", alice, {k: round(v, 5) for k, v in alice.items()}),
        Sheet("bob", bob, {k: round(alice[k], 5) for k in list(alice)[:10]}),  # bob copied alice
        Sheet("carol", carol, {k: round(v, 5) for k, v in list(carol.items())[:10]}),
    ]
    signals = copy_signals(sheets)
    assert [(s.suspect, s.source, s.kind) for s in signals] == [("bob", "alice", "expected")]
    assert len(signals[0].parts) >= 8


def test_sharing_a_classmates_wrong_answers_is_flagged_but_honest_work_is_not():
    dan, eve = expected("dan"), expected("eve")
    wrong = {k: v * 1.5 for k, v in list(dan.items())[:6]}
    sheets = [Sheet("dan", dan, wrong), Sheet("eve", eve, dict(wrong)),
              Sheet("fay", expected("fay"), {k: v for k, v in expected("fay").items()})]
    signals = {(s.suspect, s.source, s.kind) for s in copy_signals(sheets)}
    assert ("eve", "dan", "answers") in signals
    assert not any(s[0] == "fay" or s[1] == "fay" for s in signals)


def test_a_single_coincidence_is_not_a_signal():
    gus, hal = expected("gus"), expected("hal")
    key = next(iter(gus))
    sheets = [Sheet("gus", gus, {key: gus[key]}), Sheet("hal", hal, {key: gus[key]})]
    assert copy_signals(sheets) == []


def test_a_coincidence_that_carries_into_its_dependent_quantities_is_not_a_signal():
    # ivy's wrong net_h1 happens to equal jon's; out_h1 follows from it: one piece of evidence
    ivy, jon = expected("ivy"), expected("jon")
    answers = {"net_h1": jon["net_h1"], "out_h1": jon["out_h1"]}
    sheets = [Sheet("ivy", ivy, answers), Sheet("jon", jon, {})]
    inputs = {"out_h1": ("net_h1",), "net_h1": ("w1", "i1")}
    assert copy_signals(sheets, inputs=inputs) == []
    assert copy_signals(sheets) != []  # without the dependencies both parts would count


def test_a_copied_sheet_is_flagged_even_when_one_hidden_neuron_coincides():
    """Two real variants (article-random) whose net_h2 happen to be equal: bob's copy of alice's
    numbers is right for his own net_h2, out_h2 and dout_dnet_h2, so those are no match; what is
    computed from them and from matched quantities (net_o1 from out_h1 and out_h2) still is."""
    from graders.tolerance import Tolerance
    from graders.variants import TEMPLATES

    alice, bob = expected("hw:4523540f1504cd17"), expected("hw:535fa30d7e25dd8a")
    assert abs(alice["net_h2"] - bob["net_h2"]) < 1e-12 and alice["net_h1"] != bob["net_h1"]
    copied = {k: float(f"{v:.6g}") for k, v in alice.items()}
    sheets = [Sheet("alice", alice, dict(alice)), Sheet("bob", bob, copied)]
    signals = copy_signals(sheets, Tolerance(kind="sigfigs", value=4),
                           inputs=TEMPLATES["article-random"].quantity_inputs())
    assert [(s.suspect, s.source, s.kind) for s in signals] == [("bob", "alice", "expected")]
