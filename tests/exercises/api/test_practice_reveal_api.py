"""The API follows practice's reveal rule (issue 11): GET /api/submissions/{id} carries the
expected value only of revealed parts, lists them, reports progress per step over the parts
answered, and POST /api/variants/{id}/reveal is "show answer"."""

from __future__ import annotations

import pytest
from django.test import Client

import graders
from exercises.models import Variant

from tests.exercises.api.test_practice_api import assert_json_error, post, reference

pytestmark = pytest.mark.django_db

FORWARD = {"net_h1", "out_h1", "net_h2", "out_h2", "net_o1", "out_o1", "net_o2", "out_o2"}


@pytest.fixture
def variant_json() -> dict:
    response = post(Client(), "/api/practice", {"template": "article-random", "seed": "api-reveal"})
    assert response.status_code == 201
    return response.json()


def graded(api: Client, variant_json: dict, answers: dict[str, str], capture) -> dict:
    with capture(execute=True):
        created = post(api, f"/api/variants/{variant_json['id']}/submissions", {"answers": answers})
    assert created.status_code == 202, created.content
    return api.get(f"/api/submissions/{created.json()['id']}").json()


def test_a_forward_pass_shows_only_its_own_expected_values_and_progress(variant_json, django_capture_on_commit_callbacks):
    api = Client()
    right = reference(variant_json)
    body = graded(api, variant_json, {key: right[key] for key in FORWARD}, django_capture_on_commit_callbacks)
    assert {p["key"] for p in body["parts"] if p["expected"] is not None} == FORWARD
    assert set(body["revealed"]) == FORWARD
    assert body["score"] == pytest.approx(0.2)  # the score counts blanks; progress does not
    progress = {item["step"]: (item["right"], item["attempted"], item["total"]) for item in body["progress"]}
    assert progress == {"forward": (8, 8, 8), "error": (0, 0, 3), "output_gradients": (0, 0, 10),
                        "hidden_gradients": (0, 0, 10), "updates": (0, 0, 9)}


def test_show_answer_through_the_api(variant_json, django_capture_on_commit_callbacks):
    api = Client()
    body = graded(api, variant_json, {"dE_dw5": "0.5"}, django_capture_on_commit_callbacks)
    assert next(p for p in body["parts"] if p["key"] == "dE_dw5")["expected"] is None
    shown = post(api, f"/api/variants/{variant_json['id']}/reveal", {"part": "dE_dw5"})
    assert shown.status_code == 200 and shown.json() == {"variant_id": variant_json["id"], "revealed": ["dE_dw5"]}
    again = api.get(f"/api/submissions/{body['id']}").json()
    expected = graders.solve(graders.generate("article-random", "api-reveal")).values["dE_dw5"]
    assert next(p for p in again["parts"] if p["key"] == "dE_dw5")["expected"] == pytest.approx(expected)
    assert again["revealed"] == ["dE_dw5"]


def test_show_answer_refuses_bad_parts_and_unknown_variants(variant_json):
    api = Client()
    assert_json_error(post(api, f"/api/variants/{variant_json['id']}/reveal", {"part": "w9_new"}), 422)
    assert post(api, f"/api/variants/{variant_json['id']}/reveal", {"part": 5}).status_code == 422
    assert post(api, f"/api/variants/{variant_json['id']}/reveal", "not json").status_code == 400
    assert_json_error(post(api, "/api/variants/00000000-0000-0000-0000-000000000000/reveal", {"part": "net_h1"}), 404)
    assert Variant.objects.get().revealed_parts == []
