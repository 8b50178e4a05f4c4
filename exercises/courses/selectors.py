"""Homework reads: roles, what a student may see and do, gradebook, drill-down, analytics.

Every list here costs a constant number of queries, however many students or attempts there are
(tests assert the counts). Selectors that take a `user`/`viewer` check it and raise
`PermissionDenied`; the contract's selectors without one (`gradebook`, `assignment_analytics`, …)
leave the check to the caller (`can_grade`), and accept an optional `user` that makes them check.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

import graders
from graders.analytics import STATUSES, Analytics, summarize
from graders.copying import CopySignal, Sheet, copy_signals

from ..models import Assignment, Course, Extension, Membership, RegradeJob, Submission, Variant
from ..values import as_int, finite
from .config import assignment_parts, assignment_policy, assignment_template
from .permissions import STAFF_ROLES, can_grade, can_manage, role_in  # noqa: F401  (interim re-export)
from .permissions import signed_in as _signed_in
from .window import (  # noqa: F401  (interim re-export)
    CLOSED, LATE, NOT_OPEN, OPEN, Window, extension_due, reveal_allowed, submission_window, visible_report,
)

INSTRUCTOR = Membership.Role.INSTRUCTOR
TA = Membership.Role.TA
STUDENT = Membership.Role.STUDENT


# ------------------------------------------------------------------------------------- roles


def courses_for_user(*, user: Any) -> list[tuple[Course, str]]:
    """The user's courses with their role in each, newest first."""
    if not _signed_in(user):
        return []
    memberships = Membership.objects.filter(user=user).select_related("course").order_by("-course__created_at")
    return [(m.course, m.role) for m in memberships]


def course_get_for_member(*, course_id: Any, user: Any) -> tuple[Course, str] | None:
    """The course and the user's role in it, or None when it is unknown or the user is no member."""
    pk = as_int(course_id)
    if pk is None or not _signed_in(user):
        return None
    membership = Membership.objects.filter(course_id=pk, user=user).select_related("course").first()
    return None if membership is None else (membership.course, membership.role)


def assignment_get_for_member(*, assignment_id: Any, user: Any) -> tuple[Assignment, str] | None:
    """The assignment and the user's role in its course, or None (unknown, or not a member)."""
    pk = as_int(assignment_id)
    if pk is None or not _signed_in(user):
        return None
    assignment = Assignment.objects.select_related("course").filter(pk=pk).first()
    if assignment is None:
        return None
    role = role_in(course=assignment.course, user=user)
    return None if role is None else (assignment, role)


def course_members(*, course: Course, user: Any | None = None) -> list[Membership]:
    """Everyone in the course with their role (staff first), users joined in."""
    if user is not None and not can_grade(course=course, user=user):
        raise PermissionDenied
    order = {INSTRUCTOR: 0, TA: 1, STUDENT: 2}
    members = list(Membership.objects.filter(course=course).select_related("user"))
    members.sort(key=lambda m: (order.get(m.role, 3), m.user.username.lower()))
    return members


def course_student_get(*, course: Course, user_id: Any) -> Any | None:
    """A student of the course by user id, or None."""
    pk = as_int(user_id)
    if pk is None:
        return None
    membership = Membership.objects.filter(course=course, user_id=pk, role=STUDENT).select_related("user").first()
    return None if membership is None else membership.user


def course_assignments(*, course: Course) -> list[Assignment]:
    """The course's assignments by due date."""
    return list(Assignment.objects.filter(course=course).order_by("due_at", "pk"))


# ------------------------------------------------------------------------------- per student


def _counted_subquery() -> tuple[Subquery, Subquery]:
    """(best, last) final scores of a variant's graded submissions, as correlated subqueries."""
    graded = Submission.objects.filter(variant=OuterRef("pk"), status=Submission.Status.GRADED)
    best = Subquery(graded.order_by("-final_score", "-created_at").values("final_score")[:1])
    last = Subquery(graded.order_by("-created_at", "-pk").values("final_score")[:1])
    return best, last


def _variant_stats(variants: Any) -> dict[tuple[int, int], dict[str, Any]]:
    """(assignment id, owner id) → attempts used, best and last final score, late count."""
    best, last = _counted_subquery()
    rows = (
        variants.annotate(
            used=Count("submissions", filter=~Q(submissions__status=Submission.Status.ERROR)),
            graded=Count("submissions", filter=Q(submissions__status=Submission.Status.GRADED)),
            best=best,
            last=last,
        )
        .order_by()
        .values_list("assignment_id", "owner_id", "used", "graded", "best", "last")
    )
    return {
        (a, o): {"used": used, "graded": graded, "best": b, "last": lst}
        for a, o, used, graded, b, lst in rows
    }


def _counted(assignment: Assignment, stats: dict[str, Any] | None) -> float | None:
    if not stats:
        return None
    return stats["best"] if assignment.scoring == Assignment.Scoring.BEST else stats["last"]


@dataclass
class StudentAssignmentRow:
    """One assignment as a student sees it in a list."""

    assignment: Assignment
    due_at: datetime
    late_until: datetime | None
    attempts_used: int
    attempts_allowed: int  # 0 = unlimited
    score: float | None  # counted final score, 0…1
    status: str  # open | not_open | closed | late
    extended: bool = False

    @property
    def course(self) -> Course:
        """The assignment's course."""
        return self.assignment.course

    @property
    def attempts_left(self) -> int | None:
        """None when unlimited."""
        if not self.attempts_allowed:
            return None
        return max(0, self.attempts_allowed - self.attempts_used)


def _student_rows(*, memberships: list[Membership], user: Any) -> list[StudentAssignmentRow]:
    course_ids = [m.course_id for m in memberships if m.role == STUDENT]
    if not course_ids:
        return []
    assignments = list(
        Assignment.objects.filter(course_id__in=course_ids).select_related("course").order_by("due_at", "pk")
    )
    extensions = dict(
        Extension.objects.filter(assignment__course_id__in=course_ids, student=user).values_list(
            "assignment_id", "due_at"
        )
    )
    stats = _variant_stats(Variant.objects.filter(assignment__course_id__in=course_ids, owner=user))
    now = timezone.now()
    rows = []
    for assignment in assignments:
        ext = extensions.get(assignment.pk)
        window = submission_window(assignment=assignment, extension_due=ext, now=now)
        st = stats.get((assignment.pk, user.pk))
        rows.append(
            StudentAssignmentRow(
                assignment=assignment,
                due_at=window.due_at,
                late_until=window.late_until,
                attempts_used=st["used"] if st else 0,
                attempts_allowed=assignment.attempts_allowed,
                score=_counted(assignment, st),
                status=window.status,
                extended=window.due_at != assignment.due_at,
            )
        )
    return rows


def assignments_for_student(*, course: Course, user: Any) -> list[StudentAssignmentRow]:
    """The course's assignments with the student's due date, attempts, counted score and status."""
    if not _signed_in(user):
        raise PermissionDenied
    membership = Membership.objects.filter(course=course, user=user).first()
    if membership is None:
        raise PermissionDenied
    return _student_rows(memberships=[membership], user=user)


def assignments_for_user(*, user: Any) -> list[StudentAssignmentRow]:
    """Every assignment of every course the user is a student in (a constant number of queries)."""
    if not _signed_in(user):
        return []
    return _student_rows(memberships=list(Membership.objects.filter(user=user, role=STUDENT)), user=user)


@dataclass
class HomeworkState:
    """Everything the assignment page needs for one student."""

    assignment: Assignment
    student: Any
    variant: Variant | None  # None until the student first opens the assignment
    submissions: list[Submission]  # newest first
    attempts_used: int
    attempts_left: int | None  # None: unlimited
    can_submit: bool
    reason: str  # "" when can_submit, else not_open | closed | no_attempts_left | not_student
    due_at: datetime  # effective (extension)
    late_until: datetime | None
    status: str  # open | not_open | closed | late
    reveal_expected: bool
    reveal_solution: bool
    show_diagnosis: bool
    counted: Submission | None = None  # the submission whose score counts
    extended: bool = False

    @property
    def score(self) -> float | None:
        """The counted final score (0…1), or None before any graded attempt."""
        return None if self.counted is None else self.counted.final_score

    @property
    def pending(self) -> list[Submission]:
        """Submissions not graded yet."""
        return [s for s in self.submissions if not s.is_finished]


def _counted_submission(assignment: Assignment, submissions: list[Submission]) -> Submission | None:
    graded = [s for s in submissions if s.status == Submission.Status.GRADED and s.final_score is not None]
    if not graded:
        return None
    if assignment.scoring == Assignment.Scoring.LAST:
        return max(graded, key=lambda s: (s.created_at, str(s.pk)))
    return max(graded, key=lambda s: (s.final_score, s.created_at))


def homework_state(*, assignment: Assignment, student: Any, viewer: Any | None = None) -> HomeworkState:
    """The student's variant, submissions, attempts, window and what may be revealed (to `viewer`)."""
    # `viewer` defaults to the student; staff of the course may look at any student's state (and
    # see everything revealed). Anyone else gets PermissionDenied.
    viewer = student if viewer is None else viewer
    if not _signed_in(viewer) or not _signed_in(student):
        raise PermissionDenied
    student_role = role_in(course=assignment.course, user=student)
    is_self = viewer.pk == student.pk
    if is_self:
        if student_role is None:
            raise PermissionDenied
        staff_view = False
    else:
        if not can_grade(course=assignment.course, user=viewer) or student_role != STUDENT:
            raise PermissionDenied
        staff_view = True
    now = timezone.now()
    window = submission_window(
        assignment=assignment, extension_due=extension_due(assignment=assignment, student=student), now=now
    )
    variant = Variant.objects.filter(assignment=assignment, owner=student).first()
    submissions = list(variant.submissions.order_by("-created_at")) if variant is not None else []
    for submission in submissions:
        submission.variant = variant  # no query per submission
    used = sum(1 for s in submissions if s.status != Submission.Status.ERROR)
    left = None if not assignment.attempts_allowed else max(0, assignment.attempts_allowed - used)
    reason = ""
    if student_role != STUDENT:
        reason = "not_student"
    elif window.status in (NOT_OPEN, CLOSED):
        reason = window.status
    elif left == 0:
        reason = "no_attempts_left"
    has_graded = any(s.status == Submission.Status.GRADED for s in submissions)
    reveal = staff_view or reveal_allowed(assignment=assignment, window=window, has_graded=has_graded, now=now)
    return HomeworkState(
        assignment=assignment,
        student=student,
        variant=variant,
        submissions=submissions,
        attempts_used=used,
        attempts_left=left,
        can_submit=not reason,
        reason=reason,
        due_at=window.due_at,
        late_until=window.late_until,
        status=window.status,
        reveal_expected=reveal,
        reveal_solution=reveal,
        show_diagnosis=staff_view or assignment.show_diagnosis,
        counted=_counted_submission(assignment, submissions),
        extended=window.due_at != assignment.due_at,
    )


def homework_submission_get(*, submission_id: Any, user: Any) -> Submission | None:
    """A homework submission if the user made it or grades its course; else None."""
    if not _signed_in(user):
        return None
    try:
        pk = submission_id if isinstance(submission_id, uuid.UUID) else uuid.UUID(str(submission_id))
    except (TypeError, ValueError, AttributeError):
        return None
    submission = (
        Submission.objects.select_related("variant__assignment__course", "user")
        .filter(pk=pk, variant__assignment__isnull=False)
        .first()
    )
    if submission is None:
        return None
    if submission.user_id == user.pk or can_grade(course=submission.variant.assignment.course, user=user):
        return submission
    return None


# --------------------------------------------------------------------------------- gradebook


def assignment_max_points(*, assignment: Assignment) -> float:
    """Total points of the asked parts."""
    points = assignment.points or {}
    return float(sum(float(points.get(p.key, 1.0)) for p in assignment_parts(assignment=assignment)))


@dataclass
class GradebookCell:
    """One student's result on one assignment."""

    assignment: Assignment
    score: float | None  # counted final score 0…1; None: nothing graded
    points: float | None  # score × the assignment's points
    attempts: int
    extended: bool = False


@dataclass
class GradebookRow:
    """One student's line."""

    student: Any
    cells: list[GradebookCell]

    @property
    def total_points(self) -> float:
        """The student's points over all assignments."""
        return sum(c.points or 0.0 for c in self.cells)


@dataclass
class Gradebook:
    """Students × assignments."""

    course: Course
    assignments: list[Assignment]
    max_points: list[float]  # per assignment, aligned with `assignments`
    rows: list[GradebookRow] = field(default_factory=list)

    @property
    def total_max_points(self) -> float:
        """The points all assignments are worth."""
        return sum(self.max_points)


def gradebook(*, course: Course, user: Any | None = None) -> Gradebook:
    """Every student's counted score on every assignment, in four queries whatever the size."""
    if user is not None and not can_grade(course=course, user=user):
        raise PermissionDenied
    assignments = course_assignments(course=course)
    students = [
        m.user
        for m in Membership.objects.filter(course=course, role=STUDENT)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    ]
    extensions = set(
        Extension.objects.filter(assignment__course=course).values_list("assignment_id", "student_id")
    )
    stats = _variant_stats(Variant.objects.filter(assignment__course=course)) if assignments else {}
    max_points = [assignment_max_points(assignment=a) for a in assignments]
    book = Gradebook(course=course, assignments=assignments, max_points=max_points)
    for student in students:
        cells = []
        for assignment, top in zip(assignments, max_points):
            st = stats.get((assignment.pk, student.pk))
            score = _counted(assignment, st)
            cells.append(
                GradebookCell(
                    assignment=assignment,
                    score=score,
                    points=None if score is None else score * top,
                    attempts=st["used"] if st else 0,
                    extended=(assignment.pk, student.pk) in extensions,
                )
            )
        book.rows.append(GradebookRow(student=student, cells=cells))
    return book


def _csv_safe(text: str) -> str:
    """Neutralise spreadsheet formulas (=, +, -, @ at the start of a cell)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _points_text(value: float) -> str:
    return f"{round(value, 2):g}"


def gradebook_csv(*, course: Course, user: Any | None = None) -> str:
    """The gradebook as CSV for an LMS import: Username,Email,Name,<title> (<points>)…; scores in points."""
    book = gradebook(course=course, user=user)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        ["Username", "Email", "Name"]
        + [_csv_safe(f"{a.title} ({_points_text(p)})") for a, p in zip(book.assignments, book.max_points)]
    )
    for row in book.rows:
        student = row.student
        name = student.get_full_name() or student.username
        writer.writerow(
            [_csv_safe(student.username), _csv_safe(student.email or ""), _csv_safe(name)]
            + ["" if c.points is None else _points_text(c.points) for c in row.cells]
        )
    return out.getvalue()


def submission_drilldown(*, assignment: Assignment, student: Any, viewer: Any | None = None) -> list[Submission]:
    """Every attempt of the student on the assignment, oldest first, with its (unfiltered) report."""
    # Show reports to a student only through `visible_report`.
    if viewer is not None:
        is_self = _signed_in(viewer) and viewer.pk == getattr(student, "pk", None)
        if not is_self and not can_grade(course=assignment.course, user=viewer):
            raise PermissionDenied
    submissions = list(
        Submission.objects.filter(variant__assignment=assignment, variant__owner=student)
        .select_related("variant")
        .order_by("created_at", "pk")
    )
    return submissions


def regrade_job_get(*, job_id: Any, user: Any) -> RegradeJob | None:
    """A regrade job if the user grades its course; else None."""
    pk = as_int(job_id)
    if pk is None or not _signed_in(user):
        return None
    job = RegradeJob.objects.select_related("assignment__course").filter(pk=pk).first()
    if job is None or not can_grade(course=job.assignment.course, user=user):
        return None
    return job


def regrade_jobs(*, assignment: Assignment, limit: int = 10) -> list[RegradeJob]:
    """The assignment's latest regrade jobs."""
    return list(RegradeJob.objects.filter(assignment=assignment).order_by("-created_at")[:limit])


# --------------------------------------------------------------------------------- analytics


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
    raw: list[CopySignal] = field(default_factory=list)


def _share_row(key: str, step: str, counts: Counter) -> ShareRow:
    total = sum(counts.values())
    return ShareRow(
        key=key,
        step=step,
        total=total,
        counts={s: int(counts.get(s, 0)) for s in STATUSES},
        shares={s: (counts.get(s, 0) / total if total else 0.0) for s in STATUSES},
    )


def counted_submissions(*, assignment: Assignment) -> list[Submission]:
    """Each student's counted graded submission (best or last), in one query."""
    graded = Submission.objects.filter(variant=OuterRef("pk"), status=Submission.Status.GRADED)
    order = ("-created_at", "-pk") if assignment.scoring == Assignment.Scoring.LAST else ("-final_score", "-created_at")
    counted_ids = (
        Variant.objects.filter(
            assignment=assignment,
            owner__memberships__course_id=assignment.course_id,
            owner__memberships__role=STUDENT,
        )
        .annotate(counted=Subquery(graded.order_by(*order).values("pk")[:1]))
        .values("counted")
    )
    return list(
        Submission.objects.filter(pk__in=counted_ids)
        .select_related("user")
        .only("id", "user__id", "user__username", "user__first_name", "user__last_name", "user__email",
              "report", "final_score", "score", "variant_id", "created_at")
    )


def assignment_analytics(*, assignment: Assignment, user: Any | None = None) -> AssignmentAnalytics:
    """Counted attempts summarised per part, step and misconception, a score histogram, copying signals."""
    if user is not None and not can_grade(course=assignment.course, user=user):
        raise PermissionDenied
    counted = counted_submissions(assignment=assignment)
    part_infos = assignment_parts(assignment=assignment)
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
    sheets = []
    by_owner: dict[str, Submission] = {}
    for submission in counted:
        parts = (submission.report or {}).get("parts") or {}
        expected = {k: v for k, p in parts.items() if (v := finite(p.get("expected"))) is not None}
        answers = {k: v for k, p in parts.items() if (v := finite(p.get("value"))) is not None}
        owner = str(submission.user_id)
        by_owner[owner] = submission
        sheets.append(Sheet(owner=owner, expected=expected, answers=answers))
    signals = copy_signals(sheets, assignment_policy(assignment=assignment).tolerance,
                           inputs=assignment_template(config=assignment.template_config).quantity_inputs()) if sheets else []
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
        raw=signals,
    )
