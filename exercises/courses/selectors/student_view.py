""""View as student": what a student's homework page shows, for one of the course's students
(their own numbers, their window, what the policy reveals to them) or for a sample seed, built
without writing anything (no variant is created, nothing can be submitted). Staff only."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

import graders

from ...grading.variants import variant_spec
from ...models import Assignment, Question
from ...practice.services import seed_validate
from ..config import pool_draw, question_spec, variant_seed
from ..permissions import can_grade
from ..window import attempts_allowed, submission_window
from .homework import HomeworkState, homework_state
from .questions import question_slot, question_slots
from .scores import set_result

SAMPLE_SEED = "sample"


@dataclass(frozen=True)
class StudentView:
    """The read-only homework page's state and numbers; `error` when no numbers could be drawn."""

    state: HomeworkState
    seed: str
    spec: dict[str, Any] | None
    student: Any | None = None
    error: str = ""
    question: Question | None = None  # the network shown (a pool's member as drawn)


def _sample_state(assignment: Assignment, viewer: Any, position: int) -> HomeworkState:
    """A student who has not submitted yet and has no extension."""
    window = submission_window(assignment=assignment, now=timezone.now())
    allowed = attempts_allowed(assignment, 0)
    # Built as a student's result is, with no attempts: each question's points stay the set's own.
    result = set_result(assignment, [(slot.position, slot.max_points) for slot in question_slots(assignment=assignment)],
                        {}, viewer.pk)
    return HomeworkState(
        assignment=assignment, student=viewer, variant=None, submissions=[], attempts_used=0,
        attempts_left=allowed or None, can_submit=False, reason="", due_at=window.due_at,
        late_until=window.late_until, status=window.status, reveal_expected=False, reveal_solution=False,
        show_diagnosis=assignment.show_diagnosis, position=position, result=result,
    )


def student_view(*, assignment: Assignment, viewer: Any, student: Any | None = None, seed: str = "",
                 position: int = 1) -> StudentView | None:
    """The homework page of the question at `position` as `student` (their numbers, their pool
    member) or a sample seed would see it; never writes. None: no question at that position."""
    if not can_grade(course=assignment.course, user=viewer):
        raise PermissionDenied
    slot = question_slot(assignment=assignment, position=position)
    if slot is None:
        return None
    if student is not None:
        state = homework_state(assignment=assignment, student=student, position=position)  # as the student sees it
        state = replace(state, can_submit=False)
        if state.variant is not None:
            return StudentView(state=state, seed=state.variant.seed, spec=variant_spec(variant=state.variant),
                               student=student, question=state.variant.question)
        seed = variant_seed(assignment=assignment, user_id=student.pk, position=position)
        member = pool_draw(assignment=assignment, user_id=student.pk, position=position, size=len(slot.members))
    else:
        state = _sample_state(assignment, viewer, position)
        try:
            seed = seed_validate(seed or SAMPLE_SEED)
        except ValidationError as exc:
            return StudentView(state=state, seed=SAMPLE_SEED, spec=None, error=str(exc.messages[0]))
        # A sample seed picks a pool member as a student id would: reproducibly, from the seed.
        member = int.from_bytes(hashlib.sha256(f"{seed}:{position}".encode()).digest()[:8], "big") % len(slot.members)
    question = slot.members[member]
    question.assignment = assignment
    try:
        spec = question_spec(question=question, seed=seed)
    except graders.NoUsableVariant:
        return StudentView(state=state, seed=seed, spec=None, student=student, question=question,
                           error=_("No usable numbers could be drawn for this seed; try another."))
    return StudentView(state=state, seed=seed, spec=spec, student=student, question=question)
