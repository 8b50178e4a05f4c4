"""The API's part results carry each diagnosis's key and the grouped follow-through notes."""

from __future__ import annotations

import numpy as np
import pytest

from exercises.api.practice import SubmissionOut
from graders.variants import ARTICLE_SPEC
from tests.exercises.api.test_practice_api import api, post  # noqa: F401 - the fixture
from tests.graders.reference import forward

pytestmark = pytest.mark.django_db


def test_part_results_carry_diagnosis_keys_and_the_follow_through_notes(api, django_capture_on_commit_callbacks):  # noqa: F811
    variant = post(api, "/api/practice", {"template": "article"}).json()
    (_, hidden), (_, out) = forward(ARTICLE_SPEC)
    t = np.array(ARTICLE_SPEC["targets"])
    flipped = t[0] - out[0]
    delta = flipped * out[0] * (1 - out[0])
    answers = {"dE_dout_o1": f"{flipped:.6g}", "delta_o1": f"{delta:.6g}", "dE_dw5": f"{delta * hidden[0]:.6g}",
               "out_o2": str(ARTICLE_SPEC["targets"][1])}
    with django_capture_on_commit_callbacks(execute=True):
        created = post(api, f"/api/variants/{variant['id']}/submissions", {"answers": answers})
    assert created.status_code == 202
    body = api.get(created.json()["url"], HTTP_ACCEPT_LANGUAGE="zh-CN").json()
    SubmissionOut.model_validate(body)
    parts = {p["key"]: p for p in body["parts"]}
    assert [d["key"] for d in parts["dE_dout_o1"]["diagnoses"]] == ["sign_flipped"]
    assert [d["key"] for d in parts["out_o2"]["diagnoses"]] == ["target_entered_for_out"]
    assert parts["out_o2"]["diagnoses"][0]["message"] == parts["out_o2"]["feedback"][0]
    assert parts["out_o2"]["feedback"][0].startswith("你把 target_o2 当成了 out_o2")
    assert parts["dE_dw5"]["status"] == "followthrough"
    assert parts["dE_dw5"]["followthrough_expected"] == pytest.approx(delta * hidden[0], rel=1e-5)
    assert parts["dE_dw5"]["followthrough_roots"] == ["dE_dout_o1"]
    assert body["followthrough_notes"] == [{
        "roots": ["dE_dout_o1"], "diagnoses": ["sign_flipped"], "parts": ["delta_o1", "dE_dw5"],
        "message": "后面 2 个值由你的 ∂E_total/∂out_o1（符号反了） 推出：已给分。",
    }]


def test_the_openapi_schema_documents_diagnosis_keys_and_notes(api):  # noqa: F811
    schemas = api.get("/api/openapi.json").json()["components"]["schemas"]
    assert {"key", "message"} <= set(schemas["DiagnosisOut"]["properties"])
    assert "diagnoses" in schemas["PartResultOut"]["properties"]
    assert "followthrough_notes" in schemas["SubmissionOut"]["properties"]
    assert "followthrough_notes" in schemas["HomeworkSubmissionOut"]["properties"]
