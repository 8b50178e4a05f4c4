"""The student's homework: the assignment page with their numbers and answer sheet, submitting
it, and the submission page with its live status (filtered by the assignment's reveal policy)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

import graders

from ...grading.hints import latest_answers, part_hints
from ...grading.store import SubmissionFormatError
from ...grading.variants import submission_spec, variant_spec
from ...models import Assignment, Submission, Variant
from ...web.forms import FORM_TOKEN_FIELD, AnswerSheetForm
from ...web.hints import HintSheet, no_hint_keys, wants_json
from ...web.http import allow_methods, error_page, remember
from ...web.ratelimit import rate_limited
from ...web.results import error_context, graded_context, live_status_response, worked_keys, worked_steps
from ...web.sheets import (
    answer_boxes, form_token, form_token_message, format_error_message, given_groups, parts_by_step,
    validation_message,
)
from ..config import hint_fraction, question_parts
from ..selectors import homework as homework_selectors
from ..selectors.questions import question_slot
from ..services import homework as homework_services
from ..window import CLOSED, NOT_OPEN, visible_report
from .common import member_assignment, member_view, requested_position

SESSION_HOMEWORK_FORMS = "sent_homework_forms"
REASONS = {
    NOT_OPEN: lambda: _("This assignment is not open yet."),
    CLOSED: lambda: _("This assignment is closed: the due date has passed."),
    "no_attempts_left": lambda: _("You have used all your attempts."),
    "not_student": lambda: _("Only the course's students submit homework."),
}


def homework_page(request: HttpRequest, assignment: Assignment, *, form: AnswerSheetForm | None = None,
                  message: str = "", status: int = 200) -> HttpResponse:
    """The student's assignment page (GET), or their submission of it (POST)."""
    student = request.user
    if request.method == "POST" and form is None:
        return _homework_submit(request, assignment)
    position = requested_position(request)
    state = homework_selectors.homework_state(assignment=assignment, student=student, position=position)
    if position not in state.positions:
        return error_page(request, 404)
    if state.variant is None and state.status != NOT_OPEN:
        homework_services.homework_variant(assignment=assignment, student=student, position=position)
        state = homework_selectors.homework_state(assignment=assignment, student=student, position=position)
    context: dict[str, Any] = {
        "assignment": assignment,
        "course": assignment.course,
        "state": state,
        "reason_message": REASONS[state.reason]() if state.reason in REASONS else "",
        "form_message": message,
        "history": [(s, s.status == Submission.Status.GRADED) for s in state.submissions],
    }
    if state.variant is not None:
        part_infos = question_parts(question=state.variant.question)
        spec = variant_spec(variant=state.variant)
        context["spec"] = spec
        context["givens"] = given_groups(graders.solve(spec).givens)
        draft = homework_selectors.homework_draft(variant=state.variant)
        context["draft"] = draft
        if form is None:
            previous = state.submissions[0].answers if state.submissions else {}
            # A draft saved after the last submission is the newer work.
            if draft is not None and (not state.submissions or draft.saved_at >= state.submissions[0].created_at):
                previous = draft.answers
            form = AnswerSheetForm(part_keys=[p.key for p in part_infos], initial=dict(previous))
        context["boxes_by_step"] = answer_boxes(part_infos, form)
        context["form_token"] = form_token(form)
        typed = form.data if form.is_bound else form.initial
        context["hint_sheet"] = _hint_sheet(assignment, state.variant, part_infos,
                                            {k: v for k, v in typed.items() if isinstance(v, str)},
                                            enabled=state.can_submit and not state.reveal_expected)
    return render(request, "exercises/homework/homework.html", context, status=status)


def _hint_sheet(assignment: Assignment, variant: Variant, part_infos: list[graders.PartInfo],
                answers: dict[str, str], *, enabled: bool) -> HintSheet:
    """The hint panels of a student's sheet, with the assignment's costs stated on the buttons.
    Level 3 puts in the typed answers (else the newest submission's); never a reference value."""
    no_hint = no_hint_keys(part_infos)

    def compute(key: str, level: int) -> list:
        return part_hints(variant=variant, part_key=key, level=level,
                          answers={**latest_answers(variant=variant), **answers})

    return HintSheet(
        action=reverse("exercises:assignment_hint", args=[assignment.pk]),
        levels=dict(variant.hints_used or {}),
        compute=compute,
        costs=(assignment.hint_penalty_1, assignment.hint_penalty_2, assignment.hint_penalty_3),
        enabled=enabled,
        available=lambda key: key not in no_hint,
    )


@member_view
@allow_methods("POST")
@rate_limited("hint")
def assignment_hint(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """The next hint level of one part of the student's homework: JSON with the part's new panel
    for hints.js, else the typed answers are saved (as with "Save") and the page is shown again."""
    assignment, _role = member_assignment(request, assignment_id)
    position = requested_position(request)
    part = request.POST.get("hint", "")
    try:
        variant, level = homework_services.homework_hint(assignment=assignment, student=request.user, part_key=part,
                                                         position=position)
    except ValidationError as exc:
        if wants_json(request):
            return JsonResponse({"detail": validation_message(exc)}, status=400)
        return error_page(request, 400, validation_message(exc))
    part_infos = question_parts(question=variant.question)
    limit = settings.BPCOURSE_MAX_ANSWER_CHARS
    answers = {p.key: request.POST[p.key][:limit] for p in part_infos if request.POST.get(p.key)}
    if wants_json(request):
        sheet = _hint_sheet(assignment, variant, part_infos, answers, enabled=True)
        return JsonResponse({"part": part, "level": level, "html": sheet.panel(part)})
    if answers:
        homework_services.homework_draft_save(assignment=assignment, student=request.user, answers=answers,
                                              position=position)
    url = reverse("exercises:assignment", args=[assignment.pk])
    return redirect((url if position == 1 else f"{url}?q={position}") + f"#hint-{part}")


def _homework_submit(request: HttpRequest, assignment: Assignment) -> HttpResponse:
    position = requested_position(request)
    variant = homework_selectors.homework_variants(assignment=assignment, student=request.user).get(position)
    # Without a variant yet (not open, say), the question's first network shapes the form; the
    # service then says why nothing can be submitted.
    slot = None if variant is not None else question_slot(assignment=assignment, position=position)
    if variant is None and slot is None:
        return error_page(request, 404)
    part_infos = question_parts(question=variant.question if variant is not None else slot.first)
    form = AnswerSheetForm(request.POST, part_keys=[p.key for p in part_infos])
    if not form.is_valid():
        return homework_page(request, assignment, form=form, status=400, message=form_token_message(form))
    if request.POST.get("action") == "save":
        return _homework_save(request, assignment, form, position)
    token = form.cleaned_data[FORM_TOKEN_FIELD]
    already = request.session.get(SESSION_HOMEWORK_FORMS, {}).get(token)
    if already:
        return error_page(request, 409, submission_url=reverse("exercises:homework_submission", args=[already]))
    try:
        submission = homework_services.homework_submit(assignment=assignment, student=request.user,
                                                       answers=form.answers(), position=position)
    except SubmissionFormatError as exc:
        form.add_format_errors(exc.messages())
        return homework_page(request, assignment, form=form, status=400, message=format_error_message())
    except ValidationError as exc:
        status = 429 if exc.code == "rate_limited" else 400
        return homework_page(request, assignment, form=form, status=status, message=validation_message(exc))
    remember(request, SESSION_HOMEWORK_FORMS, token, str(submission.pk))
    return redirect("exercises:homework_submission", submission_id=submission.pk)


def _homework_save(request: HttpRequest, assignment: Assignment, form: AnswerSheetForm, position: int) -> HttpResponse:
    """"Save": the typed answers are kept on the server; no attempt is used, nothing is graded."""
    try:
        homework_services.homework_draft_save(assignment=assignment, student=request.user, answers=form.answers(),
                                              position=position)
    except ValidationError as exc:
        return homework_page(request, assignment, form=form, status=400, message=validation_message(exc))
    messages.success(request, _("Your answers are saved. No attempt was used; submit them for grading when ready."))
    url = reverse("exercises:assignment", args=[assignment.pk])
    return redirect(url if position == 1 else f"{url}?q={position}")


def _result_context(request: HttpRequest, submission: Submission) -> dict[str, Any]:
    """What the live part of a homework submission page shows, filtered by the reveal policy."""
    assignment = submission.variant.assignment
    state = homework_selectors.homework_state(assignment=assignment, student=submission.user, viewer=request.user,
                                              position=submission.variant.position or 1)
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
        report = visible_report(
            report=submission.report, reveal_expected=state.reveal_expected, show_diagnosis=state.show_diagnosis
        )
        results = report.get("parts", {})
        grouped = parts_by_step(question_parts(question=submission.variant.question)) or {"": list(results)}
        context.update(graded_context(
            results, grouped, report.get("followthrough_notes"), hints=submission.hints,
            hint_cost=lambda level: hint_fraction(assignment=assignment, level=level)))
        if state.reveal_solution:
            spec = submission_spec(submission=submission)
            context["steps"] = [step for step in worked_steps(spec) if step.name in grouped]
            context["worked_keys"] = worked_keys(context["steps"])
    context.update(error_context(submission))
    return context


@member_view
@allow_methods("GET")
def homework_submission(request: HttpRequest, submission_id: str) -> HttpResponse:
    """A homework submission's page (its student, or the course staff)."""
    submission = homework_selectors.homework_submission_get(submission_id=submission_id, user=request.user)
    if submission is None:
        return error_page(request, 404)
    context = _result_context(request, submission)
    context["staff"] = submission.user_id != request.user.pk
    return render(request, "exercises/homework/submission.html", context)


@member_view
@allow_methods("GET")
def homework_submission_status(request: HttpRequest, submission_id: str) -> HttpResponse:
    """The live status of a homework submission, as JSON with the fragment to show."""
    submission = homework_selectors.homework_submission_get(submission_id=submission_id, user=request.user)
    if submission is None:
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return live_status_response(
        request, submission, "exercises/homework/includes/submission_live.html", _result_context(request, submission)
    )
