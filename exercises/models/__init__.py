"""The app's models, one module per room: practice (variants, submissions, tokens) and courses."""

from .courses import (
    Assignment, Course, Extension, Invitation, Membership, RegradeJob, new_assignment_secret, new_course_code,
)
from .practice import ApiToken, FrozenSpec, Submission, Variant, hash_token

__all__ = [
    "ApiToken", "Assignment", "FrozenSpec", "Course", "Extension", "Invitation", "Membership", "RegradeJob",
    "Submission", "Variant",
    "hash_token", "new_assignment_secret", "new_course_code",
]
