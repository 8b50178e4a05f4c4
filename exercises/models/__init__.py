"""The app's models, one module per room: practice (variants, submissions, tokens), courses, accounts, lti."""

from .accounts import Profile
from .courses import (
    Assignment, Course, Extension, HomeworkDraft, Invitation, Membership, Question, RegradeJob, new_assignment_secret, new_course_code,
)
from .grades import RegradeNotice, ScoreOverride
from .lti import LtiContext, LtiDeployment, LtiGradeSync, LtiIdentity, LtiKey, LtiNonce, LtiPlatform, LtiResourceLink
from .practice import ApiToken, FrozenSpec, Submission, Variant, hash_token

__all__ = [
    "ApiToken", "Assignment", "FrozenSpec", "Profile", "Course", "Extension", "HomeworkDraft", "Invitation", "Membership", "Question",
    "RegradeJob", "RegradeNotice", "ScoreOverride",
    "Submission", "Variant",
    "LtiContext", "LtiDeployment", "LtiGradeSync", "LtiIdentity", "LtiKey", "LtiNonce", "LtiPlatform", "LtiResourceLink",
    "hash_token", "new_assignment_secret", "new_course_code",
]
