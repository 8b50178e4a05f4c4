"""The pipeline keeps each practice variant's reveal state (exercises.grading.reveal) in the
transaction that stores a grade: parts answered correctly, wrong answers per part."""

from __future__ import annotations

import pytest

from exercises.grading import pipeline
from exercises.grading.reveal import reveal_reasons, revealed_parts
from exercises.models import Submission, Variant
from exercises.practice import services as practice_services

from tests.exercises.grading_support import make_queued, reference_answers

pytestmark = pytest.mark.django_db


def grade(variant: Variant, answers: dict[str, str]) -> Submission:
    submission = make_queued(variant, answers)
    assert pipeline.submission_grade(submission_id=submission.pk)
    return submission


def test_grading_records_correct_parts_and_counts_wrong_ones(settings):
    settings.BPCOURSE_REVEAL_AFTER_WRONG = 2
    variant = practice_services.variant_create(template="article-random", seed="state")
    right = reference_answers(variant)
    grade(variant, {"net_h1": right["net_h1"], "out_h1": "0.1"})
    variant.refresh_from_db()
    assert variant.solved_parts == ["net_h1"] and variant.wrong_counts == {"out_h1": 1}
    assert revealed_parts(variant) == {"net_h1"}
    grade(variant, {"out_h1": "0.2", "net_h2": "0.3"})
    variant.refresh_from_db()
    assert variant.wrong_counts == {"out_h1": 2, "net_h2": 1}
    assert reveal_reasons(variant) == {"net_h1": "solved", "out_h1": "wrong"}
    # A later correct answer is the reason that counts; blanks count neither way.
    grade(variant, {"net_h2": right["net_h2"]})
    variant.refresh_from_db()
    assert reveal_reasons(variant) == {"net_h1": "solved", "out_h1": "wrong", "net_h2": "solved"}


def test_a_regrade_of_the_same_submission_is_not_counted_twice():
    variant = practice_services.variant_create(template="article-random", seed="twice")
    submission = grade(variant, {"out_h1": "0.1"})
    assert not pipeline.submission_grade(submission_id=submission.pk)  # already graded: nothing stored
    variant.refresh_from_db()
    assert variant.wrong_counts == {"out_h1": 1}


def test_homework_variants_keep_no_practice_state():
    variant = Variant(kind=Variant.Kind.HOMEWORK, solved_parts=["net_h1"], revealed_parts=["out_h1"])
    assert reveal_reasons(variant) == {} and revealed_parts(variant) == frozenset()
