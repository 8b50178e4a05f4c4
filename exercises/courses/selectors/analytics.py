"""An assignment's analytics, one question of the set at a time: the students' counted attempts
per part, step and misconception, a score histogram and copying signals (between students given
the same network of a pool). Without a `user` the caller checks `can_grade`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied

import graders
from graders.analytics import STATUSES, Analytics, summarize
from graders.copying import Sheet, copy_signals

from ...models import Assignment, Submission
from ...values import finite
from ..config import assignment_template, question_parts, question_policy
from ..permissions import can_grade
from .questions import question_slot
from .scores import counted_submissions


@dataclass
class ShareRow:
    """Counts and shares of statuses at one part or step."""

    key: str
    step: str
    total: int
    counts: dict[str, int]
    shares: dict[str, float]


@dataclass
class MisconceptionRow:
    """A diagnosed misconception and how often it was named."""

    key: str
    count: int
    message: dict[str, str]


@dataclass
class CopySignalRow:
    """`suspect`'s answers match `source`'s numbers (`kind`: expected | answers) on `parts`."""

    suspect: Any
    source: Any
    kind: str
    parts: tuple[str, ...]
    submission_id: str = ""


@dataclass
class AssignmentAnalytics:
    """Per part, per step and per misconception counts of the students' counted attempts."""

    assignment: Assignment
    analytics: Analytics
    students: int
    parts: list[ShareRow]
    steps: list[ShareRow]
    misconceptions: list[MisconceptionRow]
    histogram: list[int]  # counted final scores in tenths: [0, 0.1), …, [0.9, 1.0]
    copy_signals: list[CopySignalRow]
    position: int = 1  # the question summarised


def _share_row(key: str, step: str, counts: Counter) -> ShareRow:
    total = sum(counts.values())
    return ShareRow(
        key=key,
        step=step,
        total=total,
        counts={s: int(counts.get(s, 0)) for s in STATUSES},
        shares={s: (counts.get(s, 0) / total if total else 0.0) for s in STATUSES},
    )


def assignment_analytics(*, assignment: Assignment, user: Any | None = None, position: int = 1) -> AssignmentAnalytics:
    """The question at `position`: counted attempts summarised per part, step and misconception,
    a score histogram, copying signals."""
    if user is not None and not can_grade(course=assignment.course, user=user):
        raise PermissionDenied
    slot = question_slot(assignment=assignment, position=position)
    members = list(slot.members) if slot is not None else []
    counted = counted_submissions(assignment=assignment, position=position)
    part_infos, seen = [], set()
    for member in members:  # a pool's parts: the first network's, then any other network's own
        for info in question_parts(question=member):
            if info.key not in seen:
                seen.add(info.key)
                part_infos.append(info)
    steps = {p.key: p.step for p in part_infos}
    reports = [s.report or {} for s in counted]
    analytics = summarize(reports, steps)
    part_rows = [_share_row(p.key, p.step, analytics.parts.get(p.key, Counter())) for p in part_infos]
    step_order = [s for s in graders.STEPS if s in analytics.steps] + [s for s in analytics.steps if s not in graders.STEPS]
    step_rows = [_share_row(s, s, analytics.steps[s]) for s in step_order]
    misconceptions = [
        MisconceptionRow(key=key, count=count, message=dict(analytics.misconception_messages.get(key) or {}))
        for key, count in analytics.top_misconceptions(10)
    ]
    histogram = [0] * 10
    for submission in counted:
        score = submission.final_score if submission.final_score is not None else submission.score or 0.0
        histogram[min(9, max(0, int(score * 10)))] += 1
    by_owner: dict[str, Submission] = {}
    signals = []
    for member in members:  # copying is looked for among students given the same network
        sheets = []
        for submission in counted:
            if submission.question_id != member.pk:
                continue
            parts = (submission.report or {}).get("parts") or {}
            expected = {k: v for k, p in parts.items() if (v := finite(p.get("expected"))) is not None}
            answers = {k: v for k, p in parts.items() if (v := finite(p.get("value"))) is not None}
            owner = str(submission.user_id)
            by_owner[owner] = submission
            sheets.append(Sheet(owner=owner, expected=expected, answers=answers))
        if sheets:
            signals += copy_signals(sheets, question_policy(question=member).tolerance,
                                    inputs=assignment_template(config=member.template_config).quantity_inputs())
    signal_rows = [
        CopySignalRow(
            suspect=by_owner[s.suspect].user,
            source=by_owner[s.source].user,
            kind=s.kind,
            parts=s.parts,
            submission_id=str(by_owner[s.suspect].pk),
        )
        for s in signals
    ]
    return AssignmentAnalytics(
        assignment=assignment,
        analytics=analytics,
        students=analytics.students,
        parts=part_rows,
        steps=step_rows,
        misconceptions=misconceptions,
        histogram=histogram,
        copy_signals=signal_rows,
        position=position,
    )
