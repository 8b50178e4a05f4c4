"""Claim, grade, finish: every submission graded exactly once.

Grading is exactly-once at the database level: a task first *claims* a submission with one
conditional UPDATE (queued → grading, with a fresh claim token), grades outside any transaction,
and stores the result with a second conditional UPDATE that only the holder of the claim can
make. Redelivered or duplicated tasks find nothing to claim and return; a copy whose worker died
mid-grade leaves a stale claim that another copy may take over after
BPCOURSE_GRADING_STALE_SECONDS. Works the same on SQLite and PostgreSQL. What differs between
practice and homework (numbers, policy, penalties) comes from the registry.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

import graders

from ..models import FrozenSpec, Submission, Variant
from .numbers import numbers_spec
from .registry import VariantKind, kind_of

logger = logging.getLogger(__name__)

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


# The grading hot path uses a few hand-written statements (portable: PostgreSQL and SQLite
# ≥ 3.35 both have UPDATE … RETURNING): the ORM's query building cost more CPU than grading.
_S = Submission._meta
_VARIANT_FIELDS = tuple(Variant._meta.concrete_fields)


def _col(name: str) -> str:
    return connection.ops.quote_name(_S.get_field(name).column)


def _prep(name: str, value: Any) -> Any:
    """A Python value adapted for a Submission column in a raw query."""
    return None if value is None else _S.get_field(name).get_db_prep_save(value, connection)


@dataclass(frozen=True)
class _Claim:
    """What grading needs, read by the claim: the variant, the answers, the seed kept on the
    submission, its frozen numbers' id and (PostgreSQL) the frozen numbers themselves."""

    variant: Variant | None  # None: SQLite, fetched after the claim
    variant_id: uuid.UUID
    answers: dict[str, Any]
    seed: str
    numbers_id: str | None
    spec: dict[str, Any] | None


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


def _claim(submission_id: uuid.UUID, token: uuid.UUID) -> _Claim | None:
    """Atomically take queued (or stale grading) → grading; what grading needs if we got it.

    On PostgreSQL one statement claims and returns the variant's row and the frozen numbers (a
    data-modifying WITH joined to both tables): one round trip before grading. SQLite (in
    process, no round trips) claims with UPDATE … RETURNING and the variant is read after.
    """
    now = timezone.now()
    stale_before = now - timedelta(seconds=settings.BPCOURSE_GRADING_STALE_SECONDS)
    status, started = _col("status"), _col("grading_started_at")
    sql = (
        f"UPDATE {connection.ops.quote_name(_S.db_table)} "
        f"SET {status} = %s, {started} = %s, {_col('claim_token')} = %s "
        f"WHERE {_col('id')} = %s AND ({status} = %s OR ({status} = %s AND {started} < %s)) "
        f"RETURNING {_col('variant')}, {_col('answers')}, {_col('seed')}, {_col('numbers')}"
    )
    grading = Submission.Status.GRADING
    params = [
        grading, _prep("grading_started_at", now), _prep("claim_token", token), _prep("id", submission_id),
        Submission.Status.QUEUED, grading, _prep("grading_started_at", stale_before),
    ]
    joined = connection.vendor == "postgresql"
    if joined:
        qn = connection.ops.quote_name
        columns = ", ".join(f"v.{qn(field.column)}" for field in _VARIANT_FIELDS)
        sql = (
            f"WITH c (variant_id, answers, seed, numbers_id) AS ({sql}) "
            f"SELECT c.variant_id, c.answers, c.seed, c.numbers_id, f.{qn(FrozenSpec._meta.get_field('spec').column)}, {columns} FROM c "
            f"LEFT JOIN {qn(Variant._meta.db_table)} v ON v.{qn(Variant._meta.pk.column)} = c.variant_id "
            f"LEFT JOIN {qn(FrozenSpec._meta.db_table)} f ON f.{qn(FrozenSpec._meta.pk.column)} = c.numbers_id"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    variant_id, answers, seed, numbers_id = row[:4]
    variant = spec = None
    if joined:
        spec = _json(row[4])
        if row[5] is not None:  # the variant row (None: deleted meanwhile)
            variant = Variant.from_db(connection.alias, [f.attname for f in _VARIANT_FIELDS], list(row[5:]))
    return _Claim(variant, uuid.UUID(str(variant_id)), _json(answers), seed or "", numbers_id, spec)


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
    kind: VariantKind | None = None,
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
        if kind is not None and status == Submission.Status.GRADED:  # homework penalties, practice reveal state
            kind.after_graded(submission_id, variant_id=variant_id, report=report or {})
    return True


def _numbers(variant: Variant, kind: VariantKind, claim: _Claim) -> dict[str, Any]:
    """The frozen numbers the submission was answered against (rows from before frozen numbers:
    generated for the seed kept on the submission, else the variant's)."""
    if claim.numbers_id is None:
        return kind.spec(variant, claim.seed or variant.seed)
    if claim.spec is not None:
        return claim.spec
    return numbers_spec(numbers_id=claim.numbers_id)


def claim_takeover_wait(*, submission_id: str | uuid.UUID) -> float | None:
    """Seconds until another copy's claim on a submission goes stale; None if none is held."""
    try:
        pk = submission_id if isinstance(submission_id, uuid.UUID) else uuid.UUID(str(submission_id))
    except (TypeError, ValueError, AttributeError):
        return None
    started = (
        Submission.objects.filter(pk=pk, status=Submission.Status.GRADING)
        .values_list("grading_started_at", flat=True)
        .first()
    )
    if started is None:
        return None
    stale_at = started + timedelta(seconds=settings.BPCOURSE_GRADING_STALE_SECONDS)
    return max(0.0, (stale_at - timezone.now()).total_seconds()) + 0.5


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
        variant_id = claimed.variant_id
        report: dict[str, Any] | None = None
        error_reason = ""
        kind: VariantKind | None = None
        try:
            variant = claimed.variant or Variant.objects.get(pk=variant_id)
            kind = kind_of(variant)
            spec = _numbers(variant, kind, claimed)
            result = graders.grade(spec, claimed.answers, kind.policy(variant))
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
                             score=report["score"], kind=kind)
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
