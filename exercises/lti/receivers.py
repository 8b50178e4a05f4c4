"""Grade passback plugs into the courses room here: when homework scores change, the scores of
LTI students are requested after the commit (nothing runs inside the grading transaction)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.dispatch import receiver

from ..courses.signals import homework_scores_changed
from .services.grades import grades_request

logger = logging.getLogger(__name__)


def _request_after_commit(assignment_id: int, user_ids: list[int]) -> None:
    try:
        grades_request(assignment_id=assignment_id, user_ids=user_ids)
    except Exception:  # the grade is stored; "Send all grades again" recovers a lost request
        logger.exception("LTI grade passback request for assignment %s failed", assignment_id)


@receiver(homework_scores_changed, dispatch_uid="lti_grade_passback")
def scores_changed(sender: Any, *, assignment_id: int, user_ids: list[int], **kwargs: Any) -> None:
    """Ask for the changed scores to be sent to the LMS once the transaction commits."""
    ids = list(user_ids)
    transaction.on_commit(lambda: _request_after_commit(assignment_id, ids))
