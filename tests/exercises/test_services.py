"""Service tests: variants, format errors store nothing, idempotent and concurrent grading, sweep."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError, close_old_connections, connection
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

import graders
from exercises.grading import pipeline
from exercises.practice import selectors as practice_selectors
from exercises.practice import services as practice_services
from exercises.grading import specs
from exercises.grading import store
from exercises.grading import sweep
from exercises.api import tokens
from exercises.grading.variants import variant_spec
from exercises.models import Submission, Variant

pytestmark = pytest.mark.django_db


def reference_answers(variant: Variant) -> dict[str, str]:
    """Every part answered with the reference value."""
    solution = graders.solve(variant_spec(variant=variant))
    return {part.key: repr(solution.values[part.key]) for part in solution.parts}


def no_enqueue():
    return mock.patch("exercises.grading.enqueue.enqueue_grading", return_value=True)


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


# --------------------------------------------------------------------------------- grading


def make_queued(variant: Variant | None = None, answers: dict[str, str] | None = None, **kw) -> Submission:
    variant = variant or practice_services.variant_create(template="article", seed="s")
    with no_enqueue():
        return practice_services.submission_create(variant=variant, answers=answers or reference_answers(variant), **kw)


def test_grade_is_idempotent():
    submission = make_queued()
    assert pipeline.submission_grade(submission_id=submission.id) is True
    first = Submission.objects.get(pk=submission.pk)
    assert first.status == Submission.Status.GRADED
    assert pipeline.submission_grade(submission_id=str(submission.id)) is False
    again = Submission.objects.get(pk=submission.pk)
    assert (again.status, again.graded_at, again.attempt_number, again.report) == (
        first.status,
        first.graded_at,
        first.attempt_number,
        first.report,
    )


@pytest.mark.parametrize("bad", [str(uuid.uuid4()), "not-a-uuid", "", None, 12, "'; DROP TABLE x"])
def test_grade_unknown_or_malformed_ids_return_cleanly(bad):
    assert pipeline.submission_grade(submission_id=bad) is False


def test_grade_deleted_submission():
    submission = make_queued()
    Submission.objects.filter(pk=submission.pk).delete()
    assert pipeline.submission_grade(submission_id=submission.id) is False


def test_attempts_counted_once_in_grading_order():
    variant = practice_services.variant_create(template="article", seed="s")
    subs = [make_queued(variant) for _ in range(3)]
    for sub in subs:
        pipeline.submission_grade(submission_id=sub.id)
        pipeline.submission_grade(submission_id=sub.id)  # redelivery
    numbers = sorted(Submission.objects.filter(variant=variant).values_list("attempt_number", flat=True))
    assert numbers == [1, 2, 3]


def test_claim_held_by_another_copy_blocks_until_stale(settings):
    submission = make_queued()
    token = uuid.uuid4()
    assert pipeline._claim(submission.pk, token)
    # a second copy while the first is grading: nothing to do
    assert pipeline.submission_grade(submission_id=submission.id) is False
    assert Submission.objects.get(pk=submission.pk).status == Submission.Status.GRADING
    # the first copy's worker died: once the claim is stale another copy takes over
    Submission.objects.filter(pk=submission.pk).update(
        grading_started_at=timezone.now() - timedelta(seconds=settings.BPCOURSE_GRADING_STALE_SECONDS + 1)
    )
    assert pipeline.submission_grade(submission_id=submission.id) is True
    # the first copy comes back late: it no longer holds the claim and stores nothing
    assert not pipeline._finish(
        submission.pk, submission.variant_id, token, status=Submission.Status.ERROR, error_reason="late"
    )
    final = Submission.objects.get(pk=submission.pk)
    assert final.status == Submission.Status.GRADED and final.attempt_number == 1 and final.error_reason == ""


def test_grader_exception_gives_error_status_with_reason():
    submission = make_queued()
    with mock.patch("exercises.grading.pipeline.graders.grade", side_effect=ZeroDivisionError("boom")):
        pipeline.submission_grade(submission_id=submission.id)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.ERROR
    assert submission.error_reason == pipeline.ERROR_GRADER_FAILED
    assert submission.attempt_number is None and submission.score is None


def test_soft_time_limit_gives_error_status():
    from celery.exceptions import SoftTimeLimitExceeded

    submission = make_queued()
    with mock.patch("exercises.grading.pipeline.graders.grade", side_effect=SoftTimeLimitExceeded()):
        pipeline.submission_grade(submission_id=submission.id)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.ERROR
    assert submission.error_reason == pipeline.ERROR_GRADER_TIMEOUT


def test_unknown_template_gives_error_status():
    submission = make_queued()
    Variant.objects.filter(pk=submission.variant_id).update(template="removed-template")
    specs._generate.cache_clear()
    pipeline.submission_grade(submission_id=submission.id)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.ERROR
    assert submission.error_reason == pipeline.ERROR_VARIANT_BROKEN


def test_database_error_releases_the_claim():
    submission = make_queued()
    with mock.patch("exercises.grading.pipeline._finish", side_effect=OperationalError("db gone")):
        with pytest.raises(OperationalError):
            pipeline.submission_grade(submission_id=submission.id)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.QUEUED and submission.claim_token is None
    assert pipeline.submission_grade(submission_id=submission.id) is True


def test_partial_answers_score_and_followthrough():
    variant = practice_services.variant_create(template="article", seed="s")
    solution = graders.solve(variant_spec(variant=variant))
    wrong_net = solution.values["net_h1"] + 0.1
    import math

    answers = {"net_h1": repr(wrong_net), "out_h1": repr(1 / (1 + math.exp(-wrong_net)))}
    submission = make_queued(variant, answers)
    pipeline.submission_grade(submission_id=submission.id)
    submission.refresh_from_db()
    parts = submission.report["parts"]
    assert parts["net_h1"]["status"] == "incorrect"
    assert parts["out_h1"]["status"] == "followthrough"
    assert parts["E_total"]["status"] == "missing"
    assert 0 < submission.score < 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_copies_yield_one_result():
    """Several threads grade the same submissions at once: one result each, attempts 1..n."""
    if connection.vendor == "sqlite":
        pass  # IMMEDIATE transactions serialise writers; the claim still decides
    variant = practice_services.variant_create(template="article", seed="s")
    subs = [make_queued(variant) for _ in range(12)]
    results: list[bool] = []
    lock = threading.Lock()
    barrier = threading.Barrier(4)

    def worker() -> None:
        try:
            barrier.wait()
            for sub in subs:
                out = pipeline.submission_grade(submission_id=sub.id)
                with lock:
                    results.append(out)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == len(subs)
    numbers = sorted(Submission.objects.filter(variant=variant).values_list("attempt_number", flat=True))
    assert numbers == list(range(1, len(subs) + 1))
    assert set(Submission.objects.values_list("status", flat=True)) == {Submission.Status.GRADED}


# ----------------------------------------------------------------------------------- sweep


def age(submission: Submission, seconds: float, *, grading: bool = False) -> None:
    past = timezone.now() - timedelta(seconds=seconds)
    fields = {"enqueued_at": past, "created_at": past}
    if grading:
        fields.update(status=Submission.Status.GRADING, grading_started_at=past, claim_token=uuid.uuid4())
    Submission.objects.filter(pk=submission.pk).update(**fields)


def test_sweep_reenqueues_stale_queued_and_grading_only():
    variant = practice_services.variant_create(template="article", seed="s")
    fresh, old, stuck, recent_grading, done = (make_queued(variant) for _ in range(5))
    age(old, 60)
    age(stuck, 60, grading=True)
    age(recent_grading, 1, grading=True)
    pipeline.submission_grade(submission_id=done.id)
    age(done, 60)
    with mock.patch("exercises.grading.enqueue.enqueue_grading", return_value=True) as enqueue:
        sent = sweep.submission_sweep(older_than_seconds=30)
    assert sent == 2
    assert sorted(c.args[0] for c in enqueue.call_args_list) == sorted([str(old.id), str(stuck.id)])
    old.refresh_from_db()
    assert old.enqueue_count == 2
    # re-sent just now: the next sweep leaves them alone
    with mock.patch("exercises.grading.enqueue.enqueue_grading", return_value=True) as enqueue:
        assert sweep.submission_sweep(older_than_seconds=30) == 0
    # a stuck claim is taken over by the re-sent task
    assert pipeline.submission_grade(submission_id=stuck.id) is True
    assert fresh.pk


def test_sweep_stops_when_broker_is_down():
    variant = practice_services.variant_create(template="article", seed="s")
    subs = [make_queued(variant) for _ in range(3)]
    for sub in subs:
        age(sub, 60)
    with mock.patch("exercises.grading.enqueue.enqueue_grading", return_value=False) as enqueue:
        assert sweep.submission_sweep(older_than_seconds=30) == 0
    assert enqueue.call_count == 1
    assert set(Submission.objects.values_list("enqueue_count", flat=True)) == {1}


def test_sweep_eager_grades(settings):
    sub = make_queued()
    age(sub, 60)
    assert sweep.submission_sweep(older_than_seconds=30) == 1
    sub.refresh_from_db()
    assert sub.status == Submission.Status.GRADED


# -------------------------------------------------------------------------------- selectors


def test_submission_get_for_viewer(user, other_user):
    variant = practice_services.variant_create(template="article", seed="s", owner=user)
    mine = make_queued(variant, user=user)
    anon_variant = practice_services.variant_create(template="article", seed="s", session_key="sess-a")
    anon = make_queued(anon_variant, session_key="sess-a")
    get = practice_selectors.submission_get_for_viewer
    assert get(submission_id=mine.id, user=user, session_key="") == mine
    assert get(submission_id=mine.id, user=other_user, session_key="") is None
    assert get(submission_id=str(anon.id), user=None, session_key="sess-a") == anon
    assert get(submission_id=anon.id, user=None, session_key="sess-b") is None
    assert get(submission_id=anon.id, user=None, session_key="") is None
    assert get(submission_id="garbage", user=user, session_key="") is None
    assert get(submission_id=mine.id, user=other_user, session_key="", public_practice=True) == mine

    from exercises.courses import services as hw
    from tests.exercises.homework_support import enroll, make_assignment, make_user

    instructor = make_user("prof")
    course = hw.course_create(title="Course", instructor=instructor)
    enroll(course, user)
    homework_variant = hw.homework_variant(assignment=make_assignment(course, instructor), student=user)
    homework = Submission.objects.create(variant=homework_variant, user=user, answers={"net_h1": "0.3"})
    assert get(submission_id=homework.id, user=user, session_key="") is None
    assert get(submission_id=homework.id, user=other_user, session_key="", public_practice=True) is None


def test_variant_get_for_viewer(user, other_user):
    variant = practice_services.variant_create(template="article", seed="s", owner=user)
    get = practice_selectors.variant_get_for_viewer
    assert get(variant_id=variant.id, user=user, session_key=None) == variant
    assert get(variant_id=variant.id, user=other_user, session_key=None) is None
    assert get(variant_id=variant.id, user=other_user, session_key=None, public_practice=True) == variant
    assert get(variant_id=uuid.uuid4(), user=user, session_key=None) is None


def test_practice_history(user, other_user):
    from django.contrib.auth.models import AnonymousUser

    variant = practice_services.variant_create(template="article", seed="s", owner=user)
    a = make_queued(variant, user=user)
    b = make_queued(variant, user=user)
    make_queued(practice_services.variant_create(template="article", seed="t", owner=other_user), user=other_user)
    assert list(practice_selectors.practice_history(user=user)) == [b, a]
    assert list(practice_selectors.practice_history(user=AnonymousUser())) == []


def test_api_tokens(user):
    token, raw = tokens.api_token_create(user=user, name="laptop")
    assert raw.startswith("bpc_") and token.token_hash != raw
    assert tokens.api_token_get(raw_token=raw) == token
    assert tokens.api_token_get(raw_token=raw + "x") is None
    tokens.api_token_revoke(token=token)
    assert tokens.api_token_get(raw_token=raw) is None
