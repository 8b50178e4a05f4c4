"""The form of one question of a problem set (or one network of a pool): the assignment form's
network, parts and grading fields only."""

from __future__ import annotations

from typing import Any

from .assignments import AssignmentForm

ASSIGNMENT_ONLY_FIELDS = (
    "title", "instructions", "show_diagnosis", "attempts_allowed", "attempt_penalty", "opens_at", "due_at",
    "late_policy", "late_penalty_per_day", "late_until", "reveal", "scoring",
    "hint_penalty_1", "hint_penalty_2", "hint_penalty_3",
)


class QuestionForm(AssignmentForm):
    """One question of a problem set, or one network of a pool: the assignment form's network,
    parts and grading fields only (the same fields, names and checks). `question_data()`
    returns the service's `data` (exercises.courses.services.assignments.QUESTION_FIELDS)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ASSIGNMENT_ONLY_FIELDS:
            self.fields.pop(name, None)

    def reveal_warning(self) -> bool:
        """A question alone reveals nothing: the assignment says when answers are shown."""
        return False

    def question_data(self) -> dict[str, Any]:
        """The question's settings (Question field names), from a valid form."""
        data = self.cleaned_data
        grading = self.grading_data(self.asked_keys_by_step())
        return {
            "template_config": self.template_config(),
            "parts": self.asked_parts(),
            "points": grading["points"],
            "tolerance": grading["tolerance"],
            "followthrough": bool(data.get("followthrough")),
            "followthrough_credit": grading["followthrough_credit"],
        }
