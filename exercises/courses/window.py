"""When one student may submit, and when answers may be revealed (by the server clock)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils import timezone

from ..models import Assignment, Extension

# Window statuses (StudentAssignmentRow.status, HomeworkState.status)
NOT_OPEN, OPEN, LATE, CLOSED = "not_open", "open", "late", "closed"

# The latest moment a window may reach: two days short of datetime.max, so that showing it in any
# time zone (UTC-12 … UTC+14) cannot overflow either. Services keep dates far below (fields.py);
# this guards rows saved before those bounds existed.
LATEST = datetime.max.replace(tzinfo=UTC) - timedelta(days=2)


def _clamped(moment: datetime) -> datetime:
    """`moment`, but no later than LATEST."""
    return min(moment, LATEST)


def _shifted(moment: datetime, delta: timedelta) -> datetime:
    """moment + delta, clamped to LATEST instead of overflowing."""
    if delta >= LATEST - moment:  # a difference of two datetimes never overflows
        return LATEST
    return moment + delta


@dataclass(frozen=True)
class Window:
    """When one student may submit: status now, their due date and the end of the late window."""

    status: str
    opens_at: datetime
    due_at: datetime
    late_until: datetime | None  # None: no late submissions

    @property
    def closes_at(self) -> datetime:
        """The last moment a submission is accepted."""
        return self.late_until or self.due_at


def submission_window(
    *, assignment: Assignment, extension_due: datetime | None = None, now: datetime | None = None
) -> Window:
    """The student's window by the server clock; an extension moves the late window along."""
    now = now or timezone.now()
    due = extension_due if extension_due is not None and extension_due > assignment.due_at else assignment.due_at
    due = _clamped(due)
    late_until = None
    if assignment.late_policy == Assignment.LatePolicy.PENALTY and assignment.late_until is not None:
        late_until = max(due, _shifted(_clamped(assignment.late_until), due - _clamped(assignment.due_at)))
    if now < assignment.opens_at:
        status = NOT_OPEN
    elif now <= due:
        status = OPEN
    elif late_until is not None and now <= late_until:
        status = LATE
    else:
        status = CLOSED
    return Window(status=status, opens_at=assignment.opens_at, due_at=due, late_until=late_until)


def extension_due(*, assignment: Assignment, student: Any) -> datetime | None:
    """The student's extended due date, if any."""
    return student_extension(assignment=assignment, student=student)[0]


def student_extension(*, assignment: Assignment, student: Any) -> tuple[datetime | None, int]:
    """The student's extension: (later due date or None, extra attempts); (None, 0) without one."""
    row = Extension.objects.filter(assignment=assignment, student=student).values_list("due_at", "extra_attempts").first()
    return (None, 0) if row is None else (row[0], int(row[1] or 0))


def attempts_allowed(assignment: Assignment, extra_attempts: int) -> int:
    """The attempts one student may use: the assignment's, plus an extension's extra ones (0 = no limit)."""
    return assignment.attempts_allowed + extra_attempts if assignment.attempts_allowed else 0


def reveal_allowed(
    *,
    assignment: Assignment,
    window: Window,
    has_graded: bool,
    attempts_left: int | None = None,
    now: datetime | None = None,
) -> bool:
    """Whether expected values and worked solutions may be shown to the student now
    (`attempts_left`: None when unlimited)."""
    reveal = assignment.reveal
    # The student's own last chance to submit has passed (due date, extension, late window).
    closed = (now or timezone.now()) > window.closes_at
    if reveal == Assignment.Reveal.AFTER_SUBMISSION:
        return has_graded
    if reveal == Assignment.Reveal.AFTER_LAST:
        return closed or (has_graded and attempts_left == 0)
    if reveal == Assignment.Reveal.AFTER_DUE:
        return closed
    return False


def reveal_risky(*, reveal: str, attempts_allowed: int | None) -> bool:
    """Whether answers shown after each submission could be typed into a next attempt."""
    return reveal == Assignment.Reveal.AFTER_SUBMISSION and attempts_allowed != 1


def visible_report(*, report: dict[str, Any] | None, reveal_expected: bool, show_diagnosis: bool) -> dict[str, Any]:
    """A copy of a stored report with what the policy hides removed (expected values, diagnoses)."""
    if not report:
        return {}
    out = {key: value for key, value in report.items() if key != "parts"}
    parts: dict[str, Any] = {}
    for key, part in (report.get("parts") or {}).items():
        shown = dict(part)
        if not reveal_expected:
            shown["expected"] = None
            shown["followthrough_expected"] = None
        if not show_diagnosis:
            shown["diagnoses"] = []
        parts[key] = shown
    out["parts"] = parts
    if not show_diagnosis:
        out["followthrough_notes"] = [
            {**note, "diagnoses": [], "message": note.get("plain_message") or note.get("message")}
            for note in report.get("followthrough_notes") or []
        ]
    return out
