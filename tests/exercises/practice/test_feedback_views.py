"""The result page names near misses in both languages and groups follow-through once at the top.

The wrong answers are computed here from the article's definitions (numpy), not by the grader."""

from __future__ import annotations

import html as html_lib
import re

import numpy as np
import pytest
from django.test import Client

from exercises.models import Submission
from graders.variants import ARTICLE_SPEC
from tests.exercises.homework_support import EN, ZH
from tests.exercises.practice.test_views import page_url, reference_answers, submit
from tests.graders.reference import forward

pytestmark = pytest.mark.django_db


def article_deltas() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """out of the hidden layer, out of the outputs and δ of the outputs, from the formulas."""
    (_, hidden), (_, out) = forward(ARTICLE_SPEC)
    t = np.array(ARTICLE_SPEC["targets"])
    return hidden, out, (out - t) * out * (1 - out)


def row_of(page: str, key: str) -> str:
    row = re.search(rf'<tr class="row-\w+" data-key="{key}".*?</tr>', page, re.DOTALL)
    assert row, key
    return html_lib.unescape(row.group(0))


def graded_page(client: Client, answers: dict[str, str], django_capture_on_commit_callbacks) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client, answers, url=page_url("article"))
    assert response.status_code == 302
    assert Submission.objects.get().status == "graded"
    return response["Location"]


def test_delta_entered_as_dE_dw5_gets_its_own_message_in_english_and_chinese(client, django_capture_on_commit_callbacks):
    _, _, delta = article_deltas()
    url = graded_page(client, {"dE_dw5": f"{delta[0]:.6g}"}, django_capture_on_commit_callbacks)
    en = row_of(client.get(url, **EN).content.decode(), "dE_dw5")
    assert 'data-diagnosis="delta_for_weight_gradient"' in en
    assert "You entered ∂E_total/∂net_o1 as ∂E_total/∂w5, forgetting the × out_h1 factor" in en
    zh = row_of(client.get(url, **ZH).content.decode(), "dE_dw5")
    assert "你把 ∂E_total/∂net_o1 当成了 ∂E_total/∂w5，漏乘了 out_h1" in zh


def test_a_wrong_part_no_model_explains_shows_its_local_formula(client, django_capture_on_commit_callbacks):
    url = graded_page(client, {"net_h1": "0.5"}, django_capture_on_commit_callbacks)
    row = row_of(client.get(url, **EN).content.decode(), "net_h1")
    assert 'data-diagnosis="local_formula"' in row and "net_h1 = w1·i1 + w2·i2 + b1" in row


def test_a_chained_sign_flip_shows_one_grouped_note_and_each_rows_own_value(client, django_capture_on_commit_callbacks):
    hidden, out, _ = article_deltas()
    t = np.array(ARTICLE_SPEC["targets"])
    flipped = t[0] - out[0]  # −(out − target): the sign flipped
    delta = flipped * out[0] * (1 - out[0])
    answers = reference_answers("article")
    answers.update({"dE_dout_o1": f"{flipped:.6g}", "delta_o1": f"{delta:.6g}",
                    "dE_dw5": f"{delta * hidden[0]:.6g}", "dE_dw6": f"{delta * hidden[1]:.6g}"})
    for key in list(answers):
        if key.startswith(("dE_dout_h", "delta_h", "dE_dw1", "dE_dw2", "dE_dw3", "dE_dw4")) or key.endswith("_new"):
            del answers[key]  # left blank: only the output layer's chain is answered
    url = graded_page(client, answers, django_capture_on_commit_callbacks)
    page = html_lib.unescape(client.get(url, **EN).content.decode())
    notes = re.findall(r'<li data-roots="dE_dout_o1">(.*?)</li>', page)
    assert notes == ["3 later values follow from your ∂E_total/∂out_o1 (wrong sign): credited."]
    assert page.index("data-followthrough-notes") < page.index('data-key="net_h1"')  # at the top
    row = row_of(page, "dE_dw5")
    assert 'data-status="followthrough"' in row
    assert f"From your own earlier answers: {delta * hidden[0]:.4g}" in row
    assert "right from your own earlier answers: you get credit" not in page  # not repeated per row
    zh = html_lib.unescape(client.get(url, **ZH).content.decode())
    assert "后面 3 个值由你的 ∂E_total/∂out_o1（符号反了） 推出：已给分。" in zh
    assert "按你前面的答案应得" in zh
