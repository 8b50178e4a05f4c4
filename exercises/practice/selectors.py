"""Practice reads: who may see which variant or submission, and a student's practice history."""

from __future__ import annotations

import uuid
from functools import cache
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection
from django.db.models import QuerySet

from ..models import Submission, Variant
from ..rows import column, columns, instance, table, width
from ..values import as_uuid


def _owns(*, owner_id: int | None, owner_session: str, user: Any, session_key: str | None) -> bool:
    """Signed-in owner, or the same browser session for an anonymous owner."""
    if owner_id is not None:
        return bool(user is not None and user.is_authenticated and user.pk == owner_id)
    return bool(owner_session) and owner_session == (session_key or "")


def variant_get_for_viewer(
    *,
    variant_id: Any,
    user: AbstractBaseUser | Any | None,
    session_key: str | None,
    public_practice: bool = False,
) -> Variant | None:
    """The practice variant if the viewer owns it (or, with public_practice, anyone); else None.
    Never a homework variant: its numbers and seed are shown by the course pages only."""
    pk = as_uuid(variant_id)
    if pk is None:
        return None
    variant = _variant_read(pk)
    if variant is None or variant.is_homework:  # homework is served by its course pages only
        return None
    if public_practice:
        return variant
    if _owns(owner_id=variant.owner_id, owner_session=variant.session_key, user=user, session_key=session_key):
        return variant
    return None


def submission_get_for_viewer(
    *,
    submission_id: Any,
    user: AbstractBaseUser | Any | None,
    session_key: str | None,
    public_practice: bool = False,
) -> Submission | None:
    """The practice submission if the viewer owns it (or, with public_practice, anyone); else None.

    Practice objects are capabilities: their ids are random UUIDs, so the API serves them to
    whoever holds the id (public_practice=True). Homework is never served here: its pages and
    endpoints apply the assignment's reveal policy (exercises.courses.selectors.homework_submission_get).
    """
    pk = as_uuid(submission_id)
    if pk is None:
        return None
    submission = _submission_read(pk)
    if submission is None or submission.variant.is_homework:
        return None
    if public_practice and submission.variant.kind == Variant.Kind.PRACTICE:
        return submission
    if _owns(
        owner_id=submission.user_id, owner_session=submission.session_key, user=user, session_key=session_key
    ):
        return submission
    return None


def submission_status_for_viewer(*, submission_id: Any, user: AbstractBaseUser | Any | None,
                                 session_key: str | None, public_practice: bool = False) -> str | None:
    """Only the status of a practice submission the viewer owns (with public_practice, anyone's,
    as submission_get_for_viewer; None: not theirs, not found): one small query, for status
    polls while nothing has changed."""
    pk = as_uuid(submission_id)
    if pk is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(_status_sql(connection.vendor), [_db_id(Submission, pk), Variant.Kind.PRACTICE])
        row = cursor.fetchone()
    if row is None:
        return None
    status, owner_id, owner_session = row
    if public_practice:
        return status
    return status if _owns(owner_id=owner_id, owner_session=owner_session, user=user, session_key=session_key) else None


# The three reads above serve every status poll and submit: hand-written SQL (exercises.rows).


def _db_id(model: type[Submission] | type[Variant], pk: uuid.UUID) -> Any:
    return model._meta.pk.get_db_prep_value(pk, connection)


@cache
def _status_sql(vendor: str) -> str:
    s, v = Submission, Variant
    return (f"SELECT s.{column(s, 'status')}, s.{column(s, 'user')}, s.{column(s, 'session_key')} "
            f"FROM {table(s)} s JOIN {table(v)} v ON v.{column(v, 'id')} = s.{column(s, 'variant')} "
            f"WHERE s.{column(s, 'id')} = %s AND v.{column(v, 'kind')} = %s")


@cache
def _variant_sql(vendor: str) -> str:
    return f"SELECT {columns(Variant, 'v')} FROM {table(Variant)} v WHERE v.{column(Variant, 'id')} = %s"


@cache
def _submission_sql(vendor: str) -> str:
    s, v = Submission, Variant
    return (f"SELECT {columns(s, 's')}, {columns(v, 'v')} FROM {table(s)} s "
            f"JOIN {table(v)} v ON v.{column(v, 'id')} = s.{column(s, 'variant')} WHERE s.{column(s, 'id')} = %s")


def _variant_read(pk: uuid.UUID) -> Variant | None:
    with connection.cursor() as cursor:
        cursor.execute(_variant_sql(connection.vendor), [_db_id(Variant, pk)])
        row = cursor.fetchone()
    return None if row is None else instance(Variant, row)


def _submission_read(pk: uuid.UUID) -> Submission | None:
    """A submission with its variant (as select_related("variant"))."""
    s, v = Submission, Variant
    with connection.cursor() as cursor:
        cursor.execute(_submission_sql(connection.vendor), [_db_id(s, pk)])
        row = cursor.fetchone()
    if row is None:
        return None
    submission = instance(s, row[:width(s)])
    s.variant.field.set_cached_value(submission, instance(v, row[width(s):]))
    return submission


def seed_is_homework(*, seed: str) -> bool:
    """Whether a homework variant has (or had, before a re-seed) this seed."""
    return (
        Variant.objects.filter(kind=Variant.Kind.HOMEWORK, seed=seed).exists()
        or Submission.objects.filter(seed=seed, variant__kind=Variant.Kind.HOMEWORK).exists()
    )


def practice_history(*, user: AbstractBaseUser | Any, limit: int = 50) -> QuerySet[Submission]:
    """A signed-in student's practice submissions, newest first (empty for anonymous users)."""
    if user is None or not user.is_authenticated:
        return Submission.objects.none()
    return (
        Submission.objects.filter(user=user, variant__kind=Variant.Kind.PRACTICE)
        .select_related("variant__numbers", "numbers")
        .order_by("-created_at")[:limit]
    )
