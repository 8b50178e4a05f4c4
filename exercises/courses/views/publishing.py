"""Publishing an assignment (now or at a time; back to a draft) and "View as student": the
student's homework page, read-only, for one of the students or a sample seed (staff)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

import graders

from ...models import Membership, Submission
from ...web.forms import AnswerSheetForm
from ...web.http import allow_methods, error_page
from ...web.sheets import answer_boxes, given_groups, validation_message
from ...zones import local_text
from ..config import question_parts
from ..forms.publishing import PublishForm, StudentViewForm
from ..selectors import courses as course_selectors
from ..selectors import student_view as student_view_selectors
from ..services import publishing as publishing_services
from .common import member_assignment, member_view, require_instructor, require_staff, requested_position

Role = Membership.Role


@member_view
@allow_methods("POST")
def assignment_publish(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """Publish the assignment now or at a time, or make it a draft again (instructors)."""
    assignment, role = member_assignment(request, assignment_id)
    require_instructor(role)
    form = PublishForm(request.POST)
    if not form.is_valid():
        return error_page(request, 400, _("Give the publication time as a date and time."))
    try:
        if form.cleaned_data["action"] == "unpublish":
            publishing_services.assignment_unpublish(assignment=assignment, actor=request.user)
            messages.success(request, _("The assignment is a draft again: students do not see it."))
        else:
            publishing_services.assignment_publish(
                assignment=assignment, actor=request.user, at=form.cleaned_data["publish_at"]
            )
            if assignment.is_published():
                messages.success(request, _("Published: the students see the assignment now."))
            else:
                zone = timezone.get_current_timezone_name()
                when = f"{local_text(assignment.published_at, zone)} {zone}"
                messages.success(request, _("Scheduled: the students see the assignment from %(when)s.") % {"when": when})
    except ValidationError as exc:
        messages.error(request, validation_message(exc))
    return redirect("exercises:assignment", assignment_id=assignment.pk)


def _without_question(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("q", None)
    return query.urlencode()


@member_view
@allow_methods("GET")
def assignment_as_student(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """The student's homework page as a chosen student or a sample seed sees it; nothing is stored."""
    assignment, role = member_assignment(request, assignment_id)
    require_staff(role)
    students = [(m.user_id, m.user.get_username()) for m in course_selectors.course_members(course=assignment.course)
                if m.role == Role.STUDENT]
    form = StudentViewForm(request.GET or None, students=students)
    student, seed = None, ""
    if form.is_bound and form.is_valid():
        if form.cleaned_data["student"] is not None:
            student = course_selectors.course_student_get(course=assignment.course, user_id=form.cleaned_data["student"])
        seed = form.cleaned_data["seed"].strip()
    view = student_view_selectors.student_view(assignment=assignment, viewer=request.user, student=student, seed=seed,
                                               position=requested_position(request))
    if view is None:
        return error_page(request, 404)
    part_infos = question_parts(question=view.question) if view.question is not None else []
    context: dict[str, Any] = {
        "assignment": assignment,
        "course": assignment.course,
        "state": view.state,
        "student_view": view,
        "student_view_form": form,
        "reason_message": "",
        "form_message": view.error,
        "history": [(s, s.status == Submission.Status.GRADED) for s in view.state.submissions],
        "nav_query": _without_question(request),  # the question links keep the chosen student or seed
    }
    if view.spec is not None:
        sheet = AnswerSheetForm(part_keys=[p.key for p in part_infos])
        context.update(spec=view.spec, givens=given_groups(graders.solve(view.spec).givens),
                       boxes_by_step=answer_boxes(part_infos, sheet), form_token="")
    return render(request, "exercises/homework/homework.html", context)
