"""Homework hints (issue 15): the instructor sets what each hint level costs; the page says it
before the student asks; the cost comes off that part's points in every submission made after
the hint (regrades too); hints show in the result, the drill-down and the analytics; only the
student, only while they can still submit and the answers are not shown."""

from __future__ import annotations

import re
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from exercises.courses.config import final_score, hint_fraction, hint_loss
from exercises.courses.selectors import analytics as analytics_selectors
from exercises.courses.services import homework as homework_services
from exercises.courses.services import regrade as regrade_services
from exercises.models import Assignment, Submission

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # homework_support
pytest.register_assert_rewrite("homework_support")

from homework_support import ZH, frozen, make_assignment, reference_answers, submit  # noqa: E402

pytest_plugins = ["homework_support"]

pytestmark = pytest.mark.django_db

COSTS = {"hint_penalty_1": 0.1, "hint_penalty_2": 0.15, "hint_penalty_3": 0.25}
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def costly(course, instructor) -> Assignment:
    return make_assignment(course, instructor, **COSTS)


def ask(assignment: Assignment, student, part: str, times: int = 1) -> int:
    level = 0
    for _ in range(times):
        _variant, level = homework_services.homework_hint(assignment=assignment, student=student, part_key=part)
    return level


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_hint_costs_add_up_by_level_and_are_capped_at_the_whole_part(costly):
    assert [hint_fraction(assignment=costly, level=n) for n in (0, 1, 2, 3)] == pytest.approx([0, 0.1, 0.25, 0.5])
    costly.hint_penalty_3 = 0.9
    assert hint_fraction(assignment=costly, level=3) == 1.0


def test_the_loss_is_each_hinted_parts_earned_points_times_its_cost(costly):
    report = {"max_points": 4.0, "parts": {"a": {"points": 1.0}, "b": {"points": 0.0}, "c": {"points": 2.0}}}
    # a: 1 point × 25 %; b earned nothing, so a hint costs it nothing; c: 2 points × 10 % — of 4 points
    assert hint_loss(assignment=costly, report=report, hints={"a": 2, "b": 3, "c": 1}) == pytest.approx(
        (0.25 + 0 + 0.2) / 4)
    assert hint_loss(assignment=costly, report=report, hints={}) == 0.0
    assert final_score(score=0.8, hint_loss=0.1, penalty=0.5) == pytest.approx(0.35)


def test_a_graded_submission_after_a_hint_loses_its_cost_on_that_part(costly, alice, django_capture_on_commit_callbacks):
    variant = homework_services.homework_variant(assignment=costly, student=alice)
    answers = reference_answers(variant)  # all 40 parts right, 1 point each
    assert ask(costly, alice, "dE_dw5", times=2) == 2
    submission = submit(django_capture_on_commit_callbacks, costly, alice, answers)
    submission.refresh_from_db()
    assert submission.hints == {"dE_dw5": 2}
    assert submission.score == pytest.approx(1.0)
    assert submission.hint_loss == pytest.approx(0.25 / 40)
    assert submission.final_score == pytest.approx(1 - 0.25 / 40)


def test_a_hint_asked_after_a_submission_does_not_change_it(costly, alice, django_capture_on_commit_callbacks):
    variant = homework_services.homework_variant(assignment=costly, student=alice)
    first = submit(django_capture_on_commit_callbacks, costly, alice, reference_answers(variant))
    ask(costly, alice, "net_h1")
    first.refresh_from_db()
    assert first.hints == {} and first.final_score == pytest.approx(1.0)


def test_free_hints_cost_nothing(course, instructor, alice, django_capture_on_commit_callbacks):
    free = make_assignment(course, instructor)
    variant = homework_services.homework_variant(assignment=free, student=alice)
    ask(free, alice, "net_h1", times=3)
    submission = submit(django_capture_on_commit_callbacks, free, alice, reference_answers(variant))
    submission.refresh_from_db()
    assert submission.hints == {"net_h1": 3} and submission.final_score == pytest.approx(1.0)


def test_a_regrade_keeps_applying_the_hints_of_each_submission(costly, alice, instructor, django_capture_on_commit_callbacks):
    variant = homework_services.homework_variant(assignment=costly, student=alice)
    ask(costly, alice, "dE_dw5", times=3)
    submission = submit(django_capture_on_commit_callbacks, costly, alice, reference_answers(variant))
    with django_capture_on_commit_callbacks(execute=True):
        job = regrade_services.regrade_preview(assignment=costly, actor=instructor,
                                               new_settings={"hint_penalty_3": 0.5})
    with django_capture_on_commit_callbacks(execute=True):
        regrade_services.regrade_apply(job=job.__class__.objects.get(pk=job.pk), actor=instructor)
    submission.refresh_from_db()
    assert submission.hint_loss == pytest.approx((0.1 + 0.15 + 0.5) / 40)
    assert submission.final_score == pytest.approx(1 - 0.75 / 40)


def test_hints_stop_when_the_student_can_no_longer_submit(course, instructor, alice):
    assignment = make_assignment(course, instructor, attempts_allowed=1, **COSTS)
    later = timezone.now() + timedelta(days=2)
    with frozen(later), pytest.raises(ValidationError) as closed:
        ask(assignment, alice, "net_h1")
    assert closed.value.code == "closed"


def test_hints_stop_once_the_answers_are_shown(course, instructor, alice, django_capture_on_commit_callbacks):
    assignment = make_assignment(course, instructor, reveal="after_submission")
    variant = homework_services.homework_variant(assignment=assignment, student=alice)
    submit(django_capture_on_commit_callbacks, assignment, alice, reference_answers(variant, ["net_h1"]))
    with pytest.raises(ValidationError) as shown:
        ask(assignment, alice, "out_h1")
    assert shown.value.code == "revealed"


def test_only_the_courses_students_ask_and_only_for_asked_parts(course, instructor, ta, alice):
    assignment = make_assignment(course, instructor, parts=["net_h1", "out_h1"])
    for who in (instructor, ta):
        with pytest.raises(PermissionDenied):
            ask(assignment, who, "net_h1")
    with pytest.raises(ValidationError):
        ask(assignment, alice, "dE_dw5")  # not asked by this assignment
    assert ask(assignment, alice, "out_h1") == 1


def test_the_page_states_the_costs_before_asking_and_each_button_its_own(costly, alice):
    html = logged_in(alice).get(reverse("exercises:assignment", args=[costly.pk])).content.decode()
    assert "hint 1 takes 10 % of the part&#x27;s points, hint 2 a further 15 % and hint 3 a further 25 %" in html
    assert "Hint 1 (costs 10 % of this part&#x27;s points)" in html
    html_zh = logged_in(alice).get(reverse("exercises:assignment", args=[costly.pk]), **ZH).content.decode()
    assert "提示 1 扣该小题分值的 10 %" in html_zh


def test_enter_in_an_answer_box_submits_for_grading_and_asks_no_costly_hint(costly, alice):
    html = logged_in(alice).get(reverse("exercises:assignment", args=[costly.pk])).content.decode()
    form = html[html.index('name="form_token"'):]
    button = re.search(r'<button type="submit"[^>]*>', form).group(0)  # the one Enter clicks
    assert "data-default-submit" in button and "formaction" not in button and "name=" not in button


def test_the_hint_page_flow_works_without_javascript_and_saves_the_typed_answers(costly, alice):
    client = logged_in(alice)
    url = reverse("exercises:assignment_hint", args=[costly.pk])
    response = client.post(url, {"hint": "out_h1", "net_h1": "0.42"})
    assert response.status_code == 302 and response["Location"].endswith("#hint-out_h1")
    html = client.get(response["Location"]).content.decode()
    assert 'value="0.42"' in html and 'data-hint-level="1"' in html
    assert "Hint 2 (costs 15 % of this part&#x27;s points)" in html
    body = client.post(url, {"hint": "out_h1", "net_h1": "0.42"}, **JSON).json()
    assert body["level"] == 2 and "<math" in body["html"]


def test_the_hint_endpoint_refuses_staff_strangers_and_gets(costly, instructor, other_course):
    url = reverse("exercises:assignment_hint", args=[costly.pk])
    assert logged_in(instructor).post(url, {"hint": "net_h1"}).status_code == 403
    stranger = other_course.memberships.filter(role="student").first().user
    assert logged_in(stranger).post(url, {"hint": "net_h1"}).status_code == 404
    assert Client().post(url, {"hint": "net_h1"}).status_code == 302  # to the login page
    assert logged_in(instructor).get(url).status_code == 405


def test_hints_show_in_the_result_the_drill_down_and_the_analytics(costly, alice, bob, instructor,
                                                                  django_capture_on_commit_callbacks):
    for student, times in ((alice, 3), (bob, 1)):
        variant = homework_services.homework_variant(assignment=costly, student=student)
        ask(costly, student, "dE_dw5", times=times)
        submission = submit(django_capture_on_commit_callbacks, costly, student, reference_answers(variant))
    alice_submission = Submission.objects.get(user=alice)
    result = logged_in(alice).get(reverse("exercises:homework_submission", args=[alice_submission.pk])).content.decode()
    assert 'data-hint-used="3"' in result and "Hint 3 used: −50 % of this part's points." in result
    assert 'data-testid="hint-loss"' in result
    drill = logged_in(instructor).get(reverse("exercises:student", args=[costly.pk, alice.pk])).content.decode()
    assert 'data-hint-used="3"' in drill and "Hints used took" in drill
    rows = analytics_selectors.assignment_analytics(assignment=costly).hints
    assert [(row.key, row.levels) for row in rows] == [("dE_dw5", (2, 1, 1))]
    page = logged_in(instructor).get(reverse("exercises:analytics", args=[costly.pk])).content.decode()
    assert 'data-testid="hint-analytics"' in page and submission is not None


def test_the_assignment_form_and_overview_carry_the_hint_costs(course, instructor, costly):
    client = logged_in(instructor)
    form = client.get(reverse("exercises:assignment_create", args=[course.pk])).content.decode()
    assert 'name="hint_penalty_1"' in form and 'name="hint_penalty_3"' in form
    overview = client.get(reverse("exercises:assignment", args=[costly.pk])).content.decode()
    assert "10 % · 15 % · 25 %" in overview
