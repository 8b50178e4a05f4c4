"""Long polls of a submission's status: a request may wait for the verdict (woken by the worker's
announcement, exercises.grading.notify) instead of being sent again and again."""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest

from ..grading.notify import verdict_wait
from ..models import Submission

UNFINISHED = frozenset({Submission.Status.QUEUED, Submission.Status.GRADING})


def requested_wait(request: HttpRequest) -> float:
    """Seconds the request asked to wait for a verdict (`?wait=…`), at most
    BPCOURSE_STATUS_WAIT_SECONDS; 0 when it asked for none or waiting is off."""
    try:
        asked = float(request.GET.get("wait", "0"))
    except ValueError:
        return 0.0
    if not math.isfinite(asked) or asked <= 0:
        return 0.0
    return min(asked, float(getattr(settings, "BPCOURSE_STATUS_WAIT_SECONDS", 0.0)))


def wait_for_verdict(*, submission_id: uuid.UUID | str, seconds: float, read: Callable[[], str | None]) -> str | None:
    """Wait up to `seconds` until `read()` (the status, None if gone) is no longer queued or
    grading; the last status read."""
    last: list[str | None] = [None]

    def finished() -> bool:
        last[0] = read()
        return last[0] not in UNFINISHED

    verdict_wait(submission_id=submission_id, timeout=seconds, changed=finished)
    return last[0]
