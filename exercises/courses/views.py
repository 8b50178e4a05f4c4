"""Homework pages: courses, assignment authoring with a live preview, the student's homework,
gradebook and drill-down, regrade, analytics.

Thin like views.py: `homework_services` writes and decides who may do what (PermissionDenied →
the 403 page, ValidationError → the form's errors and a 400), `homework_selectors` reads. What
lives here is HTTP and shaping data for the templates. Every view needs a signed-in user
(anonymous visitors are sent to log in); a course or assignment the user is no member of is a
404, a member without the right role gets a 403.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

import graders

from ..grading.store import SubmissionFormatError
from ..grading.variants import variant_spec
from ..i18n import pick_language
from ..models import Assignment, Course, Membership, RegradeJob, Submission
from ..templatetags.bpcourse_tags import notation
from ..web.forms import FORM_TOKEN_FIELD, AnswerSheetForm
from ..web.http import allow_methods, error_page
from ..web.http import remember as _remember
from ..web.results import live_status_response, part_rows, worked_steps
from ..web.sheets import AnswerBox, given_groups
from . import selectors, services
from .charts import CountRow, StackedRow, histogram_chart, misconception_chart, stacked_bar_chart
from .forms import (
    DEFAULT_TEMPLATE,
    AssignmentForm,
    CourseForm,
    ExtensionForm,
    JoinForm,
    RegradeForm,
    RoleForm,
    RosterImportForm,
    attach_errors,
)

STAFF = ("instructor", "ta")
SESSION_HOMEWORK_FORMS = "sent_homework_forms"
# Where a service's error about an Assignment field is shown on the authoring form.
FIELD_ALIASES = {
    "template_config": "network",
    "points": "points_overrides",
    "tolerance": "tolerance_value",
}


# ------------------------------------------------------------------------------------ helpers


def _course(request: HttpRequest, course_id: Any) -> tuple[Course, str]:
    found = selectors.course_get_for_member(course_id=course_id, user=request.user)
    if found is None:
        raise NotMember
    return found


def _assignment(request: HttpRequest, assignment_id: Any) -> tuple[Assignment, str]:
    found = selectors.assignment_get_for_member(assignment_id=assignment_id, user=request.user)
    if found is None:
        raise NotMember
    return found


class NotMember(Exception):
    """The course or assignment is unknown, or the user is not a member of its course: a 404."""


def _require_staff(role: str) -> None:
    if role not in STAFF:
        raise PermissionDenied


def _require_instructor(role: str) -> None:
    if role != "instructor":
        raise PermissionDenied


def member_view(view: Any) -> Any:
    """login_required, and NotMember → the 404 page."""

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotMember:
            return error_page(request, 404)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return login_required(wrapped)


def _messages_of(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


def keys_by_step(part_infos: Iterable[graders.PartInfo]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for part in part_infos:
        grouped.setdefault(part.step, []).append(part.key)
    return grouped


def _staff_tabs(assignment: Assignment, current: str) -> list[tuple[str, str, bool]]:
    """The staff pages of one assignment, for the sub-navigation."""
    course = assignment.course
    tabs = [
        ("overview", _("Overview"), reverse("exercises:assignment", args=[assignment.pk])),
        ("gradebook", _("Gradebook"), reverse("exercises:gradebook", args=[course.pk])),
        ("analytics", _("Analytics"), reverse("exercises:analytics", args=[assignment.pk])),
        ("regrade", _("Regrade"), reverse("exercises:regrade", args=[assignment.pk])),
        ("edit", _("Edit"), reverse("exercises:assignment_edit", args=[assignment.pk])),
    ]
    return [(label, url, name == current) for name, label, url in tabs]


# ------------------------------------------------------------------------------------ courses


STATUS_ORDER = {"open": 0, "late": 1, "not_open": 2, "closed": 3}


@member_view
@allow_methods("GET")
def courses(request: HttpRequest) -> HttpResponse:
    """My courses: the homework of every course taken, the courses, joining one."""
    memberships = selectors.courses_for_user(user=request.user)
    rows = sorted(
        selectors.assignments_for_user(user=request.user),
        key=lambda row: (STATUS_ORDER.get(row.status, 9), row.due_at),
    )
    return render(
        request,
        "exercises/homework/courses.html",
        {
            "taking": [course for course, role in memberships if role == "student"],
            "teaching": [(course, role) for course, role in memberships if role in STAFF],
            "rows": rows,
            "join_form": JoinForm(),
        },
    )


@member_view
@allow_methods("GET")
def teach(request: HttpRequest) -> HttpResponse:
    """The courses the user teaches (as instructor or teaching assistant), and a new one."""
    memberships = selectors.courses_for_user(user=request.user)
    teaching = [(course, role) for course, role in memberships if role in STAFF]
    assignments = {course.pk: selectors.course_assignments(course=course) for course, _role in teaching}
    return render(
        request,
        "exercises/homework/teach.html",
        {
            "teaching": [(course, role, assignments[course.pk]) for course, role in teaching],
            "form": CourseForm(),
        },
    )


@member_view
@allow_methods("GET", "POST")
def course_create(request: HttpRequest) -> HttpResponse:
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            course = services.course_create(title=form.cleaned_data["title"], instructor=request.user)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Course created. Give your students its code: %(code)s.") % {"code": course.code})
            return redirect("exercises:course", course_id=course.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "exercises/homework/course_form.html", {"form": form}, status=status)


@member_view
@allow_methods("GET", "POST")
def course_join(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = JoinForm(request.POST)
        if form.is_valid():
            try:
                membership = services.course_join(code=form.cleaned_data["code"], user=request.user)
            except ValidationError as exc:
                attach_errors(form, exc, {"course": "code", "user": "code"})
            else:
                messages.success(request, _("You are in “%(course)s”.") % {"course": membership.course.title})
                return redirect("exercises:course", course_id=membership.course_id)
        return render(request, "exercises/homework/join.html", {"form": form}, status=400)
    form = JoinForm(initial={"code": request.GET.get("code", "")[:16]})
    return render(request, "exercises/homework/join.html", {"form": form})


@dataclass(frozen=True)
class RosterLine:
    membership: Membership
    form: RoleForm | None


@member_view
@allow_methods("GET")
def course_detail(request: HttpRequest, course_id: int) -> HttpResponse:
    course, role = _course(request, course_id)
    context: dict[str, Any] = {"course": course, "role": role}
    if role in STAFF:
        members = selectors.course_members(course=course)
        context.update(
            staff=True,
            assignments=selectors.course_assignments(course=course),
            roster=[
                RosterLine(m, RoleForm(initial={"role": m.role}, prefix=f"m{m.user_id}") if role == "instructor" else None)
                for m in members
            ],
            counts={r: sum(1 for m in members if m.role == r) for r in ("instructor", "ta", "student")},
            roster_form=RosterImportForm(),
            join_url=request.build_absolute_uri(reverse("exercises:course_join")) + f"?code={course.code}",
        )
    else:
        context["rows"] = selectors.assignments_for_student(course=course, user=request.user)
    return render(request, "exercises/homework/course.html", context)


@member_view
@allow_methods("POST")
def roster_import(request: HttpRequest, course_id: int) -> HttpResponse:
    course, role = _course(request, course_id)
    _require_staff(role)
    form = RosterImportForm(request.POST, request.FILES)
    if not form.is_valid():
        for error in form.non_field_errors():
            messages.error(request, error)
        return redirect(reverse("exercises:course", args=[course.pk]) + "#roster")
    try:
        result = services.roster_import(course=course, actor=request.user, csv_text=form.cleaned_data["text"])
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
        return redirect(reverse("exercises:course", args=[course.pk]) + "#roster")
    messages.success(
        request,
        _("Roster imported: %(enrolled)s enrolled, %(created)s new accounts.")
        % {"enrolled": result.enrolled, "created": result.created},
    )
    for error in result.errors[:20]:
        messages.warning(request, error)
    if len(result.errors) > 20:
        messages.warning(request, _("… and %(count)s more problems.") % {"count": len(result.errors) - 20})
    return redirect(reverse("exercises:course", args=[course.pk]) + "#roster")


def _member(course: Course, user_id: int) -> Membership | None:
    """The course's membership of one user, or None."""
    return next((m for m in selectors.course_members(course=course) if m.user_id == int(user_id)), None)


@member_view
@allow_methods("POST")
def membership_role(request: HttpRequest, course_id: int, user_id: int) -> HttpResponse:
    course, role = _course(request, course_id)
    _require_instructor(role)
    member = _member(course, user_id)
    if member is None:
        return error_page(request, 404)
    form = RoleForm(request.POST, prefix=f"m{member.user_id}")
    if not form.is_valid():
        return error_page(request, 400, _("Choose a role."))
    try:
        services.membership_set_role(course=course, actor=request.user, user=member.user, role=form.cleaned_data["role"])
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
    else:
        messages.success(request, _("%(user)s's role is changed.") % {"user": member.user.get_username()})
    return redirect(reverse("exercises:course", args=[course.pk]) + "#roster")


@member_view
@allow_methods("POST")
def member_remove(request: HttpRequest, course_id: int, user_id: int) -> HttpResponse:
    course, role = _course(request, course_id)
    _require_instructor(role)
    member = _member(course, user_id)
    if member is None:
        return error_page(request, 404)
    try:
        services.membership_remove(course=course, actor=request.user, user=member.user)
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
    else:
        messages.success(request, _("%(user)s is no longer in the course.") % {"user": member.user.get_username()})
    return redirect(reverse("exercises:course", args=[course.pk]) + "#roster")


@member_view
@allow_methods("POST")
def course_delete(request: HttpRequest, course_id: int) -> HttpResponse:
    course, role = _course(request, course_id)
    _require_instructor(role)
    title = course.title
    services.course_delete(course=course, actor=request.user)
    messages.success(request, _("The course “%(course)s” is deleted.") % {"course": title})
    return redirect("exercises:teach")


@member_view
@allow_methods("POST")
def assignment_delete(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment, role = _assignment(request, assignment_id)
    _require_instructor(role)
    course_id, title = assignment.course_id, assignment.title
    services.assignment_delete(assignment=assignment, actor=request.user)
    messages.success(request, _("The assignment “%(title)s” is deleted.") % {"title": title})
    return redirect("exercises:course", course_id=course_id)


# ------------------------------------------------------------------------------- authoring


def _part_infos(config: Mapping[str, Any] | None, fallback: Assignment | None = None) -> list[graders.PartInfo]:
    """Every part of the network a template config describes (for the checklist)."""
    return _part_infos_of(config, fallback)[0]


def _part_infos_of(
    config: Mapping[str, Any] | None, fallback: Assignment | None = None
) -> tuple[list[graders.PartInfo], bool]:
    """The parts, and whether they are the config's own (False: a fallback network's)."""
    candidates = (config, fallback.template_config if fallback else None, {"builtin": DEFAULT_TEMPLATE})
    for index, candidate in enumerate(candidates):
        if not candidate:
            continue
        try:
            return list(services.assignment_part_infos(config=candidate, parts=())), index == 0
        except (ValidationError, ValueError, KeyError, TypeError):
            continue
    return [], False


def bind_assignment_form(data: Any, *, assignment: Assignment | None = None) -> AssignmentForm:
    """The bound form with the checklist of the network it describes (two passes: the network
    first, then everything with that network's parts)."""
    probe = AssignmentForm(data)
    probe.is_valid()
    infos, own = _part_infos_of(probe.template_config(), assignment)
    form = AssignmentForm(data, part_infos=infos)
    form.checklist_is_current = own
    form.is_valid()
    return form


@dataclass(frozen=True)
class CheckItem:
    key: str
    checked: bool


@dataclass(frozen=True)
class ChecklistGroup:
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
    key: str
    expected: str
    points: float


def preview_context(form: AssignmentForm) -> dict[str, Any]:
    """The sample variant of what the form describes, or the reasons it cannot be drawn."""
    from ..templatetags.bpcourse_tags import significant

    errors: list[str] = []
    if not form.is_bound:
        form = AssignmentForm(form.initial_data(), part_infos=form.part_infos)
    data = form.preview_data()
    if data is None:
        for name in AssignmentForm.TEMPLATE_FIELDS:
            for error in form.errors.get(name, []):
                label = form.fields[name].label if name in form.fields else name
                errors.append(f"{label}: {error}")
        if not errors:
            errors.append(_("Choose a network to see a sample."))
        return {"preview_errors": errors}
    try:
        preview = services.assignment_preview(data=data)
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


def _authoring_context(form: AssignmentForm, course: Course, assignment: Assignment | None) -> dict[str, Any]:
    groups, signature = checklist(form)
    return {
        "form": form,
        "course": course,
        "assignment": assignment,
        "checklist": groups,
        "checklist_signature": signature,
        "checklist_is_current": getattr(form, "checklist_is_current", True),
        "grid_fields": [
            (title, [form[f"{grid}_{end}"] for end in ("low", "high", "step")])
            for grid, title in _grid_titles()
        ],
        "preview_url": reverse("exercises:assignment_preview", args=[course.pk]),
        **preview_context(form),
    }


def _grid_titles() -> list[tuple[str, str]]:
    from .forms import GRID_TITLES

    return [(grid, str(title)) for grid, title in GRID_TITLES.items()]


def _save_assignment(
    request: HttpRequest, course: Course, assignment: Assignment | None
) -> tuple[AssignmentForm, Assignment | None]:
    form = bind_assignment_form(request.POST, assignment=assignment)
    if not form.is_valid():
        return form, None
    try:
        if assignment is None:
            saved = services.assignment_create(course=course, actor=request.user, data=form.assignment_data())
        else:
            saved = services.assignment_update(assignment=assignment, actor=request.user, data=form.assignment_data())
    except ValidationError as exc:
        attach_errors(form, exc, {**FIELD_ALIASES, "parts": "parts" if form.by_part else "steps"})
        return form, None
    return form, saved


@member_view
@allow_methods("GET", "POST")
def assignment_create(request: HttpRequest, course_id: int) -> HttpResponse:
    course, role = _course(request, course_id)
    _require_instructor(role)
    if request.method == "POST":
        form, saved = _save_assignment(request, course, None)
        if saved is not None:
            messages.success(request, _("Assignment created."))
            return redirect("exercises:assignment", assignment_id=saved.pk)
        return render(request, "exercises/homework/assignment_form.html", _authoring_context(form, course, None), status=400)
    form = AssignmentForm(part_infos=_part_infos({"builtin": DEFAULT_TEMPLATE}))
    return render(request, "exercises/homework/assignment_form.html", _authoring_context(form, course, None))


@member_view
@allow_methods("GET", "POST")
def assignment_edit(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment, role = _assignment(request, assignment_id)
    _require_instructor(role)
    course = assignment.course
    if request.method == "POST":
        form, saved = _save_assignment(request, course, assignment)
        if saved is not None:
            messages.success(request, _("Assignment saved."))
            return redirect("exercises:assignment", assignment_id=saved.pk)
        return render(
            request, "exercises/homework/assignment_form.html", _authoring_context(form, course, assignment), status=400
        )
    infos = _part_infos(assignment.template_config)
    form = AssignmentForm(initial=AssignmentForm.initial_from(assignment, keys_by_step(infos)), part_infos=infos)
    return render(request, "exercises/homework/assignment_form.html", _authoring_context(form, course, assignment))


@member_view
@allow_methods("POST")
def assignment_preview(request: HttpRequest, course_id: int) -> HttpResponse:
    """The live preview: the form as it is now → an HTML fragment (sample variant + checklist)."""
    course, role = _course(request, course_id)
    _require_instructor(role)
    form = bind_assignment_form(request.POST)
    context = _authoring_context(form, course, None)
    status = 400 if context.get("preview_errors") else 200
    return render(request, "exercises/homework/includes/preview_fragment.html", context, status=status)


# --------------------------------------------------------------------------- the assignment


def _assignment_data(assignment: Assignment) -> dict[str, Any]:
    return {
        "template_config": assignment.template_config,
        "parts": list(assignment.parts or []),
        "points": dict(assignment.points or {}),
    }


@member_view
@allow_methods("GET", "POST")
def assignment_detail(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """Staff: the assignment's settings and a sample. Students: their homework (GET) or submit (POST)."""
    assignment, role = _assignment(request, assignment_id)
    if role in STAFF:
        if request.method != "GET":
            return error_page(request, 405)
        return _staff_overview(request, assignment, role)
    return _homework(request, assignment)


def _staff_overview(request: HttpRequest, assignment: Assignment, role: str) -> HttpResponse:
    from ..templatetags.bpcourse_tags import significant

    context: dict[str, Any] = {
        "assignment": assignment,
        "course": assignment.course,
        "role": role,
        "tabs": _staff_tabs(assignment, "overview"),
        "parts": selectors.assignment_parts(assignment=assignment),
        "max_points": selectors.assignment_max_points(assignment=assignment),
        "jobs": selectors.regrade_jobs(assignment=assignment, limit=5),
    }
    try:
        preview = services.assignment_preview(data=_assignment_data(assignment))
    except ValidationError as exc:
        context["preview_errors"] = list(exc.messages)
    else:
        context["preview_spec"] = preview["spec"]
        context["preview_givens"] = given_groups(preview.get("givens") or {})
        expected = preview.get("expected") or {}
        context["preview_expected"] = [
            (step, [(key, significant(expected.get(key))) for key in keys])
            for step, keys in keys_by_step(context["parts"]).items()
        ]
    return render(request, "exercises/homework/assignment_staff.html", context)


def _answer_boxes(part_infos: Iterable[graders.PartInfo], form: AnswerSheetForm) -> list[tuple[str, list[AnswerBox]]]:
    typed = form.data if form.is_bound else form.initial
    errors = form.errors if form.is_bound else {}
    return [
        (step, [AnswerBox(key, str(typed.get(key) or ""), " ".join(errors.get(key, []))) for key in keys])
        for step, keys in keys_by_step(part_infos).items()
    ]


REASONS = {
    "not_open": lambda: _("This assignment is not open yet."),
    "closed": lambda: _("This assignment is closed: the due date has passed."),
    "no_attempts_left": lambda: _("You have used all your attempts."),
    "not_student": lambda: _("Only the course's students submit homework."),
}


def _homework(request: HttpRequest, assignment: Assignment, *, form: AnswerSheetForm | None = None,
              message: str = "", status: int = 200) -> HttpResponse:
    student = request.user
    if request.method == "POST" and form is None:
        return _homework_submit(request, assignment)
    state = selectors.homework_state(assignment=assignment, student=student)
    if state.variant is None and state.status != "not_open":
        services.homework_variant(assignment=assignment, student=student)
        state = selectors.homework_state(assignment=assignment, student=student)
    part_infos = selectors.assignment_parts(assignment=assignment)
    context: dict[str, Any] = {
        "assignment": assignment,
        "course": assignment.course,
        "state": state,
        "reason_message": REASONS[state.reason]() if state.reason in REASONS else "",
        "form_message": message,
        "history": [
            (s, s.status == Submission.Status.GRADED) for s in state.submissions
        ],
    }
    if state.variant is not None:
        spec = variant_spec(variant=state.variant)
        context["spec"] = spec
        context["givens"] = given_groups(graders.solve(spec).givens)
        if form is None:
            previous = state.submissions[0].answers if state.submissions else {}
            form = AnswerSheetForm(part_keys=[p.key for p in part_infos], initial=dict(previous))
        context["boxes_by_step"] = _answer_boxes(part_infos, form)
        context["form_token"] = form.data.get(FORM_TOKEN_FIELD, "") if form.is_bound else form.initial[FORM_TOKEN_FIELD]
    return render(request, "exercises/homework/homework.html", context, status=status)


def _homework_submit(request: HttpRequest, assignment: Assignment) -> HttpResponse:
    part_infos = selectors.assignment_parts(assignment=assignment)
    form = AnswerSheetForm(request.POST, part_keys=[p.key for p in part_infos])
    if not form.is_valid():
        return _homework(request, assignment, form=form, status=400,
                         message=" ".join(form.errors.get(FORM_TOKEN_FIELD, [])))
    token = form.cleaned_data[FORM_TOKEN_FIELD]
    already = request.session.get(SESSION_HOMEWORK_FORMS, {}).get(token)
    if already:
        return error_page(request, 409, submission_url=reverse("exercises:homework_submission", args=[already]))
    try:
        submission = services.homework_submit(assignment=assignment, student=request.user, answers=form.answers())
    except SubmissionFormatError as exc:
        form.add_format_errors(exc.messages())
        message = _("Some answers could not be read. Nothing was submitted: correct the marked boxes and send again.")
        return _homework(request, assignment, form=form, status=400, message=message)
    except ValidationError as exc:
        code = getattr(exc, "code", None)
        status = 429 if code in ("rate_limited", "throttled") else 400
        return _homework(request, assignment, form=form, status=status, message=_messages_of(exc))
    _remember(request, SESSION_HOMEWORK_FORMS, token, str(submission.pk))
    return redirect("exercises:homework_submission", submission_id=submission.pk)


# --------------------------------------------------------------------------- submission page


def _homework_result_context(request: HttpRequest, submission: Submission) -> dict[str, Any]:
    """What the live part of a homework submission page shows, filtered by the reveal policy."""
    from collections import Counter

    assignment = submission.variant.assignment
    state = selectors.homework_state(assignment=assignment, student=submission.user, viewer=request.user)
    context: dict[str, Any] = {
        "submission": submission,
        "assignment": assignment,
        "state": state,
        "final": submission.is_finished,
        "status_url": reverse("exercises:homework_submission_status", args=[submission.pk]),
        "reveal_expected": state.reveal_expected,
        "shown_score": submission.final_score if submission.final_score is not None else submission.score,
    }
    if submission.status == Submission.Status.GRADED and submission.report:
        report = selectors.visible_report(
            report=submission.report, reveal_expected=state.reveal_expected, show_diagnosis=state.show_diagnosis
        )
        results = report.get("parts", {})
        part_infos = selectors.assignment_parts(assignment=assignment)
        grouped = keys_by_step(part_infos) or {"": list(results)}
        context["results_by_step"] = [(step, part_rows(results, keys)) for step, keys in grouped.items()]
        context["counts"] = Counter(result.get("status", "missing") for result in results.values())
        context["open_steps"] = {
            step for step, rows in context["results_by_step"] if any(row.status != "correct" for row in rows)
        }
        if state.reveal_solution:
            spec = services.assignment_spec(assignment=assignment, seed=submission.seed or submission.variant.seed)
            context["steps"] = [step for step in worked_steps(spec) if step.name in grouped]
    elif submission.status == Submission.Status.ERROR:
        context["error_message"] = _(submission.error_reason) if submission.error_reason else ""
    return context


@member_view
@allow_methods("GET")
def homework_submission(request: HttpRequest, submission_id: str) -> HttpResponse:
    submission = selectors.homework_submission_get(submission_id=submission_id, user=request.user)
    if submission is None:
        return error_page(request, 404)
    context = _homework_result_context(request, submission)
    context["staff"] = submission.user_id != request.user.pk
    return render(request, "exercises/homework/submission.html", context)


@member_view
@allow_methods("GET")
def homework_submission_status(request: HttpRequest, submission_id: str) -> HttpResponse:
    submission = selectors.homework_submission_get(submission_id=submission_id, user=request.user)
    if submission is None:
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return live_status_response(
        request, submission, "exercises/homework/includes/submission_live.html",
        _homework_result_context(request, submission),
    )


# --------------------------------------------------------------------------------- gradebook


@member_view
@allow_methods("GET")
def gradebook(request: HttpRequest, course_id: int) -> HttpResponse:
    course, role = _course(request, course_id)
    _require_staff(role)
    book = selectors.gradebook(course=course)
    columns = list(zip(book.assignments, book.max_points, strict=True))
    return render(
        request, "exercises/homework/gradebook.html", {"course": course, "book": book, "role": role, "columns": columns}
    )


@member_view
@allow_methods("GET")
def gradebook_csv(request: HttpRequest, course_id: int) -> HttpResponse:
    course, role = _course(request, course_id)
    _require_staff(role)
    response = HttpResponse(selectors.gradebook_csv(course=course), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="gradebook-{course.code}.csv"'
    return response


@dataclass(frozen=True)
class Attempt:
    submission: Submission
    number: int
    rows_by_step: list[tuple[str, list[Any]]]


@member_view
@allow_methods("GET")
def student_detail(request: HttpRequest, assignment_id: int, user_id: int) -> HttpResponse:
    """Drill-down: every part of every attempt of one student, the extension form, re-seeding."""
    assignment, role = _assignment(request, assignment_id)
    _require_staff(role)
    student = selectors.course_student_get(course=assignment.course, user_id=user_id)
    if student is None:
        return error_page(request, 404)
    state = selectors.homework_state(assignment=assignment, student=student, viewer=request.user)
    grouped = keys_by_step(selectors.assignment_parts(assignment=assignment))
    attempts = []
    for number, submission in enumerate(
        selectors.submission_drilldown(assignment=assignment, student=student, viewer=request.user), start=1
    ):
        results = (submission.report or {}).get("parts", {})
        attempts.append(
            Attempt(submission, number, [(step, part_rows(results, keys)) for step, keys in grouped.items()])
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
            "extension_form": ExtensionForm(initial={"due_at": state.due_at}),
            "tabs": _staff_tabs(assignment, "gradebook"),
        },
    )


@member_view
@allow_methods("POST")
def extension(request: HttpRequest, assignment_id: int, user_id: int) -> HttpResponse:
    assignment, role = _assignment(request, assignment_id)
    _require_staff(role)
    student = selectors.course_student_get(course=assignment.course, user_id=user_id)
    if student is None:
        return error_page(request, 404)
    form = ExtensionForm(request.POST)
    if not form.is_valid():
        return error_page(request, 400, _("Give the new due date as a date and time."))
    try:
        services.extension_grant(
            assignment=assignment, actor=request.user, student=student, due_at=form.cleaned_data["due_at"]
        )
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
    else:
        messages.success(request, _("The due date of %(user)s is extended.") % {"user": student.get_username()})
    return redirect("exercises:student", assignment_id=assignment.pk, user_id=student.pk)


@member_view
@allow_methods("POST")
def reseed(request: HttpRequest, assignment_id: int, user_id: int) -> HttpResponse:
    assignment, role = _assignment(request, assignment_id)
    _require_staff(role)
    student = selectors.course_student_get(course=assignment.course, user_id=user_id)
    if student is None:
        return error_page(request, 404)
    try:
        services.homework_reseed(assignment=assignment, student=student, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
    else:
        messages.success(request, _("%(user)s has new numbers now.") % {"user": student.get_username()})
    return redirect("exercises:student", assignment_id=assignment.pk, user_id=student.pk)


# ----------------------------------------------------------------------------------- regrade


def _regrade_form_context(assignment: Assignment, form: RegradeForm) -> dict[str, Any]:
    grouped = keys_by_step(selectors.assignment_parts(assignment=assignment))
    return {
        "assignment": assignment,
        "course": assignment.course,
        "form": form,
        "step_fields": [(step, form[f"points_{step}"]) for step in grouped if f"points_{step}" in form.fields],
        "jobs": selectors.regrade_jobs(assignment=assignment),
        "tabs": _staff_tabs(assignment, "regrade"),
    }


@member_view
@allow_methods("GET", "POST")
def regrade(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment, role = _assignment(request, assignment_id)
    _require_staff(role)
    grouped = keys_by_step(selectors.assignment_parts(assignment=assignment))
    if request.method == "POST":
        form = RegradeForm(request.POST)
        if form.is_valid():
            try:
                job = services.regrade_preview(
                    assignment=assignment, actor=request.user, new_settings=form.new_settings(grouped)
                )
            except ValidationError as exc:
                attach_errors(form, exc, FIELD_ALIASES)
            else:
                return redirect("exercises:regrade_job", job_id=job.pk)
        return render(request, "exercises/homework/regrade.html", _regrade_form_context(assignment, form), status=400)
    form = RegradeForm(initial=RegradeForm.grading_initial(assignment, grouped))
    return render(request, "exercises/homework/regrade.html", _regrade_form_context(assignment, form))


@dataclass(frozen=True)
class ChangeRow:
    """One submission whose counted score a regrade changes (scores are fractions 0…1)."""

    student: str
    student_id: int | None
    submission: str
    attempt: int | None
    old: float | None
    new: float | None

    @property
    def difference(self) -> float:
        return (self.new or 0.0) - (self.old or 0.0)


def _job_context(request: HttpRequest, job: RegradeJob) -> dict[str, Any]:
    rows = [
        ChangeRow(
            student=str(change.get("student") or ""),
            student_id=change.get("student_id"),
            submission=str(change.get("submission") or ""),
            attempt=change.get("attempt"),
            old=change.get("old"),
            new=change.get("new"),
        )
        for change in (job.changes or [])
    ]
    final = job.status in (RegradeJob.Status.PREVIEW_READY, RegradeJob.Status.APPLIED, RegradeJob.Status.ERROR)
    return {
        "job": job,
        "assignment": job.assignment,
        "rows": rows,
        "progress": (job.done / job.total) if job.total else (1.0 if final else 0.0),
        "final": final,
        "status_url": reverse("exercises:regrade_job_status", args=[job.pk]),
        "can_apply": job.status == RegradeJob.Status.PREVIEW_READY
        and selectors.can_manage(course=job.assignment.course, user=request.user),
        "settings_shown": _settings_summary(job),
    }


def _setting_text(name: str, value: Any) -> str:
    """One grading setting in words."""
    from .forms import SCORING_CHOICES, TOLERANCE_CHOICES

    if name == "tolerance" and isinstance(value, Mapping):
        kind = dict(TOLERANCE_CHOICES).get(value.get("kind"), value.get("kind"))
        return f"{kind}: {value.get('value')}"
    if name == "points":
        if not value:
            return _("1 per part")
        by_value: dict[float, int] = {}
        for points in value.values():
            by_value[float(points)] = by_value.get(float(points), 0) + 1
        return ", ".join(
            _("%(points)s × %(count)s parts") % {"points": f"{points:g}", "count": count}
            for points, count in sorted(by_value.items())
        )
    if name == "followthrough":
        return _("yes") if value else _("no")
    if name in ("followthrough_credit", "attempt_penalty", "late_penalty_per_day"):
        return f"{float(value) * 100:g} %"
    if name == "scoring":
        return str(dict(SCORING_CHOICES).get(value, value))
    if name == "parts":
        return ", ".join(value) or _("all")
    return str(value)


SETTING_LABELS = {
    "tolerance": lambda: _("Tolerance"),
    "points": lambda: _("Points"),
    "followthrough": lambda: _("Follow-through credit"),
    "followthrough_credit": lambda: _("Follow-through credit (%)"),
    "attempt_penalty": lambda: _("Penalty per extra attempt (%)"),
    "late_penalty_per_day": lambda: _("Late penalty per day (%)"),
    "scoring": lambda: _("Which attempt counts"),
    "parts": lambda: _("Parts asked"),
}


def _settings_summary(job: RegradeJob) -> list[tuple[str, str, str]]:
    """(label, now, after) for every setting the regrade changes; after it was applied, what it set."""
    applied = job.status == RegradeJob.Status.APPLIED
    lines = []
    for name, value in (job.new_settings or {}).items():
        if name not in SETTING_LABELS:
            continue
        current = getattr(job.assignment, name, None)
        if name == "points":
            current = dict(current or {})
        if not applied and current == value:
            continue
        lines.append((SETTING_LABELS[name](), "" if applied else _setting_text(name, current), _setting_text(name, value)))
    return lines


@member_view
@allow_methods("GET", "POST")
def regrade_job(request: HttpRequest, job_id: int) -> HttpResponse:
    job = selectors.regrade_job_get(job_id=job_id, user=request.user)
    if job is None:
        return error_page(request, 404)
    if request.method == "POST":
        try:
            job = services.regrade_apply(job=job, actor=request.user)
        except ValidationError as exc:
            messages.error(request, _messages_of(exc))
        return redirect("exercises:regrade_job", job_id=job.pk)
    context = _job_context(request, job)
    context.update(course=job.assignment.course, tabs=_staff_tabs(job.assignment, "regrade"))
    return render(request, "exercises/homework/regrade_job.html", context)


@member_view
@allow_methods("GET")
def regrade_job_status(request: HttpRequest, job_id: int) -> HttpResponse:
    job = selectors.regrade_job_get(job_id=job_id, user=request.user)
    if job is None:
        return JsonResponse({"detail": _("Not found.")}, status=404)
    context = _job_context(request, job)
    html = render_to_string("exercises/homework/includes/regrade_live.html", context, request=request)
    return JsonResponse({"status": job.status, "final": context["final"], "html": html})


# --------------------------------------------------------------------------------- analytics


@member_view
@allow_methods("GET")
def analytics(request: HttpRequest, assignment_id: int) -> HttpResponse:
    from ..templatetags.bpcourse_tags import step_title

    assignment, role = _assignment(request, assignment_id)
    _require_staff(role)
    data = selectors.assignment_analytics(assignment=assignment)
    part_rows_ = [StackedRow(row.key, str(notation(row.key)), row.counts) for row in data.parts]
    step_rows = [StackedRow(row.key, step_title(row.key), row.counts) for row in data.steps]
    misconceptions = [(row, pick_language(row.message)) for row in data.misconceptions]
    scores = [(label, count) for label, count in zip(_histogram_labels(), data.histogram, strict=False)]
    return render(
        request,
        "exercises/homework/analytics.html",
        {
            "assignment": assignment,
            "course": assignment.course,
            "data": data,
            "tabs": _staff_tabs(assignment, "analytics"),
            "steps_chart": stacked_bar_chart(step_rows, title=_("Answers per step"), element_id="steps-chart"),
            "parts_chart": stacked_bar_chart(part_rows_, title=_("Answers per part"), element_id="parts-chart"),
            "misconceptions_chart": misconception_chart(
                [CountRow(row.key, message, row.count) for row, message in misconceptions],
                title=_("Most frequent misconceptions"),
                element_id="misconceptions-chart",
            ),
            "histogram_chart": histogram_chart(
                data.histogram, title=_("Score distribution"), element_id="histogram-chart"
            ),
            "misconceptions": misconceptions,
            "scores": scores,
            "step_table": [_share_line(row) for row in data.steps],
            "part_table": [_share_line(row) for row in data.parts],
            "enrolled": sum(1 for m in selectors.course_members(course=assignment.course) if m.role == "student"),
        },
    )


def _share_line(row: Any) -> dict[str, Any]:
    shares = row.shares
    return {
        "key": row.key,
        "total": row.total,
        "correct": shares.get("correct", 0.0),
        "followthrough": shares.get("followthrough", 0.0),
        "incorrect": shares.get("incorrect", 0.0),
        "other": shares.get("invalid", 0.0) + shares.get("missing", 0.0),
    }


def _histogram_labels() -> list[str]:
    from .charts import histogram_bin_labels

    return histogram_bin_labels()
