"""Assignment authoring (the form with its parts checklist and live preview; create, edit,
delete) and the assignment page: its overview for staff, the homework for students."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

import graders

from ...models import Assignment, Course, Question
from ...templatetags.bpcourse_tags import significant
from ...web.http import allow_methods, error_page
from ...web.ratelimit import RateLimited, rate_limited
from ...web.sheets import given_groups, parts_by_step
from ..config import assignment_part_infos, network_size_check, question_parts
from ..forms.assignments import DEFAULT_TEMPLATE, GRID_TITLES, REVEAL_WARNING, AssignmentForm
from ..forms.common import attach_errors
from ..forms.grading import FIELD_ALIASES
from ..forms.publishing import PublishForm
from ..forms.summary import error_summary, values_grid_context
from ..permissions import is_staff_role
from ..selectors import gradebook as gradebook_selectors
from ..selectors import regrade as regrade_selectors
from ..selectors.questions import first_question, question_slots
from ..window import reveal_risky
from ..services import assignments as assignment_services
from .common import (
    member_assignment, member_course, member_view, require_instructor, requested_position, settings_of, staff_tabs,
)
from .homework import homework_page
from .settings_text import policy_facts


@member_view
@allow_methods("POST")
def assignment_delete(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """Delete an assignment with its submissions (instructors)."""
    assignment, role = member_assignment(request, assignment_id)
    require_instructor(role)
    course_id, title = assignment.course_id, assignment.title
    assignment_services.assignment_delete(assignment=assignment, actor=request.user)
    messages.success(request, _("The assignment “%(title)s” is deleted.") % {"title": title})
    return redirect("exercises:course", course_id=course_id)


def network_part_infos(config: Mapping[str, Any] | None, fallback: Question | None = None) -> list[graders.PartInfo]:
    """Every part of the network a template config describes (for the checklist)."""
    return network_part_infos_of(config, fallback)[0]


def network_part_infos_of(
    config: Mapping[str, Any] | None, fallback: Question | None = None
) -> tuple[list[graders.PartInfo], bool]:
    """The parts, and whether they are the config's own (False: a fallback network's)."""
    candidates = (config, fallback.template_config if fallback else None, {"builtin": DEFAULT_TEMPLATE})
    for index, candidate in enumerate(candidates):
        if not candidate:
            continue
        try:
            if index == 0:  # what the form says now: no checklist for a network too large to ask
                network_size_check(config=candidate)
            return list(assignment_part_infos(config=candidate, parts=())), index == 0
        except (ValidationError, ValueError, KeyError, TypeError):
            continue
    return [], False


def bind_assignment_form(data: Any, *, question: Question | None = None,
                         form_class: type[AssignmentForm] = AssignmentForm) -> AssignmentForm:
    """The bound form (or question form) with the checklist of the network it describes (two
    passes: the network first, then everything with that network's parts)."""
    probe = form_class(data)
    probe.is_valid()
    infos, own = network_part_infos_of(probe.parts_config(), question)
    form = form_class(data, part_infos=infos)
    form.checklist_is_current = own
    form.is_valid()
    return form


@dataclass(frozen=True)
class CheckItem:
    """One part in the checklist, ticked or not."""

    key: str
    checked: bool


@dataclass(frozen=True)
class ChecklistGroup:
    """The checklist's parts of one step, with the step's points field."""

    step: str
    points_field: Any
    items: list[CheckItem]
    checked: bool  # per-step mode: the step's checkbox


def checklist(form: AssignmentForm) -> tuple[list[ChecklistGroup], str]:
    """The parts checklist grouped by step, and a signature of its keys (the script swaps the
    checklist only when the network's parts change)."""
    checked = form.checked_parts()
    groups = []
    for step, keys in form.keys_by_step().items():
        items = [CheckItem(key, key in checked) for key in keys]
        groups.append(
            ChecklistGroup(
                step=step,
                points_field=form[f"points_{step}"] if f"points_{step}" in form.fields else None,
                items=items,
                checked=any(item.checked for item in items),
            )
        )
    return groups, form.signature()


@dataclass(frozen=True)
class PreviewPart:
    """One asked part of the sample variant, its expected value and points."""

    key: str
    expected: str
    points: float


def preview_context(form: AssignmentForm) -> dict[str, Any]:
    """The sample variant of what the form describes, or the reasons it cannot be drawn."""
    errors: list[str] = []
    if not form.is_bound:
        form = AssignmentForm(form.initial_data(), part_infos=form.part_infos)
    data = form.preview_data()
    if data is None:
        for name in form.template_fields():
            for error in form.errors.get(name, []):
                label = form.fields[name].label if name in form.fields else name
                errors.append(f"{label}: {error}")
        if not errors:
            errors.append(_("Choose a network to see a sample."))
        return {"preview_errors": errors}
    try:
        preview = assignment_services.assignment_preview(data=data)
    except ValidationError as exc:
        return {"preview_errors": [str(m) for m in exc.messages]}
    expected = preview.get("expected") or {}
    by_step: dict[str, list[PreviewPart]] = {}
    for part in preview.get("parts") or []:
        by_step.setdefault(part["step"], []).append(
            PreviewPart(part["key"], significant(expected.get(part["key"])), float(part.get("points", 1.0)))
        )
    return {
        "preview_spec": preview["spec"],
        "preview_givens": given_groups(preview.get("givens") or {}),
        "preview_parts": list(by_step.items()),
        "preview_count": sum(len(parts) for parts in by_step.values()),
        "preview_total": sum(part.points for parts in by_step.values() for part in parts),
    }


def authoring_context(form: AssignmentForm, course: Course, assignment: Assignment | None) -> dict[str, Any]:
    """What the authoring form and its network fields (includes/network_fields.html) show."""
    groups, signature = checklist(form)
    return {
        "form": form,
        "course": course,
        "assignment": assignment,
        "checklist": groups,
        "checklist_signature": signature,
        "checklist_is_current": getattr(form, "checklist_is_current", True),
        "reveal_warning_text": REVEAL_WARNING,
        "grid_fields": [
            (str(title), [form[f"{grid}_{end}"] for end in ("low", "high", "step")])
            for grid, title in GRID_TITLES.items()
        ],
        "preview_url": reverse("exercises:assignment_preview", args=[course.pk]),
        "values_grid": values_grid_context(form),
        "error_summary": error_summary(form),
        "question_count": len(question_slots(assignment=assignment)) if assignment is not None else 0,
        **preview_context(form),
    }


def _save_assignment(
    request: HttpRequest, course: Course, assignment: Assignment | None
) -> tuple[AssignmentForm, Assignment | None]:
    form = bind_assignment_form(request.POST, question=first_question(assignment=assignment) if assignment else None)
    if not form.is_valid():
        return form, None
    try:
        if assignment is None:
            saved = assignment_services.assignment_create(course=course, actor=request.user, data=form.assignment_data())
        else:
            saved = assignment_services.assignment_update(assignment=assignment, actor=request.user, data=form.assignment_data())
    except ValidationError as exc:
        attach_errors(form, exc, {**FIELD_ALIASES, "parts": "parts" if form.by_part else "steps"})
        return form, None
    if reveal_risky(reveal=saved.reveal, attempts_allowed=saved.attempts_allowed):
        messages.warning(request, REVEAL_WARNING)
    return form, saved


@member_view
@allow_methods("GET", "POST")
@rate_limited("authoring_save")
def assignment_create(request: HttpRequest, course_id: int) -> HttpResponse:
    """A new assignment (instructors): the authoring form."""
    course, role = member_course(request, course_id)
    require_instructor(role)
    if request.method == "POST":
        form, saved = _save_assignment(request, course, None)
        if saved is not None:
            messages.success(request, _("Assignment created."))
            return redirect("exercises:assignment", assignment_id=saved.pk)
        return render(request, "exercises/homework/assignment_form.html", authoring_context(form, course, None), status=400)
    form = AssignmentForm(part_infos=network_part_infos({"builtin": DEFAULT_TEMPLATE}))
    return render(request, "exercises/homework/assignment_form.html", authoring_context(form, course, None))


@member_view
@allow_methods("GET", "POST")
@rate_limited("authoring_save")
def assignment_edit(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """Change an assignment's settings (instructors): the authoring form, prefilled."""
    assignment, role = member_assignment(request, assignment_id)
    require_instructor(role)
    course = assignment.course
    if request.method == "POST":
        form, saved = _save_assignment(request, course, assignment)
        if saved is not None:
            messages.success(request, _("Assignment saved."))
            return redirect("exercises:assignment", assignment_id=saved.pk)
        return render(
            request, "exercises/homework/assignment_form.html", authoring_context(form, course, assignment), status=400
        )
    first = first_question(assignment=assignment)
    infos = network_part_infos(first.template_config)
    form = AssignmentForm(initial=AssignmentForm.initial_from(settings_of(assignment, first), parts_by_step(infos)),
                          part_infos=infos)
    return render(request, "exercises/homework/assignment_form.html", authoring_context(form, course, assignment))


def _preview_too_many(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    """The live preview's 429: the fragment the page swaps in, with the reason."""
    response = render(request, "exercises/homework/includes/preview_fragment.html",
                      {"preview_errors": [exc.message]}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


@member_view
@allow_methods("POST")
@rate_limited("authoring_preview", respond=_preview_too_many)
def assignment_preview(request: HttpRequest, course_id: int) -> HttpResponse:
    """The live preview: the form as it is now → an HTML fragment (sample variant + checklist)."""
    course, role = member_course(request, course_id)
    require_instructor(role)
    form = bind_assignment_form(request.POST)
    context = authoring_context(form, course, None)
    context["preview_values_grid"] = values_grid_context(form, show_errors=False)
    status = 400 if context.get("preview_errors") else 200
    return render(request, "exercises/homework/includes/preview_fragment.html", context, status=status)


# --------------------------------------------------------------------------- the assignment


def _question_data(question: Question) -> dict[str, Any]:
    return {
        "template_config": question.template_config,
        "parts": list(question.parts or []),
        "points": dict(question.points or {}),
    }


@member_view
@allow_methods("GET", "POST")
def assignment_detail(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """Staff: the assignment's settings and a sample. Students: their homework (GET) or submit (POST)."""
    assignment, role = member_assignment(request, assignment_id)
    if is_staff_role(role):
        if request.method != "GET":
            return error_page(request, 405)
        return _staff_overview(request, assignment, role)
    return homework_page(request, assignment)


def _staff_overview(request: HttpRequest, assignment: Assignment, role: str) -> HttpResponse:
    slots = question_slots(assignment=assignment)
    position = requested_position(request)
    slot = next((s for s in slots if s.position == position), None)
    if slot is None:
        return error_page(request, 404)
    member = next((m for m in slot.members if str(m.member) == request.GET.get("member", "")), slot.first)
    context: dict[str, Any] = {
        "assignment": assignment,
        "course": assignment.course,
        "role": role,
        "tabs": staff_tabs(assignment, "overview"),
        "slots": slots,
        "slot": slot,
        "member": member,
        "max_questions": settings.BPCOURSE_MAX_QUESTIONS,
        "max_members": settings.BPCOURSE_MAX_POOL_MEMBERS,
        "parts": question_parts(question=member),
        "max_points": gradebook_selectors.assignment_max_points(assignment=assignment),
        "jobs": regrade_selectors.regrade_jobs(assignment=assignment, limit=5),
        "policy_facts": policy_facts(assignment, member),
        "publish_form": PublishForm(),
    }
    try:
        preview = assignment_services.assignment_preview(data=_question_data(member))
    except ValidationError as exc:
        context["preview_errors"] = list(exc.messages)
    else:
        context["preview_spec"] = preview["spec"]
        context["preview_givens"] = given_groups(preview.get("givens") or {})
        expected = preview.get("expected") or {}
        context["preview_expected"] = [
            (step, [(key, significant(expected.get(key))) for key in keys])
            for step, keys in parts_by_step(context["parts"]).items()
        ]
    return render(request, "exercises/homework/assignment_staff.html", context)
