"""Two training steps on the site: the walkthrough's section for step 2 (numbers from a hand-written
loop, not from the grader), the article-2step practice page, and a graded submission whose step 2
follows from a wrong w5⁺."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

import graders
from exercises.models import Submission

from tests.exercises.homework_support import EN, ZH
from tests.exercises.practice.test_views import page_url, submit
from tests.graders.reference import two_training_steps
from graders.variants import ARTICLE_SPEC

pytestmark = pytest.mark.django_db

TEMPLATE, SEED = "article-2step", "two-steps"


def section(html: str) -> str:
    start = html.index('<section id="second-step"')
    return html[start : html.index("</section>", start)]


def test_walkthrough_has_a_section_for_the_second_training_step_with_the_loops_numbers(client):
    html = client.get(reverse("exercises:walkthrough"), **EN).content.decode()
    assert '<a href="#second-step">A second training step</a>' in html
    step2 = section(html)
    expected = two_training_steps(ARTICLE_SPEC)
    for key in ("s2_net_o1", "s2_out_o1", "s2_E_total", "s2_w6_new", "s2_w2_new", "s2_E_total_new"):
        assert f"<mn>{abs(expected[key]):.6g}</mn>" in step2, key
        assert f'data-key="{key}"' in step2
    # ∂E/∂w6 of step 2 is computed at w⁺: its value differs from step 1's and is the loop's
    assert f"<mn>{abs(expected['s2_dE_dw6']):.6g}</mn>" in step2
    assert f"{abs(expected['s2_dE_dw6']):.6g}" != f"{abs(expected['dE_dw6']):.6g}"
    # step 2's E_total is step 1's error after the update (0.0349158 in the article)
    assert f"{expected['s2_E_total']:.6g}" == "0.0349158"
    # the folded rest lists every other step-2 quantity under its own titles
    assert "Training step 2 · Hidden-layer gradients" in step2 and 'data-key="s2_delta_h2"' in step2
    assert 'data-key="net_h1"' not in step2
    assert reverse("exercises:practice_start", args=[TEMPLATE]) in step2


def test_the_second_step_section_reads_in_chinese(client):
    html = client.get(reverse("exercises:walkthrough"), **ZH).content.decode()
    step2 = section(html)
    assert "第二个训练步" in step2 and "训练第 2 步 · 隐藏层梯度" in step2
    assert "A second training step" not in html and "Training step 2" not in html
    assert 'alttext="第 2 步的 net o1 等于' in step2


def test_the_two_step_practice_page_groups_step_2_with_marked_names(client):
    html = client.get(page_url(TEMPLATE, SEED), **EN).content.decode()
    legends = re.findall(r"<legend>([^<]+)</legend>", html)
    assert legends[4:6] == ["5. Updates", "6. Training step 2 · Forward pass"]
    assert len(legends) == 10
    assert 'name="s2_w5_new"' in html and 'name="E_total_new"' not in html and 'name="s2_E_total_new"' in html
    assert "w5<sup>++</sup>" in html and "net<sub>o1</sub><sup>(2)</sup>" in html
    assert "w5 updated 2 times" in html  # the box's accessible name


def test_a_wrong_w5_update_carried_into_step_2_gets_follow_through_on_the_result_page(
        client, django_capture_on_commit_callbacks):
    spec = graders.generate(TEMPLATE, SEED)
    solution = graders.solve(spec)
    own_w5 = solution.values["w5_new"] + 0.04
    own = two_training_steps(spec, override={5: own_w5})
    sheet = {key: f"{own[key]:.6g}" for key in ("s2_net_o1", "s2_out_o1", "s2_E_o1", "s2_dE_dw5")}
    sheet["w5_new"] = f"{own_w5:.6g}"
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client, sheet, page_url(TEMPLATE, SEED))
    assert response.status_code == 302
    submission = Submission.objects.get(pk=response["Location"].split("?")[0].rstrip("/").rsplit("/", 1)[-1])
    parts = submission.report["parts"]
    assert parts["w5_new"]["status"] == "incorrect"
    for key in ("s2_net_o1", "s2_out_o1", "s2_E_o1", "s2_dE_dw5"):
        assert parts[key]["status"] == "followthrough", key
        assert parts[key]["followthrough_roots"] == ["w5_new"]
    html = client.get(response["Location"], **EN).content.decode()
    assert "4 later values follow from your w5⁺" in html
    assert 'id="results-s2_forward"' in html

    api = {part["key"]: part for part in client.get(f"/api/submissions/{submission.pk}").json()["parts"]}
    assert api["s2_net_o1"]["status"] == "followthrough" and api["s2_net_o1"]["followthrough_roots"] == ["w5_new"]


def test_the_api_serves_the_two_step_type_with_each_parts_training_step(client):
    names = [t["name"] for t in client.get("/api/templates").json()]
    assert TEMPLATE in names
    variant = client.post("/api/practice", {"template": TEMPLATE, "seed": SEED}, content_type="application/json")
    assert variant.status_code in (200, 201)
    parts = variant.json()["parts"]
    assert len(parts) == 79
    assert parts[0] == {"key": "net_h1", "step": "forward", "training_step": 1}
    assert {"key": "s2_w5_new", "step": "updates", "training_step": 2} in parts
    assert variant.json()["parameters"]["w5"] == graders.generate(TEMPLATE, SEED)["weights"][1][0][0]
