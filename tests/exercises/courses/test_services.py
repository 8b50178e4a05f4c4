"""Homework services: courses (approved instructors), assignment settings, variants and re-seeding, the
submission pipeline (exactly once), attempts and penalties, deadlines by the server clock,
best/last scoring, the rate limit, regrade preview and apply."""

from __future__ import annotations

import hashlib
import hmac
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

import graders
from exercises.courses.permissions import role_in
from exercises.courses.selectors import courses as course_selectors
from exercises.courses.selectors import gradebook as gradebook_selectors
from exercises.courses.selectors import homework as homework_selectors
from exercises.courses.services import assignments as assignment_services
from exercises.courses.services import courses as course_services
from exercises.courses.services import extensions as extension_services
from exercises.courses.services import homework as homework_services
from exercises.courses.services.instructors import instructor_grant, instructor_revoke
from exercises.courses.services import regrade as regrade_services
from exercises.grading import pipeline
from exercises.practice import services as practice_services
from exercises.grading import store
from exercises.courses.config import assignment_template, question_parts, question_policy
from exercises.models import Assignment, Course, Extension, Membership, RegradeJob, Submission, Variant
from exercises.grading.variants import variant_spec

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # homework_support
pytest.register_assert_rewrite("homework_support")

from homework_support import (  # noqa: E402
    question_of,
    frozen,
    make_assignment,
    make_user,
    reference_answers,
    off_by_answers,
    settings_for,
    submit,
)

pytest_plugins = ["homework_support"]  # the fixtures: instructor, course, ta, alice, bob, assignment, …

pytestmark = pytest.mark.django_db


def field_of(exc: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return set(getattr(exc.value, "error_dict", {}) or {})


# ------------------------------------------------------------------------------ courses, roster


def test_course_create_makes_creator_instructor(instructor):
    course = course_services.course_create(title="  Backprop  ", instructor=instructor)
    assert course.title == "Backprop" and len(course.code) == 8 and course.code.isalnum()
    assert role_in(course=course, user=instructor) == Membership.Role.INSTRUCTOR
    assert course_services.course_create(title="Two", instructor=instructor).code != course.code


def test_only_approved_instructors_create_courses(alice):
    """Issue 9, finding 1: any signed-up user could create a course (and so become an instructor)."""
    with pytest.raises(PermissionDenied) as refused:
        course_services.course_create(title="Mine now", instructor=alice)
    with translation.override("en"):
        assert "approved" in str(refused.value)
    assert not Course.objects.filter(title="Mine now").exists()
    instructor_grant(user=alice)
    assert role_in(course=course_services.course_create(title="Mine now", instructor=alice), user=alice) == "instructor"
    instructor_revoke(user=alice)
    with pytest.raises(PermissionDenied):
        course_services.course_create(title="Another", instructor=alice)


def test_course_create_needs_title_and_user(instructor):
    with pytest.raises(ValidationError) as exc:
        course_services.course_create(title=" ", instructor=instructor)
    assert field_of(exc) == {"title"}


def test_course_join_by_code(course, instructor):
    student = make_user("newbie")
    membership = course_services.course_join(code=course.code.lower() + " ", user=student)
    assert membership.role == Membership.Role.STUDENT and membership.course == course
    assert course_services.course_join(code=course.code, user=student).pk == membership.pk  # idempotent
    # Staff joining with the code keep their role.
    assert course_services.course_join(code=course.code, user=instructor).role == Membership.Role.INSTRUCTOR


@pytest.mark.parametrize("code", ["", "NOPE1234", "x" * 50, None, 12345678])
def test_course_join_unknown_code(course, code):
    with pytest.raises(ValidationError) as exc:
        course_services.course_join(code=code, user=make_user("newbie"))
    assert exc.value.error_dict["code"][0].code == "unknown_code"


def test_a_person_can_be_student_in_one_course_and_instructor_in_another(course, alice):
    instructor_grant(user=alice)
    own = course_services.course_create(title="Alice teaches", instructor=alice)
    roles = dict((c.title, r) for c, r in course_selectors.courses_for_user(user=alice))
    assert roles == {course.title: "student", own.title: "instructor"}


def test_set_role_and_last_instructor(course, instructor, alice):
    assert course_services.membership_set_role(course=course, actor=instructor, user=alice, role="ta").role == "ta"
    with pytest.raises(ValidationError):
        course_services.membership_set_role(course=course, actor=instructor, user=instructor, role="student")
    with pytest.raises(ValidationError):
        course_services.membership_set_role(course=course, actor=instructor, user=alice, role="god")
    course_services.membership_set_role(course=course, actor=instructor, user=alice, role="instructor")
    assert course_services.membership_set_role(course=course, actor=alice, user=instructor, role="student").role == "student"


# ------------------------------------------------------------------------------- assignments


def test_assignment_create_defaults(course, instructor):
    a = make_assignment(course, instructor)
    assert a.secret and len(a.secret) == 64
    assert question_of(a).tolerance == {"kind": "sigfigs", "value": 4}
    assert question_policy(question=question_of(a)).parts is None and question_policy(question=question_of(a)).diagnose
    assert assignment_template(config=question_of(a).template_config).name == "article-random"
    assert gradebook_selectors.assignment_max_points(assignment=a) == 40.0


def test_assignment_settings_reach_the_policy(course, instructor):
    a = make_assignment(course, instructor, parts=["out_h1", "net_h1"], points={"net_h1": 2, "out_h1": 0.5},
                        tolerance={"kind": "relative", "value": 0.01}, followthrough=False,
                        followthrough_credit=0.5, attempts_allowed=3, attempt_penalty=0.1)
    assert question_of(a).parts == ["net_h1", "out_h1"]  # teaching order
    policy = question_policy(question=question_of(a))
    assert policy.parts == ("net_h1", "out_h1") and policy.points_for("net_h1") == 2.0
    assert policy.tolerance == graders.Tolerance("relative", 0.01) and not policy.followthrough
    assert gradebook_selectors.assignment_max_points(assignment=a) == 2.5


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"template_config": {"builtin": "nope"}}, "template_config"),
        ({"template_config": {"layers": [2, 0, 2]}}, "template_config"),
        ({"template_config": {"layers": [2, 2], "activations": ["sigmoid"], "weights": [1, 0, 1]}}, "template_config"),
        ({"template_config": {}}, "template_config"),
        ({"template_config": "article"}, "template_config"),
        ({"parts": ["net_zz"]}, "parts"),
        ({"points": {"net_h1": -1}}, "points"),
        ({"points": {"net_h1": "lots"}}, "points"),
        ({"tolerance": {"kind": "sigfigs", "value": 99}}, "tolerance"),
        ({"tolerance": {"kind": "vibes"}}, "tolerance"),
        ({"followthrough_credit": 1.5}, "followthrough_credit"),
        ({"attempts_allowed": -1}, "attempts_allowed"),
        ({"attempt_penalty": 2}, "attempt_penalty"),
        ({"due_at": timezone.now() - timedelta(days=2)}, "due_at"),
        ({"late_policy": "penalty"}, "late_until"),
        ({"late_policy": "whenever"}, "late_policy"),
        ({"reveal": "sometimes"}, "reveal"),
        ({"scoring": "median"}, "scoring"),
        ({"show_diagnosis": "yes"}, "show_diagnosis"),
    ],
)
def test_assignment_validation_names_the_field(course, instructor, overrides, field):
    with pytest.raises(ValidationError) as exc:
        make_assignment(course, instructor, **overrides)
    assert field_of(exc) == {field}
    assert Assignment.objects.count() == 0


def test_assignment_unknown_setting(course, instructor):
    with pytest.raises(ValidationError):
        assignment_services.assignment_create(course=course, actor=instructor, data=settings_for(secret="mine"))


def test_assignment_custom_template_with_ranges(course, instructor):
    config = {"layers": [2, 3, 1], "activations": ["tanh", "sigmoid"], "loss": "half_sse",
              "inputs": [0.1, 0.9, 0.1], "weights": [-0.5, 0.5, 0.05]}
    a = make_assignment(course, instructor, template_config=config)
    assert assignment_template(config=question_of(a).template_config).layers == (2, 3, 1)
    assert "net_h3" in {p.key for p in question_parts(question=question_of(a))}


def test_assignment_fixed_values_give_everyone_the_same_numbers(course, instructor, alice, bob):
    article = graders.generate("article", "x")
    a = make_assignment(course, instructor, template_config={**graders.TEMPLATES["article"].to_dict(),
                                                             "fixed": article})
    va = homework_services.homework_variant(assignment=a, student=alice)
    vb = homework_services.homework_variant(assignment=a, student=bob)
    assert va.seed != vb.seed and variant_spec(variant=va) == variant_spec(variant=vb) == graders.parse_spec(article).to_dict()


def test_assignment_preview(course):
    preview = assignment_services.assignment_preview(data={"template_config": {"builtin": "article"}, "parts": ["net_h1", "E_total"],
                                          "points": {"E_total": 3}})
    reference = graders.solve(graders.generate("article", "preview"))
    assert preview["givens"] == dict(reference.givens)
    assert [p["key"] for p in preview["parts"]] == ["net_h1", "E_total"]
    assert preview["parts"][1]["points"] == 3
    assert preview["expected"] == {"net_h1": reference.values["net_h1"], "E_total": reference.values["E_total"]}
    assert preview["spec"]["layers"] == [2, 2, 2]
    with pytest.raises(ValidationError) as exc:
        assignment_services.assignment_preview(data={"template_config": {"layers": "big"}})
    assert field_of(exc) == {"template_config"}
    with pytest.raises(ValidationError):
        assignment_services.assignment_preview(data={"template_config": {"builtin": "article"}}, seed="bad seed")


def test_assignment_preview_seed_changes_numbers():
    data = {"template_config": {"builtin": "article-random"}}
    assert assignment_services.assignment_preview(data=data, seed="a")["givens"] != assignment_services.assignment_preview(data=data, seed="b")["givens"]


def test_update_locks_template_and_scoring_settings_after_grading(course, instructor, alice,
                                                                  django_capture_on_commit_callbacks):
    a = make_assignment(course, instructor)
    assignment_services.assignment_update(assignment=a, actor=instructor, data={"tolerance": {"kind": "relative", "value": 0.01}})
    variant = homework_services.homework_variant(assignment=a, student=alice)
    submit(django_capture_on_commit_callbacks, a, alice, reference_answers(variant, ["net_h1"]))
    with pytest.raises(ValidationError) as exc:
        assignment_services.assignment_update(assignment=a, actor=instructor, data={"template_config": {"builtin": "article"}})
    assert exc.value.error_dict["template_config"][0].code == "locked"
    with pytest.raises(ValidationError) as exc:
        assignment_services.assignment_update(assignment=a, actor=instructor, data={"points": {"net_h1": 5}})
    assert exc.value.error_dict["points"][0].code == "needs_regrade"
    # Dates, texts and best/last may still change.
    updated = assignment_services.assignment_update(assignment=a, actor=instructor,
                                   data={"title": "HW 1 (revised)", "scoring": "last",
                                         "due_at": a.due_at + timedelta(days=1)})
    assert updated.title == "HW 1 (revised)" and updated.scoring == "last"


# ---------------------------------------------------------------------------------- variants


def test_variant_is_stable_and_differs_between_students(assignment, alice, bob):
    va = homework_services.homework_variant(assignment=assignment, student=alice)
    assert homework_services.homework_variant(assignment=assignment, student=alice).pk == va.pk
    vb = homework_services.homework_variant(assignment=assignment, student=bob)
    assert va.seed != vb.seed and variant_spec(variant=va) != variant_spec(variant=vb)
    expected = hmac.new(assignment.secret.encode(), f"{alice.pk}:0".encode(), hashlib.sha256).hexdigest()[:16]
    assert va.seed == "hw:" + expected and va.kind == Variant.Kind.HOMEWORK and va.assignment == assignment
    # Same numbers from a fresh object (another device, another process: nothing is stored but the seed).
    assert variant_spec(variant=Variant.objects.get(pk=va.pk)) == variant_spec(variant=va)


def test_variants_differ_between_assignments(course, instructor, alice):
    a1, a2 = make_assignment(course, instructor), make_assignment(course, instructor, title="HW 2")
    assert homework_services.homework_variant(assignment=a1, student=alice).seed != homework_services.homework_variant(assignment=a2,
                                                                                          student=alice).seed


def test_reseed_one_student_keeps_old_submissions_seed(assignment, instructor, alice, bob,
                                                       django_capture_on_commit_callbacks):
    va = homework_services.homework_variant(assignment=assignment, student=alice)
    vb = homework_services.homework_variant(assignment=assignment, student=bob)
    old_seed = va.seed
    first = submit(django_capture_on_commit_callbacks, assignment, alice, reference_answers(va))
    assert first.seed == old_seed and first.score == 1.0
    new = homework_services.homework_reseed(assignment=assignment, student=alice, actor=instructor)
    assert new.pk == va.pk and new.seed != old_seed and new.reseed == 1
    assert Variant.objects.get(pk=vb.pk).seed == vb.seed  # others untouched
    first.refresh_from_db()
    assert first.seed == old_seed and first.score == 1.0
    second = submit(django_capture_on_commit_callbacks, assignment, alice, reference_answers(new))
    assert second.seed == new.seed and second.score == 1.0


def test_queued_submission_is_graded_on_its_own_seed_after_a_reseed(assignment, instructor, alice,
                                                                    django_capture_on_commit_callbacks):
    variant = homework_services.homework_variant(assignment=assignment, student=alice)
    with django_capture_on_commit_callbacks(execute=False):
        queued = homework_services.homework_submit(assignment=assignment, student=alice, answers=reference_answers(variant))
    homework_services.homework_reseed(assignment=assignment, student=alice, actor=instructor)
    assert pipeline.submission_grade(submission_id=queued.pk) is True
    queued.refresh_from_db()
    assert queued.score == 1.0


# ------------------------------------------------------------------------------- submissions


def test_submit_is_graded_by_the_pipeline_exactly_once(assignment, alice, django_capture_on_commit_callbacks):
    variant = homework_services.homework_variant(assignment=assignment, student=alice)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submission = homework_services.homework_submit(assignment=assignment, student=alice, answers=reference_answers(variant))
    assert submission.status == Submission.Status.QUEUED and len(callbacks) == 1
    assert Submission.objects.get(pk=submission.pk).final_score is None
    assert pipeline.submission_grade(submission_id=submission.pk) is True
    assert pipeline.submission_grade(submission_id=submission.pk) is False  # redelivered task: nothing
    submission.refresh_from_db()
    assert submission.status == Submission.Status.GRADED and submission.attempt_number == 1
    assert submission.score == 1.0 and submission.final_score == 1.0 and submission.penalty == 0.0
    assert submission.seed == variant.seed and submission.user == alice and not submission.late
    assert Variant.objects.get(pk=variant.pk).attempt_count == 1


def test_submit_only_asked_parts_are_kept(course, instructor, alice, django_capture_on_commit_callbacks):
    a = make_assignment(course, instructor, parts=["net_h1", "out_h1"])
    variant = homework_services.homework_variant(assignment=a, student=alice)
    s = submit(django_capture_on_commit_callbacks, a, alice, reference_answers(variant))
    assert set(s.answers) == {"net_h1", "out_h1"} and set(s.report["parts"]) == {"net_h1", "out_h1"}
    assert s.score == 1.0


def test_format_error_stores_nothing_and_costs_no_attempt(course, instructor, alice):
    a = make_assignment(course, instructor, attempts_allowed=1)
    with pytest.raises(store.SubmissionFormatError) as exc:
        homework_services.homework_submit(assignment=a, student=alice, answers={"net_h1": "0.3.3", "out_h1": "0.5"})
    assert set(exc.value.errors) == {"net_h1"}
    assert Submission.objects.count() == 0
    with pytest.raises(ValidationError) as exc2:
        homework_services.homework_submit(assignment=a, student=alice, answers={})
    assert exc2.value.code == "empty"
    assert homework_selectors.homework_state(assignment=a, student=alice).attempts_left == 1


def test_practice_submit_refuses_homework_variants(assignment, alice):
    variant = homework_services.homework_variant(assignment=assignment, student=alice)
    with pytest.raises(ValidationError) as exc:
        practice_services.submission_create(variant=variant, answers=reference_answers(variant), user=alice)
    assert exc.value.code == "homework"
    assert Submission.objects.count() == 0


def test_attempts_and_penalty(course, instructor, alice, django_capture_on_commit_callbacks):
    a = make_assignment(course, instructor, attempts_allowed=3, attempt_penalty=0.1)
    variant = homework_services.homework_variant(assignment=a, student=alice)
    right = reference_answers(variant)
    results = [submit(django_capture_on_commit_callbacks, a, alice, right) for _ in range(3)]
    assert [s.attempt_number for s in results] == [1, 2, 3]
    assert [s.penalty for s in results] == pytest.approx([0.0, 0.1, 0.2])
    assert [s.final_score for s in results] == pytest.approx([1.0, 0.9, 0.8])
    with pytest.raises(ValidationError) as exc:
        homework_services.homework_submit(assignment=a, student=alice, answers=right)
    assert exc.value.code == "no_attempts_left"
    assert Submission.objects.count() == 3
    state = homework_selectors.homework_state(assignment=a, student=alice)
    assert state.attempts_left == 0 and not state.can_submit and state.reason == "no_attempts_left"


def test_grader_errors_do_not_use_attempts(course, instructor, alice, django_capture_on_commit_callbacks):
    a = make_assignment(course, instructor, attempts_allowed=1)
    variant = homework_services.homework_variant(assignment=a, student=alice)
    from unittest import mock

    with mock.patch("graders.grade", side_effect=RuntimeError("boom")):
        failed = submit(django_capture_on_commit_callbacks, a, alice, reference_answers(variant))
    assert failed.status == Submission.Status.ERROR and failed.final_score is None
    ok = submit(django_capture_on_commit_callbacks, a, alice, reference_answers(variant))
    assert ok.status == Submission.Status.GRADED and ok.attempt_number == 1 and ok.final_score == 1.0


@pytest.mark.parametrize(("scoring", "expected"), [("best", 1.0), ("last", 0.0)])
def test_best_or_last_attempt_counts(course, instructor, alice, scoring, expected,
                                     django_capture_on_commit_callbacks):
    a = make_assignment(course, instructor, scoring=scoring, parts=["net_h1"])
    variant = homework_services.homework_variant(assignment=a, student=alice)
    submit(django_capture_on_commit_callbacks, a, alice, reference_answers(variant))
    submit(django_capture_on_commit_callbacks, a, alice, {"net_h1": "123"})
    state = homework_selectors.homework_state(assignment=a, student=alice)
    assert state.score == expected
    assert gradebook_selectors.gradebook(course=course).rows[0].cells[0].score == expected
    assert homework_selectors.assignments_for_student(course=course, user=alice)[0].score == expected


# ---------------------------------------------------------------------------------- deadlines


def deadline_assignment(course, instructor, late_days=None, **extra):
    now = timezone.now()
    due = now + timedelta(days=3)
    if late_days is not None:
        extra.update(late_policy="penalty", late_until=due + timedelta(days=late_days))
    return make_assignment(course, instructor, opens_at=now + timedelta(days=1), due_at=due, parts=["net_h1"],
                           **extra)


def test_not_open_yet_and_closed(course, instructor, alice):
    a = deadline_assignment(course, instructor)
    variant_answers = {"net_h1": "0.3"}
    with pytest.raises(ValidationError) as exc:
        homework_services.homework_submit(assignment=a, student=alice, answers=variant_answers)
    assert exc.value.code == "not_open"
    with frozen(a.due_at + timedelta(seconds=1)), pytest.raises(ValidationError) as exc:
        homework_services.homework_submit(assignment=a, student=alice, answers=variant_answers)
    assert exc.value.code == "closed"
    assert Submission.objects.count() == 0


def test_on_time_at_the_due_second(course, instructor, alice, django_capture_on_commit_callbacks):
    a = deadline_assignment(course, instructor)
    with frozen(a.due_at):
        s = submit(django_capture_on_commit_callbacks, a, alice, {"net_h1": "0.3"})
    assert not s.late and s.penalty == 0.0


def test_late_policy_penalty_per_started_day(course, instructor, alice, django_capture_on_commit_callbacks):
    a = deadline_assignment(course, instructor, late_days=2, late_penalty_per_day=0.2, attempt_penalty=0.05)
    variant = homework_services.homework_variant(assignment=a, student=alice)
    right = reference_answers(variant, ["net_h1"])
    with frozen(a.due_at + timedelta(hours=1)):
        first = submit(django_capture_on_commit_callbacks, a, alice, right)
        assert homework_selectors.homework_state(assignment=a, student=alice).status == "late"
    assert first.late and first.penalty == pytest.approx(0.2) and first.final_score == pytest.approx(0.8)
    with frozen(a.due_at + timedelta(days=1, hours=1)):
        second = submit(django_capture_on_commit_callbacks, a, alice, right)
    assert second.penalty == pytest.approx(0.4 + 0.05) and second.final_score == pytest.approx(0.55)
    with frozen(a.late_until + timedelta(seconds=1)), pytest.raises(ValidationError) as exc:
        homework_services.homework_submit(assignment=a, student=alice, answers=right)
    assert exc.value.code == "closed"


def test_penalty_never_below_zero(course, instructor, alice, django_capture_on_commit_callbacks):
    a = deadline_assignment(course, instructor, late_days=5, late_penalty_per_day=0.7)
    variant = homework_services.homework_variant(assignment=a, student=alice)
    with frozen(a.due_at + timedelta(days=3)):
        s = submit(django_capture_on_commit_callbacks, a, alice, reference_answers(variant, ["net_h1"]))
    assert s.penalty == 1.0 and s.final_score == 0.0


def test_extension_moves_the_due_date_and_late_window(course, instructor, alice, bob,
                                                      django_capture_on_commit_callbacks):
    a = deadline_assignment(course, instructor, late_days=1, late_penalty_per_day=0.5)
    extension = extension_services.extension_grant(assignment=a, actor=instructor, student=alice, due_at=a.due_at + timedelta(days=2))
    assert Extension.objects.get(pk=extension.pk).due_at == a.due_at + timedelta(days=2)
    with frozen(a.due_at + timedelta(days=1, hours=12)):
        s = submit(django_capture_on_commit_callbacks, a, alice, {"net_h1": "0.3"})
        assert not s.late and s.penalty == 0.0
        with pytest.raises(ValidationError):  # Bob has no extension: his late window ended
            homework_services.homework_submit(assignment=a, student=bob, answers={"net_h1": "0.3"})
    with frozen(a.due_at + timedelta(days=2, hours=12)):  # Alice's own late window
        late = submit(django_capture_on_commit_callbacks, a, alice, {"net_h1": "0.3"})
    assert late.late and late.penalty == pytest.approx(0.5)
    state = homework_selectors.homework_state(assignment=a, student=alice)
    assert state.extended and state.due_at == a.due_at + timedelta(days=2)
    # Granting again replaces it; an extension before the due date is refused.
    extension_services.extension_grant(assignment=a, actor=instructor, student=alice, due_at=a.due_at + timedelta(days=4))
    assert Extension.objects.filter(assignment=a, student=alice).count() == 1
    with pytest.raises(ValidationError):
        extension_services.extension_grant(assignment=a, actor=instructor, student=alice, due_at=a.due_at - timedelta(days=1))


def test_rate_limit_per_student(course, instructor, alice, bob, django_capture_on_commit_callbacks, settings):
    settings.BPCOURSE_HOMEWORK_SUBMISSIONS_PER_WINDOW = 3
    a = make_assignment(course, instructor, parts=["net_h1"])
    for _ in range(3):
        submit(django_capture_on_commit_callbacks, a, alice, {"net_h1": "0.3"})
    with pytest.raises(ValidationError) as exc:
        homework_services.homework_submit(assignment=a, student=alice, answers={"net_h1": "0.3"})
    assert exc.value.code == "rate_limited"
    with translation.override("zh-hans"):
        message = " ".join(exc.value.messages)
    assert "3" in message and any("\u4e00" <= ch <= "\u9fff" for ch in message)  # in Chinese
    submit(django_capture_on_commit_callbacks, a, bob, {"net_h1": "0.3"})  # others are not limited
    with frozen(timezone.now() + timedelta(seconds=61)):
        submit(django_capture_on_commit_callbacks, a, alice, {"net_h1": "0.3"})
    assert Submission.objects.filter(user=alice).count() == 4


def test_default_rate_limit_is_ten_a_minute(course, instructor, alice, django_capture_on_commit_callbacks):
    a = make_assignment(course, instructor, parts=["net_h1"])
    for _ in range(10):
        with django_capture_on_commit_callbacks(execute=False):
            homework_services.homework_submit(assignment=a, student=alice, answers={"net_h1": "0.3"})
    with pytest.raises(ValidationError) as exc:
        homework_services.homework_submit(assignment=a, student=alice, answers={"net_h1": "0.3"})
    assert exc.value.code == "rate_limited"


# ----------------------------------------------------------------------------------- regrade


def test_regrade_preview_shows_changed_score_and_apply_writes_it(course, instructor, alice, bob,
                                                                 django_capture_on_commit_callbacks):
    a = make_assignment(course, instructor, parts=["net_h1", "out_h1", "net_o1", "out_o1"], attempt_penalty=0.5)
    va = homework_services.homework_variant(assignment=a, student=alice)
    vb = homework_services.homework_variant(assignment=a, student=bob)
    three = submit(django_capture_on_commit_callbacks, a, alice, off_by_answers(va, ["net_h1"]))
    exact = submit(django_capture_on_commit_callbacks, a, bob, reference_answers(vb, ["net_h1", "out_h1"]))
    second = submit(django_capture_on_commit_callbacks, a, bob, reference_answers(vb, ["net_h1", "out_h1"]))
    assert three.score == 0.0 and exact.score == 0.5 and second.final_score == pytest.approx(0.25)
    new_settings = {"tolerance": {"kind": "relative", "value": 0.01}}
    with django_capture_on_commit_callbacks(execute=True):
        job = regrade_services.regrade_preview(assignment=a, actor=instructor, new_settings=new_settings)
    job.refresh_from_db()
    assert job.status == RegradeJob.Status.PREVIEW_READY and job.total == 3 and job.done == 3
    assert [c["submission"] for c in job.changes] == [str(three.pk)]
    change = job.changes[0]
    assert change["student"] == "alice_s" and change["old"] == pytest.approx(three.final_score)
    assert change["new"] == pytest.approx(0.25) and change["old"] == 0.0
    # Nothing is written by a preview.
    three.refresh_from_db()
    a.refresh_from_db()
    assert three.final_score == 0.0 and question_of(a).tolerance == {"kind": "sigfigs", "value": 4}
    with django_capture_on_commit_callbacks(execute=True):
        job = regrade_services.regrade_apply(job=job, actor=instructor)
    job.refresh_from_db()
    assert job.status == RegradeJob.Status.APPLIED and job.done == 3 and job.finished_at
    three.refresh_from_db()
    a.refresh_from_db()
    assert three.score == pytest.approx(0.25) and three.final_score == pytest.approx(0.25)
    assert three.report["parts"]["net_h1"]["status"] == "correct"
    assert question_of(a).tolerance == {"kind": "relative", "value": 0.01}
    second.refresh_from_db()
    assert second.final_score == pytest.approx(0.25)  # penalties are recomputed, not lost
    # New submissions are graded with the new settings.
    later = submit(django_capture_on_commit_callbacks, a, alice, off_by_answers(va, ["net_h1"]))
    assert later.score == pytest.approx(0.25)
    with pytest.raises(ValidationError):  # an applied job cannot be applied again
        regrade_services.regrade_apply(job=job, actor=instructor)


def test_regrade_points_change(course, instructor, alice, django_capture_on_commit_callbacks):
    a = make_assignment(course, instructor, parts=["net_h1", "out_h1"])
    va = homework_services.homework_variant(assignment=a, student=alice)
    s = submit(django_capture_on_commit_callbacks, a, alice, reference_answers(va, ["net_h1"]))
    assert s.final_score == 0.5
    with django_capture_on_commit_callbacks(execute=True):
        job = regrade_services.regrade_preview(assignment=a, actor=instructor, new_settings={"points": {"net_h1": 3}})
    job.refresh_from_db()
    assert job.changes[0]["new"] == pytest.approx(0.75)


def test_regrade_settings_are_validated(assignment, instructor):
    with pytest.raises(ValidationError):
        regrade_services.regrade_preview(assignment=assignment, actor=instructor, new_settings={"template_config": {"builtin": "article"}})
    with pytest.raises(ValidationError) as exc:
        regrade_services.regrade_preview(assignment=assignment, actor=instructor, new_settings={"tolerance": {"kind": "x"}})
    assert field_of(exc) == {"tolerance"}
    with pytest.raises(ValidationError):
        regrade_services.regrade_preview(assignment=assignment, actor=instructor, new_settings={})
    assert RegradeJob.objects.count() == 0


def test_regrade_preview_tasks_are_idempotent(course, instructor, alice, django_capture_on_commit_callbacks):
    a = make_assignment(course, instructor, parts=["net_h1"])
    va = homework_services.homework_variant(assignment=a, student=alice)
    submit(django_capture_on_commit_callbacks, a, alice, off_by_answers(va, ["net_h1"]))
    with django_capture_on_commit_callbacks(execute=True):
        job = regrade_services.regrade_preview(assignment=a, actor=instructor,
                                 new_settings={"tolerance": {"kind": "relative", "value": 0.05}})
    regrade_services.regrade_run_step(job_id=job.pk)  # a redelivered step finds nothing to do
    job.refresh_from_db()
    assert job.status == "preview_ready" and len(job.changes) == 1


def test_regrade_broker_down_marks_job_failed(assignment, instructor, django_capture_on_commit_callbacks):
    from unittest import mock

    with mock.patch("exercises.courses.tasks.regrade_step_task.delay", side_effect=OSError("down")):
        with django_capture_on_commit_callbacks(execute=True):
            job = regrade_services.regrade_preview(assignment=assignment, actor=instructor, new_settings={"followthrough": False})
    job.refresh_from_db()
    assert job.status == "error" and job.error


# ------------------------------------------------------------------------------------ misc


def test_course_and_assignment_delete(course, instructor, assignment):
    assignment_services.assignment_delete(assignment=assignment, actor=instructor)
    assert not Assignment.objects.exists()
    course_services.course_delete(course=course, actor=instructor)
    assert not Course.objects.exists()


def test_membership_remove(course, instructor, alice):
    course_services.membership_remove(course=course, actor=instructor, user=alice)
    assert role_in(course=course, user=alice) is None
    with pytest.raises(ValidationError):
        course_services.membership_remove(course=course, actor=instructor, user=instructor)


def test_students_only_get_variants(assignment, instructor):
    with pytest.raises(PermissionDenied):
        homework_services.homework_variant(assignment=assignment, student=instructor)


@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_cannot_overspend_attempts(course, instructor, alice):
    """Six simultaneous submits with two attempts allowed: exactly two are stored."""
    import threading
    from unittest import mock

    from django.db import close_old_connections, connection

    a = make_assignment(course, instructor, attempts_allowed=2, parts=["net_h1"])
    homework_services.homework_variant(assignment=a, student=alice)
    outcomes: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(6)

    def worker() -> None:
        try:
            barrier.wait()
            try:
                homework_services.homework_submit(assignment=a, student=alice, answers={"net_h1": "0.3"})
                outcome = "ok"
            except ValidationError as exc:
                outcome = exc.code or "error"
            with lock:
                outcomes.append(outcome)
        finally:
            close_old_connections()
            connection.close()

    with mock.patch("exercises.grading.enqueue.enqueue_grading", return_value=True):
        threads = [threading.Thread(target=worker) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sorted(outcomes) == ["no_attempts_left"] * 4 + ["ok"] * 2
    assert Submission.objects.filter(user=alice).count() == 2
