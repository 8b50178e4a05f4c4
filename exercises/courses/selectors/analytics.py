"""An assignment's analytics, one question of the set at a time: the students' counted attempts
per part, step and misconception (counted by students, with who they are), item analysis, a score
histogram and copying signals (between students given the same network of a pool). Without a
`user` the caller checks `can_grade`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied

import graders
from graders.analytics import STATUSES, Analytics, summarize
from graders.copying import Sheet, copy_signals
from graders.feedback import LOCAL_FORMULA
from graders.itemstats import ItemAnalysis, item_analysis
from graders.mistakes import MISTAKES_BY_KEY

from ...models import Assignment, Question, Submission
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
    """A diagnosed misconception: in how many students, how often over all parts, its message."""

    key: str
    count: int  # times diagnosed, over every part of every student
    message: dict[str, str]
    students: int = 0  # students it was diagnosed in (each once)


@dataclass
class MisconceptionStudent:
    """A student a misconception was diagnosed in, and on which parts of their counted attempt."""

    user: Any
    parts: list[str]
    submission_id: str


@dataclass
class MisconceptionStudents:
    """Who made one misconception (their counted attempts), for the staff."""

    assignment: Assignment
    key: str
    message: dict[str, str]
    students: list[MisconceptionStudent] = field(default_factory=list)


@dataclass
class CopySignalRow:
    """`suspect`'s answers match `source`'s numbers (`kind`: expected | answers) on `parts`."""

    suspect: Any
    source: Any
    kind: str
    parts: tuple[str, ...]
    submission_id: str = ""


@dataclass
class HintRow:
    """How many students had seen each hint level of a part in their counted attempt (level k
    counts everyone who reached k or more)."""

    key: str
    step: str
    levels: tuple[int, int, int]


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
    hints: list[HintRow] = field(default_factory=list)  # parts with a hint used, in teaching order
    items: ItemAnalysis | None = None  # item analysis per part, and of the question's total
    step_items: ItemAnalysis | None = None  # the same with each step as one item
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


def hint_rows(counted: list[Submission], part_infos: list[graders.PartInfo]) -> list[HintRow]:
    """Per part with a hint used: students whose counted attempt was made after seeing level 1, 2, 3."""
    reached: dict[str, Counter] = {}
    for submission in counted:
        for key, level in (submission.hints or {}).items():
            if isinstance(level, int):
                for n in range(1, min(3, level) + 1):
                    reached.setdefault(key, Counter())[n] += 1
    return [HintRow(p.key, p.step, (reached[p.key][1], reached[p.key][2], reached[p.key][3]))
            for p in part_infos if p.key in reached]


def assignment_analytics(*, assignment: Assignment, user: Any | None = None, position: int = 1) -> AssignmentAnalytics:
    """The question at `position`: counted attempts summarised per part, step and misconception,
    item analysis, a score histogram, copying signals."""
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
    analytics = summarize(reports, steps, owners=[s.user_id for s in counted])
    part_rows = [_share_row(p.key, p.step, analytics.parts.get(p.key, Counter())) for p in part_infos]
    step_order = [s for s in graders.STEPS if s in analytics.steps] + [s for s in analytics.steps if s not in graders.STEPS]
    step_rows = [_share_row(s, s, analytics.steps[s]) for s in step_order]
    misconceptions = [
        MisconceptionRow(key=key, count=analytics.misconceptions[key], students=students,
                         message=dict(analytics.misconception_messages.get(key) or {}))
        for key, students in analytics.top_misconceptions_by_students(10)
    ]
    marks = part_max_marks(questions=members, keys=[p.key for p in part_infos])
    items = item_analysis_of(reports, {p.key: [p.key] for p in part_infos}, marks)
    by_step: dict[str, list[str]] = {}
    for part in part_infos:
        by_step.setdefault(part.step, []).append(part.key)
    step_items = item_analysis_of(reports, by_step, marks)
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
        hints=hint_rows(counted, part_infos),
        assignment=assignment,
        analytics=analytics,
        students=analytics.students,
        parts=part_rows,
        steps=step_rows,
        misconceptions=misconceptions,
        histogram=histogram,
        copy_signals=signal_rows,
        items=items,
        step_items=step_items,
        position=position,
    )


def part_max_marks(*, questions: Sequence[Question], keys: Sequence[str]) -> dict[str, float]:
    """Each part's points under the question's settings now (1 unless set; in a pool, the first
    network that sets it)."""
    marks = {}
    for key in keys:
        marks[key] = next((float(q.points[key]) for q in questions if key in (q.points or {})), 1.0)
    return marks


def item_analysis_of(reports: Sequence[Mapping[str, Any]], items: Mapping[str, Sequence[str]],
                     max_marks: Mapping[str, float]) -> ItemAnalysis:
    """Item analysis of the reports where each item is a group of parts (one part, a step, a
    question): its score is the points earned on those parts (0 where not answered), its maximum
    their points."""
    keys = list(items)
    scores = []
    for report in reports:
        parts = report.get("parts") or {}
        scores.append([sum(finite((parts.get(k) or {}).get("points")) or 0.0 for k in items[key]) for key in keys])
    return item_analysis(keys, scores, [sum(max_marks.get(k, 1.0) for k in items[key]) for key in keys])


def misconception_students(*, assignment: Assignment, key: str,
                           user: Any | None = None) -> MisconceptionStudents | None:
    """The students whose counted attempt was diagnosed with misconception `key`, with the parts
    (None for a key no student made and no model knows)."""
    if user is not None and not can_grade(course=assignment.course, user=user):
        raise PermissionDenied
    if key == LOCAL_FORMULA:
        return None  # feedback (the part's formula), not a misconception
    found: list[MisconceptionStudent] = []
    message: dict[str, str] = {}
    for submission in counted_submissions(assignment=assignment):
        parts: list[str] = []
        for part_key, part in ((submission.report or {}).get("parts") or {}).items():
            for diagnosis in part.get("diagnoses") or ():
                if diagnosis.get("key") == key and part_key not in parts:
                    parts.append(part_key)
                    message = message or dict(diagnosis.get("message") or {})
        if parts:
            found.append(MisconceptionStudent(user=submission.user, parts=parts, submission_id=str(submission.pk)))
    known = MISTAKES_BY_KEY.get(key)
    if known is not None:
        message = dict(known.message)
    if not found and known is None:
        return None
    found.sort(key=lambda row: (-len(row.parts), row.user.get_username()))
    return MisconceptionStudents(assignment=assignment, key=key, message=message, students=found)
