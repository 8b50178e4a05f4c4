"""A student's numbers never change under them: a variant's numbers are frozen when it is
created, so a later code change (a misconception removed, a template's ranges changed) leaves
every existing variant's numbers, expected values and grades as they were; new variants use the
new code."""

from __future__ import annotations

import dataclasses

import pytest

import graders
from exercises.courses import config as course_config
from exercises.grading import numbers, pipeline, specs
from exercises.grading.variants import variant_solution, variant_spec
from exercises.models import FrozenSpec, Submission, Variant
from exercises.practice import services as practice_services
from graders import grading as grader_grading
from graders import mistakes
from graders.variants import Grid
from tests.exercises.grading_support import no_enqueue

pytestmark = pytest.mark.django_db

SEEDS = [f"seed-{n}" for n in range(25)]


def reference_text(values: dict[str, float], keys: list[str]) -> dict[str, str]:
    return {key: repr(values[key]) for key in keys}


def grade_answers(variant: Variant, answers: dict[str, str]) -> Submission:
    with no_enqueue():
        submission = practice_services.submission_create(variant=variant, answers=answers)
    pipeline.submission_grade(submission_id=submission.id)
    submission.refresh_from_db()
    return submission


def clear_generation_caches() -> None:
    """Forget what the old code drew, so that only stored numbers can carry it over."""
    specs._generate.cache_clear()
    numbers.template_numbers_id.cache_clear()
    course_config._spec_for.cache_clear()
    course_config._template_for.cache_clear()
    course_config._part_infos.cache_clear()
    grader_grading._variant.cache_clear()
    grader_grading._variant_of_spec.cache_clear()


@pytest.fixture
def changed_code(monkeypatch):
    """Remove one misconception and move article-random's ranges, as a later release might."""

    def change() -> None:
        kept = [m for m in mistakes.MISTAKES if m.key != "one_output_path"]
        assert len(kept) == len(mistakes.MISTAKES) - 1
        monkeypatch.setattr(mistakes, "MISTAKES", kept)
        monkeypatch.setattr(mistakes, "MISTAKES_BY_KEY", {m.key: m for m in kept})
        template = graders.TEMPLATES["article-random"]
        moved = dataclasses.replace(template, weights=Grid(0.5, 1.5), inputs=Grid(1.0, 2.0))
        monkeypatch.setitem(graders.TEMPLATES, "article-random", moved)
        clear_generation_caches()

    yield change
    clear_generation_caches()


def test_variants_keep_their_numbers_expected_values_and_grades_after_a_code_change(changed_code):
    before = {}
    for seed in SEEDS:
        variant = practice_services.variant_create(template="article-random", seed=seed)
        solution = variant_solution(variant=variant)
        keys = [p.key for p in solution.parts]
        graded = grade_answers(variant, reference_text(solution.values, keys))
        assert graded.score == 1.0
        before[variant.pk] = (variant_spec(variant=variant), dict(solution.values), graded.report, keys)

    changed_code()

    for variant_id, (spec, values, report, keys) in before.items():
        variant = Variant.objects.get(pk=variant_id)
        assert variant_spec(variant=variant) == spec
        assert dict(variant_solution(variant=variant).values) == values
        assert Submission.objects.get(variant=variant).report == report  # stored grades untouched
        regraded = grade_answers(variant, reference_text(values, keys))  # the old numbers still grade right
        assert regraded.score == 1.0
        assert {k: p["expected"] for k, p in regraded.report["parts"].items()} == {
            k: p["expected"] for k, p in report["parts"].items()
        }


def test_new_variants_use_the_new_code(changed_code):
    old = [practice_services.variant_create(template="article-random", seed=seed) for seed in SEEDS]
    changed_code()
    new = [practice_services.variant_create(template="article-random", seed=seed) for seed in SEEDS]
    for before, after in zip(old, new, strict=True):
        assert variant_spec(variant=after) != variant_spec(variant=before)
        assert all(1.0 <= value <= 2.0 for value in variant_spec(variant=after)["inputs"])


def test_numbers_are_stored_once_with_the_generator_version():
    first = practice_services.variant_create(template="article", seed="a")
    second = practice_services.variant_create(template="article", seed="b")  # the article's fixed numbers
    assert first.numbers_id == second.numbers_id and FrozenSpec.objects.count() == 1
    assert first.generator_version == graders.GENERATOR_VERSION
    assert FrozenSpec.objects.get().spec == graders.generate("article", "a")


def test_homework_keeps_its_numbers_through_a_code_change_a_regrade_and_a_reseed(
    changed_code, django_capture_on_commit_callbacks
):
    from exercises.courses.services import homework as homework_services
    from exercises.courses.services import regrade as regrade_services
    from exercises.models import RegradeJob
    from tests.exercises.homework_support import (enroll, make_assignment, make_instructor, make_user,
                                                  reference_answers, submit)

    from exercises.courses.services import courses as course_services

    instructor, student = make_instructor("prof"), make_user("student")
    course = course_services.course_create(title="Course", instructor=instructor)
    enroll(course, student)
    assignment = make_assignment(course, instructor)  # article-random
    variant = homework_services.homework_variant(assignment=assignment, student=student)
    spec = variant_spec(variant=variant)
    answers = reference_answers(variant)
    first = submit(django_capture_on_commit_callbacks, assignment, student, answers)
    assert first.score == 1.0

    changed_code()

    variant.refresh_from_db()
    assert variant_spec(variant=variant) == spec
    assert submit(django_capture_on_commit_callbacks, assignment, student, answers).score == 1.0
    with django_capture_on_commit_callbacks(execute=True):
        job = regrade_services.regrade_preview(
            assignment=assignment, actor=instructor, new_settings={"points": {"net_h1": 2}}
        )
    job.refresh_from_db()
    assert job.status == RegradeJob.Status.PREVIEW_READY and job.total == 2 and job.changes == []

    reseeded = homework_services.homework_reseed(assignment=assignment, student=student, actor=instructor)
    assert variant_spec(variant=reseeded) != spec  # re-seeding is the one way to new numbers
    first.refresh_from_db()
    assert first.numbers.spec == spec and first.score == 1.0
