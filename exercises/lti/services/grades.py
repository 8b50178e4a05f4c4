"""Grade passback (assignment and grade services): after a homework score changes, each LTI
student's counted score goes to the line item of every resource link opening that assignment.

A request marks the (link, student) record pending with a fresh `requested_at`; the Celery task
then posts the counted score as it is at that moment, stamped with `requested_at`, and marks the
record sent only if no newer request came meanwhile. A redelivered task finds it sent and stops;
a post repeated after a crash carries the same timestamp, so the platform keeps one score.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException
from pylti1p3.grade import Grade
from requests import RequestException

from ...courses.permissions import can_grade
from ...courses.selectors.questions import assignments_worth
from ...courses.selectors.scores import overrides_by_question, set_result, variant_stats
from ...models import Assignment, Course, LtiGradeSync, LtiIdentity, LtiResourceLink, Membership, ScoreOverride, Variant
from .. import claims
from .connector import platform_connector

logger = logging.getLogger(__name__)


class GradeSendError(Exception):
    """A score could not be posted (the task retries with backoff)."""


def _links(assignment_id: int) -> list[LtiResourceLink]:
    """The resource links opening an assignment from a context linked to its course, with a line item."""
    return list(
        LtiResourceLink.objects.filter(assignment_id=assignment_id, context__course_id=F("assignment__course_id"))
        .exclude(lineitem_url="").select_related("context__deployment__platform")
    )


def grades_request(*, assignment_id: int, user_ids: Iterable[int]) -> list[int]:
    """Mark these students' scores of an assignment to be sent to its line items; enqueue the sends.
    Returns the ids of the records marked."""
    user_ids = list(user_ids)
    marked: list[int] = []
    links = _links(assignment_id)
    if not links or not user_ids:
        return marked
    from ..tasks import grade_send_task

    now = timezone.now()
    with transaction.atomic():
        for link in links:
            issuer = link.context.deployment.platform.issuer
            linked = LtiIdentity.objects.filter(issuer=issuer, user_id__in=user_ids).values_list("user_id", flat=True)
            for user_id in sorted(set(linked)):
                sync, created = LtiGradeSync.objects.get_or_create(
                    resource_link=link, user_id=user_id, defaults={"requested_at": now, "updated_at": now}
                )
                if not created:
                    LtiGradeSync.objects.filter(pk=sync.pk).update(
                        status=LtiGradeSync.Status.PENDING, requested_at=now, tries=0, error="", updated_at=now
                    )
                marked.append(sync.pk)
                grade_send_task.delay_on_commit(sync.pk)
    return marked


def _counted_points(assignment: Assignment, user_id: int) -> tuple[float, float] | None:
    """(points, maximum) the student has on the assignment: each question's counted attempt, or
    its staff override; None before anything is graded or overridden."""
    worth = assignments_worth(assignment_ids=[assignment.pk]).get(assignment.pk, [])
    stats = variant_stats(Variant.objects.filter(assignment=assignment, owner_id=user_id))
    overrides = overrides_by_question(ScoreOverride.objects.filter(assignment=assignment, student_id=user_id))
    result = set_result(assignment, worth, stats, user_id, overrides)
    if result.points is None:
        return None
    return round(result.points, 6), result.max_points


def grade_send(*, sync_id: int) -> str:
    """Post one pending score (Celery task; idempotent). Returns what happened: sent, skipped or done."""
    sync = LtiGradeSync.objects.select_related(
        "resource_link__assignment", "resource_link__context__deployment__platform"
    ).filter(pk=sync_id).first()
    if sync is None or sync.status == LtiGradeSync.Status.SENT:
        return "done"
    link = sync.resource_link
    platform = link.context.deployment.platform
    subject = LtiIdentity.objects.filter(issuer=platform.issuer, user_id=sync.user_id).values_list("subject", flat=True).first()
    points = _counted_points(link.assignment, sync.user_id) if link.assignment is not None and subject else None
    if points is None:
        LtiGradeSync.objects.filter(pk=sync.pk, requested_at=sync.requested_at).update(
            status=LtiGradeSync.Status.SENT, error=_("Nothing graded yet: no score to send."), updated_at=timezone.now()
        )
        return "skipped"
    given, maximum = points
    grade = (
        Grade().set_score_given(given).set_score_maximum(maximum).set_user_id(subject)
        .set_timestamp(sync.requested_at.isoformat(timespec="milliseconds"))
        .set_activity_progress("Completed").set_grading_progress("FullyGraded")
    )
    service = AssignmentsGradesService(
        platform_connector(platform), {"scope": [claims.SCOPE_SCORE], "lineitem": link.lineitem_url}  # type: ignore[typeddict-item]
    )
    try:
        service.put_grade(grade)
    except (LtiException, RequestException, ValueError, KeyError) as exc:
        message = f"{type(exc).__name__}: {exc}"[:2000]
        LtiGradeSync.objects.filter(pk=sync.pk, requested_at=sync.requested_at).update(
            status=LtiGradeSync.Status.FAILED, tries=sync.tries + 1, error=message, updated_at=timezone.now()
        )
        logger.warning("LTI score of user %s to %s failed: %s", sync.user_id, link.lineitem_url, message)
        raise GradeSendError(message) from exc
    now = timezone.now()
    LtiGradeSync.objects.filter(pk=sync.pk).update(sent_score=given, sent_maximum=maximum, sent_at=now,
                                                   tries=sync.tries + 1, updated_at=now)
    LtiGradeSync.objects.filter(pk=sync.pk, requested_at=sync.requested_at).update(
        status=LtiGradeSync.Status.SENT, error=""
    )
    return "sent"


def grades_resend(*, course: Course, actor: object) -> int:
    """Send every LTI student's counted score of the course again (recovery); the number marked."""
    if not can_grade(course=course, user=actor):
        raise PermissionDenied(_("You do not have permission to do this in this course."))
    students = list(
        Membership.objects.filter(course=course, role=Membership.Role.STUDENT, active=True).values_list("user_id", flat=True)
    )
    assignment_ids = (
        LtiResourceLink.objects.filter(context__course=course, assignment__course=course)
        .exclude(lineitem_url="").values_list("assignment_id", flat=True).distinct()
    )
    return sum(len(grades_request(assignment_id=pk, user_ids=students)) for pk in assignment_ids)
