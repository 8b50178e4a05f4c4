"""Problem-set pages: the homework page question by question, submitting to one question, the
staff overview's question list and its writes (add, pool member, move, remove), the gradebook
and drill-down per question, the API per question, and who sees what."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

import graders
from exercises.courses.services import assignments as assignment_services
from exercises.courses.services import homework as homework_services
from exercises.grading.variants import variant_spec
from exercises.models import Assignment, Question, Submission, Variant

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # homework_support
pytest.register_assert_rewrite("homework_support")

from homework_support import ALWAYS, reference_answers, settings_for  # noqa: E402

pytest_plugins = ["homework_support"]
pytestmark = pytest.mark.django_db

ARTICLE = {"template_config": {"builtin": "article-random"}}
TANH = {"template_config": {"builtin": "tanh-2-3-1"}}
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture
def problem_set(course: Any, instructor: Any) -> Any:
    """Question 1: the article's network; question 2: a pool of the article's and a 2-3-1 tanh network."""
    data = settings_for(title="Two questions")
    data.pop("template_config")
    data["questions"] = [ARTICLE, {"pool": [ARTICLE, TANH]}]
    assignment = assignment_services.assignment_create(course=course, actor=instructor, data=data)
    Assignment.objects.filter(pk=assignment.pk).update(published_at=ALWAYS)  # published, as students see it
    assignment.published_at = ALWAYS
    return assignment


def page(client: Any, assignment: Any, position: int, **extra: Any) -> Any:
    return client.get(reverse("exercises:assignment", args=[assignment.pk]) + f"?q={position}", **extra)


def token_of(html: str) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', html).group(1)


def given_numbers(variant: Variant) -> list[str]:
    """The given values as the page prints them (long enough not to appear by chance)."""
    givens = graders.solve(variant_spec(variant=variant)).givens
    return [f"{value:.4g}" for value in givens.values() if len(f"{value:.4g}".lstrip("-")) >= 5]


def keys_of(template: str) -> list[str]:
    """Every part key of a ready-made network (what the form's checklist ticks)."""
    return [p.key for p in graders.solve(graders.generate(template, "x")).parts]


# ------------------------------------------------------------------------ the homework page


def test_the_homework_page_shows_each_question_in_order_with_the_students_own_variant(client, problem_set, alice):
    client.force_login(alice)
    first = page(client, problem_set, 1).content.decode()
    assert 'data-testid="question-nav"' in first and "Question 1 of 2" in first
    assert '<input type="hidden" name="question" value="1">' in first
    second = page(client, problem_set, 2).content.decode()
    assert "Question 2 of 2" in second and '<input type="hidden" name="question" value="2">' in second
    variant = Variant.objects.get(assignment=problem_set, owner=alice, position=2)
    keys = {p.key for p in graders.solve(variant_spec(variant=variant)).parts}
    assert all(f'name="{key}"' in second for key in keys)  # the boxes of the network drawn for alice
    assert page(client, problem_set, 3).status_code == 404
    chinese = page(client, problem_set, 2, **ZH).content.decode()
    assert "第 2 题，共 2 题" in chinese


def test_a_submission_goes_to_the_question_it_was_typed_for(client, problem_set, alice,
                                                            django_capture_on_commit_callbacks):
    client.force_login(alice)
    html = page(client, problem_set, 2).content.decode()
    variant = Variant.objects.get(assignment=problem_set, owner=alice, position=2)
    url = reverse("exercises:assignment", args=[problem_set.pk]) + "?q=2"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"form_token": token_of(html), "question": "2", **reference_answers(variant)})
    assert response.status_code == 302
    submission = Submission.objects.get(user=alice)
    assert submission.variant_id == variant.pk and submission.final_score == 1.0
    result = client.get(response["Location"]).content.decode()
    assert "100" in result and "Question 2 of 2" in result
    assert f'href="/assignments/{problem_set.pk}/?q=2"' in result  # "try again" returns to question 2
    assert page(client, problem_set, 1).content.decode().count("Question 2<span class=\"meta\"> · 100") == 1


def test_save_keeps_a_draft_of_one_question(client, problem_set, alice):
    client.force_login(alice)
    html = page(client, problem_set, 2).content.decode()
    url = reverse("exercises:assignment", args=[problem_set.pk]) + "?q=2"
    response = client.post(url, {"form_token": token_of(html), "question": "2", "net_h1": "0.25", "action": "save"})
    assert response.status_code == 302 and response["Location"].endswith("?q=2")
    variant = Variant.objects.get(assignment=problem_set, owner=alice, position=2)
    assert variant.draft.answers == {"net_h1": "0.25"}
    assert not Variant.objects.filter(assignment=problem_set, owner=alice, position=1, draft__isnull=False).exists()


# ------------------------------------------------------------------------ who sees what


def test_a_student_never_sees_another_students_variant_or_the_pool_networks_not_given(client, problem_set, alice,
                                                                                      bob):
    alice_variant = homework_services.homework_variant(assignment=problem_set, student=alice, position=2)
    bob_variant = homework_services.homework_variant(assignment=problem_set, student=bob, position=2)
    client.force_login(alice)
    html = page(client, problem_set, 2).content.decode()
    assert all(number in html for number in given_numbers(alice_variant))
    assert not any(number in html for number in given_numbers(bob_variant))
    assert "tanh-2-3-1" not in html and "article-random" not in html  # no pool member is named
    api = client.get(f"/api/assignments/{problem_set.pk}").json()
    assert set(api["questions"][1]) == {"position", "max_points", "pool", "attempts_used", "score", "points",
                                        "variant_url"}
    assert "template_config" not in json.dumps(api)
    for url in (reverse("exercises:question_create", args=[problem_set.pk]),
                reverse("exercises:question_edit", args=[problem_set.pk, bob_variant.question_id]),
                reverse("exercises:student", args=[problem_set.pk, bob.pk]) + "?q=2"):
        assert client.get(url).status_code == 403, url
    move = client.post(reverse("exercises:question_move", args=[problem_set.pk]), {"position": "2", "direction": "up"})
    assert move.status_code == 403 and Question.objects.get(assignment=problem_set, position=1, member=1).template_config \
        == ARTICLE["template_config"]


# --------------------------------------------------------------------------- staff pages


def test_the_sample_student_view_totals_the_set_as_a_students_page_does(client, problem_set, instructor, alice):
    def total(html: str) -> str:
        return re.search(r'data-testid="set-total">(.*?)</p>', html).group(1)

    client.force_login(alice)
    students = total(page(client, problem_set, 1).content.decode())
    assert students.startswith("Total: 0 of ") and students != "Total: 0 of 0 points"
    client.force_login(instructor)
    sample = client.get(reverse("exercises:assignment_as_student", args=[problem_set.pk])).content.decode()
    assert 'data-testid="student-view-banner"' in sample and total(sample) == students


def test_the_overview_lists_the_questions_and_their_pools(client, instructor, problem_set):
    client.force_login(instructor)
    html = client.get(reverse("exercises:assignment", args=[problem_set.pk])).content.decode()
    assert 'data-testid="question-list"' in html and html.count('data-member="') == 3
    assert "a pool of 2 networks" in html and "Add a question" in html
    sample = client.get(reverse("exercises:assignment", args=[problem_set.pk]) + "?q=2&member=2").content.decode()
    assert "pool network 2" in sample


def test_an_instructor_adds_a_question_and_a_pool_member_with_the_network_fields(client, instructor, problem_set):
    client.force_login(instructor)
    create = reverse("exercises:question_create", args=[problem_set.pk])
    form = client.get(create).content.decode()
    assert 'name="network"' in form and 'name="tolerance_kind"' in form and 'name="title"' not in form
    fields = {"network": "builtin", "builtin": "tanh-2-3-1", "default_points": "2", "tolerance_kind": "sigfigs",
              "tolerance_value": "3", "followthrough_credit": "50", "learning_rate": "0.5", "loss": "half_sse",
              "bias": "shared", "parts": keys_of("tanh-2-3-1")}
    response = client.post(create, fields)
    assert response.status_code == 302, re.findall(r"errorlist[^>]*>(.*?)</ul>", response.content.decode(), re.S)
    added = Question.objects.get(assignment=problem_set, position=3)
    assert added.template_config == {"builtin": "tanh-2-3-1"} and added.tolerance == {"kind": "sigfigs", "value": 3}
    assert set(added.points.values()) == {2.0} and added.followthrough is False
    response = client.post(create + "?pool=3", {**fields, "builtin": "article-random", "parts": keys_of("article-random")})
    assert response.status_code == 302
    assert list(Question.objects.filter(assignment=problem_set, position=3).values_list("member", flat=True)) == [1, 2]
    assert client.get(create + "?pool=9").status_code == 404


def test_an_instructor_moves_and_removes_questions_from_the_overview(client, instructor, problem_set):
    client.force_login(instructor)
    move = reverse("exercises:question_move", args=[problem_set.pk])
    assert client.post(move, {"position": "2", "direction": "up"}).status_code == 302
    assert Question.objects.filter(assignment=problem_set, position=1).count() == 2  # the pool moved up
    tanh = Question.objects.get(assignment=problem_set, template_config=TANH["template_config"])
    response = client.post(reverse("exercises:question_remove", args=[problem_set.pk, tanh.pk]), follow=True)
    assert "The network is removed from the pool of question 1." in response.content.decode()
    assert Question.objects.filter(assignment=problem_set).count() == 2


def test_the_gradebook_has_a_column_per_question_and_the_total(client, instructor, problem_set, alice,
                                                              django_capture_on_commit_callbacks):
    variant = homework_services.homework_variant(assignment=problem_set, student=alice, position=2)
    with django_capture_on_commit_callbacks(execute=True):
        homework_services.homework_submit(assignment=problem_set, student=alice, answers=reference_answers(variant),
                                          position=2)
    client.force_login(instructor)
    html = client.get(reverse("exercises:gradebook", args=[problem_set.course.pk])).content.decode()
    assert html.count('data-testid="question-column"') == 2
    assert 'data-question="2"' in html and "?q=2" in html
    csv_text = client.get(reverse("exercises:gradebook_csv", args=[problem_set.course.pk])).content.decode("utf-8-sig")
    header = csv_text.splitlines()[0]
    assert "Two questions Q1 (40)" in header and "Two questions Q2 (40)" in header and "Two questions (80)" in header
    drill = client.get(reverse("exercises:student", args=[problem_set.pk, alice.pk]) + "?q=2").content.decode()
    assert "Question 2 of 2" in drill and "Attempt 1" in drill
    assert "Attempt 1" not in client.get(reverse("exercises:student", args=[problem_set.pk, alice.pk])).content.decode()
    book = client.get(f"/api/courses/{problem_set.course.pk}/gradebook").json()
    (cell,) = [c for row in book["rows"] if row["username"] == alice.username for c in row["cells"]]
    assert [q["score"] for q in cell["questions"]] == [None, 1.0] and cell["points"] == 40.0


def test_analytics_and_regrade_work_question_by_question(client, instructor, problem_set):
    client.force_login(instructor)
    analytics = reverse("exercises:analytics", args=[problem_set.pk])
    assert client.get(analytics + "?q=2").status_code == 200
    assert client.get(analytics + "?q=5").status_code == 404
    second = Question.objects.get(assignment=problem_set, position=2, member=2)
    regrade = client.get(reverse("exercises:regrade", args=[problem_set.pk]) + f"?question={second.pk}")
    assert regrade.status_code == 200 and f'name="question" value="{second.pk}"' in regrade.content.decode()


def test_the_regrade_and_question_forms_start_from_that_questions_settings_and_the_sets_penalties(
        client, instructor, problem_set):
    second = Question.objects.get(assignment=problem_set, position=2, member=2)
    Question.objects.filter(pk=second.pk).update(tolerance={"kind": "sigfigs", "value": 2}, followthrough_credit=0.25)
    Assignment.objects.filter(pk=problem_set.pk).update(hint_penalty_2=0.3)
    client.force_login(instructor)

    def value(html: str, name: str) -> str:
        return re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html).group(1)

    regrade = client.get(reverse("exercises:regrade", args=[problem_set.pk]) + f"?question={second.pk}")
    edit = client.get(reverse("exercises:question_edit", args=[problem_set.pk, second.pk]))
    for html in (regrade.content.decode(), edit.content.decode()):
        assert float(value(html, "tolerance_value")) == 2 and float(value(html, "followthrough_credit")) == 25
    assert float(value(regrade.content.decode(), "hint_penalty_2")) == 30


# --------------------------------------------------------------------------------- the API


def test_the_api_serves_and_grades_each_question(client, problem_set, alice, django_capture_on_commit_callbacks):
    client.force_login(alice)
    base = f"/api/assignments/{problem_set.pk}"
    detail = client.get(base).json()
    assert [(q["position"], q["pool"]) for q in detail["questions"]] == [(1, False), (2, True)]
    variant_json = client.get(f"{base}/variant?question=2").json()
    assert variant_json["question"] == 2
    variant = Variant.objects.get(assignment=problem_set, owner=alice, position=2)
    assert set(variant_json["part_keys"]) == {p.key for p in graders.solve(variant_spec(variant=variant)).parts}
    assert client.get(f"{base}/variant?question=7").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(f"{base}/submissions?question=2", {"answers": reference_answers(variant)},
                              content_type="application/json")
    assert created.status_code == 202
    listed = client.get(f"{base}/submissions").json()
    assert [(s["question"], s["final_score"]) for s in listed] == [(2, 1.0)]
    assert client.get(base).json()["score"] == pytest.approx(0.5)  # 40 of 80 points
