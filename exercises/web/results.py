"""A graded submission as templates show it, practice and homework alike: rows per part
grouped by step, the counts, the parts to fix first, progress per step, which steps start
unfolded, and the live-status JSON."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

import graders
from graders.worked import WorkedStep, line_templates

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
    hint: int = 0  # the highest hint level the student had seen when submitting (0: none)
    hint_cost: str = ""  # homework: the share of the part's points that hint took ("25 %")


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


# Verdicts the summary lists as "to fix" (a follow-through answer is credited; a blank is not graded).
PROBLEM_STATUSES = frozenset({"incorrect", "invalid"})
# Verdicts that unfold a step (anything the student should look at).
OPEN_STATUSES = PROBLEM_STATUSES | {"followthrough"}


@dataclass(frozen=True)
class StepProgress:
    """One step's parts answered right (correct or follow-through) among those the student answered."""

    step: str
    right: int
    attempted: int
    total: int


def step_progress(results: Mapping[str, Mapping[str, Any]], keys_by_step: Mapping[str, list[str]]) -> list[StepProgress]:
    """Per step: right / attempted (blank parts are neither; a step with none attempted shows "—")."""
    progress = []
    for step, keys in keys_by_step.items():
        statuses = [results[key].get("status", "missing") for key in keys if key in results]
        attempted = [status for status in statuses if status != "missing"]
        right = sum(1 for status in attempted if status in {"correct", "followthrough"})
        progress.append(StepProgress(step, right, len(attempted), len(statuses)))
    return progress


def with_hints(rows: list[PartRow], hints: Mapping[str, Any] | None,
               cost: Any = None) -> list[PartRow]:
    """The rows with the hint level each part had when submitted, and (`cost(level)`: a fraction)
    what it cost."""
    if not hints:
        return rows
    marked = []
    for row in rows:
        level = hints.get(row.key)
        if isinstance(level, int) and level > 0:
            fraction = cost(level) if cost is not None else 0.0
            row = replace(row, hint=level, hint_cost=f"{fraction * 100:g} %" if fraction else "")
        marked.append(row)
    return marked


def graded_context(
    results: Mapping[str, Mapping[str, Any]],
    keys_by_step: Mapping[str, list[str]],
    notes: Sequence[Mapping[str, Any]] | None = None,
    hints: Mapping[str, Any] | None = None,
    hint_cost: Any = None,
) -> dict[str, Any]:
    """Rows by step, verdict counts, the parts to fix (the summary), progress per step, the steps to
    unfold (those with something to look at; fully correct or blank steps stay folded), and the
    report's follow-through notes (one per root cause, shown once above the tables, not per row).
    `hints`: part → hint level used when submitting; `hint_cost(level)`: its cost (homework)."""
    results_by_step = [(step, with_hints(part_rows(results, keys), hints, hint_cost))
                       for step, keys in keys_by_step.items()]
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
        "followthrough_notes": shown_notes,
        "problems": [(step, row) for step, rows in results_by_step for row in rows if row.status in PROBLEM_STATUSES],
        "progress": step_progress(results, keys_by_step),
        "open_steps": {step for step, rows in results_by_step if any(row.status in OPEN_STATUSES for row in rows)},
        # Steps answered (some part) and right wherever answered: shown folded, in green.
        "done_steps": {
            step for step, rows in results_by_step
            if any(row.status != "missing" for row in rows)
            and all(row.status in {"correct", "missing"} for row in rows)
        },
    }


def error_context(submission: Submission) -> dict[str, Any]:
    """Why grading failed, translated (empty when it did not)."""
    if submission.status != Submission.Status.ERROR:
        return {}
    return {"error_message": _(submission.error_reason) if submission.error_reason else ""}


def worked_keys(steps: Iterable[WorkedStep]) -> set[str]:
    """The parts whose lines a worked solution shows (the summary links to them)."""
    return {line.key for step in steps for line in step.lines}


def worked_steps(spec: Mapping[str, Any], only: Collection[str] | None = None,
                 known: Collection[str] = ()) -> list[WorkedStep]:
    """The grader's worked solution for a spec, step by step (MathML and LaTeX per line); with
    `only`, just the lines of those parts whose substituted numbers are all given values, parts
    in `only` or `known` quantities (an adaptive exercise's given earlier results) (a line prints
    the values it reads: net_o1's line would show out_h2's value), and the steps that keep a line."""
    worked = graders.worked_solution(spec)
    if only is None:
        return worked.steps
    givens = set(graders.solve(spec).givens)
    reads = {template.key: set(template.keys) for template in line_templates(worked.spec.arch)}
    shown = {key for key in only if reads.get(key, {key}) <= (set(only) | givens | set(known))}
    kept = [WorkedStep(step.name, [line for line in step.lines if line.key in shown], step.iteration)
            for step in worked.steps]
    return [step for step in kept if step.lines]


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
