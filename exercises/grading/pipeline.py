"""Claim, grade, finish: every submission graded exactly once, a few at a time.

Grading is exactly-once at the database level: a task first *claims* submissions with one
conditional UPDATE (queued → grading, with a fresh claim token), grades outside any transaction,
and stores the results with conditional UPDATEs that only the holder of the claim can make.
Redelivered or duplicated tasks find nothing to claim and return; a copy whose worker died
mid-grade leaves a stale claim that another copy may take over after
BPCOURSE_GRADING_STALE_SECONDS. A task may also claim other queued submissions of the same kind
(`submissions_grade(limit=…)`): their own tasks then find them taken and cost one statement.
Works the same on SQLite and PostgreSQL. What differs between practice and homework (numbers,
policy, penalties) comes from the registry.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

import graders

from ..models import FrozenSpec, Submission, Variant
from ..rows import column, columns, quoted
from .notify import verdicts_publish
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
    return column(Submission, name)


def _prep(name: str, value: Any) -> Any:
    """A Python value adapted for a Submission column in a raw query."""
    return None if value is None else _S.get_field(name).get_db_prep_save(value, connection)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


def _uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


@dataclass(frozen=True)
class _Claim:
    """One claimed submission and what grading needs, read by the claim: the variant
    (PostgreSQL; SQLite reads it after), the answers, the seed kept on the submission, its frozen
    numbers' id and (PostgreSQL) the frozen numbers themselves."""

    pk: uuid.UUID
    variant: Variant | None
    variant_id: uuid.UUID
    answers: dict[str, Any]
    seed: str
    numbers_id: str | None
    spec: dict[str, Any] | None
    created_at: datetime


@dataclass
class _Outcome:
    """What grading one claimed submission gave: graded (report, score) or error (reason)."""

    claim: _Claim
    status: str
    report: dict[str, Any] | None = None
    score: float | None = None
    error_reason: str = ""
    kind: VariantKind | None = None
    attempt_number: int | None = field(default=None, init=False)


@cache
def _claim_sql(vendor: str, with_own: bool, with_others: bool) -> str:
    """The claim statement of _claim (built once per database and shape: its parameters are
    the new status, time and token, then `own`'s, then the others')."""
    status, started, pk_col = _col("status"), _col("grading_started_at"), _col("id")
    table, vtable, vpk = quoted(_S.db_table), quoted(Variant._meta.db_table), quoted(Variant._meta.pk.column)
    postgres = vendor == "postgresql"
    where: list[str] = []

    def takeable(alias: str) -> str:  # queued, or a dead worker's claim
        return f"({alias}{status} = %s OR ({alias}{status} = %s AND {alias}{started} < %s))"

    if with_own:
        where.append(f"({pk_col} = %s AND {takeable('')})")
    if with_others:
        kind, variant_col = quoted(Variant._meta.get_field("kind").column), _col("variant")
        picked = (
            f"SELECT s.{pk_col} FROM {table} s WHERE {takeable('s.')} AND s.{pk_col} <> %s "
            f"AND EXISTS (SELECT 1 FROM {vtable} v WHERE v.{vpk} = s.{variant_col} AND v.{kind} = "
            f"(SELECT v2.{kind} FROM {vtable} v2 JOIN {table} s2 ON s2.{variant_col} = v2.{vpk} "
            f"WHERE s2.{pk_col} = %s)) ORDER BY s.{_col('enqueued_at')} LIMIT %s"
        )
        # PostgreSQL: ARRAY(…) runs the locking sub-select once (IN (…) may re-run it and take more).
        picked = f"= ANY(ARRAY({picked} FOR UPDATE SKIP LOCKED))" if postgres else f"IN ({picked})"
        where.append(f"({pk_col} {picked} AND {takeable('')})")
    sql = (
        f"UPDATE {table} SET {status} = %s, {started} = %s, {_col('claim_token')} = %s "
        f"WHERE {' OR '.join(where)} "
        f"RETURNING {pk_col}, {_col('variant')}, {_col('answers')}, {_col('seed')}, {_col('numbers')}, "
        f"{_col('created_at')}"
    )
    if postgres:
        sql = (
            f"WITH c (id, variant_id, answers, seed, numbers_id, created_at) AS ({sql}) "
            f"SELECT c.id, c.variant_id, c.answers, c.seed, c.numbers_id, c.created_at, "
            f"f.{column(FrozenSpec, 'spec')}, {columns(Variant, 'v')} FROM c "
            f"LEFT JOIN {vtable} v ON v.{vpk} = c.variant_id "
            f"LEFT JOIN {quoted(FrozenSpec._meta.db_table)} f ON f.{quoted(FrozenSpec._meta.pk.column)} = c.numbers_id"
        )
    return sql


def _claim(own: uuid.UUID | None, kind_of_id: uuid.UUID, token: uuid.UUID, others: int) -> list[_Claim]:
    """Atomically take submissions queued (or stale in grading: a dead worker's claim) → grading:
    `own` and up to `others` more of the same kind as `kind_of_id`'s variant, oldest first.

    On PostgreSQL one statement claims and returns each variant's row and the frozen numbers (a
    data-modifying WITH joined to both tables): one round trip before grading; other workers'
    claims are skipped (FOR UPDATE SKIP LOCKED), never waited for. SQLite (in process, no round
    trips) claims with UPDATE … RETURNING and the variants are read after.
    """
    now = timezone.now()
    stale_before = now - timedelta(seconds=settings.BPCOURSE_GRADING_STALE_SECONDS)
    postgres = connection.vendor == "postgresql"
    params: list[Any] = [Submission.Status.GRADING, _prep("grading_started_at", now), _prep("claim_token", token)]
    takeable_params = [Submission.Status.QUEUED, Submission.Status.GRADING, _prep("grading_started_at", stale_before)]
    if own is not None:
        params += [_prep("id", own), *takeable_params]
    if others > 0:
        params += [*takeable_params, _prep("id", kind_of_id), _prep("id", kind_of_id), others, *takeable_params]
    sql = _claim_sql(connection.vendor, own is not None, others > 0)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    attnames = [f.attname for f in _VARIANT_FIELDS]
    claims = []
    for row in rows:
        variant = None
        if postgres and row[7] is not None:  # the variant row (None: deleted meanwhile)
            variant = Variant.from_db(connection.alias, attnames, list(row[7:]))
        claims.append(_Claim(
            _uuid(row[0]), variant, _uuid(row[1]), _json(row[2]), row[3] or "", row[4],
            _json(row[6]) if postgres else None, _as_datetime(row[5]),
        ))
    if not postgres and claims:
        variants = Variant.objects.in_bulk({c.variant_id for c in claims})
        claims = [_with_variant(c, variants.get(c.variant_id)) for c in claims]
    return sorted(claims, key=lambda c: (c.pk != own, c.created_at))


def _as_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _with_variant(claim: _Claim, variant: Variant | None) -> _Claim:
    return _Claim(claim.pk, variant, claim.variant_id, claim.answers, claim.seed, claim.numbers_id, claim.spec,
                  claim.created_at)


def _release(token: uuid.UUID) -> None:
    """Give claims back (grading → queued) after a database error, best effort."""
    try:
        Submission.objects.filter(status=Submission.Status.GRADING, claim_token=token).update(
            status=Submission.Status.QUEUED, claim_token=None, grading_started_at=None
        )
    except DatabaseError:
        logger.warning("could not release claim %s; the sweep will", token, exc_info=True)


@cache
def _count_sql(vendor: str) -> str:
    return f"UPDATE {quoted(Variant._meta.db_table)} SET attempt_count = attempt_count + %s WHERE id = %s RETURNING attempt_count"


def _number_attempts(graded: list[_Outcome]) -> None:
    """Increment each variant's attempt counter once for all its graded submissions (in the
    order they were made) and number them (call inside a transaction).

    The UPDATE locks the variant row until commit, so concurrent gradings of one variant get
    distinct numbers (SQLite: the IMMEDIATE transaction serialises writers anyway); variants are
    locked in the order of their ids, so that two batches never wait for each other in a circle.
    """
    by_variant: dict[uuid.UUID, list[_Outcome]] = {}
    for outcome in sorted(graded, key=lambda o: o.claim.created_at):
        by_variant.setdefault(outcome.claim.variant_id, []).append(outcome)
    sql = _count_sql(connection.vendor)
    with connection.cursor() as cursor:
        for variant_id, outcomes in sorted(by_variant.items(), key=lambda item: str(item[0])):  # one lock order
            pk = Variant._meta.pk.get_db_prep_value(variant_id, connection)
            cursor.execute(sql, [len(outcomes), pk])
            row = cursor.fetchone()
            if row is None:  # the variant was deleted meanwhile (its submissions with it)
                continue
            first = int(row[0]) - len(outcomes) + 1
            for number, outcome in enumerate(outcomes, start=first):
                outcome.attempt_number = number


class _LostClaims(Exception):
    def __init__(self, pks: set[uuid.UUID]) -> None:
        self.pks = pks


_STORED = ("status", "report", "score", "error_reason", "attempt_number", "graded_at", "claim_token")


@cache
def _store_sql(vendor: str) -> str:
    """The statement that stores one outcome if this claim still holds it (_write)."""
    assignments = ", ".join(f"{_col(name)} = %s" for name in _STORED)
    return (
        f"UPDATE {quoted(_S.db_table)} SET {assignments} "
        f"WHERE {_col('id')} = %s AND {_col('status')} = %s AND {_col('claim_token')} = %s"
    )


def _write(outcomes: list[_Outcome], token: uuid.UUID) -> None:
    """Number the attempts, store every outcome, run each kind's after_graded: one transaction;
    _LostClaims (rolled back) names the submissions this claim no longer holds."""
    graded = [o for o in outcomes if o.status == Submission.Status.GRADED]
    names, sql = _STORED, _store_sql(connection.vendor)
    now = timezone.now()
    lost: set[uuid.UUID] = set()
    with transaction.atomic():
        _number_attempts(graded)
        with connection.cursor() as cursor:
            for o in outcomes:
                values = (o.status, o.report, o.score, o.error_reason, o.attempt_number, now, None)
                params = [_prep(name, value) for name, value in zip(names, values, strict=True)]
                params += [_prep("id", o.claim.pk), Submission.Status.GRADING, _prep("claim_token", token)]
                cursor.execute(sql, params)
                if cursor.rowcount != 1:
                    lost.add(o.claim.pk)
        if lost:
            raise _LostClaims(lost)  # another copy owns them now: undo the counts, store the rest again
        for o in graded:  # homework penalties, practice reveal state
            if o.kind is not None:
                o.kind.after_graded(o.claim.pk, variant_id=o.claim.variant_id, report=o.report or {})


def _finish(outcomes: list[_Outcome], token: uuid.UUID) -> set[uuid.UUID]:
    """Store the outcomes this caller still holds the claim of; the ids stored."""
    pending = list(outcomes)
    while pending:
        try:
            _write(pending, token)
        except _LostClaims as lost:
            pending = [o for o in pending if o.claim.pk not in lost.pks]
            for o in pending:
                o.attempt_number = None
            continue
        return {o.claim.pk for o in pending}
    return set()


def _numbers(variant: Variant, kind: VariantKind, claim: _Claim) -> dict[str, Any]:
    """The frozen numbers the submission was answered against (rows from before frozen numbers:
    generated for the seed kept on the submission, else the variant's)."""
    if claim.numbers_id is None:
        return kind.spec(variant, claim.seed or variant.seed)
    if claim.spec is not None:
        return claim.spec
    return numbers_spec(numbers_id=claim.numbers_id)


def _grade(claim: _Claim) -> _Outcome | None:
    """Grade one claimed submission; None if its variant was deleted meanwhile."""
    if claim.variant is None:
        return None
    try:
        kind = kind_of(claim.variant)
        spec = _numbers(claim.variant, kind, claim)
        report = graders.grade(spec, claim.answers, kind.policy(claim.variant)).to_dict()
    except graders.UnknownTemplate:
        logger.error("grading: %s has an unknown template", claim.pk, exc_info=True)
        return _Outcome(claim, Submission.Status.ERROR, error_reason=ERROR_VARIANT_BROKEN)
    except (DatabaseError, Variant.DoesNotExist):
        raise
    except Exception as exc:  # the grader must never crash the worker
        if isinstance(exc, SoftTimeLimitExceeded):
            logger.error("grading: %s hit the soft time limit", claim.pk)
            return _Outcome(claim, Submission.Status.ERROR, error_reason=ERROR_GRADER_TIMEOUT)
        logger.exception("grading: the grader failed on submission %s", claim.pk)
        return _Outcome(claim, Submission.Status.ERROR, error_reason=ERROR_GRADER_FAILED)
    return _Outcome(claim, Submission.Status.GRADED, report=report, score=report["score"], kind=kind)


def claim_takeover_wait(*, submission_id: str | uuid.UUID) -> float | None:
    """Seconds until another copy's claim on a submission goes stale; None if none is held."""
    try:
        pk = _uuid(submission_id)
    except (TypeError, ValueError, AttributeError):
        return None
    return _until_stale(
        Submission.objects.filter(pk=pk, status=Submission.Status.GRADING)
        .values_list("grading_started_at", flat=True)
        .first()
    )


def _until_stale(started: datetime | None) -> float | None:
    """Seconds (and half a second more) until a claim taken at `started` goes stale; None for no claim."""
    if started is None:
        return None
    stale_at = started + timedelta(seconds=settings.BPCOURSE_GRADING_STALE_SECONDS)
    return max(0.0, (stale_at - timezone.now()).total_seconds()) + 0.5


def claims_dead_wait(*, submission_id: str | uuid.UUID, older_than: float) -> float | None:
    """Seconds until the oldest claim of the submission's kind that is older than `older_than`
    seconds (longer than any live batch's round: a dead worker's) goes stale; None if none."""
    try:
        pk = _uuid(submission_id)
    except (TypeError, ValueError, AttributeError):
        return None
    kind = Submission.objects.filter(pk=pk).values_list("variant__kind", flat=True).first()
    if kind is None:
        return None
    return _until_stale(
        Submission.objects.filter(status=Submission.Status.GRADING, variant__kind=kind,
                                  grading_started_at__lt=timezone.now() - timedelta(seconds=older_than))
        .order_by("grading_started_at")
        .values_list("grading_started_at", flat=True)
        .first()
    )


def claim_settled_wait(*, submission_id: str | uuid.UUID, young: float, settle: float) -> float | None:
    """Like claim_takeover_wait, but a claim younger than `young` seconds (another task's batch,
    which ends within its budget) is first watched for up to `settle` seconds: None once finished."""
    waited, pause = 0.0, 0.01
    while True:
        wait = claim_takeover_wait(submission_id=submission_id)
        age = settings.BPCOURSE_GRADING_STALE_SECONDS + 0.5 - wait if wait is not None else 0.0
        if wait is None or waited >= settle or age > young:
            return wait
        pause = min(pause, settle - waited)
        time.sleep(pause)
        waited += pause
        pause *= 2


@dataclass(frozen=True)
class GradeRun:
    """What one call of submissions_grade did: whether it stored the named submission, how many
    it stored in all, whether it stopped for time while more may be waiting, and whether any
    round found as many as it asked for (a backlog)."""

    own_stored: bool
    stored: int
    more: bool = False
    backlog: bool = field(default=False, compare=False)  # a hint for listeners, not an outcome


# Seconds one submission takes to grade and store in this process (moving average, None before
# the first batch), so that a batch is sized to end within its time budget.
_per_submission_s: float | None = None


def _batch_size(limit: int, seconds_left: float) -> int:
    """How many submissions to claim next: as many as fit in the time left, but at least two
    (its own and one more: every round looks at the queue, and a full round sends a task to go
    on), and two before anything is measured."""
    if _per_submission_s is None:
        return min(limit, 2)
    return max(min(limit, 2), min(limit, int(seconds_left / max(_per_submission_s, 1e-4))))


def _measured(per_submission: float) -> None:
    global _per_submission_s
    previous = _per_submission_s
    _per_submission_s = per_submission if previous is None else 0.7 * previous + 0.3 * per_submission


def submissions_grade(*, submission_id: str | uuid.UUID, limit: int = 1, seconds: float = 1.0,
                      others_only: bool = False) -> GradeRun:
    """Grade a queued submission once and, with `limit` > 1, other queued submissions of its kind
    in rounds of at most `limit`, while a round finds as many as it asked for and `seconds` last.
    With `others_only` the submission only names the kind: rounds claim other submissions of it
    (at least one each, whatever `limit`), as a listening task does (exercises.grading.linger).

    Repeated, redelivered or concurrent calls store nothing twice; unknown, deleted or malformed
    ids store nothing of their own.
    """
    try:
        pk = _uuid(submission_id)
    except (TypeError, ValueError, AttributeError):
        logger.warning("grading: dropped malformed submission id %r", submission_id)
        return GradeRun(False, 0)
    started = time.monotonic()
    own: uuid.UUID | None = None if others_only else pk
    own_stored, stored, backlog = False, 0, False
    while True:
        size = 1 if limit <= 1 else _batch_size(limit, seconds - (time.monotonic() - started))
        others = size if own is None and (others_only or limit > 1) else (0 if limit <= 1 else size - 1)
        token = uuid.uuid4()
        round_start = time.monotonic()
        try:
            claims = _claim(own, pk, token, others)
            outcomes = [o for o in (_grade(c) for c in claims) if o is not None]
            done = _finish(outcomes, token) if outcomes else set()
        except Variant.DoesNotExist:
            logger.info("grading: a variant was deleted while being graded")
            return GradeRun(own_stored, stored)
        except DatabaseError:
            _release(token)
            raise
        if own is not None:
            own_stored = pk in done
            if not any(c.pk == pk for c in claims):
                logger.info("grading: %s is unknown, deleted, finished or being graded; nothing to do", pk)
            elif not own_stored:
                logger.info("grading: %s was finished by another copy of the task (or deleted)", pk)
        stored += len(done)
        verdicts_publish(done)  # wakes the pages waiting for these verdicts
        if claims and limit > 1:
            _measured((time.monotonic() - round_start) / len(claims))
        own = None
        claimed_others = sum(1 for c in claims if c.pk != pk)
        if others == 0 or claimed_others < others:
            return GradeRun(own_stored, stored, backlog=backlog)
        backlog = True
        if time.monotonic() - started >= seconds:
            return GradeRun(own_stored, stored, more=True, backlog=True)


def submission_grade(*, submission_id: str | uuid.UUID) -> bool:
    """Grade a queued submission once; True if this call stored the outcome.

    Repeated, redelivered or concurrent calls change nothing and return False, as do unknown,
    deleted or malformed ids.
    """
    return submissions_grade(submission_id=submission_id, limit=1).own_stored
