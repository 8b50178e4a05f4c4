"""Problem sets and pools: an assignment's ordered questions, each student's own variant of each,
a pool member drawn reproducibly from the student and kept for good, grading and scores per
question and in total (weighted by points), the caps, the question services and who sees what."""

from __future__ import annotations

import hashlib
import hmac
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from exercises.courses.config import pool_draw, question_max_points, variant_seed
from exercises.courses.selectors import gradebook as gradebook_selectors
from exercises.courses.selectors import homework as homework_selectors
from exercises.courses.selectors.questions import question_slots
from exercises.courses.services import assignments as assignment_services
from exercises.courses.services import homework as homework_services
from exercises.courses.services import questions as question_services
from exercises.courses.services import regrade as regrade_services
from exercises.models import Assignment, Question, RegradeJob, Submission, Variant

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # homework_support
pytest.register_assert_rewrite("homework_support")

from homework_support import (  # noqa: E402
    ALWAYS,
    enroll,
    fake_graded,
    make_user,
    off_by_answers,
    reference_answers,
    settings_for,
)

pytest_plugins = ["homework_support"]
pytestmark = pytest.mark.django_db

ARTICLE = {"builtin": "article-random"}
TANH = {"builtin": "tanh-2-3-1"}
Q_ARTICLE = {"template_config": ARTICLE}
Q_TANH = {"template_config": TANH}


def make_set(course: Any, instructor: Any, questions: list[Any], **overrides: Any) -> Any:
    """An assignment whose questions are given as a list (a pool: {"pool": [...]})."""
    data = settings_for(**overrides)
    data.pop("template_config")
    data["questions"] = questions
    assignment = assignment_services.assignment_create(course=course, actor=instructor, data=data)
    Assignment.objects.filter(pk=assignment.pk).update(published_at=ALWAYS)  # published, as students see it
    assignment.published_at = ALWAYS
    return assignment


def students(course: Any, count: int) -> list[Any]:
    made = []
    for index in range(count):
        user = make_user(f"s{index:03d}")
        enroll(course, user)
        made.append(user)
    return made


# ------------------------------------------------------------------------------- the draw


def test_the_pool_draw_is_the_hmac_of_the_secret_over_student_and_position(assignment):
    digest = hmac.new(assignment.secret.encode(), b"pool:7:2", hashlib.sha256).digest()
    expected = int.from_bytes(digest[:8], "big") % 3
    assert pool_draw(assignment=assignment, user_id=7, position=2, size=3) == expected
    assert [pool_draw(assignment=assignment, user_id=7, position=2, size=3) for _ in range(5)] == [expected] * 5


def test_over_forty_students_both_members_of_a_two_member_pool_are_drawn(assignment):
    draws = [pool_draw(assignment=assignment, user_id=uid, position=2, size=2) for uid in range(1, 41)]
    assert set(draws) == {0, 1}
    assert 8 <= draws.count(0) <= 32  # a fair coin: far inside the binomial's 99.9 % range


def test_the_first_question_keeps_the_seeds_of_one_exercise_assignments(assignment):
    old = "hw:" + hmac.new(assignment.secret.encode(), b"5:0", hashlib.sha256).hexdigest()[:16]
    assert variant_seed(assignment=assignment, user_id=5) == old
    assert variant_seed(assignment=assignment, user_id=5, position=1) == old
    second = "hw:" + hmac.new(assignment.secret.encode(), b"5:0:2", hashlib.sha256).hexdigest()[:16]
    assert variant_seed(assignment=assignment, user_id=5, position=2) == second != old


# ------------------------------------------------------------------------------ the model


def test_a_set_is_stored_as_ordered_questions_with_pool_members(course, instructor):
    a = make_set(course, instructor, [Q_ARTICLE, {"pool": [Q_ARTICLE, Q_TANH]}])
    rows = list(Question.objects.filter(assignment=a).values_list("position", "member", "template_config"))
    assert rows == [(1, 1, ARTICLE), (2, 1, ARTICLE), (2, 2, TANH)]
    slots = question_slots(assignment=a)
    assert [(s.position, s.is_pool) for s in slots] == [(1, False), (2, True)]
    assert slots[1].max_points == question_max_points(question=slots[1].first) == 40.0


def test_a_one_question_assignment_is_written_as_before(course, instructor):
    a = assignment_services.assignment_create(course=course, actor=instructor,
                                              data=settings_for(parts=["net_h1", "out_h1"]))
    (question,) = Question.objects.filter(assignment=a)
    assert (question.position, question.member, question.parts) == (1, 1, ["net_h1", "out_h1"])
    assert assignment_services.assignment_settings(a)["parts"] == ["net_h1", "out_h1"]


def test_every_student_gets_their_own_variant_of_each_question_and_keeps_the_pool_member_drawn(course, instructor):
    a = make_set(course, instructor, [Q_ARTICLE, {"pool": [Q_ARTICLE, Q_TANH]}])
    class_ = students(course, 40)
    drawn = {}
    for student in class_:
        v1 = homework_services.homework_variant(assignment=a, student=student, position=1)
        v2 = homework_services.homework_variant(assignment=a, student=student, position=2)
        assert v1.pk != v2.pk and v1.seed != v2.seed and (v1.position, v2.position) == (1, 2)
        drawn[student.pk] = v2.question.member
        assert v2.question.member == 1 + pool_draw(assignment=a, user_id=student.pk, position=2, size=2)
    assert set(drawn.values()) == {1, 2}  # two students can get different problems
    # A third network added later changes no student's problem, nor their numbers.
    before = {v.pk: (v.question_id, v.numbers_id, v.seed) for v in Variant.objects.filter(assignment=a)}
    question_services.question_add(assignment=a, actor=instructor, data={"template_config": TANH}, pool_of=2)
    for student in class_:
        again = homework_services.homework_variant(assignment=a, student=student, position=2)
        assert before[again.pk] == (again.question_id, again.numbers_id, again.seed)
        assert again.question.member == drawn[student.pk]


def test_a_question_that_does_not_exist_is_refused(course, instructor, alice):
    a = make_set(course, instructor, [Q_ARTICLE])
    with pytest.raises(ValidationError) as exc:
        homework_services.homework_variant(assignment=a, student=alice, position=2)
    assert exc.value.code == "no_question"


# ------------------------------------------------------------------------------ the caps


@pytest.mark.parametrize(("questions", "code"), [
    ([Q_ARTICLE] * 21, "too_many_questions"),
    ([{"pool": [Q_ARTICLE] * 11}], "too_many_members"),
    ([{"pool": []}], "empty_pool"),
    ([], "required"),
])
def test_too_many_questions_or_pool_members_are_refused_with_a_translated_message(course, instructor, questions, code):
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as exc:
            make_set(course, instructor, questions)
        (error,) = exc.value.error_dict["questions"]
        message = error.messages[0]
    assert error.code == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message  # said in Chinese
    assert "。" in message or "：" in message  # with full-width punctuation


def test_a_bad_network_names_its_question_and_member(course, instructor):
    with pytest.raises(ValidationError) as exc:
        make_set(course, instructor, [Q_ARTICLE, {"pool": [Q_ARTICLE, {"template_config": {"builtin": "nope"}}]}])
    assert "Question 2, network 2" in exc.value.error_dict["questions"][0].messages[0]


def test_question_add_stops_at_the_caps(course, instructor, settings):
    settings.BPCOURSE_MAX_QUESTIONS = 2
    settings.BPCOURSE_MAX_POOL_MEMBERS = 2
    a = make_set(course, instructor, [Q_ARTICLE])
    question_services.question_add(assignment=a, actor=instructor, data={"template_config": TANH})
    with pytest.raises(ValidationError) as exc:
        question_services.question_add(assignment=a, actor=instructor, data={"template_config": TANH})
    assert exc.value.code == "too_many_questions"
    question_services.question_add(assignment=a, actor=instructor, data={}, pool_of=1)
    with pytest.raises(ValidationError) as exc:
        question_services.question_add(assignment=a, actor=instructor, data={}, pool_of=1)
    assert exc.value.code == "too_many_members"


# ------------------------------------------------------------------ grading per question


def test_answers_to_the_second_question_are_graded_on_its_own_network(course, instructor, alice,
                                                                      django_capture_on_commit_callbacks):
    a = make_set(course, instructor, [Q_ARTICLE, {"pool": [Q_TANH]}])
    variant = homework_services.homework_variant(assignment=a, student=alice, position=2)
    answers = reference_answers(variant)
    assert "net_h3" in answers  # the 2-3-1 network's parts, not the article's
    with django_capture_on_commit_callbacks(execute=True):
        submission = homework_services.homework_submit(assignment=a, student=alice, answers=answers, position=2)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.GRADED and submission.final_score == 1.0
    assert submission.variant_id == variant.pk
    state = homework_selectors.homework_state(assignment=a, student=alice, position=2)
    assert state.score == 1.0 and state.attempts_used == 1
    first = homework_selectors.homework_state(assignment=a, student=alice, position=1)
    assert first.score is None and first.attempts_used == 0  # attempts are counted per question
    q1, q2 = state.result.questions
    assert (q1.score, q2.score) == (None, 1.0)
    assert state.result.points == q2.max_points
    assert state.result.score == pytest.approx(q2.max_points / (q1.max_points + q2.max_points))


def test_the_total_is_the_sum_of_question_scores_weighted_by_their_points(course, instructor, alice, bob):
    a = make_set(course, instructor, [
        {"template_config": ARTICLE, "parts": ["net_h1", "out_h1"], "points": {"net_h1": 3, "out_h1": 1}},
        {"template_config": ARTICLE, "parts": ["E_total"], "points": {"E_total": 6}},
    ], title="Set ✓")
    fake_graded(homework_services.homework_variant(assignment=a, student=alice, position=1), alice, 1, score=0.5)
    fake_graded(homework_services.homework_variant(assignment=a, student=alice, position=2), alice, 2, score=1.0)
    fake_graded(homework_services.homework_variant(assignment=a, student=bob, position=2), bob, 1, score=0.25)
    book = gradebook_selectors.gradebook(course=course)
    assert [(c.position, c.max_points) for c in book.columns] == [(1, 4.0), (2, 6.0), (None, 10.0)]
    rows = {row.student.pk: row for row in book.rows}
    alice_row = [(e.points, e.score) for e in rows[alice.pk].entries]
    assert alice_row == [(2.0, 0.5), (6.0, 1.0), (8.0, 0.8)]  # 0.5 × 4 + 1.0 × 6 of 10
    assert [e.points for e in rows[bob.pk].entries] == [None, 1.5, 1.5]
    assert rows[alice.pk].total_points == 8.0
    stats = book.column_stats
    assert (stats[1].average, stats[2].median) == (3.75, 4.75)
    lines = gradebook_selectors.gradebook_csv(course=course).splitlines()
    # each column: points, %, attempts, late attempts, override %
    assert lines[0].split(",")[3:18:5] == ["Set ✓ Q1 (4)", "Set ✓ Q2 (6)", "Set ✓ (10)"]
    alice_line = next(line for line in lines if line.startswith(f"{alice.username},"))
    assert alice_line.split(",")[3:18:5] == ["2", "6", "8"]
    assert alice_line.split(",")[4:19:5] == ["50", "100", "80"]


def test_the_student_list_shows_the_total_of_the_set(course, instructor, alice):
    a = make_set(course, instructor, [Q_ARTICLE, Q_ARTICLE])
    fake_graded(homework_services.homework_variant(assignment=a, student=alice, position=2), alice, 3, score=1.0)
    (row,) = homework_selectors.assignments_for_student(course=course, user=alice)
    assert row.score == pytest.approx(0.5) and row.attempts_used == 3
    assert [q.score for q in row.result.questions] == [None, 1.0]


# ------------------------------------------------------------------------ question writes


def test_questions_move_and_remove_with_their_variants(course, instructor, alice):
    a = make_set(course, instructor, [Q_ARTICLE, Q_TANH, Q_ARTICLE])
    v2 = homework_services.homework_variant(assignment=a, student=alice, position=2)
    question_services.question_move(assignment=a, actor=instructor, position=2, offset=-1)
    v2.refresh_from_db()
    assert v2.position == 1 and v2.question.position == 1 and v2.question.template_config == TANH
    question_services.question_remove(question=Question.objects.get(assignment=a, position=2), actor=instructor)
    assert list(Question.objects.filter(assignment=a).values_list("position", "template_config")) == [
        (1, TANH), (2, ARTICLE)]


def test_an_answered_question_can_no_longer_be_removed_or_moved(course, instructor, alice):
    a = make_set(course, instructor, [Q_ARTICLE, Q_TANH])
    fake_graded(homework_services.homework_variant(assignment=a, student=alice, position=2), alice, 1)
    q2 = Question.objects.get(assignment=a, position=2)
    with pytest.raises(ValidationError) as exc:
        question_services.question_remove(question=q2, actor=instructor)
    assert exc.value.code == "locked"
    with pytest.raises(ValidationError) as exc:
        question_services.question_move(assignment=a, actor=instructor, position=2, offset=-1)
    assert exc.value.code == "locked"
    with pytest.raises(ValidationError) as exc:
        question_services.question_update(question=q2, actor=instructor, data={"template_config": ARTICLE})
    assert exc.value.error_dict["template_config"][0].code == "locked"


def test_the_last_question_cannot_be_removed(course, instructor):
    a = make_set(course, instructor, [Q_ARTICLE])
    with pytest.raises(ValidationError) as exc:
        question_services.question_remove(question=Question.objects.get(assignment=a), actor=instructor)
    assert exc.value.code == "last_question"


def test_only_instructors_write_questions(course, instructor, ta, alice):
    a = make_set(course, instructor, [Q_ARTICLE, Q_ARTICLE])
    question = Question.objects.get(assignment=a, position=2)
    for actor in (ta, alice):
        with pytest.raises(PermissionDenied):
            question_services.question_add(assignment=a, actor=actor, data={})
        with pytest.raises(PermissionDenied):
            question_services.question_remove(question=question, actor=actor)
        with pytest.raises(PermissionDenied):
            question_services.question_move(assignment=a, actor=actor, position=2, offset=-1)


# ---------------------------------------------------------------------------------- regrade


def test_a_regrade_changes_one_questions_settings_and_grades_each_submission_by_its_own(
    course, instructor, alice, django_capture_on_commit_callbacks
):
    a = make_set(course, instructor, [{"template_config": ARTICLE, "parts": ["net_h1"]},
                                      {"template_config": ARTICLE, "parts": ["net_h1"]}])
    submissions = {}
    for position in (1, 2):
        variant = homework_services.homework_variant(assignment=a, student=alice, position=position)
        with django_capture_on_commit_callbacks(execute=True):
            made = homework_services.homework_submit(assignment=a, student=alice, position=position,
                                                     answers=off_by_answers(variant, ["net_h1"]))
        made.refresh_from_db()
        assert made.final_score == 0.0  # 0.4 % off: wrong at 4 significant figures
        submissions[position] = made
    second = Question.objects.get(assignment=a, position=2)
    looser = {"tolerance": {"kind": "relative", "value": 0.01}, "question": second.pk}
    with django_capture_on_commit_callbacks(execute=True):
        job = regrade_services.regrade_preview(assignment=a, actor=instructor, new_settings=looser)
    job.refresh_from_db()
    assert job.status == RegradeJob.Status.PREVIEW_READY and job.total == 2
    assert [(c["submission"], c["question"], c["new"]) for c in job.changes] == [(str(submissions[2].pk), 2, 1.0)]
    with django_capture_on_commit_callbacks(execute=True):
        regrade_services.regrade_apply(job=job, actor=instructor)
    assert Question.objects.get(pk=second.pk).tolerance == {"kind": "relative", "value": 0.01}
    assert Question.objects.get(assignment=a, position=1).tolerance == {"kind": "sigfigs", "value": 4}
    assert [Submission.objects.get(pk=submissions[p].pk).final_score for p in (1, 2)] == [0.0, 1.0]


def test_a_regrade_refuses_a_question_of_another_assignment(course, instructor):
    a = make_set(course, instructor, [Q_ARTICLE])
    b = make_set(course, instructor, [Q_ARTICLE])
    other = Question.objects.get(assignment=b)
    with pytest.raises(ValidationError) as exc:
        regrade_services.regrade_preview(assignment=a, actor=instructor,
                                         new_settings={"tolerance": {"kind": "relative", "value": 0.1},
                                                       "question": other.pk})
    assert exc.value.code == "unknown_question"
