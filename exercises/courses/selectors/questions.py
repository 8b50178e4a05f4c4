"""An assignment's questions: the ordered positions, each a single network or a pool of them,
and what each position is worth."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ...models import Assignment, Question
from ..config import question_max_points


@dataclass(frozen=True)
class QuestionSlot:
    """The question at one position: one network, or a pool whose members a student draws one of."""

    position: int
    members: tuple[Question, ...]  # in member order; at least one

    @property
    def first(self) -> Question:
        """The first member: a plain question, or the pool member that sets the pool's worth."""
        return self.members[0]

    @property
    def is_pool(self) -> bool:
        """Several networks, one of which each student is given."""
        return len(self.members) > 1

    @property
    def max_points(self) -> float:
        """What the position is worth: its first member's points (every pool member is scaled to them)."""
        return question_max_points(question=self.first)


def slots_of(questions: Iterable[Question]) -> list[QuestionSlot]:
    """Group loaded Question rows by position (sorted by position, then member)."""
    grouped: dict[int, list[Question]] = {}
    for question in sorted(questions, key=lambda q: (q.position, q.member)):
        grouped.setdefault(question.position, []).append(question)
    return [QuestionSlot(position=p, members=tuple(members)) for p, members in grouped.items()]


def question_slots(*, assignment: Assignment) -> list[QuestionSlot]:
    """The assignment's questions by position, in order (one query)."""
    return slots_of(Question.objects.filter(assignment=assignment))


def question_slot(*, assignment: Assignment, position: int) -> QuestionSlot | None:
    """The question at a position, or None if there is none."""
    members = tuple(Question.objects.filter(assignment=assignment, position=position).order_by("member"))
    return QuestionSlot(position=position, members=members) if members else None


def first_question(*, assignment: Assignment) -> Question:
    """The first member of the first question (what one-question forms and the API edit)."""
    return Question.objects.filter(assignment=assignment).order_by("position", "member").first()


def assignment_max_points(*, assignment: Assignment) -> float:
    """Total points of the assignment: the sum of its positions' worth."""
    return float(sum(slot.max_points for slot in question_slots(assignment=assignment)))


def assignments_worth(*, assignment_ids: Iterable[int]) -> dict[int, list[tuple[int, float]]]:
    """Each assignment's positions and their points, [(position, max points), …] in order (one query)."""
    by_assignment: dict[int, list[Question]] = {}
    for question in Question.objects.filter(assignment_id__in=list(assignment_ids)):
        by_assignment.setdefault(question.assignment_id, []).append(question)
    return {
        assignment_id: [(slot.position, slot.max_points) for slot in slots_of(questions)]
        for assignment_id, questions in by_assignment.items()
    }
