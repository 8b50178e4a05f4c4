"""Reads of the LTI room: what staff see of a course's LMS links, roster syncs and grade passback."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Value, When

from ..courses.permissions import can_grade
from ..models import Course, LtiContext, LtiGradeSync, LtiResourceLink

SYNC_ROWS = 300


@dataclass
class LtiOverview:
    """A course's LMS contexts and links, and its grade passback records (failures first)."""

    contexts: list[LtiContext]
    links: list[LtiResourceLink]
    syncs: list[LtiGradeSync]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def failed(self) -> int:
        return self.counts.get(LtiGradeSync.Status.FAILED, 0)


def course_lti_overview(*, course: Course, user: Any) -> LtiOverview:
    """The LMS side of a course, for its instructors and TAs (PermissionDenied for others)."""
    if not can_grade(course=course, user=user):
        raise PermissionDenied
    contexts = list(LtiContext.objects.filter(course=course).select_related("deployment__platform").order_by("pk"))
    links = list(
        LtiResourceLink.objects.filter(context__course=course).select_related("assignment", "context").order_by("pk")
    )
    syncs_query = LtiGradeSync.objects.filter(resource_link__context__course=course)
    counts: dict[str, int] = {}
    for status in syncs_query.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    rank = Case(When(status=LtiGradeSync.Status.FAILED, then=Value(0)),
                When(status=LtiGradeSync.Status.PENDING, then=Value(1)), default=Value(2), output_field=IntegerField())
    syncs = list(
        syncs_query.select_related("user", "resource_link__assignment").annotate(rank=rank)
        .order_by("rank", "-updated_at")[:SYNC_ROWS]
    )
    return LtiOverview(contexts=contexts, links=links, syncs=syncs, counts=counts)


def course_has_lti(*, course: Course) -> bool:
    """Whether any LMS course is linked to the course."""
    return LtiContext.objects.filter(course=course).exists()
