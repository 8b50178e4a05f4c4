"""Homework reads for one student: their assignment list (due dates, attempts, counted score),
everything the assignment page needs (HomeworkState), and one of their submissions.

Selectors that take a `user`/`viewer` check it and raise `PermissionDenied`. Every list costs a
constant number of queries (tests assert the counts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from ...models import Assignment, Course, Extension, HomeworkDraft, Membership, ScoreOverride, Submission, Variant
from ...values import as_uuid
from ..permissions import can_grade, role_in, signed_in
from ..window import CLOSED, NOT_OPEN, attempts_allowed, reveal_allowed, student_extension, submission_window
from .courses import published_q
from .questions import assignments_worth, question_slots
from .scores import SetResult, counted_submission, overrides_by_question, set_result, variant_stats

Role = Membership.Role


@dataclass
class StudentAssignmentRow:
    """One assignment as a student sees it in a list."""

    assignment: Assignment
    due_at: datetime
    late_until: datetime | None
    attempts_used: int
    attempts_allowed: int  # 0 = unlimited
    score: float | None  # counted score, 0…1 (of the whole set; overridden questions count their override)
    status: str  # open | not_open | closed | late
    extended: bool = False
    result: SetResult | None = None  # per question and in total (each question's override, with its comment)

    @property
    def overrides(self) -> tuple[ScoreOverride, ...]:
        """The staff overrides of the student's questions, with their comments."""
        return self.result.overrides if self.result else ()

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
    course_ids = [m.course_id for m in memberships if m.role == Role.STUDENT]
    if not course_ids:
        return []
    now = timezone.now()
    assignments = list(
        Assignment.objects.filter(published_q(now), course_id__in=course_ids)
        .select_related("course").order_by("due_at", "pk")
    )
    extensions = {
        assignment_id: (due, extra)
        for assignment_id, due, extra in Extension.objects.filter(
            assignment__course_id__in=course_ids, student=user
        ).values_list("assignment_id", "due_at", "extra_attempts")
    }
    overrides = overrides_by_question(ScoreOverride.objects.filter(assignment__course_id__in=course_ids, student=user))
    worth = assignments_worth(assignment_ids=[a.pk for a in assignments])
    stats = variant_stats(Variant.objects.filter(assignment__course_id__in=course_ids, owner=user))
    rows = []
    for assignment in assignments:
        ext_due, extra = extensions.get(assignment.pk, (None, 0))
        window = submission_window(assignment=assignment, extension_due=ext_due, now=now)
        result = set_result(assignment, worth.get(assignment.pk, []), stats, user.pk, overrides)
        rows.append(
            StudentAssignmentRow(
                assignment=assignment,
                due_at=window.due_at,
                late_until=window.late_until,
                attempts_used=result.attempts,
                attempts_allowed=attempts_allowed(assignment, extra),
                score=result.score,
                status=window.status,
                extended=window.due_at != assignment.due_at or extra > 0,
                result=result,
            )
        )
    return rows


def assignments_for_student(*, course: Course, user: Any) -> list[StudentAssignmentRow]:
    """The course's assignments with the student's due date, attempts, counted score and status."""
    if not signed_in(user):
        raise PermissionDenied
    membership = Membership.objects.filter(course=course, user=user).first()
    if membership is None:
        raise PermissionDenied
    return _student_rows(memberships=[membership], user=user)


def assignments_for_user(*, user: Any) -> list[StudentAssignmentRow]:
    """Every assignment of every course the user is a student in (a constant number of queries)."""
    if not signed_in(user):
        return []
    return _student_rows(memberships=list(Membership.objects.filter(user=user, role=Role.STUDENT, active=True)), user=user)


@dataclass
class HomeworkState:
    """Everything the assignment page needs for one student and one question of the set."""

    assignment: Assignment
    student: Any
    variant: Variant | None  # None until the student first opens the question
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
    override: ScoreOverride | None = None  # a staff override of this question: its score counts instead
    extra_attempts: int = 0  # given by an extension
    position: int = 1  # the question shown
    result: SetResult | None = None  # every question's counted score, and the total

    @property
    def positions(self) -> list[int]:
        """The set's question positions, in order."""
        return [q.position for q in self.result.questions] if self.result else [self.position]

    @property
    def closes_at(self) -> datetime:
        """The student's last moment to submit (late window, else due date, extension included)."""
        return self.late_until or self.due_at

    @property
    def graded_score(self) -> float | None:
        """The counted attempt's final score (0…1), or None before any graded attempt."""
        return None if self.counted is None else self.counted.final_score

    @property
    def score(self) -> float | None:
        """The score that counts (0…1): the override's while there is one, else the counted attempt's."""
        return self.override.score if self.override is not None else self.graded_score


def homework_state(*, assignment: Assignment, student: Any, viewer: Any | None = None,
                   position: int = 1) -> HomeworkState:
    """The student's variant of the question at `position`, its submissions and attempts, the
    window, what may be revealed (to `viewer`), and the counted score of every question."""
    # `viewer` defaults to the student; staff of the course may look at any student's state (and
    # see everything revealed). Anyone else gets PermissionDenied.
    viewer = student if viewer is None else viewer
    if not signed_in(viewer) or not signed_in(student):
        raise PermissionDenied
    student_role = role_in(course=assignment.course, user=student)
    is_self = viewer.pk == student.pk
    if is_self:
        if student_role is None:
            raise PermissionDenied
        staff_view = False
    else:
        if not can_grade(course=assignment.course, user=viewer) or student_role != Role.STUDENT:
            raise PermissionDenied
        staff_view = True
    now = timezone.now()
    ext_due, extra = student_extension(assignment=assignment, student=student)
    window = submission_window(assignment=assignment, extension_due=ext_due, now=now)
    variant = (Variant.objects.filter(assignment=assignment, owner=student, position=position)
               .select_related("question").first())
    overrides = overrides_by_question(ScoreOverride.objects.filter(assignment=assignment, student=student))
    submissions = list(variant.submissions.order_by("-created_at")) if variant is not None else []
    for submission in submissions:
        submission.variant = variant  # no query per submission
    used = sum(1 for s in submissions if s.status != Submission.Status.ERROR)
    allowed = attempts_allowed(assignment, extra)
    left = None if not allowed else max(0, allowed - used)
    reason = ""
    if student_role != Role.STUDENT:
        reason = "not_student"
    elif window.status in (NOT_OPEN, CLOSED):
        reason = window.status
    elif left == 0:
        reason = "no_attempts_left"
    has_graded = any(s.status == Submission.Status.GRADED for s in submissions)
    reveal = staff_view or reveal_allowed(
        assignment=assignment, window=window, has_graded=has_graded, attempts_left=left, now=now
    )
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
        counted=counted_submission(assignment, submissions),
        extended=window.due_at != assignment.due_at or extra > 0,
        override=overrides.get((assignment.pk, student.pk, position)),
        extra_attempts=extra,
        position=position,
        result=set_result(
            assignment, [(slot.position, slot.max_points) for slot in question_slots(assignment=assignment)],
            variant_stats(Variant.objects.filter(assignment=assignment, owner=student)), student.pk, overrides,
        ),
    )


def homework_submission_get(*, submission_id: Any, user: Any) -> Submission | None:
    """A homework submission if the user made it or grades its course; else None."""
    if not signed_in(user):
        return None
    pk = as_uuid(submission_id)
    if pk is None:
        return None
    submission = (
        Submission.objects.select_related("variant__assignment__course", "variant__question", "variant__numbers",
                                          "numbers", "user")
        .filter(pk=pk, variant__assignment__isnull=False)
        .first()
    )
    if submission is None:
        return None
    if submission.user_id == user.pk and submission.variant.assignment.is_published():
        return submission
    if can_grade(course=submission.variant.assignment.course, user=user):
        return submission
    return None


def homework_variants(*, assignment: Assignment, student: Any) -> dict[int, Variant]:
    """position → the student's variant of that question (those drawn so far)."""
    return {v.position: v for v in Variant.objects.filter(assignment=assignment, owner=student)
            .select_related("question")}


def homework_draft(*, variant: Variant | None) -> HomeworkDraft | None:
    """The student's saved (not submitted) answers to their homework variant, if any."""
    if variant is None:
        return None
    return HomeworkDraft.objects.filter(variant=variant).first()
