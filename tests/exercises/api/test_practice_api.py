"""JSON API tests: every endpoint, bad JSON, unknown ids, oversized bodies, wrong methods, auth."""

from __future__ import annotations

import json
import uuid
from unittest import mock

import pytest
from django.test import Client

import graders
from exercises.api import tokens
from exercises.models import Submission, Variant

pytestmark = pytest.mark.django_db

JSON = "application/json"


@pytest.fixture
def api() -> Client:
    return Client()


def post(client: Client, url: str, data, **extra):
    body = data if isinstance(data, str | bytes) else json.dumps(data)
    return client.post(url, body, content_type=JSON, **extra)


def reference(variant_json: dict) -> dict[str, str]:
    spec = graders.generate(variant_json["template"], variant_json["seed"])
    values = graders.solve(spec).values
    return {key: repr(values[key]) for key in variant_json["part_keys"]}


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(JSON)
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    assert "Traceback" not in response.content.decode()
    return body


# ---------------------------------------------------------------------------- POST practice


def test_create_practice(api):
    r = post(api, "/api/practice", {"template": "article", "seed": "abc"})
    assert r.status_code == 201
    body = r.json()
    uuid.UUID(body["id"])
    assert body["template"] == "article" and body["seed"] == "abc" and body["kind"] == "practice"
    assert body["parameters"]["w1"] == pytest.approx(0.15) or "w1" in body["parameters"]
    assert {"i1", "w1", "b1", "target_o1", "eta"} <= set(body["parameters"])
    assert body["part_keys"][0] == "net_h1" and "E_total" in body["part_keys"]
    assert body["parts"][0] == {"key": "net_h1", "step": "forward", "training_step": 1}
    assert body["submissions_url"].endswith(f"/api/variants/{body['id']}/submissions")


def test_create_practice_random_seed(api):
    a = post(api, "/api/practice", {"template": "article-random"}).json()
    b = post(api, "/api/practice", {"template": "article-random", "seed": None}).json()
    assert a["seed"] != b["seed"]


@pytest.mark.parametrize(
    "payload",
    [
        {"template": "nope"},
        {"template": "article", "seed": "bad seed!"},
        {"template": "article", "seed": "x" * 65},
        {},
        {"template": 5},
        {"template": ["article"]},
        {"template": "article", "seed": 12},
        [],
        "just a string",
        None,
    ],
)
def test_create_practice_bad_payloads(api, payload):
    r = post(api, "/api/practice", json.dumps(payload))
    assert_json_error(r, 422)
    assert Variant.objects.count() == 0


@pytest.mark.parametrize("body", ["{bad", '{"template": "article"', "\x00\x01", b"\xff\xfe\xfd"])
def test_bad_json(api, body):
    assert_json_error(post(api, "/api/practice", body), 400)


def test_empty_body(api):
    assert_json_error(post(api, "/api/practice", ""), 422)


def test_oversized_body(api):
    body = json.dumps({"template": "article", "seed": "a", "pad": "x" * 100_000})
    assert_json_error(post(api, "/api/practice", body), 413)


@pytest.mark.parametrize("method", ["get", "put", "delete", "patch"])
def test_wrong_method_practice(api, method):
    r = getattr(api, method)("/api/practice")
    body = assert_json_error(r, 405)
    assert "POST" in r["Allow"]
    assert body["detail"]


def test_unknown_api_path(api):
    assert_json_error(api.get("/api/nowhere"), 404)
    assert_json_error(api.post("/api/nowhere/deeper"), 404)


def test_language_from_accept_language(api):
    r = post(api, "/api/practice", {"template": "nope"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 422
    assert r.headers["Content-Language"] == "zh-hans"


# ---------------------------------------------------------------------- POST submissions


@pytest.fixture
def variant_json(api) -> dict:
    return post(api, "/api/practice", {"template": "article", "seed": "api"}).json()


def test_submit_and_get_graded(api, variant_json, django_capture_on_commit_callbacks):
    answers = reference(variant_json)
    with django_capture_on_commit_callbacks(execute=True):
        r = post(api, f"/api/variants/{variant_json['id']}/submissions", {"answers": answers})
    assert r.status_code == 202, r.content
    created = r.json()
    assert created["status"] == "queued"
    assert created["url"].endswith(f"/api/submissions/{created['id']}")
    got = api.get(f"/api/submissions/{created['id']}")
    assert got.status_code == 200
    body = got.json()
    from exercises.api.practice import SubmissionOut

    SubmissionOut.model_validate(body)  # the endpoint skips output validation: it must match
    assert body["status"] == "graded" and body["score"] == pytest.approx(1.0)
    assert body["attempt_number"] == 1
    assert [p["key"] for p in body["parts"]] == variant_json["part_keys"]
    first = body["parts"][0]
    assert first["status"] == "correct" and first["step"] == "forward"
    assert first["expected"] == pytest.approx(float(answers["net_h1"]))


def test_submission_status_before_grading_hides_expected(api, variant_json):
    with mock.patch("exercises.grading.enqueue.enqueue_grading", return_value=True):
        r = post(api, f"/api/variants/{variant_json['id']}/submissions", {"answers": {"net_h1": "0.1"}})
    body = api.get(r.json()["url"]).json()
    assert body["status"] == "queued" and body["score"] is None and body["parts"] == []
    from exercises.api.practice import SubmissionOut

    SubmissionOut.model_validate(body)


def test_a_poll_with_the_etag_gets_304_until_the_status_changes(api, variant_json, django_assert_num_queries):
    with mock.patch("exercises.grading.enqueue.enqueue_grading", return_value=True):
        r = post(api, f"/api/variants/{variant_json['id']}/submissions", {"answers": {"net_h1": "0.1"}})
    url = r.json()["url"]
    first = api.get(url)
    etag = first["ETag"]
    assert first.status_code == 200 and etag.startswith('W/"queued')
    with django_assert_num_queries(1):
        again = api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    assert api.get(url, HTTP_IF_NONE_MATCH='W/"something-else"').status_code == 200
    # in another language the answer differs (its status label), and so does its ETag
    chinese = api.get(url, HTTP_ACCEPT_LANGUAGE="zh-CN", HTTP_IF_NONE_MATCH=etag)
    assert chinese.status_code == 200 and chinese["ETag"] != etag

    from exercises.grading import pipeline

    pipeline.submission_grade(submission_id=r.json()["id"])
    graded = api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert graded.status_code == 200 and graded.json()["status"] == "graded"
    assert "ETag" not in graded  # a finished submission may still change (a regrade)
    assert api.get(url, HTTP_IF_NONE_MATCH='W/"graded-en"').status_code == 200


def test_a_poll_with_an_etag_for_an_unknown_or_homework_id_is_still_404(api):
    for sid in (str(uuid.uuid4()), "not-a-uuid"):
        assert api.get(f"/api/submissions/{sid}", HTTP_IF_NONE_MATCH='W/"queued-en"').status_code == 404


def test_submission_feedback_has_diagnosis_and_numbers_are_accepted(api, variant_json, django_capture_on_commit_callbacks):
    values = graders.solve(graders.generate("article", "api")).values
    with django_capture_on_commit_callbacks(execute=True):
        r = post(
            api,
            f"/api/variants/{variant_json['id']}/submissions",
            {"answers": {"net_h1": values["net_h1"], "out_h1": str(values["out_h1"] + 0.2)}},
        )
    assert r.status_code == 202
    body = api.get(r.json()["url"]).json()
    parts = {p["key"]: p for p in body["parts"]}
    assert parts["net_h1"]["status"] == "correct"
    assert parts["out_h1"]["status"] == "incorrect"
    assert parts["E_total"]["status"] == "missing"
    assert all(isinstance(m, str) for p in body["parts"] for m in p["feedback"])


def test_submit_format_errors_422_store_nothing(api, variant_json):
    r = post(
        api,
        f"/api/variants/{variant_json['id']}/submissions",
        {"answers": {"net_h1": "0.3", "out_h1": "1/0", "net_o1": "banana", "E_total": "E_o1+E_o2"}},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    body = assert_json_error(r, 422)
    assert set(body["errors"]) == {"out_h1", "net_o1", "E_total"}
    for err in body["errors"].values():
        assert err["code"] and err["message"]
    assert body["errors"]["net_o1"]["code"] == "unknown_name"
    assert "banana" in body["errors"]["net_o1"]["message"]
    assert Submission.objects.count() == 0


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"answers": []},
        {"answers": "0.5"},
        {"answers": {"net_h1": None}},
        {"answers": {"net_h1": True}},
        {"answers": {"net_h1": {"x": 1}}},
        {"answers": {}},
        {"answers": {"unknown": "1"}},
        {"answers": {"net_h1": "   "}},
    ],
)
def test_submit_bad_payloads(api, variant_json, payload):
    r = post(api, f"/api/variants/{variant_json['id']}/submissions", payload)
    assert_json_error(r, 422)
    assert Submission.objects.count() == 0


def test_submit_huge_answer(api, variant_json):
    r = post(api, f"/api/variants/{variant_json['id']}/submissions", {"answers": {"net_h1": "9" * 20_000}})
    body = assert_json_error(r, 422)
    assert body["errors"]["net_h1"]["code"] == "too_long"


def test_submit_oversized_body(api, variant_json):
    r = post(api, f"/api/variants/{variant_json['id']}/submissions", {"answers": {"net_h1": "9" * 100_000}})
    assert_json_error(r, 413)


def test_submit_bad_json(api, variant_json):
    assert_json_error(post(api, f"/api/variants/{variant_json['id']}/submissions", "{'answers': 1}"), 400)


@pytest.mark.parametrize("vid", ["5f0c8c3e-3a43-4c5e-9d1e-6f8e2f6d1a27", "not-a-uuid", "1", "..%2F..%2Fetc"])
def test_submit_unknown_variant(api, vid):
    assert_json_error(post(api, f"/api/variants/{vid}/submissions", {"answers": {"net_h1": "1"}}), 404)


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_submissions_wrong_method(api, variant_json, method):
    r = getattr(api, method)(f"/api/variants/{variant_json['id']}/submissions")
    assert_json_error(r, 405)


def test_broker_down_still_202(api, variant_json, django_capture_on_commit_callbacks):
    from kombu.exceptions import OperationalError

    with mock.patch("exercises.grading.tasks.grade_submission.delay", side_effect=OperationalError("down")):
        with django_capture_on_commit_callbacks(execute=True):
            r = post(api, f"/api/variants/{variant_json['id']}/submissions", {"answers": {"net_h1": "1"}})
    assert r.status_code == 202 and r.json()["status"] == "queued"
    assert Submission.objects.get().status == Submission.Status.QUEUED


# ------------------------------------------------------------------------ GET submission/variant


@pytest.mark.parametrize("sid", ["5f0c8c3e-3a43-4c5e-9d1e-6f8e2f6d1a27", "nope", "0"])
def test_get_unknown_submission(api, sid):
    assert_json_error(api.get(f"/api/submissions/{sid}"), 404)


def test_get_submission_wrong_method(api):
    assert_json_error(api.post(f"/api/submissions/{uuid.uuid4()}"), 405)


def test_get_variant(api, variant_json):
    r = api.get(f"/api/variants/{variant_json['id']}")
    assert r.status_code == 200 and r.json() == variant_json
    assert_json_error(api.get(f"/api/variants/{uuid.uuid4()}"), 404)


def test_templates(api):
    r = api.get("/api/templates", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 200
    names = [t["name"] for t in r.json()]
    assert names == list(graders.TEMPLATES)


def test_error_status_shows_reason(api, variant_json, django_capture_on_commit_callbacks):
    with mock.patch("exercises.grading.pipeline.graders.grade", side_effect=RuntimeError("x")):
        with django_capture_on_commit_callbacks(execute=True):
            r = post(api, f"/api/variants/{variant_json['id']}/submissions", {"answers": {"net_h1": "1"}})
    body = api.get(r.json()["url"]).json()
    assert body["status"] == "error" and body["error"]


def test_homework_is_not_public(api, user, other_user):
    from exercises.courses.services import courses as course_services
    from exercises.courses.services import homework as homework_services
    from tests.exercises.homework_support import enroll, make_assignment, make_instructor

    instructor = make_instructor("prof")
    course = course_services.course_create(title="Course", instructor=instructor)
    enroll(course, user)
    variant = homework_services.homework_variant(assignment=make_assignment(course, instructor), student=user)
    assert_json_error(api.get(f"/api/variants/{variant.id}"), 404)
    api.force_login(other_user)
    assert_json_error(api.get(f"/api/variants/{variant.id}"), 404)
    api.force_login(user)  # not even its owner: homework is served by /api/assignments/<id>/variant only
    assert_json_error(api.get(f"/api/variants/{variant.id}"), 404)


# ------------------------------------------------------------------------------------- auth


def test_bearer_token(api, user, django_capture_on_commit_callbacks):
    _token, raw = tokens.api_token_create(user=user)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    v = post(api, "/api/practice", {"template": "article"}, **auth)
    assert v.status_code == 201
    assert Variant.objects.get(pk=v.json()["id"]).owner == user
    with django_capture_on_commit_callbacks(execute=True):
        s = post(api, f"/api/variants/{v.json()['id']}/submissions", {"answers": {"net_h1": "1"}}, **auth)
    assert Submission.objects.get(pk=s.json()["id"]).user == user


@pytest.mark.parametrize("header", ["Bearer nope", "Bearer ", "Basic abc", "Token x", "bearer " + "x" * 500])
def test_bad_bearer_token(api, header):
    r = post(api, "/api/practice", {"template": "article"}, HTTP_AUTHORIZATION=header)
    assert_json_error(r, 401)
    assert Variant.objects.count() == 0


def test_revoked_token(api, user):
    token, raw = tokens.api_token_create(user=user)
    tokens.api_token_revoke(token=token)
    assert_json_error(post(api, "/api/practice", {"template": "article"}, HTTP_AUTHORIZATION=f"Bearer {raw}"), 401)


def test_session_auth_requires_csrf(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    r = post(client, "/api/practice", {"template": "article"})
    assert_json_error(r, 403)
    client.get("/healthz")  # any page; fetch a token the way a page would
    from django.middleware.csrf import _get_new_csrf_string

    secret = _get_new_csrf_string()
    client.cookies["csrftoken"] = secret
    r = post(client, "/api/practice", {"template": "article"}, HTTP_X_CSRFTOKEN=secret)
    assert r.status_code == 201, r.content
    assert Variant.objects.get().owner == user


def test_session_get_needs_no_csrf(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.get("/api/templates").status_code == 200


# ----------------------------------------------------------------------------- docs, health


def test_openapi_and_docs_without_cdn(api):
    schema = api.get("/api/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/practice", "/api/variants/{variant_id}/submissions", "/api/submissions/{submission_id}"} <= set(paths)
    docs = api.get("/api/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html
    static = api.get("/static/ninja/swagger-ui-bundle.js")
    assert static.status_code == 200


def test_healthz_ok(api):
    with mock.patch("bpcourse.health.broker_ok", return_value=True):
        r = api.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_broker_down(api, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    r = api.get("/healthz")
    assert r.status_code == 503
    assert r.json()["broker"] == "unreachable" and r.json()["database"] == "ok"


def test_healthz_database_down(api):
    with mock.patch("bpcourse.health.database_ok", return_value=False), mock.patch(
        "bpcourse.health.broker_ok", return_value=True
    ):
        r = api.get("/healthz")
    assert r.status_code == 503 and r.json()["database"] == "unreachable"


def test_healthz_filesystem_broker(api, settings, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(tmp_path),
        "data_folder_out": str(tmp_path),
        "control_folder": str(tmp_path),
    }
    assert api.get("/healthz").status_code == 200
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(tmp_path / "missing"),
        "data_folder_out": str(tmp_path),
        "control_folder": str(tmp_path),
    }
    assert api.get("/healthz").status_code == 503


def test_healthz_wrong_method(api):
    assert api.post("/healthz").status_code == 405
