"""Homework on the two-step network (article-2step): authored from the form with points for a
step of training step 2, graded with follow-through from a wrong step-1 update into step 2."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from django.urls import reverse

from exercises.courses.selectors.questions import first_question
from exercises.courses.services import homework as homework_services
from exercises.models import Assignment

from tests.graders.reference import two_training_steps

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # homework_support
pytest.register_assert_rewrite("homework_support")

from homework_support import make_assignment, solution_of, submit  # noqa: E402

from tests.exercises.courses.test_views import assignment_form_data  # noqa: E402

pytest_plugins = ["homework_support"]

pytestmark = pytest.mark.django_db

TEMPLATE = "article-2step"


def test_the_form_offers_step_2_groups_and_keeps_their_points(client, instructor, course):
    client.force_login(instructor)
    url = reverse("exercises:assignment_create", args=[course.pk])
    data = assignment_form_data(builtin=TEMPLATE, parts=["net_o1", "w5_new", "s2_net_o1", "s2_w5_new"],
                                points_s2_updates="3")
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assignment = Assignment.objects.get(course=course)
    question = first_question(assignment=assignment)
    assert question.parts == ["net_o1", "w5_new", "s2_net_o1", "s2_w5_new"]
    assert question.points["s2_w5_new"] == 3 and question.points["w5_new"] == 1
    html = client.get(reverse("exercises:assignment_edit", args=[assignment.pk])).content.decode()
    assert "Training step 2 · Updates" in html and 'id="id_part_s2_w5_new"' in html
    assert 'name="points_s2_updates"' in html and 'value="3"' in html


def test_a_wrong_step_1_update_carried_into_step_2_gets_follow_through_in_homework(
        instructor, course, alice, django_capture_on_commit_callbacks):
    assignment = make_assignment(course, instructor, template_config={"builtin": TEMPLATE}, followthrough_credit=0.5)
    variant = homework_services.homework_variant(assignment=assignment, student=alice)
    solution = solution_of(variant)
    own_w5 = solution.values["w5_new"] - 0.03
    own = two_training_steps(variant.numbers.spec, override={5: own_w5})  # the frozen numbers
    answers = {key: repr(solution.values[key]) for key in ("net_o1", "out_o1", "dE_dw5")}
    answers["w5_new"] = repr(own_w5)
    answers.update({key: repr(own[key]) for key in ("s2_net_o1", "s2_out_o1", "s2_dE_dw5", "s2_w5_new")})
    submission = submit(django_capture_on_commit_callbacks, assignment, alice, answers)
    parts = submission.report["parts"]
    assert parts["w5_new"]["status"] == "incorrect"
    for key in ("s2_net_o1", "s2_out_o1", "s2_dE_dw5", "s2_w5_new"):
        assert parts[key]["status"] == "followthrough", key
        assert parts[key]["points"] == pytest.approx(0.5)
    # 3 right, 4 at half credit, of 79 parts
    assert submission.score == pytest.approx((3 + 4 * 0.5) / 79)
