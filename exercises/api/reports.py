"""One serializer for a graded report, practice and homework alike: per-part verdicts in
teaching order, feedback in the caller's language, expected values only when released."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

import graders

from ..i18n import pick_language
from ..models import Submission
from ..values import finite


def part_feedback(part: Mapping[str, Any]) -> list[str]:
    """A part's format error and diagnoses as sentences in the active language."""
    feedback: list[str] = []
    error = part.get("error")
    if error:
        feedback.append(
            graders.messages.answer_error_message(
                error.get("code", ""), error.get("params") or {}, get_language() or "en"
            )
        )
    for diagnosis in part.get("diagnoses") or []:
        feedback.append(pick_language(diagnosis.get("message", "")))
    return feedback


def part_diagnoses(part: Mapping[str, Any]) -> list[dict[str, str]]:
    """A part's diagnoses: each key with its message in the active language."""
    return [
        {"key": str(d.get("key", "")), "message": pick_language(d.get("message", ""))}
        for d in part.get("diagnoses") or []
    ]


def followthrough_notes_out(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One note per root cause of the follow-through credit, in the active language."""
    return [
        {
            "roots": list(note.get("roots") or []),
            "diagnoses": list(note.get("diagnoses") or []),
            "parts": list(note.get("parts") or []),
            "message": pick_language(note.get("message", "")),
        }
        for note in report.get("followthrough_notes") or []
    ]


def report_parts_out(
    report: Mapping[str, Any], steps: Mapping[str, str], *, reveal_expected: bool | Collection[str]
) -> list[dict[str, Any]]:
    """The report's parts, in the order of `steps` (part key → step; jsonb does not keep key order).
    `reveal_expected`: True/False for every part, or the part keys whose expected value is shown."""
    def shown(key: str) -> bool:
        return reveal_expected if isinstance(reveal_expected, bool) else key in reveal_expected

    report_parts: Mapping[str, Any] = report.get("parts") or {}
    order = [key for key in steps if key in report_parts] + [key for key in report_parts if key not in steps]
    return [
        {
            "key": key,
            "step": steps.get(key, ""),
            "status": report_parts[key].get("status", ""),
            "answer": report_parts[key].get("answer"),
            "value": finite(report_parts[key].get("value")),
            "points": float(report_parts[key].get("points") or 0.0),
            "max_points": float(report_parts[key].get("max_points") or 0.0),
            "feedback": part_feedback(report_parts[key]),
            "diagnoses": part_diagnoses(report_parts[key]),
            "followthrough_expected": finite(report_parts[key].get("followthrough_expected")),
            "followthrough_roots": list(report_parts[key].get("followthrough_roots") or []),
            "expected": finite(report_parts[key].get("expected")) if shown(key) else None,
        }
        for key in order
    ]


def submission_out(
    submission: Submission,
    *,
    report: Mapping[str, Any] | None,
    steps: Mapping[str, str],
    reveal_expected: bool | Collection[str],
) -> dict[str, Any]:
    """The fields every submission shows: status, score, points, attempt, error, times, parts."""
    report = report or {}
    labels = dict(Submission.Status.choices)
    return {
        "id": str(submission.id),
        "status": submission.status,
        "status_label": str(labels.get(submission.status, submission.status)),
        "score": submission.score,
        "points": finite(report.get("points")) if report else None,
        "max_points": finite(report.get("max_points")) if report else None,
        "attempt_number": submission.attempt_number,
        "error": _(submission.error_reason) if submission.error_reason else None,
        "created_at": submission.created_at,
        "graded_at": submission.graded_at,
        "parts": report_parts_out(report, steps, reveal_expected=reveal_expected),
        "followthrough_notes": followthrough_notes_out(report),
    }
