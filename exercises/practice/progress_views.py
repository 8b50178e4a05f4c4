"""Signed-in pages of mastery: "My progress" (a chart and a table per skill, the misconceptions
seen lately, reviews due) and adaptive practice ("Practise what I get wrong": make the next
exercise; the exercise page asks only its focused parts and gives the earlier values)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

import graders
from graders.mastery import SkillState
from graders.mistakes import MISTAKES_BY_KEY

from ..grading.store import SubmissionFormatError
from ..grading.variants import variant_spec
from ..i18n import STEP_TITLES, pick_language
from ..models import Variant
from ..values import as_uuid
from ..web.forms import AnswerSheetForm
from ..web.http import allow_methods, error_page, remember, session_key_for
from ..web.ratelimit import rate_limited
from ..web.sheets import (
    GivenGroup, GivenValue, answer_boxes, form_token, form_token_message, format_error_message, given_groups,
    validation_message,
)
from . import services
from .adaptive import adaptive_variant_create
from .mastery import Progress, progress_for_user
from .progress_chart import mastery_chart
from .views import SESSION_SENT_FORMS, _previous_answers


def _moment(seconds: float | None) -> datetime | None:
    return datetime.fromtimestamp(seconds, tz=timezone.utc) if seconds is not None else None


def skill_title(skill: str) -> str:
    """A step's title or a misconception's short label, in the page's language."""
    if skill in STEP_TITLES:
        return str(STEP_TITLES[skill])
    mistake = MISTAKES_BY_KEY.get(skill)
    return pick_language(mistake.label) if mistake is not None else skill


@dataclass(frozen=True)
class SkillCard:
    """One skill as the page shows it: numbers, dates, the chart and its table."""

    state: SkillState
    title: str
    message: str
    chart: SafeString
    last_practised: datetime | None
    review_due: datetime | None
    rows: list[tuple[int, float, float]]  # attempt number, its score, mastery after it

    @property
    def attempts(self) -> int:
        return len(self.state.observations)


def _card(state: SkillState, threshold: float) -> SkillCard:
    title = skill_title(state.skill)
    mistake = MISTAKES_BY_KEY.get(state.skill) if state.kind == "misconception" else None
    observations = state.observations
    rows = [(i + 1, o.score, m) for i, (o, m) in enumerate(zip(observations, state.trajectory))][-20:]
    chart = mastery_chart(state.trajectory, title=_("Mastery of “%(skill)s”") % {"skill": title},
                          element_id=f"mastery-{state.skill}", threshold=threshold)
    return SkillCard(state, title, pick_language(mistake.message) if mistake else "",
                     mark_safe(chart),  # noqa: S308 - built from escaped pieces (progress_chart)
                     _moment(state.last_practised), _moment(state.review_due), rows)


def focus_sentence(progress: Progress) -> str:
    """Why the next exercise trains what it trains."""
    focus, run = progress.focus, progress.config.run_length
    step = str(STEP_TITLES.get(focus.step, focus.step))
    if focus.reason == "misconception":
        return _("Your latest mistake was “%(mistake)s”: practise %(step)s until %(run)s attempts in a row are right.") % {
            "mistake": skill_title(focus.misconception), "step": step, "run": run}
    if focus.reason == "continue":
        return _("Keep going with %(step)s: %(run)s right attempts in a row move you on.") % {"step": step, "run": run}
    if focus.reason == "review":
        return _("Time to review %(step)s: you mastered it, and a review now keeps it.") % {"step": step}
    if focus.reason in ("weakest", "below_threshold"):
        return _("%(step)s is your weakest skill now.") % {"step": step}
    return _("Every step is mastered; %(step)s is the one to keep fresh.") % {"step": step}


@login_required
@allow_methods("GET")
def progress(request: HttpRequest) -> HttpResponse:
    """The signed-in student's mastery per skill, from their own graded practice and homework."""
    data = progress_for_user(user=request.user)
    threshold = data.config.threshold
    context = {
        "progress": data,
        "steps": [_card(state, threshold) for state in data.steps],
        "misconceptions": [_card(state, threshold) for state in data.misconceptions],
        "recent": [(seen, skill_title(seen.key), _moment(seen.when)) for seen in data.recent],
        "due": [skill_title(state.skill) for state in data.due],
        "focus_title": skill_title(data.focus.step),
        "focus_sentence": focus_sentence(data),
        "threshold": threshold,
    }
    return render(request, "exercises/progress.html", context)


@login_required
@allow_methods("POST")
@rate_limited("practice_variant")
def adaptive_start(request: HttpRequest) -> HttpResponse:
    """"Practise what I get wrong": the next adaptive exercise (made now, or the unanswered one)."""
    variant = adaptive_variant_create(user=request.user)
    return redirect("exercises:adaptive_exercise", variant_id=variant.pk)


def _own_focus_variant(request: HttpRequest, variant_id: str) -> Variant | None:
    pk = as_uuid(variant_id)
    if pk is None:
        return None
    return Variant.objects.filter(pk=pk, owner=request.user, kind=Variant.Kind.PRACTICE,
                                  focus__has_key="step").first()


def _render_exercise(request: HttpRequest, variant: Variant, form: AnswerSheetForm, *, status: int = 200,
                     message: str = "") -> HttpResponse:
    spec = variant_spec(variant=variant)
    solution = graders.solve(spec)
    focus = variant.focus
    asked = set(focus.get("parts") or [])
    earlier = [GivenValue(key, solution.values[key]) for key in focus.get("given") or [] if key in solution.values]
    givens = given_groups(solution.givens) + ([GivenGroup(_("Earlier results (given)"), earlier)] if earlier else [])
    context = {
        "variant": variant,
        "focus": focus,
        "template": graders.TEMPLATES.get(variant.template),
        "spec": spec,
        "givens": givens,
        "focus_title": skill_title(focus.get("step", "")),
        "misconception_title": skill_title(focus["misconception"]) if focus.get("misconception") else "",
        "boxes_by_step": answer_boxes([p for p in solution.parts if p.key in asked], form),
        "form_token": form_token(form),
        "form_message": message,
    }
    return render(request, "exercises/adaptive.html", context, status=status)


@login_required
@allow_methods("GET", "POST")
@rate_limited("practice_submit")
def adaptive_exercise(request: HttpRequest, variant_id: str) -> HttpResponse:
    """An adaptive exercise of the signed-in student's own: its sheet (GET) or its submission (POST)."""
    variant = _own_focus_variant(request, variant_id)
    if variant is None:
        return error_page(request, 404)
    part_keys = list(variant.focus.get("parts") or [])
    if request.method == "GET":
        return _render_exercise(request, variant, AnswerSheetForm(part_keys=part_keys, initial=_previous_answers(request)))
    form = AnswerSheetForm(request.POST, part_keys=part_keys)
    if not form.is_valid():
        return _render_exercise(request, variant, form, status=400, message=form_token_message(form))
    token = form_token(form)
    already_sent = request.session.get(SESSION_SENT_FORMS, {}).get(token)
    if already_sent:
        return error_page(request, 409, submission_url=reverse("exercises:submission", args=[already_sent]))
    try:
        with transaction.atomic():
            submission = services.submission_create(variant=variant, answers=form.answers(), user=request.user,
                                                    session_key=session_key_for(request))
    except SubmissionFormatError as exc:
        form.add_format_errors(exc.messages())
        return _render_exercise(request, variant, form, status=400, message=format_error_message())
    except ValidationError as exc:
        return _render_exercise(request, variant, form, status=400, message=validation_message(exc))
    remember(request, SESSION_SENT_FORMS, token, str(submission.pk))
    return redirect("exercises:submission", submission_id=submission.pk)

