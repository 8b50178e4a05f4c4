"""Practice reveals answers part by part: a part's expected value (and its lines of the worked
solution) is shown once the student has answered it correctly, answered it wrongly
BPCOURSE_REVEAL_AFTER_WRONG times, or asked to see it ("show answer"). Parts never tried stay
hidden. The state lives on the practice variant; the pipeline records each graded report here
(PracticeKind.after_graded), in the transaction that stores it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connection

from ..models import Variant
from ..rows import column, table

# Verdicts that count as "answered wrongly" (a follow-through answer is right by the student's
# own earlier values: it counts neither way).
WRONG_STATUSES = frozenset({"incorrect"})
REVEAL_REASONS = ("solved", "wrong", "shown")


def reveal_after_wrong() -> int:
    """How many wrong answers to a part reveal its expected value (at least 1)."""
    return max(1, int(getattr(settings, "BPCOURSE_REVEAL_AFTER_WRONG", 3)))


def practice_record_report(*, variant_id: Any, report: Mapping[str, Any] | None) -> None:
    """Add a graded report's verdicts to its practice variant's state (call inside a transaction).

    Two hand-written statements (read locked, write): on the grading hot path the ORM's query
    building cost more than the rest of storing a result."""
    parts: Mapping[str, Any] = (report or {}).get("parts") or {}
    meta = Variant._meta
    solved_field, wrong_field = meta.get_field("solved_parts"), meta.get_field("wrong_counts")
    pk = meta.pk.get_db_prep_value(variant_id, connection)
    read, write = _state_sql(connection.vendor, connection.features.has_select_for_update)
    with connection.cursor() as cursor:
        cursor.execute(read, [pk])
        row = cursor.fetchone()
        if row is None or row[0] == Variant.Kind.HOMEWORK:
            return
        solved = set(_json(row[1]) or [])
        wrong = dict(_json(row[2]) or {})
        for key, part in parts.items():
            status = part.get("status")
            if status == "correct":
                solved.add(key)
            elif status in WRONG_STATUSES:
                wrong[key] = int(wrong.get(key, 0)) + 1
        cursor.execute(write, [solved_field.get_db_prep_save(sorted(solved), connection),
                               wrong_field.get_db_prep_save(wrong, connection), pk])


@cache
def _state_sql(vendor: str, lockable: bool) -> tuple[str, str]:
    """practice_record_report's read (locked) and write, built once per database."""
    v = Variant
    pk, solved, wrong = column(v, "id"), column(v, "solved_parts"), column(v, "wrong_counts")
    lock = " FOR UPDATE" if lockable else ""
    return (f"SELECT {column(v, 'kind')}, {solved}, {wrong} FROM {table(v)} WHERE {pk} = %s{lock}",
            f"UPDATE {table(v)} SET {solved} = %s, {wrong} = %s WHERE {pk} = %s")


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


def reveal_reasons(variant: Variant) -> dict[str, str]:
    """Each revealed part of a practice variant → why ("solved", "wrong" or "shown")."""
    if variant.is_homework:
        return {}
    threshold = reveal_after_wrong()
    reasons: dict[str, str] = {}
    for key in variant.revealed_parts or []:
        reasons[key] = "shown"
    for key, count in (variant.wrong_counts or {}).items():
        if int(count) >= threshold:
            reasons[key] = "wrong"
    for key in variant.solved_parts or []:
        reasons[key] = "solved"
    return reasons


def revealed_parts(variant: Variant) -> frozenset[str]:
    """The parts of a practice variant whose expected value and worked lines may be shown."""
    return frozenset(reveal_reasons(variant))


def report_revealed(report: Mapping[str, Any] | None, revealed: Iterable[str]) -> dict[str, Any]:
    """A copy of a report with the expected values of parts outside `revealed` removed. A credited
    follow-through part keeps the value its student's own earlier answers give (it is what they
    typed); on any other part that value could be the reference, so it goes too."""
    if not report:
        return {}
    shown = frozenset(revealed)
    out = {key: value for key, value in report.items() if key != "parts"}
    parts: dict[str, Any] = {}
    for key, part in (report.get("parts") or {}).items():
        copy = dict(part)
        if key not in shown:
            copy["expected"] = None
            if copy.get("status") != "followthrough":
                copy["followthrough_expected"] = None
        parts[key] = copy
    out["parts"] = parts
    return out
