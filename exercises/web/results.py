"""A graded submission as templates show it, practice and homework alike: rows per part
grouped by step, the counts, which steps start unfolded, and the live-status JSON."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

import graders
from graders.worked import WorkedStep

from ..i18n import PART_STATUS_HELP, PART_STATUS_LABELS, SUBMISSION_STATUS_LABELS, pick_language
from ..models import Submission
from ..templatetags.bpcourse_tags import significant


@dataclass(frozen=True)
class PartRow:
    """One graded part, translated once per request and ready for the results table."""

    key: str
    status: str
    status_label: str
    status_help: str
    answer: str
    expected: str
    diagnoses: list[tuple[str, str]]  # (diagnosis key, message in the current language)
    followthrough_expected: str = ""  # a follow-through part: the value the student's own answers give


def part_rows(results: Mapping[str, Mapping[str, Any]], keys: Iterable[str]) -> list[PartRow]:
    """Rows for the report's parts among `keys` (in that order), texts in the current language."""
    labels = {status: str(label) for status, label in PART_STATUS_LABELS.items()}
    help_texts = {status: str(text) for status, text in PART_STATUS_HELP.items()}
    rows = []
    for key in keys:
        result = results.get(key)
        if result is None:
            continue
        status = result.get("status", "missing")
        rows.append(
            PartRow(
                key=key,
                status=status,
                status_label=labels.get(status, status),
                status_help=help_texts.get(status, ""),
                answer=result.get("answer") or "",
                expected=significant(result.get("expected")),
                diagnoses=[(d.get("key", ""), pick_language(d.get("message"))) for d in result.get("diagnoses", [])],
                followthrough_expected=significant(result.get("followthrough_expected"))
                if result.get("followthrough_expected") is not None
                else "",
            )
        )
    return rows


def graded_context(
    results: Mapping[str, Mapping[str, Any]],
    keys_by_step: Mapping[str, list[str]],
    notes: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """Rows by step, verdict counts, the steps to unfold (anything not fully right), and the report's
    follow-through notes (one per root cause, shown once above the tables instead of on every row)."""
    results_by_step = [(step, part_rows(results, keys)) for step, keys in keys_by_step.items()]
    shown_notes = [
        {"message": pick_language(note.get("message")), "roots": list(note.get("roots") or [])} for note in notes or []
    ]
    if shown_notes:
        results_by_step = [
            (step, [replace(row, status_help="") if row.status == "followthrough" else row for row in rows])
            for step, rows in results_by_step
        ]
    return {
        "results_by_step": results_by_step,
        "counts": Counter(result.get("status", "missing") for result in results.values()),
        "open_steps": {step for step, rows in results_by_step if any(row.status != "correct" for row in rows)},
        "followthrough_notes": shown_notes,
    }


def error_context(submission: Submission) -> dict[str, Any]:
    """Why grading failed, translated (empty when it did not)."""
    if submission.status != Submission.Status.ERROR:
        return {}
    return {"error_message": _(submission.error_reason) if submission.error_reason else ""}


def worked_steps(spec: Mapping[str, Any]) -> list[WorkedStep]:
    """The grader's worked solution for a spec, step by step (MathML and LaTeX per line)."""
    return graders.worked_solution(spec).steps


def live_json(
    request: HttpRequest, *, status: str, final: bool, fragment: str, context: Mapping[str, Any], label: str = ""
) -> JsonResponse:
    """The JSON site.js polls: status (and its label), whether final, the fragment to show."""
    return JsonResponse(
        {
            "status": status,
            "status_label": label,
            "final": final,
            "html": render_to_string(fragment, context, request=request),
        }
    )


def live_status_response(
    request: HttpRequest, submission: Submission, fragment: str, context: Mapping[str, Any]
) -> JsonResponse:
    """The live status of a submission being graded."""
    return live_json(
        request,
        status=submission.status,
        final=submission.is_finished,
        fragment=fragment,
        context=context,
        label=str(SUBMISSION_STATUS_LABELS.get(submission.status, submission.status)),
    )
