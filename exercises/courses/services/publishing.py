"""Draft and publish: a new assignment is a draft that only the course staff see; publishing it
(now, or at a chosen time) shows it to the students from then on."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ...models import Assignment, Submission
from ..permissions import can_manage, require
from .fields import field_error, when


def assignment_publish(*, assignment: Assignment, actor: Any, at: datetime | None = None) -> Assignment:
    """Publish an assignment (instructors): students see it from `at` (default now) on."""
    require(can_manage(course=assignment.course, user=actor))
    now = timezone.now()
    moment = now if at is None else when({"publish_at": at}, "publish_at", required=True)
    if moment > assignment.due_at:
        raise field_error("publish_at", _("Publish the assignment before its due date."), code="after_due")
    assignment.published_at = max(moment, now)  # a time gone by publishes now
    assignment.updated_at = now
    assignment.save(update_fields=["published_at", "updated_at"])
    return assignment


def assignment_unpublish(*, assignment: Assignment, actor: Any) -> Assignment:
    """Make an assignment a draft again (instructors), while no student has submitted anything."""
    require(can_manage(course=assignment.course, user=actor))
    if Submission.objects.filter(variant__assignment=assignment).exists():
        raise ValidationError(
            _("Students have already submitted answers: the assignment stays published."), code="has_submissions"
        )
    assignment.published_at = None
    assignment.updated_at = timezone.now()
    assignment.save(update_fields=["published_at", "updated_at"])
    return assignment
