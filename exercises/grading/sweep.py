"""The sweep: whatever waits too long (broker down, worker killed) is sent again."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from ..models import Submission
from . import enqueue
from .registry import grading_queue

logger = logging.getLogger(__name__)


def submission_sweep(*, older_than_seconds: float, limit: int = 1000) -> int:
    """Re-enqueue submissions left queued, or stuck grading, longer than the given age."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=older_than_seconds)
    # A "grading" claim is only taken over once stale, so re-sending it earlier is pointless.
    claim_cutoff = now - timedelta(seconds=max(older_than_seconds, settings.BPCOURSE_GRADING_STALE_SECONDS))
    stale = (
        Submission.objects.filter(
            Q(status=Submission.Status.QUEUED)
            | Q(status=Submission.Status.GRADING, grading_started_at__lt=claim_cutoff),
            Q(enqueued_at__lt=cutoff) | Q(enqueued_at__isnull=True),
        )
        .order_by("created_at")
        .values_list("pk", "variant__kind")[:limit]
    )
    sent = 0
    for pk, kind in list(stale):
        if not enqueue.enqueue_grading(str(pk), queue=grading_queue(kind)):
            break  # the broker is down: the next sweep tries again
        Submission.objects.filter(pk=pk).update(
            enqueued_at=timezone.now(), enqueue_count=F("enqueue_count") + 1
        )
        sent += 1
    if sent:
        logger.info("sweep: re-enqueued %d stale submission(s)", sent)
    return sent
