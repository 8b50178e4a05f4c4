"""A problem set's questions (instructors): add a question or a network to a question's pool,
edit one, remove one, move a question up or down. Each question is edited with the assignment
form's own network, parts and grading fields (QuestionForm, includes/network_fields.html)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from ...models import Assignment, Question
from ...web.http import allow_methods, error_page
from ...web.ratelimit import rate_limited
from ...web.sheets import parts_by_step, validation_message
from ..forms.assignments import DEFAULT_TEMPLATE
from ..forms.questions import QuestionForm
from ..forms.common import attach_errors
from ..forms.grading import FIELD_ALIASES
from ..services import questions as question_services
from .assignments import authoring_context, bind_assignment_form, network_part_infos
from .common import member_assignment, member_view, require_instructor, settings_of


def _overview(assignment: Assignment, position: int | None = None) -> HttpResponse:
    url = reverse("exercises:assignment", args=[assignment.pk])
    return redirect(f"{url}?q={position}#questions" if position else f"{url}#questions")


def _question_of(request: HttpRequest, assignment_id: int, question_id: int) -> tuple[Assignment, Question]:
    assignment, role = member_assignment(request, assignment_id)
    require_instructor(role)
    question = Question.objects.filter(pk=question_id, assignment=assignment).first()
    if question is None:
        raise Question.DoesNotExist
    return assignment, question


def _render(request: HttpRequest, form: QuestionForm, assignment: Assignment, *, question: Question | None,
            pool_of: int | None, status: int = 200) -> HttpResponse:
    context: dict[str, Any] = authoring_context(form, assignment.course, assignment)
    pool_size = Question.objects.filter(assignment=assignment, position=question.position).count() if question else 0
    context.update(question=question, pool_of=pool_of, pool_size=pool_size, action=request.get_full_path())
    return render(request, "exercises/homework/question_form.html", context, status=status)


def _save(request: HttpRequest, form: QuestionForm, assignment: Assignment, question: Question | None,
          pool_of: int | None) -> Question | None:
    if not form.is_valid():
        return None
    try:
        if question is None:
            return question_services.question_add(assignment=assignment, actor=request.user,
                                                    data=form.question_data(), pool_of=pool_of)
        return question_services.question_update(question=question, actor=request.user, data=form.question_data())
    except ValidationError as exc:
        attach_errors(form, exc, {**FIELD_ALIASES, "parts": "parts" if form.by_part else "steps"})
        return None


@member_view
@allow_methods("GET", "POST")
@rate_limited("authoring_save")
def question_create(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """A new question at the end of the set, or (`?pool=<position>`) a new network in that question's pool."""
    assignment, role = member_assignment(request, assignment_id)
    require_instructor(role)
    raw = request.GET.get("pool", "")
    pool_of = int(raw) if raw.isdigit() else None
    if pool_of is not None and not Question.objects.filter(assignment=assignment, position=pool_of).exists():
        return error_page(request, 404)
    if request.method == "POST":
        form = bind_assignment_form(request.POST, form_class=QuestionForm)
        saved = _save(request, form, assignment, None, pool_of)
        if saved is not None:
            messages.success(request, _("Question %(position)d saved.") % {"position": saved.position})
            return _overview(assignment, saved.position)
        return _render(request, form, assignment, question=None, pool_of=pool_of, status=400)
    form = QuestionForm(part_infos=network_part_infos({"builtin": DEFAULT_TEMPLATE}))
    return _render(request, form, assignment, question=None, pool_of=pool_of)


@member_view
@allow_methods("GET", "POST")
@rate_limited("authoring_save")
def question_edit(request: HttpRequest, assignment_id: int, question_id: int) -> HttpResponse:
    """Change one question (or one network of a pool)."""
    try:
        assignment, question = _question_of(request, assignment_id, question_id)
    except Question.DoesNotExist:
        return error_page(request, 404)
    if request.method == "POST":
        form = bind_assignment_form(request.POST, question=question, form_class=QuestionForm)
        saved = _save(request, form, assignment, question, None)
        if saved is not None:
            messages.success(request, _("Question %(position)d saved.") % {"position": saved.position})
            return _overview(assignment, saved.position)
        return _render(request, form, assignment, question=question, pool_of=None, status=400)
    infos = network_part_infos(question.template_config)
    initial = QuestionForm.initial_from(settings_of(assignment, question), parts_by_step(infos))
    form = QuestionForm(initial=initial, part_infos=infos)
    return _render(request, form, assignment, question=question, pool_of=None)


@member_view
@allow_methods("POST")
@rate_limited("authoring_save")
def question_remove(request: HttpRequest, assignment_id: int, question_id: int) -> HttpResponse:
    """Remove a question or one network of a pool (not once answered)."""
    try:
        assignment, question = _question_of(request, assignment_id, question_id)
    except Question.DoesNotExist:
        return error_page(request, 404)
    in_pool = Question.objects.filter(assignment=assignment, position=question.position).count() > 1
    try:
        question_services.question_remove(question=question, actor=request.user)
    except ValidationError as exc:
        messages.error(request, validation_message(exc))
        return _overview(assignment, question.position)
    if in_pool:
        messages.success(request, _("The network is removed from the pool of question %(position)d.")
                         % {"position": question.position})
        return _overview(assignment, question.position)
    messages.success(request, _("Question %(position)d removed.") % {"position": question.position})
    return _overview(assignment)


@member_view
@allow_methods("POST")
@rate_limited("authoring_save")
def question_move(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """Swap a question with the one above (`direction=up`) or below (`down`)."""
    assignment, role = member_assignment(request, assignment_id)
    require_instructor(role)
    raw = request.POST.get("position", "")
    offset = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
    if not raw.isdigit() or offset is None:
        return error_page(request, 400, _("Say which question moves, up or down."))
    try:
        question_services.question_move(assignment=assignment, actor=request.user, position=int(raw), offset=offset)
    except ValidationError as exc:
        messages.error(request, validation_message(exc))
        return _overview(assignment)
    messages.success(request, _("Question %(position)d moved.") % {"position": int(raw)})
    return _overview(assignment, int(raw) + offset)
