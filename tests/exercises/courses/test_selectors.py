"""Homework selectors: student rows, homework state and reveal rules, gradebook (constant query
count), CSV export, drill-down, analytics per step and misconception, copying signals."""

from __future__ import annotations

import csv
import io
import math
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

import graders
from exercises.courses.window import visible_report
from exercises.courses.selectors import analytics as analytics_selectors
from exercises.courses.selectors import courses as course_selectors
from exercises.courses.selectors import gradebook as gradebook_selectors
from exercises.courses.selectors import homework as homework_selectors
from exercises.courses.selectors import regrade as regrade_selectors
from exercises.courses.selectors import scores as score_selectors
from exercises.courses.services import courses as course_services
from exercises.courses.services import extensions as extension_services
from exercises.courses.services import homework as homework_services
from exercises.courses.services import regrade as regrade_services
from exercises.models import Submission
from exercises.grading.variants import variant_spec

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # homework_support
pytest.register_assert_rewrite("homework_support")

from homework_support import (  # noqa: E402
    enroll,
    fake_graded,
    frozen,
    make_assignment,
    make_user,
    reference_answers,
    solution_of,
    submit,
)

pytest_plugins = ["homework_support"]

pytestmark = pytest.mark.django_db


def add_students(course, count, prefix="s"):
    students = [make_user(f"{prefix}{i:03d}", first_name=f"First{i}", last_name=f"Last{i}") for i in range(count)]
    for student in students:
        enroll(course, student)
    return students


def fill(assignment, students, attempts=3):
    for i, student in enumerate(students):
        variant = homework_services.homework_variant(assignment=assignment, student=student)
        fake_graded(variant, student, attempts, score=(i % 10) / 10)


# ----------------------------------------------------------------------------- student views


def test_assignments_for_student_rows(course, instructor, alice, bob, django_capture_on_commit_callbacks):
    now = timezone.now()
    open_a = make_assignment(course, instructor, title="Open", attempts_allowed=2, parts=["net_h1"])
    later = make_assignment(course, instructor, title="Later", opens_at=now + timedelta(days=1),
                            due_at=now + timedelta(days=2))
    variant = homework_services.homework_variant(assignment=open_a, student=alice)
    submit(django_capture_on_commit_callbacks, open_a, alice, reference_answers(variant, ["net_h1"]))
    extension_services.extension_grant(assignment=open_a, actor=instructor, student=alice, due_at=open_a.due_at + timedelta(days=1))
    rows = {r.assignment.title: r for r in homework_selectors.assignments_for_student(course=course, user=alice)}
    assert rows["Open"].status == "open" and rows["Open"].attempts_used == 1 and rows["Open"].attempts_left == 1
    assert rows["Open"].score == 1.0 and rows["Open"].extended and rows["Open"].due_at == open_a.due_at + timedelta(days=1)
    assert rows["Later"].status == "not_open" and rows["Later"].score is None and rows["Later"].attempts_left is None
    assert later.pk == rows["Later"].assignment.pk
    bob_rows = {r.assignment.title: r for r in homework_selectors.assignments_for_student(course=course, user=bob)}
    assert bob_rows["Open"].score is None and not bob_rows["Open"].extended
    with frozen(open_a.due_at + timedelta(hours=1)):
        assert {r.assignment.title: r.status for r in homework_selectors.assignments_for_student(course=course, user=bob)}["Open"] == "closed"
        assert {r.assignment.title: r.status for r in homework_selectors.assignments_for_user(user=alice)}["Open"] == "open"


def test_assignments_for_student_constant_queries(course, instructor, alice, django_assert_num_queries):
    for i in range(2):
        make_assignment(course, instructor, title=f"A{i}")
    with django_assert_num_queries(6):  # membership, assignments, extensions, overrides, variant stats, questions
        assert len(homework_selectors.assignments_for_student(course=course, user=alice)) == 2
    for i in range(6):
        a = make_assignment(course, instructor, title=f"B{i}")
        fake_graded(homework_services.homework_variant(assignment=a, student=alice), alice, 3)
    with django_assert_num_queries(6):
        assert len(homework_selectors.assignments_for_student(course=course, user=alice)) == 8


def test_homework_state_basics(assignment, alice):
    state = homework_selectors.homework_state(assignment=assignment, student=alice)
    assert state.variant is None and state.submissions == [] and state.can_submit and state.reason == ""
    assert state.attempts_left is None and state.status == "open" and state.score is None
    assert not state.reveal_expected  # after_due is the default
    variant = homework_services.homework_variant(assignment=assignment, student=alice)
    assert homework_selectors.homework_state(assignment=assignment, student=alice).variant == variant


@pytest.mark.parametrize(
    ("reveal", "before_submit", "after_submit", "after_due"),
    [("after_submission", False, True, True), ("after_last", False, False, True), ("after_due", False, False, True),
     ("never", False, False, False)],
)
def test_reveal_policy(course, instructor, alice, reveal, before_submit, after_submit, after_due,
                       django_capture_on_commit_callbacks):
    a = make_assignment(course, instructor, reveal=reveal, parts=["net_h1"])
    assert homework_selectors.homework_state(assignment=a, student=alice).reveal_expected is before_submit
    variant = homework_services.homework_variant(assignment=a, student=alice)
    submit(django_capture_on_commit_callbacks, a, alice, {"net_h1": "12345"})
    state = homework_selectors.homework_state(assignment=a, student=alice)
    assert state.reveal_expected is after_submit and state.reveal_solution is after_submit
    with frozen(a.due_at + timedelta(seconds=1)):
        assert homework_selectors.homework_state(assignment=a, student=alice).reveal_expected is after_due
    # Staff always see everything of a student.
    assert homework_selectors.homework_state(assignment=a, student=alice, viewer=instructor).reveal_expected
    report = state.submissions[0].report
    shown = visible_report(report=report, reveal_expected=state.reveal_expected, show_diagnosis=True)
    expected = solution_of(variant).values["net_h1"]
    assert report["parts"]["net_h1"]["expected"] == pytest.approx(expected)
    assert (shown["parts"]["net_h1"]["expected"] is not None) is after_submit


def test_reveal_after_the_last_attempt_waits_for_the_last_attempt_or_the_due_date(
    course, instructor, alice, bob, django_capture_on_commit_callbacks
):
    a = make_assignment(course, instructor, reveal="after_last", attempts_allowed=2, parts=["net_h1"])
    submit(django_capture_on_commit_callbacks, a, alice, {"net_h1": "12345"})
    state = homework_selectors.homework_state(assignment=a, student=alice)
    assert state.attempts_left == 1 and not state.reveal_expected and not state.reveal_solution
    submit(django_capture_on_commit_callbacks, a, alice, {"net_h1": "12346"})
    state = homework_selectors.homework_state(assignment=a, student=alice)
    assert state.attempts_left == 0 and state.reveal_expected and state.reveal_solution
    # Bob, with an attempt left, sees them once the due date has passed.
    submit(django_capture_on_commit_callbacks, a, bob, {"net_h1": "12345"})
    assert not homework_selectors.homework_state(assignment=a, student=bob).reveal_expected
    with frozen(a.due_at + timedelta(seconds=1)):
        assert homework_selectors.homework_state(assignment=a, student=bob).reveal_expected


def test_reveal_after_due_waits_for_the_students_extension_and_late_window(course, instructor, alice, bob):
    due = timezone.now() + timedelta(days=1)
    a = make_assignment(course, instructor, reveal="after_due", due_at=due, late_policy="penalty",
                        late_until=due + timedelta(days=2))
    extension_services.extension_grant(assignment=a, actor=instructor, student=alice, due_at=a.due_at + timedelta(days=3))
    with frozen(a.due_at + timedelta(days=1, hours=1)):  # past the class's due date, inside the late window
        assert not homework_selectors.homework_state(assignment=a, student=bob).reveal_expected
    with frozen(a.late_until + timedelta(seconds=1)):
        assert homework_selectors.homework_state(assignment=a, student=bob).reveal_expected
        assert not homework_selectors.homework_state(assignment=a, student=alice).reveal_expected  # her window is later
    with frozen(a.late_until + timedelta(days=3, seconds=1)):
        assert homework_selectors.homework_state(assignment=a, student=alice).reveal_expected


def test_show_diagnosis_off_hides_diagnoses():
    report = {"score": 0, "parts": {"net_h1": {"status": "incorrect", "expected": 1.0, "followthrough_expected": 2.0,
                                               "diagnoses": [{"key": "x", "message": {"en": "m"}}]}}}
    hidden = visible_report(report=report, reveal_expected=False, show_diagnosis=False)
    assert hidden["parts"]["net_h1"] == {"status": "incorrect", "expected": None, "followthrough_expected": None,
                                         "diagnoses": []}
    assert report["parts"]["net_h1"]["expected"] == 1.0  # the stored report is untouched
    assert visible_report(report=report, reveal_expected=True, show_diagnosis=True) == report


def test_show_diagnosis_off_leaves_the_diagnosis_out_of_follow_through_notes():
    note = {"roots": ["dE_dout_o1"], "diagnoses": ["sign_flipped"], "parts": ["delta_o1"],
            "message": {"en": "1 later value follows from your ∂E_total/∂out_o1 (wrong sign): credited."},
            "plain_message": {"en": "1 later value follows from your ∂E_total/∂out_o1: credited."}}
    hidden = visible_report(report={"parts": {}, "followthrough_notes": [note]}, reveal_expected=False,
                            show_diagnosis=False)
    assert hidden["followthrough_notes"] == [{**note, "diagnoses": [], "message": note["plain_message"]}]


def test_homework_state_constant_queries(course, instructor, alice, django_assert_num_queries):
    a = make_assignment(course, instructor)
    variant = homework_services.homework_variant(assignment=a, student=alice)
    fake_graded(variant, alice, 2)
    with django_assert_num_queries(7):  # role, extension, variant, submissions, overrides, questions, per-question stats
        state = homework_selectors.homework_state(assignment=a, student=alice)
        assert [s.variant.assignment_id for s in state.submissions] == [a.pk, a.pk]
    fake_graded(variant, alice, 8)
    with django_assert_num_queries(7):
        assert len(homework_selectors.homework_state(assignment=a, student=alice).submissions) == 10


# --------------------------------------------------------------------------------- gradebook


def test_gradebook_counts_and_points(course, instructor, alice, bob, django_capture_on_commit_callbacks):
    a1 = make_assignment(course, instructor, title="HW1", parts=["net_h1", "out_h1"], points={"net_h1": 3})
    a2 = make_assignment(course, instructor, title="HW2", parts=["net_h1"], scoring="last")
    v1 = homework_services.homework_variant(assignment=a1, student=alice)
    submit(django_capture_on_commit_callbacks, a1, alice, reference_answers(v1, ["net_h1"]))
    v2 = homework_services.homework_variant(assignment=a2, student=alice)
    submit(django_capture_on_commit_callbacks, a2, alice, reference_answers(v2, ["net_h1"]))
    submit(django_capture_on_commit_callbacks, a2, alice, {"net_h1": "99"})
    book = gradebook_selectors.gradebook(course=course)
    assert [a.title for a in book.assignments] == ["HW1", "HW2"] and book.max_points == [4.0, 1.0]
    rows = {r.student.username: r for r in book.rows}
    assert set(rows) == {"alice_s", "bob_s"}  # staff are not rows
    assert rows["alice_s"].cells[0].score == 0.75 and rows["alice_s"].cells[0].points == 3.0
    assert rows["alice_s"].cells[1].score == 0.0 and rows["alice_s"].cells[1].attempts == 2  # last counts
    assert rows["bob_s"].cells[0].score is None and rows["bob_s"].total_points == 0.0
    assert rows["alice_s"].total_points == 3.0 and book.total_max_points == 5.0


def test_gradebook_query_count_is_constant(course, instructor, django_assert_num_queries):
    a1 = make_assignment(course, instructor, title="HW1")
    with django_assert_num_queries(6):
        empty = gradebook_selectors.gradebook(course=course)
    assert empty.rows == []
    a2 = make_assignment(course, instructor, title="HW2")
    students = add_students(course, 12)
    fill(a1, students)
    fill(a2, students[:6], attempts=5)
    extension_services.extension_grant(assignment=a1, actor=instructor, student=students[0], due_at=a1.due_at + timedelta(days=1))
    with django_assert_num_queries(6):  # assignments, students, extensions, overrides, per-variant aggregates, questions
        book = gradebook_selectors.gradebook(course=course)
    rows = {r.student.username: r for r in book.rows}
    assert len(rows) == 12 and rows["s000"].cells[0].extended and not rows["s001"].cells[0].extended
    assert rows["s005"].cells[0].score == pytest.approx(0.5) and rows["s005"].cells[1].attempts == 5
    assert rows["s011"].cells[1].score is None and rows["s011"].cells[1].attempts == 0
    with django_assert_num_queries(7):  # + the caller's role
        gradebook_selectors.gradebook(course=course, user=instructor)
    with django_assert_num_queries(7):
        gradebook_selectors.gradebook_csv(course=course, user=instructor)


def test_gradebook_csv_for_lms_import(course, instructor, django_capture_on_commit_callbacks):
    a = make_assignment(course, instructor, title="=HYPERLINK(1)", parts=["net_h1", "out_h1"])
    make_assignment(course, instructor, title="Homework, part 2", parts=["net_h1"])
    alice = make_user("alice_s", first_name="Alice", last_name="Liddell")
    evil = make_user("eve", first_name="@SUM(A1)", last_name="")
    enroll(course, alice)
    enroll(course, evil)
    variant = homework_services.homework_variant(assignment=a, student=alice)
    submit(django_capture_on_commit_callbacks, a, alice, reference_answers(variant, ["net_h1"]))
    text = gradebook_selectors.gradebook_csv(course=course)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Username", "Email", "Name",
                       "'=HYPERLINK(1) (2)", "'=HYPERLINK(1) %", "'=HYPERLINK(1) attempts",
                       "'=HYPERLINK(1) late attempts", "'=HYPERLINK(1) override %",
                       "Homework, part 2 (1)", "Homework, part 2 %", "Homework, part 2 attempts",
                       "Homework, part 2 late attempts", "Homework, part 2 override %",
                       "Total (3)", "Total %", "Last submission (UTC)"]
    by_user = {r[0]: r for r in rows[1:]}
    submitted = Submission.objects.get(user=alice).created_at
    assert by_user["alice_s"] == ["alice_s", "alice_s@example.org", "Alice Liddell", "1", "50", "1", "0", "",
                                  "", "", "0", "0", "", "1", "33.3", submitted.strftime("%Y-%m-%d %H:%M")]
    assert by_user["eve"][2] == "'@SUM(A1)" and by_user["eve"][-1] == ""
    assert text.endswith("\r\n")


def test_gradebook_csv_states_its_zone_and_writes_times_in_it(course, instructor, django_capture_on_commit_callbacks):
    from datetime import datetime
    from datetime import timezone as dt_timezone

    late_evening_utc = datetime(2026, 12, 1, 15, 59, tzinfo=dt_timezone.utc)  # 23:59 in Beijing
    a = make_assignment(course, instructor, parts=["net_h1"], opens_at=late_evening_utc - timedelta(hours=1),
                        due_at=late_evening_utc + timedelta(days=1))
    alice = make_user("alice_s")
    enroll(course, alice)
    homework_services.homework_variant(assignment=a, student=alice)
    with frozen(late_evening_utc):
        submit(django_capture_on_commit_callbacks, a, alice, {"net_h1": "0.3"})
    with timezone.override("Asia/Shanghai"):
        rows = list(csv.reader(io.StringIO(gradebook_selectors.gradebook_csv(course=course))))
    assert rows[0][-1] == "Last submission (Asia/Shanghai)"
    assert rows[1][-1] == "2026-12-01 23:59"
    rows = list(csv.reader(io.StringIO(gradebook_selectors.gradebook_csv(course=course, zone="America/New_York"))))
    assert (rows[0][-1], rows[1][-1]) == ("Last submission (America/New_York)", "2026-12-01 10:59")


def test_submission_drilldown(assignment, alice, bob, django_capture_on_commit_callbacks):
    variant = homework_services.homework_variant(assignment=assignment, student=alice)
    first = submit(django_capture_on_commit_callbacks, assignment, alice, {"net_h1": "1"})
    second = submit(django_capture_on_commit_callbacks, assignment, alice, reference_answers(variant))
    homework_services.homework_variant(assignment=assignment, student=bob)
    submit(django_capture_on_commit_callbacks, assignment, bob, {"net_h1": "1"})
    attempts = gradebook_selectors.submission_drilldown(assignment=assignment, student=alice)
    assert [s.pk for s in attempts] == [first.pk, second.pk]
    assert attempts[1].report["parts"]["E_total"]["status"] == "correct"
    assert all(s.user == alice for s in attempts)


# --------------------------------------------------------------------------------- analytics


def test_analytics_per_step_misconception_and_histogram(course, instructor, django_capture_on_commit_callbacks):
    a = make_assignment(course, instructor, parts=["net_h1", "out_h1", "net_o1", "out_o1"])
    students = add_students(course, 4)
    for i, student in enumerate(students):
        variant = homework_services.homework_variant(assignment=a, student=student)
        values = solution_of(variant).values
        answers = reference_answers(variant, ["net_h1", "out_h1", "net_o1", "out_o1"])
        if i >= 2:  # two students forget the bias in net_h1 (a diagnosed misconception) …
            wrong = values["net_h1"] - variant_spec(variant=variant)["biases"][0][0]
            answers["net_h1"] = repr(wrong)
            answers["out_h1"] = repr(1 / (1 + math.exp(-wrong)))  # … and carry on correctly from it
        if i == 3:
            answers.pop("out_o1")
        submit(django_capture_on_commit_callbacks, a, student, answers)
    data = analytics_selectors.assignment_analytics(assignment=a)
    assert data.students == 4
    parts = {p.key: p for p in data.parts}
    assert parts["net_h1"].counts["correct"] == 2 and parts["net_h1"].shares["correct"] == 0.5
    assert parts["out_h1"].counts["followthrough"] == 2  # computed from their own wrong net_h1
    assert parts["out_o1"].counts["missing"] == 1
    steps = {s.key: s for s in data.steps}
    assert set(steps) == {"forward"} and steps["forward"].total == 16
    assert data.misconceptions and data.misconceptions[0].count >= 2
    assert data.misconceptions[0].message.get("en")
    assert sum(data.histogram) == 4 and data.histogram[9] == 2
    assert data.copy_signals == []


def test_copying_signal_flags_a_classmates_numbers(course, instructor, django_capture_on_commit_callbacks):
    keys = ["net_h1", "out_h1", "net_h2", "out_h2", "net_o1", "out_o1"]
    a = make_assignment(course, instructor, parts=keys)
    honest, copier, other = add_students(course, 3)
    v_honest = homework_services.homework_variant(assignment=a, student=honest)
    submit(django_capture_on_commit_callbacks, a, honest, reference_answers(v_honest, keys))
    homework_services.homework_variant(assignment=a, student=copier)
    # The copier hands in the honest student's numbers instead of computing their own.
    copied = submit(django_capture_on_commit_callbacks, a, copier, reference_answers(v_honest, keys))
    v_other = homework_services.homework_variant(assignment=a, student=other)
    submit(django_capture_on_commit_callbacks, a, other, reference_answers(v_other, keys))
    data = analytics_selectors.assignment_analytics(assignment=a)
    assert len(data.copy_signals) == 1
    signal = data.copy_signals[0]
    assert signal.suspect == copier and signal.source == honest and signal.kind == "expected"
    assert set(signal.parts) == set(keys) and signal.submission_id == str(copied.pk)


def test_analytics_query_count_is_constant(course, instructor, django_assert_num_queries):
    a = make_assignment(course, instructor)
    with django_assert_num_queries(2):
        assert analytics_selectors.assignment_analytics(assignment=a).students == 0
    report = graders.grade(graders.generate("article", "x"), {"net_h1": "0.1"}).to_dict()
    students = add_students(course, 15)
    for student in students:
        fake_graded(homework_services.homework_variant(assignment=a, student=student), student, 4, report=report)
    with django_assert_num_queries(2):  # the question's networks; each student's counted attempt, with its user
        data = analytics_selectors.assignment_analytics(assignment=a)
    assert data.students == 15
    with django_assert_num_queries(3):  # + the caller's role
        analytics_selectors.assignment_analytics(assignment=a, user=instructor)


def test_counted_submission_follows_scoring(course, instructor, alice):
    best = make_assignment(course, instructor, title="best")
    last = make_assignment(course, instructor, title="last", scoring="last")
    for a in (best, last):
        variant = homework_services.homework_variant(assignment=a, student=alice)
        rows = fake_graded(variant, alice, 3, score=0.9)
        Submission.objects.filter(pk=rows[-1].pk).update(final_score=0.2, score=0.2)
    assert score_selectors.counted_submissions(assignment=best)[0].final_score == 0.9
    assert score_selectors.counted_submissions(assignment=last)[0].final_score == 0.2


def test_staff_are_not_in_analytics(course, instructor, assignment, alice):
    fake_graded(homework_services.homework_variant(assignment=assignment, student=alice), alice, 1)
    course_services.membership_set_role(course=course, actor=instructor, user=alice, role="ta")
    assert analytics_selectors.assignment_analytics(assignment=assignment).students == 0


def test_regrade_job_get(assignment, instructor, ta, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = regrade_services.regrade_preview(assignment=assignment, actor=ta, new_settings={"followthrough": False})
    assert regrade_selectors.regrade_job_get(job_id=job.pk, user=instructor) == job
    assert regrade_selectors.regrade_job_get(job_id=str(job.pk), user=ta) == job
    assert regrade_selectors.regrade_job_get(job_id="nope", user=instructor) is None
    assert regrade_selectors.regrade_jobs(assignment=assignment) == [job]


def test_course_members_and_student_lookup(course, instructor, ta, alice, bob):
    members = course_selectors.course_members(course=course, user=ta)
    assert [m.role for m in members] == ["instructor", "ta", "student", "student"]
    assert course_selectors.course_student_get(course=course, user_id=alice.pk) == alice
    assert course_selectors.course_student_get(course=course, user_id=str(bob.pk)) == bob
    assert course_selectors.course_student_get(course=course, user_id=ta.pk) is None  # staff are not students
    assert course_selectors.course_student_get(course=course, user_id="x") is None


def test_the_gradebook_foot_gives_each_columns_average_and_median(course, instructor):
    """Hand-computed: scores 0.2, 0.5 and 1.0 on a one-point assignment, and a student with no
    attempt. The assignment column averages the graded three (0.5667, median 0.5); the total
    column counts the fourth as 0 (0.425, median 0.35)."""
    a = make_assignment(course, instructor, parts=["net_h1"])
    for i, score in enumerate((0.2, 0.5, 1.0)):
        student = make_user(f"s{i}")
        enroll(course, student)
        fake_graded(homework_services.homework_variant(assignment=a, student=student), student, 1, score=score)
    enroll(course, make_user("idle"))
    stats = gradebook_selectors.gradebook(course=course).column_stats
    assert stats[0].average == pytest.approx((0.2 + 0.5 + 1.0) / 3) and stats[0].median == pytest.approx(0.5)
    assert stats[0].count == 3
    assert stats[1].average == pytest.approx(1.7 / 4) and stats[1].median == pytest.approx(0.35)


def test_an_empty_gradebook_foot_says_nothing_rather_than_failing(course, instructor):
    make_assignment(course, instructor, parts=["net_h1"])
    stats = gradebook_selectors.gradebook(course=course).column_stats
    assert [(s.average, s.median, s.count) for s in stats] == [(None, None, 0), (None, None, 0)]
