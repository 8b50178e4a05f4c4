"""Course and homework endpoints of the JSON API (a Router mounted at /api/ by exercises.api.urls).

Every endpoint needs a signed-in user: the browser session (writes with the CSRF token) or
`Authorization: Bearer <token>`; anonymous calls get 401. Objects of courses the caller is not
in are 404 (their existence is not revealed); the wrong role gets 403. Expected values, worked
solutions and diagnoses appear only when the assignment's policy releases them to the caller.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field, StrictStr

import graders

from ..courses.config import question_parts
from ..courses.permissions import STAFF_ROLES
from ..courses.selectors import analytics as analytics_selectors
from ..courses.selectors import courses as course_selectors
from ..courses.selectors import gradebook as gradebook_selectors
from ..courses.selectors import homework as homework_selectors
from ..courses.selectors import regrade as regrade_selectors
from ..courses.selectors.questions import question_slots
from ..courses.services import courses as course_services
from ..courses.services import homework as homework_services
from ..courses.window import NOT_OPEN, submission_window, visible_report
from ..grading.store import SubmissionFormatError
from ..grading.variants import variant_solution
from ..models import Assignment, Membership, RegradeJob, Submission
from .analytics import ItemAnalysisOut, MisconceptionOut, item_analysis_out, misconceptions_out
from .auth import rate_limit, signed_in_user
from .errors import answers_as_text, format_error_body
from .errors import detail_of as _detail
from .reports import submission_out
from .problem_sets import GradebookQuestionOut, QuestionOut, parts_out, question_results_out, questions_out
from .schemas import ErrorOut, FollowthroughNoteOut, FormatErrorOut, PartResultOut, SubmissionCreatedOut, SubmissionIn

router = Router(tags=["homework"])

# ValidationError codes from homework_submit → HTTP status
_SUBMIT_STATUS = {"rate_limited": 429, "not_open": 403, "closed": 403, "no_attempts_left": 403}


# ------------------------------------------------------------------------------------ schemas
# Shared with the practice router: exercises.api.schemas.


class CourseOut(Schema):
    id: int
    title: str
    role: str
    code: str | None = Field(None, description="the join code (staff only)")


class JoinIn(Schema):
    code: StrictStr


class AssignmentRowOut(Schema):
    id: int
    course_id: int
    course_title: str
    title: str
    opens_at: datetime
    due_at: datetime = Field(..., description="your due date (with any extension)")
    late_until: datetime | None
    status: str = Field(..., description="open | not_open | late | closed")
    attempts_used: int
    attempts_allowed: int = Field(..., description="0 = unlimited")
    score: float | None = Field(None, description="the counted score (best or last attempt, after penalties), 0–1")
    url: str


class PartInfoOut(Schema):
    key: str
    step: str
    points: float


class AssignmentOut(Schema):
    id: int
    course_id: int
    title: str
    instructions: str
    role: str
    opens_at: datetime
    due_at: datetime
    late_until: datetime | None
    status: str
    attempts_used: int
    attempts_allowed: int
    attempts_left: int | None
    can_submit: bool
    reason: str
    attempt_penalty: float
    late_penalty_per_day: float
    scoring: str
    reveal: str = Field(..., description="when expected values are shown: after_submission | after_last "
                        "(your last attempt or the due date) | after_due | never")
    show_diagnosis: bool
    tolerance: dict[str, Any]
    max_points: float
    score: float | None = Field(None, description="your counted total: the questions' points over max_points, 0–1")
    parts: list[PartInfoOut] = Field(..., description="the first question's parts (each question: its variant_url)")
    questions: list[QuestionOut] = Field(default_factory=list)
    variant_url: str
    submissions_url: str


class HomeworkVariantOut(Schema):
    assignment_id: int
    question: int = Field(1, description="the question's position")
    parameters: dict[str, float] = Field(..., description="the given values: i1…, w1…, b1…, target_o1…, eta")
    part_keys: list[str]
    parts: list[PartInfoOut]
    submissions_url: str


class HomeworkPartOut(PartResultOut):
    expected: float | None = Field(None, description="only once the reveal policy allows")


class HomeworkSubmissionOut(Schema):
    id: str
    assignment_id: int
    question: int = Field(1, description="the position of the question answered")
    status: str
    status_label: str
    attempt_number: int | None
    late: bool
    score: float | None = Field(None, description="before penalties")
    penalty: float
    final_score: float | None = Field(None, description="score × (1 − penalty)")
    points: float | None
    max_points: float | None
    error: str | None
    created_at: datetime
    graded_at: datetime | None
    parts: list[HomeworkPartOut]
    followthrough_notes: list[FollowthroughNoteOut] = Field(default_factory=list, description="one note per root cause of follow-through credit")


class GradebookCellOut(Schema):
    assignment_id: int
    score: float | None = Field(None, description="the total over the questions, 0–1")
    points: float | None
    attempts: int
    extended: bool
    questions: list[GradebookQuestionOut] = Field(default_factory=list)


class GradebookRowOut(Schema):
    user_id: int
    username: str
    email: str
    name: str
    cells: list[GradebookCellOut]


class GradebookAssignmentOut(Schema):
    id: int
    title: str
    max_points: float


class GradebookOut(Schema):
    course_id: int
    assignments: list[GradebookAssignmentOut]
    rows: list[GradebookRowOut]


class ShareOut(Schema):
    key: str
    step: str
    total: int
    counts: dict[str, int]
    shares: dict[str, float]


class CopySignalOut(Schema):
    suspect: str
    source: str
    kind: str
    parts: list[str]
    submission_id: str


class AnalyticsOut(Schema):
    assignment_id: int
    students: int
    parts: list[ShareOut]
    steps: list[ShareOut]
    misconceptions: list[MisconceptionOut]
    histogram: list[int]
    copy_signals: list[CopySignalOut]
    item_analysis: ItemAnalysisOut | None = None


class RegradeJobOut(Schema):
    id: int
    assignment_id: int
    status: str
    total: int
    done: int
    new_settings: dict[str, Any]
    changes: list[dict[str, Any]]
    error: str
    created_at: datetime
    finished_at: datetime | None


# ------------------------------------------------------------------------------------ helpers


def _user(request: HttpRequest) -> Any:
    """The signed-in caller (session or token), else 401."""
    return signed_in_user(request)


def _assignment(assignment_id: Any, user: Any) -> tuple[Assignment, str]:
    found = course_selectors.assignment_get_for_member(assignment_id=assignment_id, user=user)
    if found is None:
        raise Http404
    return found


def _submission_out(submission: Submission, *, reveal_expected: bool, show_diagnosis: bool) -> dict[str, Any]:
    assignment = submission.variant.assignment
    report = visible_report(report=submission.report, reveal_expected=reveal_expected, show_diagnosis=show_diagnosis)
    steps = {p.key: p.step for p in question_parts(question=submission.variant.question)}
    out = submission_out(submission, report=report, steps=steps, reveal_expected=reveal_expected)
    out.update(
        assignment_id=assignment.pk, late=submission.late, penalty=submission.penalty, final_score=submission.final_score,
        question=submission.variant.position or 1,
    )
    return out


def _submission_url(request: HttpRequest, submission: Submission) -> str:
    return request.build_absolute_uri(
        f"/api/assignments/{submission.variant.assignment_id}/submissions/{submission.id}"
    )


# ------------------------------------------------------------------------------------ courses


@router.get("/courses", response={200: list[CourseOut], 401: ErrorOut}, summary="My courses")
def list_courses(request: HttpRequest) -> list[dict[str, Any]]:
    """The caller's courses and role in each (join codes for staff)."""
    user = _user(request)
    return [
        {"id": c.pk, "title": c.title, "role": role, "code": c.code if role in STAFF_ROLES else None}
        for c, role in course_selectors.courses_for_user(user=user)
    ]


@router.post("/courses/join", response={200: CourseOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut,
                                         429: ErrorOut}, summary="Join a course with its code")
def join_course(request: HttpRequest, payload: JoinIn) -> Status[dict[str, Any]]:
    """Become a student of the course with this join code."""
    user = _user(request)
    rate_limit(request, scope="join", user=user)
    try:
        membership = course_services.course_join(code=payload.code, user=user)
    except ValidationError as exc:
        return Status(422, {"detail": _detail(exc)})
    course = membership.course
    staff = membership.role in STAFF_ROLES
    return Status(200, {"id": course.pk, "title": course.title, "role": membership.role,
                        "code": course.code if staff else None})


@router.get("/courses/{course_id}/gradebook", response={200: GradebookOut, 401: ErrorOut, 403: ErrorOut,
                                                         404: ErrorOut}, summary="Gradebook (staff)")
def get_gradebook(request: HttpRequest, course_id: str) -> Status[dict[str, Any]]:
    """Students × assignments with counted scores (instructors and TAs of the course)."""
    user = _user(request)
    found = course_selectors.course_get_for_member(course_id=course_id, user=user)
    if found is None:
        raise Http404
    course, role = found
    if role not in STAFF_ROLES:
        return Status(403, {"detail": _("Only the course staff can see the gradebook.")})
    book = gradebook_selectors.gradebook(course=course, user=user)
    return Status(200, {
        "course_id": course.pk,
        "assignments": [{"id": a.pk, "title": a.title, "max_points": p}
                        for a, p in zip(book.assignments, book.max_points)],
        "rows": [
            {
                "user_id": row.student.pk, "username": row.student.username, "email": row.student.email or "",
                "name": row.student.get_full_name(),
                "cells": [{"assignment_id": c.assignment.pk, "score": c.score, "points": c.points,
                           "attempts": c.attempts, "extended": c.extended,
                           "questions": question_results_out(c.questions)}
                          for c in row.cells],
            }
            for row in book.rows
        ],
    })


# -------------------------------------------------------------------------------- assignments


@router.get("/assignments", response={200: list[AssignmentRowOut], 401: ErrorOut}, summary="My assignments")
def list_assignments(request: HttpRequest) -> list[dict[str, Any]]:
    """Every assignment of the courses the caller studies in, with due dates, attempts and scores."""
    user = _user(request)
    return [
        {
            "id": row.assignment.pk, "course_id": row.assignment.course_id, "course_title": row.course.title,
            "title": row.assignment.title, "opens_at": row.assignment.opens_at, "due_at": row.due_at,
            "late_until": row.late_until, "status": row.status, "attempts_used": row.attempts_used,
            "attempts_allowed": row.attempts_allowed, "score": row.score,
            "url": request.build_absolute_uri(f"/api/assignments/{row.assignment.pk}"),
        }
        for row in homework_selectors.assignments_for_user(user=user)
    ]


@router.get("/assignments/{assignment_id}", response={200: AssignmentOut, 401: ErrorOut, 404: ErrorOut},
            summary="An assignment")
def get_assignment(request: HttpRequest, assignment_id: str) -> Status[dict[str, Any]]:
    """An assignment's settings and, for a student, their attempts, window and counted score."""
    user = _user(request)
    assignment, role = _assignment(assignment_id, user)
    state = homework_selectors.homework_state(assignment=assignment, student=user)
    base = request.build_absolute_uri(f"/api/assignments/{assignment.pk}")
    slots = question_slots(assignment=assignment)
    questions = questions_out(slots, state.result, base)
    first = slots[0].first
    return Status(200, {
        "id": assignment.pk, "course_id": assignment.course_id, "title": assignment.title,
        "instructions": assignment.instructions, "role": role, "opens_at": assignment.opens_at,
        "due_at": state.due_at, "late_until": state.late_until, "status": state.status,
        "attempts_used": state.attempts_used,
        "attempts_allowed": assignment.attempts_allowed + state.extra_attempts if assignment.attempts_allowed else 0,
        "attempts_left": state.attempts_left, "can_submit": state.can_submit, "reason": state.reason,
        "attempt_penalty": assignment.attempt_penalty, "late_penalty_per_day": assignment.late_penalty_per_day,
        "scoring": assignment.scoring, "reveal": assignment.reveal, "show_diagnosis": assignment.show_diagnosis,
        "tolerance": first.tolerance or graders.DEFAULT_TOLERANCE.to_dict(),
        "max_points": sum(slot.max_points for slot in slots),
        "score": state.result.score if state.result else state.score,
        "parts": parts_out(first), "questions": questions,
        "variant_url": f"{base}/variant", "submissions_url": f"{base}/submissions",
    })


@router.get("/assignments/{assignment_id}/variant",
            response={200: HomeworkVariantOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
            summary="My numbers for an assignment")
def get_variant(request: HttpRequest, assignment_id: str, question: int = 1) -> Status[dict[str, Any]]:
    """The caller's own given values and the parts to compute of the question at `question`
    (1 by default; never the expected values)."""
    user = _user(request)
    assignment, role = _assignment(assignment_id, user)
    if role != Membership.Role.STUDENT:
        return Status(403, {"detail": _("Only the course's students have homework variants.")})
    if submission_window(assignment=assignment).status == NOT_OPEN:
        return Status(403, {"detail": _("This assignment is not open yet.")})
    try:
        variant = homework_services.homework_variant(assignment=assignment, student=user, position=question)
    except PermissionDenied as exc:
        return Status(403, {"detail": _detail(exc)})
    except ValidationError as exc:
        if exc.code == "no_question":
            raise Http404 from None
        return Status(403, {"detail": _detail(exc)})
    solution = variant_solution(variant=variant)
    parts = parts_out(variant.question)
    return Status(200, {
        "assignment_id": assignment.pk,
        "question": question,
        "parameters": dict(solution.givens),
        "part_keys": [p["key"] for p in parts],
        "parts": parts,
        "submissions_url": request.build_absolute_uri(f"/api/assignments/{assignment.pk}/submissions"),
    })


@router.post(
    "/assignments/{assignment_id}/submissions",
    response={202: SubmissionCreatedOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut,
              413: ErrorOut, 422: FormatErrorOut | ErrorOut, 429: ErrorOut},
    summary="Submit homework answers",
)
def create_submission(request: HttpRequest, assignment_id: str,
                      payload: SubmissionIn, question: int = 1) -> Status[dict[str, Any]]:
    """Queue the answers to the question at `question` (1 by default) for grading (202). 403: not
    open, closed or no attempts left; 429: too many."""
    user = _user(request)
    assignment, _role = _assignment(assignment_id, user)
    try:
        submission = homework_services.homework_submit(
            assignment=assignment, student=user, answers=answers_as_text(payload.answers), position=question
        )
    except SubmissionFormatError as exc:
        return Status(422, format_error_body(exc))
    except PermissionDenied as exc:
        return Status(403, {"detail": _detail(exc)})
    except ValidationError as exc:
        return Status(_SUBMIT_STATUS.get(exc.code or "", 422), {"detail": _detail(exc)})
    submission.variant.assignment = assignment
    return Status(202, {"id": str(submission.id), "status": submission.status,
                        "url": _submission_url(request, submission)})


@router.get("/assignments/{assignment_id}/submissions",
            response={200: list[HomeworkSubmissionOut], 401: ErrorOut, 404: ErrorOut},
            summary="My submissions for an assignment")
def list_submissions(request: HttpRequest, assignment_id: str) -> Status[list[dict[str, Any]]]:
    """The caller's own attempts on every question, newest first, showing what the policy allows."""
    user = _user(request)
    assignment, _role = _assignment(assignment_id, user)
    out = []
    for slot in question_slots(assignment=assignment):
        state = homework_selectors.homework_state(assignment=assignment, student=user, position=slot.position)
        for submission in state.submissions:
            submission.variant.assignment = assignment
            out.append((submission.created_at, _submission_out(
                submission, reveal_expected=state.reveal_expected, show_diagnosis=state.show_diagnosis)))
    return Status(200, [item for _when, item in sorted(out, key=lambda pair: pair[0], reverse=True)])


@router.get("/assignments/{assignment_id}/submissions/{submission_id}",
            response={200: HomeworkSubmissionOut, 401: ErrorOut, 404: ErrorOut},
            summary="One of my submissions")
def get_submission(request: HttpRequest, assignment_id: str, submission_id: str) -> Status[dict[str, Any]]:
    """Status (queued → grading → graded), scores, penalty and per-part verdicts of the caller's attempt."""
    user = _user(request)
    assignment, _role = _assignment(assignment_id, user)
    submission = homework_selectors.homework_submission_get(submission_id=submission_id, user=user)
    if submission is None or submission.user_id != user.pk or submission.variant.assignment_id != assignment.pk:
        raise Http404
    state = homework_selectors.homework_state(assignment=assignment, student=user,
                                              position=submission.variant.position or 1)
    return Status(200, _submission_out(submission, reveal_expected=state.reveal_expected,
                                       show_diagnosis=state.show_diagnosis))


@router.get("/assignments/{assignment_id}/analytics",
            response={200: AnalyticsOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
            summary="Analytics per step and misconception (staff)")
def get_analytics(request: HttpRequest, assignment_id: str, question: int = 1) -> Status[dict[str, Any]]:
    """Shares per part and step, top misconceptions, score histogram and copying signals of the
    question at `question` (1 by default)."""
    user = _user(request)
    assignment, role = _assignment(assignment_id, user)
    if role not in STAFF_ROLES:
        return Status(403, {"detail": _("Only the course staff can see analytics.")})
    data = analytics_selectors.assignment_analytics(assignment=assignment, user=user, position=question)

    def rows(items: list[analytics_selectors.ShareRow]) -> list[dict[str, Any]]:
        """Share rows as JSON."""
        return [{"key": r.key, "step": r.step, "total": r.total, "counts": r.counts, "shares": r.shares}
                for r in items]

    return Status(200, {
        "assignment_id": assignment.pk,
        "students": data.students,
        "parts": rows(data.parts),
        "steps": rows(data.steps),
        "misconceptions": misconceptions_out(data),
        "item_analysis": item_analysis_out(data),
        "histogram": data.histogram,
        "copy_signals": [{"suspect": s.suspect.username, "source": s.source.username, "kind": s.kind,
                          "parts": list(s.parts), "submission_id": s.submission_id} for s in data.copy_signals],
    })


@router.get("/regrade-jobs/{job_id}", response={200: RegradeJobOut, 401: ErrorOut, 404: ErrorOut},
            summary="A regrade job's progress and preview (staff)")
def get_regrade_job(request: HttpRequest, job_id: str) -> Status[dict[str, Any]]:
    """Status, progress (done of total) and the changed scores of a regrade."""
    user = _user(request)
    job: RegradeJob | None = regrade_selectors.regrade_job_get(job_id=job_id, user=user)
    if job is None:
        raise Http404
    return Status(200, {
        "id": job.pk, "assignment_id": job.assignment_id, "status": job.status, "total": job.total,
        "done": job.done, "new_settings": job.new_settings, "changes": job.changes, "error": job.error,
        "created_at": job.created_at, "finished_at": job.finished_at,
    })
