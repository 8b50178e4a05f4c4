"""The API's fast lane (exercises.api.hot): what it answers, it answers as the full stack does;
what it declines, the full stack answers, and nothing is stored twice."""

from __future__ import annotations

import io
import json
import sys
from dataclasses import dataclass
from http.cookies import SimpleCookie
from unittest import mock

import pytest
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import OperationalError, close_old_connections
from django.test import Client, override_settings

import graders
from exercises.api import hot
from exercises.api.hot import HotPaths
from exercises.models import Submission

pytestmark = pytest.mark.django_db

# Headers that differ between two answers by nature, not by path.
VOLATILE = {"ETag", "Content-Length", "Date"}


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    laned: bool

    def json(self) -> dict:
        return json.loads(self.body)


def call(method: str, path: str, body: bytes | dict | None = None, *, lane: bool = True,
         headers: dict[str, str] | None = None, query: str = "") -> Answer:
    """One request through bpcourse.wsgi's stack: the lane (when on) in front of Django."""
    payload = json.dumps(body).encode() if isinstance(body, dict) else (body or b"")
    environ = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, "SERVER_NAME": "testserver",
        "SERVER_PORT": "80", "HTTP_HOST": "testserver", "REMOTE_ADDR": "127.0.0.1", "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.input": io.BytesIO(payload), "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
        "CONTENT_LENGTH": str(len(payload)), "CONTENT_TYPE": "application/json",
    }
    for name, value in (headers or {}).items():
        key = name.upper().replace("-", "_")
        environ[key if key == "CONTENT_TYPE" else "HTTP_" + key] = value
    seen: dict[str, object] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]]) -> None:
        seen["status"], seen["headers"] = int(status.split()[0]), response_headers

    # As Django's test client: a request must not close the test's database connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        django, handed_on = WSGIHandler(), []

        def full_stack(environ: dict, start_response):  # noqa: ANN202
            handed_on.append(True)
            return django(environ, start_response)

        with override_settings(BPCOURSE_HOT_PATHS=lane):
            result = HotPaths(full_stack)(environ, start_response)
            content = b"".join(result)
            result.close()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    laned = not handed_on
    return Answer(seen["status"], dict(seen["headers"]), content, laned)  # type: ignore[arg-type]


def same_headers(a: Answer, b: Answer) -> None:
    assert {k: v for k, v in a.headers.items() if k not in VOLATILE} == \
        {k: v for k, v in b.headers.items() if k not in VOLATILE}


@pytest.fixture
def variant() -> dict:
    response = Client().post("/api/practice", {"template": "article", "seed": "lane"}, content_type="application/json")
    return response.json()


@pytest.fixture
def answers(variant) -> dict[str, str]:
    values = graders.solve(graders.generate(variant["template"], variant["seed"])).values
    return {key: repr(values[key]) for key in variant["part_keys"]}


def submit_path(variant: dict) -> str:
    return f"/api/variants/{variant['id']}/submissions"


# ------------------------------------------------------------------------------ submit


def test_an_anonymous_submit_takes_the_lane_and_is_answered_as_the_full_stack_answers(variant, answers):
    lane = call("POST", submit_path(variant), {"answers": answers})
    full = call("POST", submit_path(variant), {"answers": answers}, lane=False)
    assert lane.laned and not full.laned
    assert lane.status == full.status == 202
    assert set(lane.json()) == set(full.json()) == {"id", "status", "url"}
    assert lane.json()["url"] == f"http://testserver/api/submissions/{lane.json()['id']}"
    same_headers(lane, full)
    assert lane.headers["X-Frame-Options"] == "DENY" and "Content-Security-Policy" in lane.headers
    stored = Submission.objects.get(pk=lane.json()["id"])
    assert stored.status == "queued" and stored.user_id is None and stored.session_key == ""
    assert stored.answers == answers and str(stored.variant_id) == variant["id"]


def test_numbers_as_answers_are_stored_as_the_full_stack_stores_them(variant):
    lane = call("POST", submit_path(variant), {"answers": {"net_h1": 0.1, "E_total": 3}})
    assert lane.laned and lane.status == 202
    assert Submission.objects.get(pk=lane.json()["id"]).answers == {"net_h1": "0.1", "E_total": "3"}


@pytest.mark.parametrize("body", [
    b"{not json", b"[]", {"answers": "x"}, {"answers": {"net_h1": True}}, {"answers": {"net_h1": None}}, {},
])
def test_a_body_the_schema_refuses_is_answered_by_the_full_stack(variant, body):
    lane = call("POST", submit_path(variant), body)
    full = call("POST", submit_path(variant), body, lane=False)
    assert not lane.laned
    assert lane.status == full.status and lane.status in {400, 422}
    assert lane.json() == full.json()
    assert Submission.objects.count() == 0


def test_an_oversized_body_or_another_content_type_is_answered_by_the_full_stack(variant, answers):
    big = {"answers": {"net_h1": "1" * 40_000}}
    lane = call("POST", submit_path(variant), big)
    full = call("POST", submit_path(variant), big, lane=False)
    assert not lane.laned and lane.status == full.status == 413 and lane.json() == full.json()
    assert Submission.objects.count() == 0
    plain = call("POST", submit_path(variant), {"answers": answers}, headers={"Content-Type": "text/plain"})
    assert not plain.laned and plain.status == 202  # django-ninja reads the JSON body all the same
    assert Submission.objects.count() == 1


def test_unreadable_answers_get_the_full_stacks_422_in_the_callers_language_and_store_nothing(variant):
    zh = {"Accept-Language": "zh-hans"}
    lane = call("POST", submit_path(variant), {"answers": {"net_h1": "0.3 +* 2"}}, headers=zh)
    full = call("POST", submit_path(variant), {"answers": {"net_h1": "0.3 +* 2"}}, headers=zh, lane=False)
    assert not lane.laned and lane.status == full.status == 422
    assert lane.json() == full.json()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in json.dumps(lane.json(), ensure_ascii=False))
    assert Submission.objects.count() == 0


def test_unknown_and_homework_variants_are_the_full_stacks_404(answers, user):
    from exercises.courses.services import courses as course_services
    from exercises.courses.services import homework as homework_services
    from tests.exercises.homework_support import enroll, make_assignment, make_instructor

    instructor = make_instructor("prof")
    course = course_services.course_create(title="Course", instructor=instructor)
    enroll(course, user)
    homework = homework_services.homework_variant(assignment=make_assignment(course, instructor), student=user)
    for variant_id in ("00000000-0000-4000-8000-000000000000", str(homework.id)):
        lane = call("POST", f"/api/variants/{variant_id}/submissions", {"answers": answers})
        assert not lane.laned and lane.status == 404 and lane.json() == {"detail": "Not found."}
    assert Submission.objects.count() == 0


def test_a_session_cookie_sends_a_submit_to_the_full_stack_and_a_bad_token_gets_its_401(variant, answers):
    with_cookie = call("POST", submit_path(variant), {"answers": answers}, headers={"Cookie": "sessionid=abc"})
    assert not with_cookie.laned and with_cookie.status == 403  # a cookie's write needs its CSRF token
    for header in ("Bearer nope", "Basic abc"):
        lane = call("POST", submit_path(variant), {"answers": answers}, headers={"Authorization": header})
        full = call("POST", submit_path(variant), {"answers": answers}, headers={"Authorization": header},
                    lane=False)
        assert not lane.laned and lane.status == full.status == 401 and lane.json() == full.json()
    assert Submission.objects.count() == 0


def test_a_token_submit_takes_the_lane_and_belongs_to_the_tokens_owner(variant, answers, user):
    from exercises.api import tokens

    _token, raw = tokens.api_token_create(user=user)
    auth = {"Authorization": f"Bearer {raw}"}
    lane = call("POST", submit_path(variant), {"answers": answers}, headers=auth)
    full = call("POST", submit_path(variant), {"answers": answers}, headers=auth, lane=False)
    assert lane.laned and lane.status == full.status == 202
    same_headers(lane, full)
    owners = set(Submission.objects.values_list("user_id", "session_key"))
    assert owners == {(user.pk, "")}
    status = call("GET", f"/api/submissions/{lane.json()['id']}", headers={"Authorization": f"Bearer {raw}"})
    assert status.laned and status.status == 200


def test_a_signed_in_session_without_csrf_is_still_refused(variant, answers, user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    cookie = SimpleCookie()
    cookie["sessionid"] = client.cookies["sessionid"].value
    answer = call("POST", submit_path(variant), {"answers": answers},
                  headers={"Cookie": cookie.output(header="", attrs=[]).strip()})
    assert not answer.laned and answer.status == 403
    assert Submission.objects.count() == 0


def test_the_lane_counts_the_submit_rate_limit_once_and_answers_429_in_json(variant, answers, settings):
    settings.BPCOURSE_RATE_LIMITS_ENABLED = True
    settings.BPCOURSE_RATE_LIMITS = {**settings.BPCOURSE_RATE_LIMITS,
                                     "practice_submit": {"client": (2, 60), "ip": (2, 60)}}
    from django.core.cache import cache

    cache.clear()
    first = call("POST", submit_path(variant), {"answers": {"net_h1": "1 +* 2"}})  # declined after counting
    assert first.status == 422
    second = call("POST", submit_path(variant), {"answers": answers})
    assert second.laned and second.status == 202  # the 422 was counted once, not twice
    third = call("POST", submit_path(variant), {"answers": answers})
    assert third.laned and third.status == 429
    assert int(third.headers["Retry-After"]) > 0 and "Too many requests" in third.json()["detail"]
    assert Submission.objects.count() == 1


def test_a_plain_http_request_gets_the_sites_https_redirect(variant, answers, settings):
    settings.SECURE_SSL_REDIRECT = True
    lane = call("POST", submit_path(variant), {"answers": answers})
    full = call("POST", submit_path(variant), {"answers": answers}, lane=False)
    assert lane.status == full.status == 301 and lane.headers["Location"] == full.headers["Location"]
    assert Submission.objects.count() == 0


def test_a_host_the_site_does_not_serve_gets_the_full_stacks_400(variant, answers, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    for method, path, body in (("POST", submit_path(variant), {"answers": answers}),
                               ("GET", "/api/submissions/00000000-0000-4000-8000-000000000000", None)):
        lane = call(method, path, body, headers={"Host": "evil.example"})
        full = call(method, path, body, headers={"Host": "evil.example"}, lane=False)
        assert not lane.laned and lane.status == full.status == 400  # the site's own 400 page
    assert Submission.objects.count() == 0


def test_the_lane_can_be_turned_off(variant, answers):
    assert not call("POST", submit_path(variant), {"answers": answers}, lane=False).laned


# ------------------------------------------------------------------------------ status


@pytest.fixture
def submitted(variant, answers) -> str:
    return call("POST", submit_path(variant), {"answers": answers}).json()["id"]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_status_read_is_answered_as_the_full_stack_answers(submitted, language):
    headers = {"Accept-Language": language}
    lane = call("GET", f"/api/submissions/{submitted}", headers=headers)
    full = call("GET", f"/api/submissions/{submitted}", headers=headers, lane=False)
    assert lane.laned and lane.status == full.status == 200
    assert lane.json() == full.json()
    assert lane.json()["status"] == "queued"
    same_headers(lane, full)
    assert lane.headers["Content-Language"] == language and lane.headers["ETag"] == full.headers["ETag"]


def test_a_graded_status_is_the_same_through_both(variant, answers, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submission_id = Client().post(submit_path(variant), {"answers": answers},
                                      content_type="application/json").json()["id"]
    lane = call("GET", f"/api/submissions/{submission_id}", headers={"Cookie": "tz=Asia/Shanghai"})
    full = call("GET", f"/api/submissions/{submission_id}", headers={"Cookie": "tz=Asia/Shanghai"}, lane=False)
    assert lane.laned and lane.json() == full.json()
    assert lane.json()["status"] == "graded" and lane.json()["score"] == pytest.approx(1.0)
    assert "ETag" not in lane.headers


def test_an_unchanged_status_with_its_etag_is_a_304(submitted):
    etag = call("GET", f"/api/submissions/{submitted}").headers["ETag"]
    lane = call("GET", f"/api/submissions/{submitted}", headers={"If-None-Match": etag})
    assert lane.laned and lane.status == 304 and lane.body == b""


def test_unknown_ids_and_token_callers_get_the_full_stacks_answer(submitted):
    unknown = call("GET", "/api/submissions/00000000-0000-4000-8000-000000000000")
    assert not unknown.laned and unknown.status == 404 and unknown.json() == {"detail": "Not found."}
    token = call("GET", f"/api/submissions/{submitted}", headers={"Authorization": "Bearer nope"})
    assert not token.laned and token.status == 401
    assert token.json() == {"detail": "Invalid or revoked API token."}
    not_an_id = call("GET", "/api/submissions/not-a-uuid")
    assert not not_an_id.laned and not_an_id.status == 404


def test_a_signed_in_browser_reads_a_status_through_the_lane_and_a_malformed_cookie_does_not(submitted, user):
    client = Client()
    client.force_login(user)
    signed_in = {"Cookie": f"sessionid={client.cookies['sessionid'].value}"}
    lane = call("GET", f"/api/submissions/{submitted}", headers=signed_in)
    full = call("GET", f"/api/submissions/{submitted}", headers=signed_in, lane=False)
    assert lane.laned and lane.json() == full.json()
    same_headers(lane, full)
    junk = call("GET", f"/api/submissions/{submitted}", headers={"Cookie": "sessionid=abc"})
    assert not junk.laned and junk.status == 200 and "sessionid=\"\"" in junk.headers["Set-Cookie"]


def test_an_error_inside_the_lane_is_a_json_500(submitted):
    with mock.patch.object(hot, "submission_status_response", side_effect=RuntimeError("boom")):
        answer = call("GET", f"/api/submissions/{submitted}")
    assert answer.status == 500
    assert answer.json() == {"detail": "Internal server error. Please try again later."}


@pytest.mark.django_db(transaction=True)
def test_a_connection_that_fails_the_lanes_first_read_sends_the_read_to_the_full_stack(submitted):
    from exercises.practice import selectors

    real, calls = selectors._submission_read, []

    def gone_once(pk):  # noqa: ANN001, ANN202
        calls.append(pk)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(pk)

    with mock.patch.object(selectors, "_submission_read", side_effect=gone_once):
        lane = call("GET", f"/api/submissions/{submitted}")
    assert len(calls) == 2
    assert not lane.laned and lane.status == 200 and lane.json()["id"] == submitted


def test_a_database_error_once_the_lane_stores_is_a_500_never_a_second_try(variant, answers):
    with mock.patch.object(hot, "submission_accept", side_effect=OperationalError("server closed")) as accept:
        answer = call("POST", submit_path(variant), {"answers": answers})
    assert answer.laned and answer.status == 500 and accept.call_count == 1
    assert answer.json() == {"detail": "Internal server error. Please try again later."}
