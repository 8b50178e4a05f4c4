"""Staff pages of a course's results: the gradebook (and its CSV), one student's attempts on an
assignment (drill-down), granting them an extension, giving them new numbers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from ...models import Submission
from ...web.http import allow_methods, error_page
from ...web.ratelimit import rate_limited
from ...web.results import part_rows, with_hints
from ...web.sheets import parts_by_step, validation_message
from ..config import hint_fraction, question_parts
from ..forms.courses import ExtensionForm
from ..forms.gradebook import OverrideForm
from ..selectors import courses as course_selectors
from ..selectors import export as export_selectors
from ..selectors import gradebook as gradebook_selectors
from ..selectors import homework as homework_selectors
from ..selectors.questions import question_slot
from ..services import extensions as extension_services
from ..services import homework as homework_services
from ..services import overrides as override_services
from .common import member_assignment, member_course, member_view, require_staff, requested_position, staff_tabs


@member_view
@allow_methods("GET")
def gradebook(request: HttpRequest, course_id: int) -> HttpResponse:
    """The course's gradebook (staff)."""
    course, role = member_course(request, course_id)
    require_staff(role)
    book = gradebook_selectors.gradebook(course=course)
    keys = gradebook_selectors.sort_keys(book)
    asked = request.GET.get("sort", "student")[:40]  # "total" ascending, "-total" descending
    descending = asked.startswith("-")
    sort = asked.lstrip("-") if asked.lstrip("-") in keys else "student"
    gradebook_selectors.gradebook_sort(book, sort, descending=descending)
    columns = list(zip(book.columns, keys[1:-1], strict=True))
    return render(
        request, "exercises/homework/gradebook.html",
        {"course": course, "book": book, "role": role, "columns": columns, "sort": sort,
         "direction": "descending" if descending else "ascending"},
    )


@member_view
@allow_methods("GET")
def gradebook_csv(request: HttpRequest, course_id: int) -> HttpResponse:
    """The gradebook as a CSV download (staff)."""
    course, role = member_course(request, course_id)
    require_staff(role)
    # A byte-order mark first: without it Excel (above all on Chinese Windows) reads UTF-8 as the
    # local code page and garbles names like 王伟.
    text = "\ufeff" + gradebook_selectors.gradebook_csv(course=course)
    response = HttpResponse(text.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="gradebook-{course.code}.csv"'
    return response


@member_view
@allow_methods("GET")
def gradebook_xlsx(request: HttpRequest, course_id: int) -> HttpResponse:
    """The gradebook as an Excel workbook (staff): the CSV's columns, numbers as numbers."""
    course, role = member_course(request, course_id)
    require_staff(role)
    response = HttpResponse(
        export_selectors.gradebook_xlsx(course=course),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="gradebook-{course.code}.xlsx"'
    return response


@dataclass(frozen=True)
class Attempt:
    """One attempt of the drill-down, its results grouped by step."""

    submission: Submission
    number: int
    rows_by_step: list[tuple[str, list[Any]]]


def _staff_and_student(request: HttpRequest, assignment_id: int, user_id: int) -> tuple[Any, Any | None]:
    """The assignment, for its course's staff only, and one of the course's students (None: no such student)."""
    assignment, role = member_assignment(request, assignment_id)
    require_staff(role)
    return assignment, course_selectors.course_student_get(course=assignment.course, user_id=user_id)


@member_view
@allow_methods("GET")
def student_detail(request: HttpRequest, assignment_id: int, user_id: int) -> HttpResponse:
    """Drill-down: every part of every attempt of one student, the extension form, re-seeding."""
    assignment, student = _staff_and_student(request, assignment_id, user_id)
    if student is None:
        return error_page(request, 404)
    position = requested_position(request)
    state = homework_selectors.homework_state(assignment=assignment, student=student, viewer=request.user,
                                              position=position)
    if position not in state.positions:
        return error_page(request, 404)
    grouped = parts_by_step(question_parts(question=state.variant.question)) if state.variant else {}
    attempts = []
    for number, submission in enumerate(
        gradebook_selectors.submission_drilldown(assignment=assignment, student=student, viewer=request.user,
                                                 position=position), start=1
    ):
        results = (submission.report or {}).get("parts", {})
        attempts.append(
            Attempt(submission, number, [
                (step, with_hints(part_rows(results, keys), submission.hints,
                                  lambda level: hint_fraction(assignment=assignment, level=level)))
                for step, keys in grouped.items()])
        )
    attempts.reverse()  # newest first
    return render(
        request,
        "exercises/homework/student.html",
        {
            "assignment": assignment,
            "course": assignment.course,
            "student": student,
            "state": state,
            "attempts": attempts,
            "extension_form": ExtensionForm(initial={"due_at": state.due_at, "extra_attempts": state.extra_attempts}),
            "override_form": OverrideForm(initial={
                "percent": round(state.override.score * 100, 2) if state.override else None,
                "comment": state.override.comment if state.override else "",
            }),
            "pool_size": len(slot.members) if (slot := question_slot(assignment=assignment, position=position)) else 0,
            "tabs": staff_tabs(assignment, "gradebook"),
        },
    )


@member_view
@allow_methods("POST")
def extension(request: HttpRequest, assignment_id: int, user_id: int) -> HttpResponse:
    """Give one student a later due date (staff)."""
    assignment, student = _staff_and_student(request, assignment_id, user_id)
    if student is None:
        return error_page(request, 404)
    form = ExtensionForm(request.POST)
    if not form.is_valid():
        return error_page(request, 400, _("Give the new due date as a date and time."))
    try:
        extension_services.extension_grant(
            assignment=assignment, actor=request.user, student=student, due_at=form.cleaned_data["due_at"],
            extra_attempts=form.cleaned_data["extra_attempts"] or 0,
        )
    except ValidationError as exc:
        messages.error(request, validation_message(exc))
    else:
        messages.success(request, _("The extension of %(user)s is saved.") % {"user": student.get_username()})
    return redirect("exercises:student", assignment_id=assignment.pk, user_id=student.pk)


@member_view
@allow_methods("POST")
@rate_limited("grading_write")
def score_override(request: HttpRequest, assignment_id: int, user_id: int) -> HttpResponse:
    """Set (or, with action=clear, remove) the score that counts for one student, with a comment (staff)."""
    assignment, student = _staff_and_student(request, assignment_id, user_id)
    if student is None:
        return error_page(request, 404)
    position = requested_position(request)
    url = reverse("exercises:student", args=[assignment.pk, student.pk])
    back = redirect((url if position == 1 else f"{url}?q={position}") + "#override-title")
    try:
        if request.POST.get("action") == "clear":
            override_services.score_override_clear(assignment=assignment, actor=request.user, student=student,
                                                   position=position)
            messages.success(request, _("The override is cleared: the counted attempt counts again."))
            return back
        form = OverrideForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give the score as a percentage from 0 to 100."))
            return back
        override_services.score_override_set(assignment=assignment, actor=request.user, student=student,
                                             score=form.score(), comment=form.cleaned_data["comment"],
                                             position=position)
    except ValidationError as exc:
        messages.error(request, validation_message(exc))
    else:
        messages.success(request, _("The score of %(user)s is set by hand.") % {"user": student.get_username()})
    return back


@member_view
@allow_methods("POST")
def reseed(request: HttpRequest, assignment_id: int, user_id: int) -> HttpResponse:
    """Give one student new numbers (staff)."""
    assignment, student = _staff_and_student(request, assignment_id, user_id)
    if student is None:
        return error_page(request, 404)
    position = requested_position(request)
    try:
        homework_services.homework_reseed(assignment=assignment, student=student, actor=request.user,
                                          position=position)
    except ValidationError as exc:
        messages.error(request, validation_message(exc))
    else:
        messages.success(request, _("%(user)s has new numbers now.") % {"user": student.get_username()})
    url = reverse("exercises:student", args=[assignment.pk, student.pk])
    return redirect(url if position == 1 else f"{url}?q={position}")
