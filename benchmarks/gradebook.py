"""Gradebook and analytics benchmark: a 500-student course with 10 graded attempts each.

Builds (bulk_create) a course of --students students and --assignments assignments with
--attempts graded submissions per student and assignment, in a throw-away test database
(Django's test-database machinery: a SQLite file in var/, or `test_<name>_<pid>` on
DATABASE_URL's PostgreSQL server), and an empty course with the same assignments. Then times the
read paths the instructor pages use — gradebook, the CSV export, analytics (per part, step and
misconception, histogram, copying signals) — and a student's own views, and prints each one's
query count on the full and on the empty course (they must be equal: no N+1) and its median time.

    .venv/bin/python benchmarks/gradebook.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python benchmarks/gradebook.py
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bpcourse.settings.test")


def build(args: argparse.Namespace) -> dict[str, Any]:
    """The full course (students × assignments × attempts) and an empty one; returns handles."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    import graders
    from exercises.courses.config import question_policy, question_spec, variant_seed
    from exercises.courses.services import assignments as assignment_services
    from exercises.courses.services import courses as course_services
    from exercises.courses.services import homework as homework_services
    from exercises.courses.services.instructors import instructor_grant
    from exercises.models import Assignment, Membership, Question, Submission, Variant

    User = get_user_model()
    rng = random.Random(7)
    now = timezone.now()
    instructor = User.objects.create_user(username="bench-prof", password="x")
    instructor_grant(user=instructor)
    course = course_services.course_create(title="Benchmark course", instructor=instructor)
    empty = course_services.course_create(title="Empty course", instructor=instructor)
    settings = {"template_config": {"builtin": "article-random"}, "opens_at": now - timedelta(days=7),
                "due_at": now + timedelta(days=7)}
    assignments = [assignment_services.assignment_create(course=course, actor=instructor, data={**settings, "title": f"HW {i + 1}"})
                   for i in range(args.assignments)]
    for i in range(args.assignments):
        assignment_services.assignment_create(course=empty, actor=instructor, data={**settings, "title": f"HW {i + 1}"})
    Assignment.objects.filter(course__in=[course, empty]).update(published_at=now - timedelta(days=7))  # not drafts

    users = [User(username=f"student{i:04d}", email=f"student{i:04d}@example.org", first_name="Student",
                  last_name=f"{i:04d}") for i in range(args.students)]
    for user in users:
        user.set_unusable_password()
    User.objects.bulk_create(users, batch_size=1000)
    users = list(User.objects.filter(username__startswith="student").order_by("username"))
    Membership.objects.bulk_create([Membership(course=course, user=u, role="student") for u in users])
    lone = User.objects.create_user(username="empty-course-student", password="x")
    Membership.objects.create(course=empty, user=lone, role="student")  # a variant, no submissions

    started = time.perf_counter()
    reports: dict[int, dict[str, Any]] = {}
    sheet_answers: dict[int, dict[str, str]] = {}
    first = assignments[0]
    variants: list[Variant] = []
    questions = {q.assignment_id: q for q in Question.objects.filter(assignment__in=assignments, position=1)}
    for assignment in assignments:
        for user in users:
            seed = variant_seed(assignment=assignment, user_id=user.pk)
            variants.append(Variant(template="article-random", seed=seed, owner=user, kind="homework",
                                    assignment=assignment, question=questions[assignment.pk], position=1,
                                    attempt_count=args.attempts))
    Variant.objects.bulk_create(variants, batch_size=1000)
    variants = list(Variant.objects.filter(assignment__course=course).select_related("assignment"))

    # Real grader reports for the first assignment (analytics reads them): every student answers
    # the forward pass; some forget a bias, some slip later, a few copy a classmate's numbers.
    first_variants = {v.owner_id: v for v in variants if v.assignment_id == first.pk}
    first_question = questions[first.pk]
    policy = question_policy(question=first_question)
    for index, user in enumerate(users):
        variant = first_variants[user.pk]
        spec = question_spec(question=first_question, seed=variant.seed)
        values = graders.solve(spec).values
        source = values
        if index % 50 == 49:  # copies the previous student's numbers
            prev = first_variants[users[index - 1].pk]
            source = graders.solve(question_spec(question=first_question, seed=prev.seed)).values
        keys = [k for k in values if k.startswith(("net_", "out_", "E_"))]
        answers = {k: repr(source[k]) for k in keys}
        if index % 3 == 1:  # forgot the bias
            answers["net_h1"] = repr(values["net_h1"] - spec["biases"][0][0])
        if index % 5 == 2:
            answers.pop("E_total", None)
        sheet_answers[user.pk] = answers
        reports[user.pk] = graders.grade(spec, answers, policy).to_dict()
    graded_seconds = time.perf_counter() - started

    rows = []
    for variant in variants:
        report = reports[variant.owner_id]
        for attempt in range(args.attempts):
            score = report["score"] if variant.assignment_id == first.pk else rng.random()
            score = max(0.0, score - 0.05 * (args.attempts - 1 - attempt) * rng.random())
            at = now - timedelta(days=2, minutes=args.attempts - attempt)
            rows.append(Submission(
                id=uuid.uuid4(), variant=variant, user_id=variant.owner_id,
                answers=sheet_answers.get(variant.owner_id, {}), status="graded", score=score,
                report={**report, "score": score}, attempt_number=attempt + 1, seed=variant.seed,
                penalty=0.0, final_score=score, created_at=at, enqueued_at=at, graded_at=at,
            ))
        if len(rows) >= 5000:
            Submission.objects.bulk_create(rows, batch_size=1000)
            rows = []
    Submission.objects.bulk_create(rows, batch_size=1000)
    homework_services.homework_variant(assignment=empty.assignments.order_by("pk").first(), student=lone)
    return {"course": course, "empty": empty, "instructor": instructor, "first": first, "student": users[0], "lone": lone,
            "empty_first": empty.assignments.order_by("pk").first(), "grading_seconds": graded_seconds}


def measure(label: str, full: Callable[[], Any], empty: Callable[[], Any], repeat: int) -> dict[str, Any]:
    """Query counts on both courses and median wall time on the full one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as empty_q:
        empty()
    with CaptureQueriesContext(connection) as full_q:
        full()
    times, empty_times = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        full()
        times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        empty()
        empty_times.append(time.perf_counter() - t0)
    return {"label": label, "queries": len(full_q.captured_queries), "empty_queries": len(empty_q.captured_queries),
            "median_ms": statistics.median(times) * 1000, "max_ms": max(times) * 1000,
            "empty_ms": statistics.median(empty_times) * 1000}


def main() -> None:
    """Build, measure, print, drop the database."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--attempts", type=int, default=10)
    parser.add_argument("--assignments", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    from exercises.courses.selectors import analytics as analytics_selectors
    from exercises.courses.selectors import gradebook as gradebook_selectors
    from exercises.courses.selectors import homework as homework_selectors
    from exercises.models import Submission

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    db_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        t0 = time.perf_counter()
        world = build(args)
        build_seconds = time.perf_counter() - t0
        course, empty, instructor = world["course"], world["empty"], world["instructor"]
        first, empty_first, student, lone = world["first"], world["empty_first"], world["student"], world["lone"]
        submissions = Submission.objects.count()
        vendor = connection.vendor
        print(f"database: {vendor} ({db_name})")
        print(f"built {args.students} students × {args.assignments} assignments × {args.attempts} attempts = "
              f"{submissions} graded submissions in {build_seconds:.1f} s "
              f"(real grader reports for HW 1: {world['grading_seconds']:.1f} s)")
        results = [
            measure("gradebook", lambda: gradebook_selectors.gradebook(course=course, user=instructor),
                    lambda: gradebook_selectors.gradebook(course=empty, user=instructor), args.repeat),
            measure("gradebook CSV", lambda: gradebook_selectors.gradebook_csv(course=course, user=instructor),
                    lambda: gradebook_selectors.gradebook_csv(course=empty, user=instructor), args.repeat),
            measure("analytics (HW 1)", lambda: analytics_selectors.assignment_analytics(assignment=first, user=instructor),
                    lambda: analytics_selectors.assignment_analytics(assignment=empty_first, user=instructor), args.repeat),
            measure("student: assignment list", lambda: homework_selectors.assignments_for_student(course=course, user=student),
                    lambda: homework_selectors.assignments_for_student(course=empty, user=lone), args.repeat),
            measure("student: homework state", lambda: homework_selectors.homework_state(assignment=first, student=student),
                    lambda: homework_selectors.homework_state(assignment=empty_first, student=lone), args.repeat),
            measure("drill-down (10 attempts)",
                    lambda: gradebook_selectors.submission_drilldown(assignment=first, student=student, viewer=instructor),
                    lambda: gradebook_selectors.submission_drilldown(assignment=empty_first, student=lone, viewer=instructor),
                    args.repeat),
        ]
        book = gradebook_selectors.gradebook(course=course)
        stats = analytics_selectors.assignment_analytics(assignment=first)
        print(f"gradebook: {len(book.rows)} rows × {len(book.assignments)} assignments; analytics: "
              f"{stats.students} students, {len(stats.misconceptions)} misconceptions, "
              f"{len(stats.copy_signals)} copying signals, histogram {stats.histogram}")
        print()
        print(f"{'read path':<28}{'queries':>8}{'empty':>7}{'median ms':>11}{'max ms':>9}{'empty ms':>10}")
        for r in results:
            print(f"{r['label']:<28}{r['queries']:>8}{r['empty_queries']:>7}{r['median_ms']:>11.1f}"
                  f"{r['max_ms']:>9.1f}{r['empty_ms']:>10.1f}")
        bad = [r["label"] for r in results if r["queries"] != r["empty_queries"]]
        if bad:
            print(f"\nQUERY COUNT GROWS WITH THE CLASS: {', '.join(bad)}")
            sys.exit(1)
        print("\nsame query count on the full and the empty course for every read path (no N+1)")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
