"""Regrade pages: new grading settings for an assignment's stored submissions, the preview of
the scores they change (live progress), applying it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from ...models import Assignment, Question, RegradeJob
from ...web.results import live_json
from ...web.http import allow_methods, error_page
from ...web.sheets import parts_by_step, validation_message
from ..config import question_parts
from ..forms.common import attach_errors
from ..counted import CountedChange, preview_counted_changes
from ..forms.grading import FIELD_ALIASES, ApplyForm, RegradeForm
from ..permissions import can_manage, require
from ..selectors import regrade as regrade_selectors
from ..services import regrade as regrade_services
from ..selectors.questions import question_slots
from ..services.assignments import QUESTION_FIELDS
from .common import member_assignment, member_view, require_staff, settings_of, staff_tabs
from .settings_text import SETTING_LABELS, setting_text


def _target(request: HttpRequest, assignment: Assignment) -> tuple[Question | None, list[Question]]:
    """The question a regrade changes (`question`: its id; the first by default) and all of them."""
    questions = [member for slot in question_slots(assignment=assignment) for member in slot.members]
    raw = request.POST.get("question") if request.method == "POST" else request.GET.get("question")
    chosen = next((q for q in questions if str(q.pk) == raw), None) if raw else (questions[0] if questions else None)
    return chosen, questions


def _regrade_form_context(assignment: Assignment, form: RegradeForm, question: Question,
                          questions: list[Question]) -> dict[str, Any]:
    grouped = parts_by_step(question_parts(question=question))
    return {
        "assignment": assignment,
        "course": assignment.course,
        "form": form,
        "question": question,
        "questions": questions if len(questions) > 1 else [],
        "step_fields": [(step, form[f"points_{step}"]) for step in grouped if f"points_{step}" in form.fields],
        "jobs": regrade_selectors.regrade_jobs(assignment=assignment),
        "tabs": staff_tabs(assignment, "regrade"),
    }


@member_view
@allow_methods("GET", "POST")
def regrade(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """New grading settings for one question of an assignment and its penalties (staff): the
    form, then a preview job."""
    assignment, role = member_assignment(request, assignment_id)
    require_staff(role)
    question, questions = _target(request, assignment)
    if question is None:
        return error_page(request, 404)
    grouped = parts_by_step(question_parts(question=question))
    if request.method == "POST":
        form = RegradeForm(request.POST)
        if form.is_valid():
            try:
                job = regrade_services.regrade_preview(
                    assignment=assignment, actor=request.user,
                    new_settings={**form.new_settings(grouped), "question": question.pk},
                )
            except ValidationError as exc:
                attach_errors(form, exc, FIELD_ALIASES)
            else:
                return redirect("exercises:regrade_job", job_id=job.pk)
        return render(request, "exercises/homework/regrade.html",
                      _regrade_form_context(assignment, form, question, questions), status=400)
    form = RegradeForm(initial=RegradeForm.grading_initial(settings_of(assignment, question), grouped))
    return render(request, "exercises/homework/regrade.html",
                  _regrade_form_context(assignment, form, question, questions))


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
    counted: list[Any] = []
    if job.status == RegradeJob.Status.PREVIEW_READY:
        counted = preview_counted_changes(job)
    elif job.status in (RegradeJob.Status.APPLYING, RegradeJob.Status.APPLIED):
        counted = [CountedChange(n.student_id, n.student.get_username(), n.old_score, n.new_score)
                   for n in regrade_selectors.regrade_job_notices(job=job)]
    return {
        "counted": counted,
        "apply_form": ApplyForm(),
        "job": job,
        "assignment": job.assignment,
        "rows": rows,
        "progress": (job.done / job.total) if job.total else (1.0 if final else 0.0),
        "final": final,
        "status_url": reverse("exercises:regrade_job_status", args=[job.pk]),
        "can_apply": job.status == RegradeJob.Status.PREVIEW_READY
        and can_manage(course=job.assignment.course, user=request.user),
        "settings_shown": _settings_summary(job),
    }


def _settings_summary(job: RegradeJob) -> list[tuple[str, str, str]]:
    """(label, now, after) for every setting the regrade changes; after it was applied, what it set."""
    applied = job.status == RegradeJob.Status.APPLIED
    question = Question.objects.filter(pk=(job.new_settings or {}).get("question"), assignment=job.assignment).first()
    lines = []
    for name, value in (job.new_settings or {}).items():
        if name not in SETTING_LABELS:
            continue
        owner = question if name in QUESTION_FIELDS and question is not None else job.assignment
        current = getattr(owner, name, None)
        if name == "points":
            current = dict(current or {})
        if not applied and current == value:
            continue
        lines.append((SETTING_LABELS[name](), "" if applied else setting_text(name, current), setting_text(name, value)))
    return lines


@member_view
@allow_methods("GET", "POST")
def regrade_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """A regrade job's preview (GET) or applying it (POST, instructors)."""
    job = regrade_selectors.regrade_job_get(job_id=job_id, user=request.user)
    if job is None:
        return error_page(request, 404)
    if request.method == "POST":
        require(can_manage(course=job.assignment.course, user=request.user))  # instructors apply
        form = ApplyForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Say why the scores change: the students whose score changes read it."))
            return redirect("exercises:regrade_job", job_id=job.pk)
        try:
            job = regrade_services.regrade_apply(job=job, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, validation_message(exc))
        return redirect("exercises:regrade_job", job_id=job.pk)
    context = _job_context(request, job)
    context.update(course=job.assignment.course, tabs=staff_tabs(job.assignment, "regrade"))
    return render(request, "exercises/homework/regrade_job.html", context)


@member_view
@allow_methods("GET")
def regrade_job_status(request: HttpRequest, job_id: int) -> HttpResponse:
    """A regrade job's live progress, as JSON with the fragment to show."""
    job = regrade_selectors.regrade_job_get(job_id=job_id, user=request.user)
    if job is None:
        return JsonResponse({"detail": _("Not found.")}, status=404)
    context = _job_context(request, job)
    return live_json(
        request, status=job.status, final=context["final"], fragment="exercises/homework/includes/regrade_live.html",
        context=context, label=job.get_status_display(),
    )
