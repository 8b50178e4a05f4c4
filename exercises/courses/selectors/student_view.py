""""View as student": what a student's homework page shows, for one of the course's students
(their own numbers, their window, what the policy reveals to them) or for a sample seed, built
without writing anything (no variant is created, nothing can be submitted). Staff only."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

import graders

from ...grading.variants import variant_spec
from ...models import Assignment
from ...practice.services import seed_validate
from ..config import assignment_spec, variant_seed
from ..permissions import can_grade
from ..window import attempts_allowed, submission_window
from .homework import HomeworkState, homework_state

SAMPLE_SEED = "sample"


@dataclass(frozen=True)
class StudentView:
    """The read-only homework page's state and numbers; `error` when no numbers could be drawn."""

    state: HomeworkState
    seed: str
    spec: dict[str, Any] | None
    student: Any | None = None
    error: str = ""


def _sample_state(assignment: Assignment, viewer: Any) -> HomeworkState:
    """A student who has not submitted yet and has no extension."""
    window = submission_window(assignment=assignment, now=timezone.now())
    allowed = attempts_allowed(assignment, 0)
    return HomeworkState(
        assignment=assignment, student=viewer, variant=None, submissions=[], attempts_used=0,
        attempts_left=allowed or None, can_submit=False, reason="", due_at=window.due_at,
        late_until=window.late_until, status=window.status, reveal_expected=False, reveal_solution=False,
        show_diagnosis=assignment.show_diagnosis,
    )


def student_view(*, assignment: Assignment, viewer: Any, student: Any | None = None, seed: str = "") -> StudentView:
    """The homework page as `student` (their numbers) or a sample seed would see it; never writes."""
    if not can_grade(course=assignment.course, user=viewer):
        raise PermissionDenied
    if student is not None:
        state = homework_state(assignment=assignment, student=student)  # as the student sees it
        state = replace(state, can_submit=False)
        if state.variant is not None:
            return StudentView(state=state, seed=state.variant.seed, spec=variant_spec(variant=state.variant),
                               student=student)
        seed = variant_seed(assignment=assignment, user_id=student.pk)
    else:
        state = _sample_state(assignment, viewer)
        try:
            seed = seed_validate(seed or SAMPLE_SEED)
        except ValidationError as exc:
            return StudentView(state=state, seed=SAMPLE_SEED, spec=None, error=str(exc.messages[0]))
    try:
        spec = assignment_spec(assignment=assignment, seed=seed)
    except graders.NoUsableVariant:
        return StudentView(state=state, seed=seed, spec=None, student=student,
                           error=_("No usable numbers could be drawn for this seed; try another."))
    return StudentView(state=state, seed=seed, spec=spec, student=student)
