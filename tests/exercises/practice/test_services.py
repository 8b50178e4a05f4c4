"""Practice services: variants of a template and seed, submissions whose unreadable answers store nothing."""
from __future__ import annotations

from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from kombu.exceptions import OperationalError as KombuOperationalError

import graders
from exercises.practice import services as practice_services
from exercises.grading import store
from exercises.grading.variants import variant_spec
from exercises.models import Submission, Variant




from tests.exercises.grading_support import no_enqueue, reference_answers

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------------- variants


def test_variant_create_with_seed_is_reproducible():
    a = practice_services.variant_create(template="article", seed="abc-123_X")
    b = practice_services.variant_create(template="article", seed="abc-123_X")
    assert a.pk != b.pk
    assert variant_spec(variant=a) == variant_spec(variant=b) == graders.generate("article", "abc-123_X")
    assert a.kind == Variant.Kind.PRACTICE


def test_variant_create_random_seed_is_valid_and_stored():
    variant = practice_services.variant_create(template="article-random")
    assert practice_services.SEED_RE.fullmatch(variant.seed)
    assert Variant.objects.get(pk=variant.pk).seed == variant.seed


@pytest.mark.parametrize("template", ["nope", "", "x" * 65, "../article"])
def test_variant_create_unknown_template(template):
    with pytest.raises(ValidationError) as exc:
        practice_services.variant_create(template=template)
    assert exc.value.code == "unknown_template"
    assert Variant.objects.count() == 0


@pytest.mark.parametrize("seed", ["a b", "x" * 65, "é", "a/b", "<script>", "1;DROP"])
def test_variant_create_bad_seed(seed):
    with pytest.raises(ValidationError) as exc:
        practice_services.variant_create(template="article", seed=seed)
    assert exc.value.code == "invalid_seed"
    assert Variant.objects.count() == 0


def test_variant_owner_and_session(user):
    mine = practice_services.variant_create(template="article", owner=user, session_key="s1")
    assert mine.owner == user and mine.session_key == ""
    anon = practice_services.variant_create(template="article", session_key="s1")
    assert anon.owner is None and anon.session_key == "s1"


def test_validation_message_is_translated():
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        practice_services.variant_create(template="nope")
    assert "nope" in exc.value.messages[0]


# ------------------------------------------------------------------------------ submissions


def test_submission_create_stores_queued_and_enqueues_after_commit(django_capture_on_commit_callbacks):
    variant = practice_services.variant_create(template="article", seed="s")
    with mock.patch("exercises.grading.tasks.grade_submission.delay") as delay:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            submission = practice_services.submission_create(variant=variant, answers={"net_h1": "0.3775"})
        assert len(callbacks) == 1
        delay.assert_called_once_with(str(submission.id))
    submission.refresh_from_db()
    assert submission.status == Submission.Status.QUEUED
    assert submission.answers == {"net_h1": "0.3775"}
    assert submission.enqueue_count == 1 and submission.enqueued_at is not None


def test_submission_create_eager_grades_everything_correct(django_capture_on_commit_callbacks):
    variant = practice_services.variant_create(template="article", seed="s")
    with django_capture_on_commit_callbacks(execute=True):
        submission = practice_services.submission_create(variant=variant, answers=reference_answers(variant))
    submission.refresh_from_db()
    assert submission.status == Submission.Status.GRADED
    assert submission.score == pytest.approx(1.0)
    assert submission.attempt_number == 1
    assert all(p["status"] == "correct" for p in submission.report["parts"].values())


def test_format_errors_store_nothing():
    variant = practice_services.variant_create(template="article", seed="s")
    answers = {
        "net_h1": "0.3775",
        "out_h1": "zero point six",
        "net_o1": "w1 +",
        "E_total": "net_h1 * 2",  # a quantity the exercise asks for
        "w1_new": "1e999",
    }
    with no_enqueue() as enqueue, pytest.raises(store.SubmissionFormatError) as exc:
        practice_services.submission_create(variant=variant, answers=answers)
    assert set(exc.value.errors) == {"out_h1", "net_o1", "E_total", "w1_new"}
    assert exc.value.errors["E_total"][0] == "forbidden_name"
    assert exc.value.errors["w1_new"][0] in {"not_finite", "overflow"}
    assert Submission.objects.count() == 0
    enqueue.assert_not_called()
    messages = exc.value.messages("zh-hans")
    assert all(messages.values())
    assert messages["E_total"] != exc.value.messages("en")["E_total"]


def test_too_long_and_non_string_answers_are_format_errors():
    variant = practice_services.variant_create(template="article", seed="s")
    with no_enqueue(), pytest.raises(store.SubmissionFormatError) as exc:
        practice_services.submission_create(variant=variant, answers={"net_h1": "1" * 5000, "out_h1": 3.5, "net_h2": ["x"]})
    assert exc.value.errors["net_h1"][0] == "too_long"
    assert exc.value.errors["out_h1"][0] == "syntax"
    assert exc.value.errors["net_h2"][0] == "syntax"
    assert Submission.objects.count() == 0


def test_unknown_keys_are_stripped_and_blank_answers_ignored():
    variant = practice_services.variant_create(template="article", seed="s")
    with no_enqueue():
        submission = practice_services.submission_create(
            variant=variant,
            answers={"net_h1": " 0.3775 ", "bogus": "1", "__proto__": "x", "out_h1": "   ", "net_h2": None},
        )
    assert submission.answers == {"net_h1": " 0.3775 "}


@pytest.mark.parametrize("answers", [{}, {"bogus": "1"}, {"net_h1": ""}, {"net_h1": "  "}])
def test_no_answers_is_a_validation_error(answers):
    variant = practice_services.variant_create(template="article", seed="s")
    with no_enqueue(), pytest.raises(ValidationError):
        practice_services.submission_create(variant=variant, answers=answers)
    assert Submission.objects.count() == 0


def test_expressions_and_full_width_digits_are_accepted():
    variant = practice_services.variant_create(template="article", seed="s")
    with no_enqueue():
        submission = practice_services.submission_create(
            variant=variant, answers={"net_h1": "w1*i1 + w2*i2 + b1", "out_h1": "０．５９３２６９９９２"}
        )
    assert set(submission.answers) == {"net_h1", "out_h1"}


def test_broker_down_keeps_submission_queued(caplog, django_capture_on_commit_callbacks):
    variant = practice_services.variant_create(template="article", seed="s")
    with mock.patch("exercises.grading.tasks.grade_submission.delay", side_effect=KombuOperationalError("down")):
        with django_capture_on_commit_callbacks(execute=True):
            submission = practice_services.submission_create(variant=variant, answers={"net_h1": "0.3775"})
    submission.refresh_from_db()
    assert submission.status == Submission.Status.QUEUED
    assert "stays queued" in caplog.text


def test_anonymous_user_object_is_treated_as_no_user():
    from django.contrib.auth.models import AnonymousUser

    variant = practice_services.variant_create(template="article", seed="s", owner=AnonymousUser(), session_key="k")
    with no_enqueue():
        submission = practice_services.submission_create(
            variant=variant, answers={"net_h1": "1"}, user=AnonymousUser(), session_key="k"
        )
    assert variant.owner is None and submission.user is None and submission.session_key == "k"


def test_practice_refuses_the_seeds_of_homework_variants_and_their_submissions(user):
    from tests.exercises.homework_support import enroll, make_assignment, make_instructor
    from exercises.courses.services import courses as course_services
    from exercises.courses.services import homework as homework_services

    instructor = make_instructor("prof_seeds")
    course = course_services.course_create(title="Seeds", instructor=instructor)
    enroll(course, user)
    homework = homework_services.homework_variant(assignment=make_assignment(course, instructor), student=user)
    with pytest.raises(ValidationError) as refused:  # today's homework seeds are outside practice's alphabet
        practice_services.variant_create(template=homework.template, seed=homework.seed)
    assert refused.value.code == "invalid_seed"
    Variant.objects.filter(pk=homework.pk).update(seed="00112233aabbccdd")  # a seed from before hw:…
    Submission.objects.create(variant=homework, user=user, answers={}, seed="ffeeddccbbaa9988")
    for seed in ("00112233aabbccdd", "ffeeddccbbaa9988"):
        with pytest.raises(ValidationError) as refused:
            practice_services.variant_create(template=homework.template, seed=seed)
        assert refused.value.code == "reserved_seed"
    assert practice_services.variant_create(template=homework.template, seed="00112233aabbccde").kind == "practice"
