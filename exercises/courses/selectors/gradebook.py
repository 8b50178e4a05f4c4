"""The gradebook (students × assignments, a column per question of a problem set and its total,
and as CSV for an LMS) and one student's attempts.

Without a `user` these leave the permission check to the caller (`can_grade`); with one they
check it and raise `PermissionDenied`. The gradebook costs five queries whatever its size."""

from __future__ import annotations

import csv
import io
import statistics
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from ...models import Assignment, Course, Extension, Membership, ScoreOverride, Submission, Variant
from ...zones import local_text
from ..permissions import can_grade, signed_in
from .courses import course_assignments
from .questions import assignment_max_points, assignments_worth
from .scores import QuestionResult, overrides_by_question, set_result, variant_stats

Role = Membership.Role


__all__ = ["assignment_max_points", "gradebook", "gradebook_csv", "submission_drilldown"]


@dataclass
class GradebookCell:
    """One student's result on one assignment."""

    assignment: Assignment
    score: float | None  # counted score 0…1 (the override's, if any); None: nothing graded
    points: float | None  # score × the assignment's points
    attempts: int
    extended: bool = False
    latest: datetime | None = None  # the last submission's time (UTC)
    late: int = 0  # attempts submitted late
    graded_score: float | None = None  # the counted attempts' score, override or not
    override: ScoreOverride | None = None  # a one-question assignment's staff override
    questions: tuple[QuestionResult, ...] = ()  # per question of the set, in order


@dataclass(frozen=True)
class GradebookColumn:
    """A column: one question of an assignment (`position`), or the assignment's total (None)."""

    assignment: Assignment
    position: int | None
    max_points: float


@dataclass(frozen=True)
class GradebookEntry:
    """One student's value in one column."""

    column: GradebookColumn
    cell: GradebookCell
    points: float | None
    score: float | None
    attempts: int
    late: int = 0
    override: ScoreOverride | None = None


@dataclass(frozen=True)
class ColumnStats:
    """Average and median of a column's points; None when the column has none."""

    average: float | None
    median: float | None
    count: int

    @classmethod
    def of(cls, values: list[float]) -> ColumnStats:
        if not values:
            return cls(None, None, 0)
        return cls(statistics.fmean(values), statistics.median(values), len(values))


@dataclass
class GradebookRow:
    """One student's line."""

    student: Any
    cells: list[GradebookCell]
    entries: list[GradebookEntry] = field(default_factory=list)  # aligned with Gradebook.columns

    @property
    def total_points(self) -> float:
        """The student's points over all assignments."""
        return sum(c.points or 0.0 for c in self.cells)

    @property
    def latest(self) -> datetime | None:
        """When the student last submitted anything in the course."""
        return max((c.latest for c in self.cells if c.latest is not None), default=None)


@dataclass
class Gradebook:
    """Students × assignments."""

    course: Course
    assignments: list[Assignment]
    max_points: list[float]  # per assignment, aligned with `assignments`
    rows: list[GradebookRow] = field(default_factory=list)
    # A column per question of each problem set and one for its total (one column for a single question).
    columns: list[GradebookColumn] = field(default_factory=list)

    @property
    def total_max_points(self) -> float:
        """The points all assignments are worth."""
        return sum(self.max_points)

    @property
    def column_stats(self) -> list[ColumnStats]:
        """Average and median per column (over the students with a graded attempt), then of
        the totals (over every student: no attempt counts 0)."""
        stats = [
            ColumnStats.of([e.points for e in entries if e.points is not None])
            for entries in zip(*(row.entries for row in self.rows))
        ] if self.rows else [ColumnStats.of([]) for _ in self.columns]
        return [*stats, ColumnStats.of([row.total_points for row in self.rows])]


def gradebook(*, course: Course, user: Any | None = None) -> Gradebook:
    """Every student's counted score on every assignment (an override counts instead of the attempts),
    in five queries whatever the size."""
    if user is not None and not can_grade(course=course, user=user):
        raise PermissionDenied
    assignments = course_assignments(course=course)
    students = [
        m.user
        for m in Membership.objects.filter(course=course, role=Role.STUDENT)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    ]
    extensions = set(
        Extension.objects.filter(assignment__course=course).values_list("assignment_id", "student_id")
    )
    overrides = overrides_by_question(ScoreOverride.objects.filter(assignment__course=course)) if assignments else {}
    stats = variant_stats(Variant.objects.filter(assignment__course=course)) if assignments else {}
    worth = assignments_worth(assignment_ids=[a.pk for a in assignments])
    max_points = [sum(points for _p, points in worth.get(a.pk, [])) for a in assignments]
    book = Gradebook(course=course, assignments=assignments, max_points=max_points)
    for assignment, top in zip(assignments, max_points):
        if len(worth.get(assignment.pk, [])) > 1:
            book.columns += [GradebookColumn(assignment, p, points) for p, points in worth[assignment.pk]]
        book.columns.append(GradebookColumn(assignment, None, top))
    for student in students:
        cells = []
        for assignment in assignments:
            result = set_result(assignment, worth.get(assignment.pk, []), stats, student.pk, overrides)
            single = result.questions[0] if len(result.questions) == 1 else None
            cells.append(
                GradebookCell(
                    assignment=assignment,
                    score=result.score,
                    points=result.points,
                    attempts=result.attempts,
                    extended=(assignment.pk, student.pk) in extensions,
                    latest=result.latest,
                    late=result.late,
                    graded_score=result.graded_score,
                    override=single.override if single is not None else None,
                    questions=result.questions,
                )
            )
        by_assignment = {cell.assignment.pk: cell for cell in cells}
        entries = []
        for column in book.columns:
            cell = by_assignment[column.assignment.pk]
            if column.position is None:
                entries.append(GradebookEntry(column, cell, cell.points, cell.score, cell.attempts, cell.late, cell.override))
            else:
                q = next(q for q in cell.questions if q.position == column.position)
                entries.append(GradebookEntry(column, cell, q.points, q.score, q.attempts, q.late, q.override))
        book.rows.append(GradebookRow(student=student, cells=cells, entries=entries))
    return book


def column_key(column: GradebookColumn) -> str:
    """A column's sort key: "a<assignment id>" for an assignment's total, "a<id>q<position>" for a question."""
    base = f"a{column.assignment.pk}"
    return base if column.position is None else f"{base}q{column.position}"


def sort_keys(book: Gradebook) -> list[str]:
    """The columns a gradebook sorts by: "student", each column's `column_key`, "total"."""
    return ["student", *(column_key(c) for c in book.columns), "total"]


def gradebook_sort(book: Gradebook, key: str, *, descending: bool = False) -> Gradebook:
    """The book's rows sorted by one column (unknown keys keep the name order); blanks go last."""
    keys = sort_keys(book)
    if key not in keys or key == "student":
        if descending:
            book.rows.reverse()
        return book
    index = keys.index(key) - 1

    def value(row: GradebookRow) -> float | None:
        return row.total_points if key == "total" else row.entries[index].points

    filled = [row for row in book.rows if value(row) is not None]
    blank = [row for row in book.rows if value(row) is None]
    filled.sort(key=lambda row: value(row) or 0.0, reverse=descending)  # stable: ties keep name order
    book.rows = filled + blank
    return book


def _csv_safe(text: str) -> str:
    """Neutralise spreadsheet formulas (=, +, -, @ at the start of a cell)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _points_text(value: float) -> str:
    return f"{round(value, 2):g}"


def _percent_value(score: float | None) -> float | None:
    return None if score is None else round(score * 100, 1)


def _column_title(column: GradebookColumn) -> str:
    title = column.assignment.title
    return title if column.position is None else f"{title} Q{column.position}"


def gradebook_table(*, course: Course, user: Any | None = None, zone: str | None = None) -> tuple[list[str], list[list[Any]]]:
    """The gradebook as a header and typed rows (text, numbers, None for blank) for CSV and XLSX:
    Username, Email, Name; per column (each question of a problem set, "<title> Q<n>", then each
    assignment's total) its points "<title> (<max>)", "%", attempts, late attempts and the
    override's "%"; the total's points and "%"; the last submission's time in `zone` (default: the
    active one). Percentages are 0–100 with one decimal."""
    book = gradebook(course=course, user=user)
    zone = zone or timezone.get_current_timezone_name()
    header = ["Username", "Email", "Name"]
    for column in book.columns:
        title = _column_title(column)
        header += [f"{title} ({_points_text(column.max_points)})", f"{title} %", f"{title} attempts",
                   f"{title} late attempts", f"{title} override %"]
    header += [f"Total ({_points_text(book.total_max_points)})", "Total %", f"Last submission ({zone})"]
    rows = []
    for row in book.rows:
        student = row.student
        line: list[Any] = [student.username, student.email or "", student.get_full_name() or student.username]
        for entry in row.entries:
            line += [None if entry.points is None else round(entry.points, 2), _percent_value(entry.score),
                     entry.attempts, entry.late, None if entry.override is None else _percent_value(entry.override.score)]
        total_share = row.total_points / book.total_max_points if book.total_max_points else None
        line += [round(row.total_points, 2), _percent_value(total_share),
                 None if row.latest is None else local_text(row.latest, zone)]
        rows.append(line)
    return header, rows


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e15 else repr(value)
    return _csv_safe(str(value))


def gradebook_csv(*, course: Course, user: Any | None = None, zone: str | None = None) -> str:
    """The gradebook as CSV for an LMS import (the columns of `gradebook_table`; formulas neutralised)."""
    header, rows = gradebook_table(course=course, user=user, zone=zone)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_csv_safe(h) for h in header])
    for line in rows:
        writer.writerow([_csv_cell(value) for value in line])
    return out.getvalue()


def submission_drilldown(*, assignment: Assignment, student: Any, viewer: Any | None = None,
                         position: int | None = None) -> list[Submission]:
    """Every attempt of the student on the assignment (or on its question at `position`), oldest
    first, with its (unfiltered) report."""
    # Show reports to a student only through `visible_report`.
    if viewer is not None:
        is_self = signed_in(viewer) and viewer.pk == getattr(student, "pk", None)
        if not is_self and not can_grade(course=assignment.course, user=viewer):
            raise PermissionDenied
    submissions = list(
        Submission.objects.filter(variant__assignment=assignment, variant__owner=student,
                                  **({} if position is None else {"variant__position": position}))
        .select_related("variant")
        .order_by("created_at", "pk")
    )
    return submissions
