"""Deep linking: an LMS instructor links the LMS course (context) to a course here (one of theirs,
or a new one), then picks an assignment; the LMS gets a resource link carrying the assignment's id
and a line item worth its points."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem

from ...courses.permissions import can_manage
from ...courses.selectors.gradebook import assignment_max_points
from ...models import Assignment, Course, LtiContext, Membership
from .. import claims
from ..roles import course_role

Role = Membership.Role


def _require_lms_instructor(data: dict[str, Any]) -> None:
    if course_role(data.get(claims.ROLES) or []) != Role.INSTRUCTOR:
        raise PermissionDenied(_("Only an instructor of the LMS course can choose what it links to."))


def context_link_course(*, context: LtiContext, course: Course, actor: Any, data: dict[str, Any]) -> LtiContext:
    """Link an LMS course to one of the actor's courses (the actor instructs both)."""
    _require_lms_instructor(data)
    if not can_manage(course=course, user=actor):
        raise PermissionDenied(_("You do not have permission to do this in this course."))
    if context.course_id is not None and context.course_id != course.pk:
        raise ValidationError(_("This LMS course is already linked to another course."))
    context.course = course
    context.save(update_fields=["course"])
    return context


def context_create_course(*, context: LtiContext, actor: Any, data: dict[str, Any]) -> Course:
    """A new course for an unlinked LMS course, the LMS instructor its instructor. The platform's
    registration by a site admin stands for the approval other instructors need."""
    _require_lms_instructor(data)
    if context.course_id is not None:
        raise ValidationError(_("This LMS course is already linked to another course."))
    with transaction.atomic():
        course = Course.objects.create(title=(context.title or _("LMS course"))[:200], created_by=actor)
        Membership.objects.create(course=course, user=actor, role=Role.INSTRUCTOR)
        context.course = course
        context.save(update_fields=["course"])
    return course


def deep_link_response(*, launch: Any, context: LtiContext, assignment: Assignment, launch_url: str,
                       actor: Any) -> tuple[str, str]:
    """(return URL, signed JWT) of a deep linking response placing a link to the assignment."""
    data = launch.get_launch_data()
    _require_lms_instructor(data)
    if context.course_id is None or assignment.course_id != context.course_id or not can_manage(
        course=assignment.course, user=actor
    ):
        raise PermissionDenied(_("You do not have permission to do this in this course."))
    line_item = (
        LineItem().set_score_maximum(assignment_max_points(assignment=assignment)).set_label(assignment.title)
        .set_resource_id(f"bpcourse-assignment-{assignment.pk}").set_tag("bpcourse")
    )
    resource = (
        DeepLinkResource().set_url(launch_url).set_title(assignment.title)
        .set_custom_params({claims.ASSIGNMENT_PARAM: str(assignment.pk)}).set_lineitem(line_item)
    )
    deep_link = launch.get_deep_link()
    return data[claims.DEEP_LINKING]["deep_link_return_url"], deep_link.get_response_jwt([resource])
