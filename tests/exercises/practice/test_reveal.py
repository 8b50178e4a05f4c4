"""Practice reveals answers part by part (issue 11): the result page and the API show a part's
expected value and its worked lines only once it was answered correctly, answered wrongly
BPCOURSE_REVEAL_AFTER_WRONG times, or revealed with "show answer"; parts never tried stay hidden."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

import graders
from exercises.grading.reveal import report_revealed, reveal_reasons
from exercises.models import Submission, Variant

from tests.exercises.homework_support import ZH
from tests.exercises.practice.test_views import page_url, reference_answers, submit

pytestmark = pytest.mark.django_db

TEMPLATE, SEED = "article-random", "reveal-seed"
FORWARD = ["net_h1", "out_h1", "net_h2", "out_h2", "net_o1", "out_o1", "net_o2", "out_o2"]


def url() -> str:
    return page_url(TEMPLATE, SEED)


def answers(keys: list[str]) -> dict[str, str]:
    reference = reference_answers(TEMPLATE, SEED)
    return {key: reference[key] for key in keys}


def graded(client: Client, capture, sheet: dict[str, str]) -> Submission:
    with capture(execute=True):
        response = submit(client, sheet, url())
    assert response.status_code == 302, response.content[:300]
    submission = Submission.objects.get(pk=response["Location"].split("?")[0].rstrip("/").rsplit("/", 1)[-1])
    assert submission.status == Submission.Status.GRADED
    return submission


def values_of_other_steps() -> list[str]:
    """The reference values of every part outside the forward pass, as the page would print them."""
    solution = graders.solve(graders.generate(TEMPLATE, SEED))
    return [f"{solution.values[p.key]:.6g}" for p in solution.parts if p.key not in FORWARD]


def test_a_forward_pass_alone_reveals_nothing_of_the_other_steps(client, django_capture_on_commit_callbacks):
    submission = graded(client, django_capture_on_commit_callbacks, answers(FORWARD))
    html = client.get(reverse("exercises:submission", args=[submission.pk])).content.decode()
    for value in values_of_other_steps():
        assert value not in html, value
    worked = set(re.findall(r'class="derivation" data-key="([^"]+)"', html))
    assert worked == set(FORWARD)
    live = client.get(reverse("exercises:submission_status", args=[submission.pk])).json()["html"]
    assert live.count('class="derivation"') == len(FORWARD)
    for value in values_of_other_steps():
        assert value not in live, value
    api = client.get(f"/api/submissions/{submission.pk}").json()
    shown = {part["key"] for part in api["parts"] if part["expected"] is not None}
    assert shown == set(FORWARD) and sorted(api["revealed"]) == sorted(FORWARD)
    solution = graders.solve(graders.generate(TEMPLATE, SEED))
    text = json.dumps(api)
    for part in solution.parts:
        if part.key not in FORWARD:
            assert repr(solution.values[part.key]) not in text, part.key


def test_a_wrong_answer_stays_hidden_until_the_third_wrong_answer(client, django_capture_on_commit_callbacks):
    expected = reference_answers(TEMPLATE, SEED)["net_h1"]
    for attempt in range(1, 4):
        submission = graded(client, django_capture_on_commit_callbacks, {"net_h1": f"{attempt}.5"})
        api = client.get(f"/api/submissions/{submission.pk}").json()
        net_h1 = next(p for p in api["parts"] if p["key"] == "net_h1")
        html = client.get(reverse("exercises:submission", args=[submission.pk])).content.decode()
        if attempt < 3:
            assert net_h1["expected"] is None and expected not in html
            assert 'data-testid="show-answer"' in html
        else:
            assert net_h1["expected"] == pytest.approx(float(expected), rel=1e-5)
            assert expected in html and 'data-key="net_h1"' in html
    assert Variant.objects.get().wrong_counts == {"net_h1": 3}


@pytest.mark.parametrize("threshold", [1, 2])
def test_the_number_of_wrong_answers_that_reveals_is_a_setting(client, settings, threshold,
                                                               django_capture_on_commit_callbacks):
    settings.BPCOURSE_REVEAL_AFTER_WRONG = threshold
    for attempt in range(threshold):
        submission = graded(client, django_capture_on_commit_callbacks, {"out_h1": f"0.{attempt + 1}"})
    api = client.get(f"/api/submissions/{submission.pk}").json()
    assert api["revealed"] == ["out_h1"]


def test_show_answer_reveals_one_part_and_is_recorded(client, django_capture_on_commit_callbacks):
    submission = graded(client, django_capture_on_commit_callbacks, {"dE_dw5": "0.5", "net_h1": "9"})
    response = client.post(reverse("exercises:submission_reveal", args=[submission.pk]), {"part": "dE_dw5"})
    assert response.status_code == 302 and response["Location"].endswith("#part-dE_dw5")
    variant = Variant.objects.get()
    assert variant.revealed_parts == ["dE_dw5"] and reveal_reasons(variant) == {"dE_dw5": "shown"}
    html = client.get(reverse("exercises:submission", args=[submission.pk])).content.decode()
    assert reference_answers(TEMPLATE, SEED)["dE_dw5"] in html
    # Its worked line prints ∂E/∂out_o1, ∂out_o1/∂net_o1 and out_h1, not revealed yet: it waits for them.
    assert 'id="worked-dE_dw5"' not in html and 'id="worked-net_h1"' not in html
    for part in ("dE_dout_o1", "dout_dnet_o1", "out_h1"):
        client.post(reverse("exercises:submission_reveal", args=[submission.pk]), {"part": part})
    html = client.get(reverse("exercises:submission", args=[submission.pk])).content.decode()
    assert 'id="worked-dE_dw5"' in html and 'id="worked-out_h1"' not in html  # out_h1's line reads net_h1
    # Pressing it twice records it once.
    client.post(reverse("exercises:submission_reveal", args=[submission.pk]), {"part": "dE_dw5"})
    assert Variant.objects.get().revealed_parts == ["dE_dw5", "dE_dout_o1", "dout_dnet_o1", "out_h1"]


def test_show_answer_refuses_unknown_parts_and_other_peoples_submissions(client, django_capture_on_commit_callbacks):
    submission = graded(client, django_capture_on_commit_callbacks, {"net_h1": "9"})
    reveal = reverse("exercises:submission_reveal", args=[submission.pk])
    bad = client.post(reveal, {"part": "w99_new"})
    assert bad.status_code == 400 and "no such part" in bad.content.decode()
    assert "这道题没有这个部分" in client.post(reveal, {"part": ""}, **ZH).content.decode()
    assert client.get(reveal).status_code == 405
    stranger = Client()
    assert stranger.post(reveal, {"part": "net_h1"}).status_code == 404
    assert client.post(reverse("exercises:submission_reveal", args=["nope"]), {"part": "net_h1"}).status_code == 404
    assert Variant.objects.get().revealed_parts == []


def test_report_revealed_removes_expected_values_of_hidden_parts_only():
    report = {"score": 0.5, "parts": {
        "a": {"status": "correct", "expected": 1.0, "followthrough_expected": None},
        "b": {"status": "incorrect", "expected": 2.0, "followthrough_expected": 3.0},
    }}
    shown = report_revealed(report, {"a"})
    assert shown["parts"]["a"]["expected"] == 1.0
    assert shown["parts"]["b"]["expected"] is None and shown["parts"]["b"]["followthrough_expected"] is None
    assert report["parts"]["b"]["expected"] == 2.0  # the stored report is untouched
    assert shown["score"] == 0.5


def test_a_credited_follow_through_part_keeps_the_value_from_the_students_own_answers():
    report = {"parts": {"c": {"status": "followthrough", "expected": 2.0, "followthrough_expected": 2.5}}}
    shown = report_revealed(report, set())
    assert shown["parts"]["c"]["expected"] is None and shown["parts"]["c"]["followthrough_expected"] == 2.5
