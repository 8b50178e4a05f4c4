"""Writes (HackSoft style): variants, submissions, grading, the sweep, API tokens.

Grading is exactly-once at the database level: a task first *claims* a submission with one
conditional UPDATE (queued → grading, with a fresh claim token), grades outside any transaction,
and stores the result with a second conditional UPDATE that only the holder of the claim can
make. Redelivered or duplicated tasks find nothing to claim and return; a copy whose worker died
mid-grade leaves a stale claim that another copy may take over after
BPCOURSE_GRADING_STALE_SECONDS. Works the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import uuid
from collections.abc import Mapping
from datetime import timedelta
from functools import lru_cache
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext_lazy as _

import graders

from .models import ApiToken, Submission, Variant, hash_token

logger = logging.getLogger(__name__)

SEED_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
MAX_ANSWER_KEYS = 200

# Stored in Submission.error_reason (English message ids, translated when shown).
ERROR_GRADER_FAILED = gettext_noop(
    "The grader could not grade this submission because of an internal error. "
    "Your answers are saved; please submit them again or tell the course staff."
)
ERROR_GRADER_TIMEOUT = gettext_noop(
    "Grading this submission took too long and was stopped. Please submit again."
)
ERROR_VARIANT_BROKEN = gettext_noop(
    "This exercise can no longer be generated (its network type was removed). "
    "Please start a new variant."
)


class SubmissionFormatError(Exception):
    """Answers that cannot be read; nothing was stored and no attempt was counted."""

    def __init__(self, errors: Mapping[str, tuple[str, dict[str, Any]]]) -> None:
        self.errors: dict[str, tuple[str, dict[str, Any]]] = dict(errors)
        super().__init__(self.errors)

    def messages(self, language: str | None = None) -> dict[str, str]:
        """One student-facing message per part key, in the language (default: the active one)."""
        language = language or get_language() or "en"
        return {
            key: graders.messages.answer_error_message(code, params, language)
            for key, (code, params) in self.errors.items()
        }


# --------------------------------------------------------------------------------- variants


@lru_cache(maxsize=1024)
def _generate(template: str, seed: str) -> dict[str, Any]:
    return graders.generate(template, seed)


def variant_spec(*, template: str, seed: str) -> dict[str, Any]:
    """The network spec for a template and seed (deterministic, cached per process)."""
    return _generate(template, seed)


def variant_solution(*, variant: Variant) -> Any:
    """The grader's reference solution for a variant (cached by the grader)."""
    return graders.solve(variant.spec)


def seed_validate(seed: str) -> str:
    """Return the seed if it is 1–64 characters of [A-Za-z0-9_-], else raise ValidationError."""
    if not isinstance(seed, str) or not SEED_RE.fullmatch(seed):
        raise ValidationError(
            _("A seed is 1 to 64 characters: letters, digits, “-” and “_”."), code="invalid_seed"
        )
    return seed


def template_validate(template: str) -> str:
    """Return the template name if the grader knows it, else raise ValidationError."""
    if not isinstance(template, str) or template not in graders.TEMPLATES:
        raise ValidationError(
            _("Unknown network type “%(template)s”."),
            code="unknown_template",
            params={"template": str(template)[:64]},
        )
    return template


def variant_create(
    *,
    template: str,
    seed: str | None = None,
    owner: AbstractBaseUser | None = None,
    session_key: str = "",
    kind: str = Variant.Kind.PRACTICE,
) -> Variant:
    """Create a variant of a template; a random seed when none is given."""
    template_validate(template)
    seed = secrets.token_urlsafe(12) if seed is None or seed == "" else seed_validate(seed)
    if owner is not None and not owner.is_authenticated:
        owner = None
    variant = Variant(
        template=template,
        seed=seed,
        owner=owner,
        session_key="" if owner is not None else (session_key or ""),
        kind=kind,
    )
    variant.full_clean()
    variant.save(force_insert=True)
    return variant


# ------------------------------------------------------------------------------ submissions


def _clean_answers(*, variant: Variant, answers: Mapping[Any, Any]) -> dict[str, str]:
    """Keep known part keys with string values; raise SubmissionFormatError for unreadable ones."""
    if not isinstance(answers, Mapping):
        raise ValidationError(_("Answers must be an object of part keys to texts."), code="invalid")
    solution = variant_solution(variant=variant)
    part_keys = [part.key for part in solution.parts]
    known = set(part_keys)
    max_chars = settings.BPCOURSE_MAX_ANSWER_CHARS
    kept: dict[str, str] = {}
    errors: dict[str, tuple[str, dict[str, Any]]] = {}
    for key in part_keys:  # teaching order; unknown keys are dropped
        if key not in answers:
            continue
        text = answers[key]
        if text is None:
            continue
        if not isinstance(text, str):
            errors[key] = ("syntax", {})
            continue
        if not text.strip():
            continue
        if len(text) > max_chars:
            errors[key] = ("too_long", {"max": max_chars})
            continue
        try:
            graders.parse_answer(text, names=solution.givens, forbidden=known)
        except graders.AnswerError as err:
            errors[key] = (err.code, dict(err.params))
            continue
        kept[key] = text
    if errors:
        raise SubmissionFormatError(errors)
    if not kept:
        raise ValidationError(_("Answer at least one part before submitting."), code="empty")
    return kept


def _enqueue_grading(submission_id: str) -> bool:
    """Send the grading task; on a broker failure log it and return False (the sweep retries)."""
    from .tasks import grade_submission

    try:
        grade_submission.delay(submission_id)
    except Exception as exc:  # kombu/redis/OS errors alike: the submission is safe in the database
        logger.warning(
            "broker unreachable (%s: %s): submission %s stays queued for the sweep",
            type(exc).__name__,
            exc,
            submission_id,
        )
        return False
    return True


def submission_create(
    *,
    variant: Variant,
    answers: Mapping[str, Any],
    user: AbstractBaseUser | None = None,
    session_key: str = "",
) -> Submission:
    """Check the answers' format, store the submission as queued and enqueue its grading."""
    if user is not None and not user.is_authenticated:
        user = None
    if variant.kind == Variant.Kind.HOMEWORK:  # deadlines, attempts: homework_services.homework_submit
        raise ValidationError(_("Homework is submitted on its assignment's page."), code="homework")
    kept = _clean_answers(variant=variant, answers=answers)
    now = timezone.now()
    submission = Submission(
        variant=variant,
        user=user,
        session_key="" if user is not None else (session_key or ""),
        answers=kept,
        status=Submission.Status.QUEUED,
        created_at=now,
        enqueued_at=now,
        enqueue_count=1,
    )
    # One INSERT is atomic by itself (no BEGIN/COMMIT round trips); called inside a caller's
    # transaction, the enqueue still waits for that transaction's commit.
    submission.save(force_insert=True)
    # Same as grade_submission.delay_on_commit(), but a broker failure is caught (never a 500):
    # the submission stays queued and the sweep enqueues it once the broker is back.
    submission_id = str(submission.id)
    transaction.on_commit(lambda: _enqueue_grading(submission_id))
    return submission


def _grading_policy(variant: Variant) -> graders.Policy:
    """The grading policy for a variant (practice: the grader's defaults; homework: its assignment's)."""
    if variant.assignment_id is not None:
        return variant.assignment.policy()
    return graders.Policy()


# The grading hot path uses a few hand-written statements (portable: PostgreSQL and SQLite
# ≥ 3.35 both have UPDATE … RETURNING): the ORM's query building cost more CPU than grading.
_S = Submission._meta


def _col(name: str) -> str:
    return connection.ops.quote_name(_S.get_field(name).column)


def _prep(name: str, value: Any) -> Any:
    """A Python value adapted for a Submission column in a raw query."""
    return None if value is None else _S.get_field(name).get_db_prep_save(value, connection)


def _claim(submission_id: uuid.UUID, token: uuid.UUID) -> tuple[uuid.UUID, dict[str, Any]] | None:
    """Atomically take queued (or stale grading) → grading; (variant id, answers) if we got it."""
    now = timezone.now()
    stale_before = now - timedelta(seconds=settings.BPCOURSE_GRADING_STALE_SECONDS)
    status, started = _col("status"), _col("grading_started_at")
    sql = (
        f"UPDATE {connection.ops.quote_name(_S.db_table)} "
        f"SET {status} = %s, {started} = %s, {_col('claim_token')} = %s "
        f"WHERE {_col('id')} = %s AND ({status} = %s OR ({status} = %s AND {started} < %s)) "
        f"RETURNING {_col('variant')}, {_col('answers')}"
    )
    grading = Submission.Status.GRADING
    params = [
        grading, _prep("grading_started_at", now), _prep("claim_token", token), _prep("id", submission_id),
        Submission.Status.QUEUED, grading, _prep("grading_started_at", stale_before),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    variant_id, answers = row
    if isinstance(answers, str | bytes):
        answers = json.loads(answers)
    return uuid.UUID(str(variant_id)), answers


def _release(submission_id: uuid.UUID, token: uuid.UUID) -> None:
    """Give a claim back (grading → queued) after a database error, best effort."""
    try:
        Submission.objects.filter(
            pk=submission_id, status=Submission.Status.GRADING, claim_token=token
        ).update(status=Submission.Status.QUEUED, claim_token=None, grading_started_at=None)
    except DatabaseError:
        logger.warning("could not release claim on %s; the sweep will", submission_id, exc_info=True)


def _next_attempt_number(variant_id: uuid.UUID) -> int | None:
    """Increment the variant's attempt counter and return it (call inside a transaction).

    The UPDATE locks the variant row until commit, so concurrent gradings of one variant get
    distinct numbers (SQLite: the IMMEDIATE transaction serialises writers anyway).
    """
    table = connection.ops.quote_name(Variant._meta.db_table)
    pk = Variant._meta.pk.get_db_prep_value(variant_id, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET attempt_count = attempt_count + 1 WHERE id = %s RETURNING attempt_count", [pk]
        )
        row = cursor.fetchone()
    return None if row is None else int(row[0])  # None: the variant was deleted meanwhile


def _finish(
    submission_id: uuid.UUID,
    variant_id: uuid.UUID,
    token: uuid.UUID,
    *,
    status: str,
    report: dict[str, Any] | None = None,
    score: float | None = None,
    error_reason: str = "",
    homework: bool = False,
) -> bool:
    """Store the outcome if this caller still holds the claim; number the attempt once."""
    fields: dict[str, Any] = {
        "status": status,
        "report": report,
        "score": score,
        "error_reason": error_reason,
        "attempt_number": None,
        "graded_at": timezone.now(),
        "claim_token": None,
    }
    with transaction.atomic():
        if status == Submission.Status.GRADED:
            fields["attempt_number"] = _next_attempt_number(variant_id)
        assignments = ", ".join(f"{_col(name)} = %s" for name in fields)
        sql = (
            f"UPDATE {connection.ops.quote_name(_S.db_table)} SET {assignments} "
            f"WHERE {_col('id')} = %s AND {_col('status')} = %s AND {_col('claim_token')} = %s"
        )
        params = [_prep(name, value) for name, value in fields.items()]
        params += [_prep("id", submission_id), Submission.Status.GRADING, _prep("claim_token", token)]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            updated = cursor.rowcount
        if updated != 1:
            transaction.set_rollback(True)  # another copy owns it now: undo the count
            return False
        if homework and status == Submission.Status.GRADED:  # penalty and final score, same transaction
            from .homework_services import homework_finalize

            homework_finalize(submission_id=submission_id)
    return True


def submission_grade(*, submission_id: str | uuid.UUID) -> bool:
    """Grade a queued submission once; True if this call stored the outcome.

    Repeated, redelivered or concurrent calls change nothing and return False, as do unknown,
    deleted or malformed ids.
    """
    try:
        pk = submission_id if isinstance(submission_id, uuid.UUID) else uuid.UUID(str(submission_id))
    except (TypeError, ValueError, AttributeError):
        logger.warning("grading: dropped malformed submission id %r", submission_id)
        return False
    token = uuid.uuid4()
    try:
        claimed = _claim(pk, token)
        if claimed is None:
            logger.info("grading: %s is unknown, deleted, finished or being graded; nothing to do", pk)
            return False
        variant_id, answers = claimed
        report: dict[str, Any] | None = None
        error_reason = ""
        homework = False
        try:
            variant = Variant.objects.get(pk=variant_id)
            homework = variant.assignment_id is not None
            # Variant.spec: practice regenerates template+seed (cached per process); homework
            # uses its assignment's own template and the seed kept on the submission.
            if homework:
                from .homework_services import homework_submission_spec

                spec = homework_submission_spec(submission_id=pk, variant=variant)
            else:
                spec = variant.spec
            result = graders.grade(spec, answers, _grading_policy(variant))
            report = result.to_dict()
        except graders.UnknownTemplate:
            logger.error("grading: %s has an unknown template", pk, exc_info=True)
            error_reason = ERROR_VARIANT_BROKEN
        except (DatabaseError, Variant.DoesNotExist):
            raise
        except Exception as exc:  # the grader must never crash the worker
            if isinstance(exc, SoftTimeLimitExceeded):
                logger.error("grading: %s hit the soft time limit", pk)
                error_reason = ERROR_GRADER_TIMEOUT
            else:
                logger.exception("grading: the grader failed on submission %s", pk)
                error_reason = ERROR_GRADER_FAILED
        if report is not None:
            stored = _finish(pk, variant_id, token, status=Submission.Status.GRADED, report=report,
                             score=report["score"], homework=homework)
        else:
            stored = _finish(pk, variant_id, token, status=Submission.Status.ERROR, error_reason=error_reason)
    except Variant.DoesNotExist:
        logger.info("grading: %s was deleted while being graded", pk)
        return False
    except DatabaseError:
        _release(pk, token)
        raise
    if not stored:
        logger.info("grading: %s was finished by another copy of the task (or deleted)", pk)
    return stored


def submission_sweep(*, older_than_seconds: float, limit: int = 1000) -> int:
    """Re-enqueue submissions left queued, or stuck grading, longer than the given age."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=older_than_seconds)
    # A "grading" claim is only taken over once stale, so re-sending it earlier is pointless.
    claim_cutoff = now - timedelta(seconds=max(older_than_seconds, settings.BPCOURSE_GRADING_STALE_SECONDS))
    stale = (
        Submission.objects.filter(
            Q(status=Submission.Status.QUEUED)
            | Q(status=Submission.Status.GRADING, grading_started_at__lt=claim_cutoff),
            Q(enqueued_at__lt=cutoff) | Q(enqueued_at__isnull=True),
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for pk in list(stale):
        if not _enqueue_grading(str(pk)):
            break  # the broker is down: the next sweep tries again
        Submission.objects.filter(pk=pk).update(
            enqueued_at=timezone.now(), enqueue_count=F("enqueue_count") + 1
        )
        sent += 1
    if sent:
        logger.info("sweep: re-enqueued %d stale submission(s)", sent)
    return sent


# ------------------------------------------------------------------------------- API tokens


def api_token_create(*, user: AbstractBaseUser, name: str = "") -> tuple[ApiToken, str]:
    """Create an API token; the raw token is returned once and never stored."""
    raw = "bpc_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name[:100], prefix=raw[:12], token_hash=hash_token(raw))
    return token, raw


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke an API token."""
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    return token


def api_token_touch(*, token: ApiToken) -> None:
    """Record that a token was used (at most once a minute, to keep writes rare)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def practice_claim_anonymous(*, user: AbstractBaseUser, variant_ids: list[str]) -> int:
    """Give a signed-in user the practice work of the anonymous session they just left.

    Logging in rotates the session key, so the old key is found through the practice variants
    the session remembers; every anonymous variant and submission of that key moves to the user.
    """
    ids = [pk for pk in (_uuid_or_none(v) for v in variant_ids) if pk is not None]
    old_keys = list(
        Variant.objects.filter(pk__in=ids, owner__isnull=True, kind=Variant.Kind.PRACTICE)
        .exclude(session_key="")
        .values_list("session_key", flat=True)
        .distinct()
    )
    if not old_keys:
        return 0
    with transaction.atomic():
        Variant.objects.filter(session_key__in=old_keys, owner__isnull=True).update(owner=user, session_key="")
        return Submission.objects.filter(session_key__in=old_keys, user__isnull=True).update(
            user=user, session_key=""
        )


def _uuid_or_none(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None
