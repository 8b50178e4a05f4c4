"""The grader's LaTeX read aloud (alttext of equations, names of answer boxes), English and Chinese."""

from __future__ import annotations

import pytest

import graders
from exercises.web.speech import key_speech, latex_speech
from graders.worked import worked_solution


@pytest.mark.parametrize(("key", "english", "chinese"), [
    ("net_h1", "net h1", "net h1"),
    ("out_o2", "out o2", "out o2"),
    ("dE_dout_o1", "partial E total over partial out o1", "E total 对 out o1 的偏导数"),
    ("dout_dnet_h2", "partial out h2 over partial net h2", "out h2 对 net h2 的偏导数"),
    ("dE_dw5", "partial E total over partial w5", "E total 对 w5 的偏导数"),
    ("delta_o1", "delta o1", "delta o1"),
    ("w6_new", "updated w6", "更新后的 w6"),
    ("E_total", "E total", "E total"),
    ("net_h1_3", "net h1,3", "net h1,3"),
])
def test_answer_keys_are_read_as_a_person_would(key, english, chinese):
    assert key_speech(key, "en") == english
    assert key_speech(key, "zh-hans") == chinese


def test_an_equation_reads_in_order_with_its_numbers():
    line = worked_solution(graders.generate("article", "")).line("net_h1")
    assert latex_speech(line.latex, "en") == (
        "net h1 equals w1 times i1 plus w2 times i2 plus b1 equals 0.05 times 0.1 plus 0.1 times 0.2 plus 0.3 "
        "equals 0.325"
    )
    assert latex_speech(line.latex, "zh-hans").startswith("net h1 等于 w1 乘 i1 加 w2 乘 i2 加 b1 等于")


def test_squares_fractions_and_brackets_read_naturally():
    line = worked_solution(graders.generate("article", "")).line("E_o1")
    english = latex_speech(line.latex, "en")
    assert english.startswith("E o1 equals 1 over 2 times (target o1 minus out o1) squared equals")
    assert "2 分之 1 乘 （target o1 减 out o1） 的平方" in latex_speech(line.latex, "zh-hans")


@pytest.mark.parametrize("template", sorted(graders.TEMPLATES))
def test_every_line_of_every_template_reads_without_latex_left_over(template):
    for line in worked_solution(graders.generate(template, "speech")).lines:
        for language in ("en", "zh-hans"):
            spoken = latex_speech(line.latex, language)
            assert spoken and not any(mark in spoken for mark in ("\\", "{", "}", "_", "^")), (line.key, spoken)
