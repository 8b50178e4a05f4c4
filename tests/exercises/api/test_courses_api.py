"""Homework JSON API: list, detail, variant, submit (202 → graded), status codes for closed /
used-up / rate-limited / unreadable submits, token auth, the gradebook and analytics endpoints,
and no answer key in any JSON before the reveal policy allows it."""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client

from exercises.courses.services import homework as homework_services
from exercises.courses.services import regrade as regrade_services
from exercises.api import tokens
from exercises.models import Submission
from exercises.grading.variants import variant_spec

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # homework_support
pytest.register_assert_rewrite("homework_support")

from homework_support import frozen, make_assignment, solution_of  # noqa: E402

pytest_plugins = ["homework_support"]

pytestmark = pytest.mark.django_db

JSON = "application/json"


def post(client: Client, url: str, data, **extra):
    return client.post(url, json.dumps(data), content_type=JSON, **extra)


@pytest.fixture
def alice_client(alice) -> Client:
    client = Client()
    client.force_login(alice)
    return client


def expected_texts(variant, keys) -> list[str]:
    """Ways an expected value could be written into JSON, long enough not to occur by chance
    (a short text such as "0.5" is also the learning rate; the numbers themselves are compared
    exactly by `numbers_in`)."""
    values = solution_of(variant).values
    out = []
    for key in keys:
        value = values[key]
        out += [json.dumps(value), repr(value), f"{value:.6g}"]
    return [text for text in out if len(text.lstrip("-")) >= 6]


def numbers_in(data) -> list[float]:
    """Every number in a decoded JSON body."""
    if isinstance(data, dict):
        return [n for value in data.values() for n in numbers_in(value)]
    if isinstance(data, list):
        return [n for value in data for n in numbers_in(value)]
    return [float(data)] if isinstance(data, int | float) and not isinstance(data, bool) else []


def wrong_answers(variant, keys) -> dict[str, str]:
    values = solution_of(variant).values
    return {key: repr(values[key] * 1.37 + 0.11) for key in keys}


# ------------------------------------------------------------------------------------ reading


def test_list_and_detail(alice_client, course, instructor, alice):
    a = make_assignment(course, instructor, title="HW 1", attempts_allowed=3, parts=["net_h1", "out_h1"],
                        points={"net_h1": 2})
    r = alice_client.get("/api/assignments")
    assert r.status_code == 200
    [row] = r.json()
    assert row["id"] == a.pk and row["title"] == "HW 1" and row["course_title"] == course.title
    assert row["status"] == "open" and row["attempts_used"] == 0 and row["attempts_allowed"] == 3
    assert row["score"] is None and row["url"].endswith(f"/api/assignments/{a.pk}")
    detail = alice_client.get(f"/api/assignments/{a.pk}").json()
    assert detail["role"] == "student" and detail["can_submit"] and detail["attempts_left"] == 3
    assert detail["parts"] == [{"key": "net_h1", "step": "forward", "points": 2.0},
                               {"key": "out_h1", "step": "forward", "points": 1.0}]
    assert detail["max_points"] == 3.0 and detail["tolerance"] == {"kind": "sigfigs", "value": 4}
    courses = alice_client.get("/api/courses").json()
    assert courses == [{"id": course.pk, "title": course.title, "role": "student", "code": None}]


def test_variant_is_the_students_own_and_has_no_answers(alice_client, assignment, alice):
    r = alice_client.get(f"/api/assignments/{assignment.pk}/variant")
    assert r.status_code == 200
    body = r.json()
    variant = homework_services.homework_variant(assignment=assignment, student=alice)
    assert body["parameters"] == dict(solution_of(variant).givens)
    assert body["part_keys"][0] == "net_h1" and len(body["part_keys"]) == 40
    assert "seed" not in body and "expected" not in r.content.decode()
    text = r.content.decode()
    keys = [k for k in body["part_keys"] if k not in ("E_total_new",)]
    leaked = [t for t in expected_texts(variant, keys) if t in text]
    assert leaked == []
    expected = {solution_of(variant).values[key] for key in keys}
    givens = set(body["parameters"].values())
    assert [n for n in numbers_in(body) if n in expected and n not in givens] == []
    assert alice_client.get(f"/api/assignments/{assignment.pk}/variant").json() == body  # stable


def test_variant_before_opening_is_refused(alice_client, course, instructor):
    from django.utils import timezone

    a = make_assignment(course, instructor, opens_at=timezone.now() + timedelta(days=1),
                        due_at=timezone.now() + timedelta(days=2))
    assert alice_client.get(f"/api/assignments/{a.pk}/variant").status_code == 403
    assert alice_client.get(f"/api/assignments/{a.pk}").json()["status"] == "not_open"


def test_join_a_course(course):
    from homework_support import make_user

    client = Client()
    client.force_login(make_user("newbie"))
    r = post(client, "/api/courses/join", {"code": course.code.lower()})
    assert r.status_code == 200 and r.json()["role"] == "student" and r.json()["code"] is None
    assert post(client, "/api/courses/join", {"code": "NOPE0000"}).status_code == 422


# ------------------------------------------------------------------------------- submitting


def test_submit_graded_and_no_answer_key_before_the_due_date(alice_client, course, instructor, alice,
                                                             django_capture_on_commit_callbacks):
    keys = ["net_h1", "out_h1", "net_o1"]
    a = make_assignment(course, instructor, parts=keys, reveal="after_due")
    variant = homework_services.homework_variant(assignment=a, student=alice)
    with django_capture_on_commit_callbacks(execute=True):
        r = post(alice_client, f"/api/assignments/{a.pk}/submissions", {"answers": wrong_answers(variant, keys)})
    assert r.status_code == 202, r.content
    body = r.json()
    assert body["status"] == "queued" and body["url"].endswith(f"/api/assignments/{a.pk}/submissions/{body['id']}")
    result = alice_client.get(body["url"])
    assert result.status_code == 200
    data = result.json()
    assert data["status"] == "graded" and data["attempt_number"] == 1 and data["score"] == 0.0
    assert data["final_score"] == 0.0 and data["penalty"] == 0.0 and not data["late"]
    assert [p["key"] for p in data["parts"]] == keys
    assert all(p["expected"] is None for p in data["parts"])
    listing = alice_client.get(f"/api/assignments/{a.pk}/submissions")
    practice_view = alice_client.get(f"/api/submissions/{body['id']}")  # the practice status endpoint
    for response in (result, listing, practice_view):
        text = response.content.decode()
        assert [t for t in expected_texts(variant, keys) if t in text] == [], response.request["PATH_INFO"]
    # After the due date the student's own expected values are released.
    with frozen(a.due_at + timedelta(seconds=1)):
        released = alice_client.get(body["url"]).json()
    expected = solution_of(variant).values
    assert [p["expected"] for p in released["parts"]] == pytest.approx([expected[k] for k in keys])


def test_reveal_after_submission_and_never(alice_client, course, instructor, alice, django_capture_on_commit_callbacks):
    for reveal, shown in (("after_submission", True), ("never", False)):
        a = make_assignment(course, instructor, title=reveal, parts=["net_h1"], reveal=reveal)
        variant = homework_services.homework_variant(assignment=a, student=alice)
        with django_capture_on_commit_callbacks(execute=True):
            r = post(alice_client, f"/api/assignments/{a.pk}/submissions", {"answers": {"net_h1": "5"}})
        part = alice_client.get(r.json()["url"]).json()["parts"][0]
        assert (part["expected"] is not None) is shown
        if shown:
            assert part["expected"] == pytest.approx(solution_of(variant).values["net_h1"])
        with frozen(a.due_at + timedelta(days=1)):
            part = alice_client.get(r.json()["url"]).json()["parts"][0]
        assert (part["expected"] is not None) is shown


def test_diagnosis_hidden_when_the_assignment_says_so(alice_client, course, instructor, alice,
                                                      django_capture_on_commit_callbacks):
    for show in (True, False):
        a = make_assignment(course, instructor, title=f"diag {show}", parts=["net_h1"], show_diagnosis=show)
        variant = homework_services.homework_variant(assignment=a, student=alice)
        wrong = solution_of(variant).values["net_h1"] - variant_spec(variant=variant)["biases"][0][0]  # forgot the bias
        with django_capture_on_commit_callbacks(execute=True):
            r = post(alice_client, f"/api/assignments/{a.pk}/submissions", {"answers": {"net_h1": repr(wrong)}})
        stored = Submission.objects.get(pk=r.json()["id"]).report["parts"]["net_h1"]["diagnoses"]
        assert stored  # always diagnosed (analytics need it) …
        feedback = alice_client.get(r.json()["url"]).json()["parts"][0]["feedback"]
        assert bool(feedback) is show  # … shown only when allowed


def test_numbers_are_accepted_and_format_errors_are_422(alice_client, assignment, alice):
    r = post(alice_client, f"/api/assignments/{assignment.pk}/submissions", {"answers": {"net_h1": "0.3.3"}})
    assert r.status_code == 422
    body = r.json()
    assert body["errors"]["net_h1"]["code"] and body["errors"]["net_h1"]["message"]
    assert Submission.objects.count() == 0
    r = post(alice_client, f"/api/assignments/{assignment.pk}/submissions", {"answers": {"net_h1": 0.3}})
    assert r.status_code == 202
    assert post(alice_client, f"/api/assignments/{assignment.pk}/submissions", {"answers": {}}).status_code == 422
    assert post(alice_client, f"/api/assignments/{assignment.pk}/submissions", {"nope": 1}).status_code == 422


def test_closed_and_no_attempts_left_are_403(alice_client, course, instructor, alice):
    a = make_assignment(course, instructor, attempts_allowed=1, parts=["net_h1"])
    url = f"/api/assignments/{a.pk}/submissions"
    assert post(alice_client, url, {"answers": {"net_h1": "1"}}).status_code == 202
    r = post(alice_client, url, {"answers": {"net_h1": "1"}})
    assert r.status_code == 403 and "attempts" in r.json()["detail"]
    b = make_assignment(course, instructor, title="B", parts=["net_h1"])
    with frozen(b.due_at + timedelta(minutes=1)):
        r = post(alice_client, f"/api/assignments/{b.pk}/submissions", {"answers": {"net_h1": "1"}})
    assert r.status_code == 403 and r.json()["detail"]
    assert Submission.objects.count() == 1


def test_rate_limit_is_429_with_a_translated_message(alice_client, assignment, settings):
    settings.BPCOURSE_HOMEWORK_SUBMISSIONS_PER_WINDOW = 2
    url = f"/api/assignments/{assignment.pk}/submissions"
    for _ in range(2):
        assert post(alice_client, url, {"answers": {"net_h1": "1"}}).status_code == 202
    r = post(alice_client, url, {"answers": {"net_h1": "1"}})
    assert r.status_code == 429 and "2" in r.json()["detail"]
    zh = post(alice_client, url, {"answers": {"net_h1": "1"}}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert zh.status_code == 429 and any("\u4e00" <= ch <= "\u9fff" for ch in zh.json()["detail"])


def test_bearer_token_submits(assignment, alice, django_capture_on_commit_callbacks):
    _token, raw = tokens.api_token_create(user=alice)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    variant = homework_services.homework_variant(assignment=assignment, student=alice)
    values = solution_of(variant).values
    with django_capture_on_commit_callbacks(execute=True):
        r = post(client, f"/api/assignments/{assignment.pk}/submissions", {"answers": {"net_h1": values["net_h1"]}})
    assert r.status_code == 202
    data = client.get(r.json()["url"]).json()
    assert data["parts"][0]["status"] == "correct" and data["final_score"] == pytest.approx(1 / 40)
    assert Submission.objects.get(pk=r.json()["id"]).user == alice


# ------------------------------------------------------------------------------------- staff


def test_gradebook_analytics_and_regrade_job_endpoints(course, instructor, alice, bob,
                                                       django_capture_on_commit_callbacks):
    a = make_assignment(course, instructor, parts=["net_h1", "out_h1"])
    for student in (alice, bob):
        variant = homework_services.homework_variant(assignment=a, student=student)
        values = solution_of(variant).values
        hw_answers = {"net_h1": repr(values["net_h1"])}
        with django_capture_on_commit_callbacks(execute=True):
            homework_services.homework_submit(assignment=a, student=student, answers=hw_answers)
    client = Client()
    client.force_login(instructor)
    book = client.get(f"/api/courses/{course.pk}/gradebook").json()
    assert book["assignments"] == [{"id": a.pk, "title": a.title, "max_points": 2.0}]
    assert {r["username"]: r["cells"][0]["points"] for r in book["rows"]} == {"alice_s": 1.0, "bob_s": 1.0}
    stats = client.get(f"/api/assignments/{a.pk}/analytics").json()
    assert stats["students"] == 2 and stats["histogram"][5] == 2
    assert {p["key"]: p["counts"]["correct"] for p in stats["parts"]} == {"net_h1": 2, "out_h1": 0}
    assert stats["steps"][0]["key"] == "forward" and stats["copy_signals"] == []
    with django_capture_on_commit_callbacks(execute=True):
        job = regrade_services.regrade_preview(assignment=a, actor=instructor, new_settings={"points": {"net_h1": 3}})
    progress = client.get(f"/api/regrade-jobs/{job.pk}").json()
    assert progress["status"] == "preview_ready" and progress["done"] == progress["total"] == 2
    assert len(progress["changes"]) == 2 and progress["changes"][0]["new"] == pytest.approx(0.75)
    courses = client.get("/api/courses").json()
    assert courses[0]["role"] == "instructor" and courses[0]["code"] == course.code


def test_openapi_lists_the_homework_endpoints():
    paths = Client().get("/api/openapi.json").json()["paths"]
    for path in ("/api/assignments", "/api/assignments/{assignment_id}/variant",
                 "/api/assignments/{assignment_id}/submissions", "/api/courses/{course_id}/gradebook"):
        assert path in paths


def test_the_router_module_imports_on_its_own():
    """exercises.api.urls mounts the routers; importing a router first must work too."""
    import subprocess

    code = "import django; django.setup(); import exercises.api.courses, exercises.api.urls"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            cwd=Path(__file__).resolve().parents[3])
    assert result.returncode == 0, result.stderr
