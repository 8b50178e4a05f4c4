"""The problem-set migration: every one-exercise assignment becomes a one-question set, and a
variant drawn before it keeps its seed, its frozen numbers and its submissions' numbers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

import graders
from exercises.courses.config import question_spec
from exercises.grading.numbers import spec_digest
from exercises.grading.variants import submission_spec, variant_spec
from exercises.models import Question, Submission, Variant

BEFORE = [("exercises", "0015_lti")]
AFTER = [("exercises", "0016_sets")]


def migrate(targets: list[tuple[str, str]]) -> object:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_a_variant_drawn_before_the_migration_keeps_its_seed_and_frozen_numbers():
    old = migrate(BEFORE)
    User = old.get_model("auth", "User")
    Course = old.get_model("exercises", "Course")
    Assignment = old.get_model("exercises", "Assignment")
    OldVariant = old.get_model("exercises", "Variant")
    OldSubmission = old.get_model("exercises", "Submission")
    FrozenSpec = old.get_model("exercises", "FrozenSpec")
    student = User.objects.create(username="early")
    course = Course.objects.create(title="Before sets", code="BEFORE23")
    now = timezone.now()
    config = {"layers": [2, 3, 1], "activations": ["tanh", "sigmoid"]}
    assignment = Assignment.objects.create(
        course=course, title="One exercise", template_config=config, parts=["net_h1", "out_h1"],
        points={"net_h1": 2.0}, tolerance={"kind": "relative", "value": 0.01}, followthrough=False,
        followthrough_credit=0.5, opens_at=now - timedelta(days=1), due_at=now + timedelta(days=1),
    )
    seed = "hw:0123456789abcdef"
    spec = graders.generate(graders.template_from_dict(config), seed)
    frozen = FrozenSpec.objects.create(digest=spec_digest(spec), spec=spec)
    variant = OldVariant.objects.create(template="custom", seed=seed, owner=student, kind="homework",
                                        assignment=assignment, numbers=frozen, generator_version="old")
    submission = OldSubmission.objects.create(variant=variant, user=student, answers={"net_h1": "0.1"},
                                              status="graded", score=0.5, final_score=0.5, seed=seed,
                                              numbers=frozen)

    migrate(AFTER)
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())  # and whatever comes later

    question = Question.objects.get(assignment_id=assignment.pk)
    assert (question.position, question.member) == (1, 1)
    assert question.template_config == config and question.parts == ["net_h1", "out_h1"]
    assert question.points == {"net_h1": 2.0} and question.tolerance == {"kind": "relative", "value": 0.01}
    assert (question.followthrough, question.followthrough_credit) == (False, 0.5)
    moved = Variant.objects.get(pk=variant.pk)
    assert (moved.question_id, moved.position, moved.seed, moved.numbers_id) == (question.pk, 1, seed, frozen.pk)
    assert variant_spec(variant=moved) == spec == question_spec(question=question, seed=seed)
    assert submission_spec(submission=Submission.objects.get(pk=submission.pk)) == spec
