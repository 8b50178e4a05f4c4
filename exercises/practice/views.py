"""Practice pages: home, the article walkthrough, practice, submissions, history, sign-up.

Views stay thin: the grader (`graders`) computes, `services` write, `selectors` read; what is
shared with the course pages (sheets, results, HTTP plumbing) lives in `exercises.web`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

import graders

from ..grading.numbers import spec_digest, template_numbers_id
from ..grading.specs import template_spec
from ..grading.reveal import report_revealed, reveal_after_wrong, reveal_reasons
from ..grading.store import SubmissionFormatError
from ..grading.variants import submission_spec, variant_spec
from ..models import Submission, Variant
from ..web.forms import AnswerSheetForm
from ..web.hints import wants_json
from ..web.http import allow_methods, error_page, remember, session_key_for
from ..web.ratelimit import rate_limited
from ..web.results import (
    StepProgress,
    error_context,
    graded_context,
    live_status_response,
    step_progress,
    worked_keys,
    worked_steps,
)
from ..web.sheets import (
    AnswerBox,
    GivenGroup,
    answer_boxes,
    form_token,
    form_token_message,
    format_error_message,
    given_groups,
    parts_by_step,
    sheet_is_blank,
    validation_message,
)
from ..web.waits import requested_wait, wait_for_verdict
from . import selectors, services
from .forms import SignupForm
from .hint_sheets import SESSION_HINT_ANSWERS, hint_answers, hint_sheet

ARTICLE_TEMPLATE = "article"
ARTICLE_SEED = ""
# Session bookkeeping (per browser): the variant behind each practice URL, and the forms sent.
SESSION_VARIANTS = services.SESSION_VARIANTS
SESSION_SENT_FORMS = "sent_forms"
UNFINISHED_STATUSES = frozenset({Submission.Status.QUEUED, Submission.Status.GRADING})


def _new_seed() -> str:
    return secrets.token_hex(4)


def template_choices() -> list[graders.Template]:
    return list(graders.TEMPLATES.values())


# -------------------------------------------------------------------------------------- pages


@allow_methods("GET")
def home(request: HttpRequest) -> HttpResponse:
    article_spec = template_spec(template=ARTICLE_TEMPLATE, seed=ARTICLE_SEED)
    return render(request, "exercises/home.html", {"article_spec": article_spec})


@allow_methods("GET")
def practice_list(request: HttpRequest) -> HttpResponse:
    return render(request, "exercises/practice_list.html", {"templates": template_choices()})


@allow_methods("GET")
@rate_limited("practice_variant", methods=("GET",))
def practice_start(request: HttpRequest, template: str) -> HttpResponse:
    """A fresh random seed for the template: redirect to its shareable URL."""
    try:
        services.template_validate(template)
    except ValidationError as exc:
        return error_page(request, 404, " ".join(exc.messages), templates=template_choices())
    return redirect("exercises:practice", template=template, seed=_new_seed())


def _load_variant_page(request: HttpRequest, template: str, seed: str) -> tuple[dict[str, Any], HttpResponse | None]:
    """The spec and solution behind a practice URL, or an error page for a bad template or seed."""
    try:
        services.template_validate(template)
    except ValidationError as exc:
        return {}, error_page(request, 404, " ".join(exc.messages), templates=template_choices())
    try:
        services.practice_seed_validate(seed=seed)
    except ValidationError as exc:
        return {}, error_page(request, 400, " ".join(exc.messages))
    # The numbers this browser's variant was given, if it has one (frozen: a later code change
    # does not change them), else what the current code draws for the seed.
    known = _known_variant(request, template, seed)
    spec = variant_spec(variant=known) if known is not None else template_spec(template=template, seed=seed)
    solution = graders.solve(spec)

    @cache
    def givens() -> list[GivenGroup]:
        # read (templates call it) only when the kept parts that show them are rendered
        return given_groups(solution.givens)

    return {
        "variant": known,
        "template": graders.TEMPLATES[template],
        "seed": seed,
        "spec": spec,
        "numbers_key": _numbers_key(known, template, seed, spec),
        "solution": solution,
        "givens": givens,
    }, None


def _numbers_key(known: Variant | None, template: str, seed: str, spec: dict[str, Any]) -> str:
    """The digest of the page's numbers: what its cached parts (diagram, givens, blank sheet) are kept by."""
    if known is None:
        return template_numbers_id(template=template, seed=seed)
    return known.numbers_id or spec_digest(spec)


def _render_practice(
    request: HttpRequest, page: dict[str, Any], form: AnswerSheetForm, *, status: int = 200, message: str = ""
) -> HttpResponse:
    @cache
    def boxes_by_step() -> list[tuple[str, list[AnswerBox]]]:
        # built only if a template reads it (templates call it): a kept blank sheet does not
        return answer_boxes(page["solution"].parts, form)

    typed = form.data if form.is_bound else form.initial
    hints = hint_sheet(page, {k: v for k, v in typed.items() if isinstance(v, str)})
    context = {
        **page,
        "form_token": form_token(form),
        "boxes_by_step": boxes_by_step,
        # a sheet with hints taken or answers revealed differs from the blank one everyone gets
        "sheet_blank": sheet_is_blank(form) and not hints.used and not hints.closed,
        "hint_sheet": hints,
        "form_message": message,
    }
    return render(request, "exercises/practice.html", context, status=status)


def _known_variant(request: HttpRequest, template: str, seed: str) -> Variant | None:
    """The variant this browser already uses for the URL, if any."""
    known_id = request.session.get(SESSION_VARIANTS, {}).get(f"{template}/{seed}")
    if not known_id:
        return None
    variant = selectors.variant_get_for_viewer(
        variant_id=known_id, user=request.user, session_key=request.session.session_key
    )
    if variant is not None and variant.template == template and variant.seed == seed:
        return variant
    return None


def _practice_variant(request: HttpRequest, page: dict[str, Any]) -> Variant:
    """The variant this browser already uses for the page's URL, or a new one (inside the caller's transaction)."""
    if page["variant"] is not None:
        return page["variant"]
    user = request.user if request.user.is_authenticated else None
    return services.variant_create(
        template=page["template"].name, seed=page["seed"], owner=user, session_key=session_key_for(request)
    )


@allow_methods("GET", "POST")
@rate_limited("practice_submit")
def practice(request: HttpRequest, template: str, seed: str) -> HttpResponse:
    """Show a variant's answer sheet (GET) or submit it (POST)."""
    page, failure = _load_variant_page(request, template, seed)
    if failure is not None:
        return failure
    part_keys = [part.key for part in page["solution"].parts]

    if request.method == "GET":
        initial = _previous_answers(request) or hint_answers(request, page["variant"])
        form = AnswerSheetForm(part_keys=part_keys, initial=initial)
        return _render_practice(request, page, form)

    form = AnswerSheetForm(request.POST, part_keys=part_keys)
    if not form.is_valid():  # only the hidden form token can be invalid
        return _render_practice(request, page, form, status=400, message=form_token_message(form))
    token = form_token(form)
    already_sent = request.session.get(SESSION_SENT_FORMS, {}).get(token)
    if already_sent:
        url = reverse("exercises:submission", args=[already_sent])
        return error_page(request, 409, submission_url=url)

    session_key = session_key_for(request)
    try:
        with transaction.atomic():  # a rejected sheet leaves no variant behind either
            variant = _practice_variant(request, page)
            submission = services.submission_create(
                variant=variant, answers=form.answers(), user=request.user, session_key=session_key
            )
    except SubmissionFormatError as exc:
        form.add_format_errors(exc.messages())
        return _render_practice(request, page, form, status=400, message=format_error_message())
    except ValidationError as exc:
        return _render_practice(request, page, form, status=400, message=validation_message(exc))

    remember(request, SESSION_VARIANTS, f"{template}/{seed}", str(variant.pk))
    remember(request, SESSION_SENT_FORMS, token, str(submission.pk))
    # The result page may wait a moment for the verdict (usually tens of milliseconds away), so
    # that it shows it at once; the proxy sends such waits to the threaded `events` server.
    url = reverse("exercises:submission", args=[submission.pk])
    page_wait = float(settings.BPCOURSE_PAGE_WAIT_SECONDS)
    return redirect(url + f"?wait={page_wait:g}" if page_wait > 0 else url)


@allow_methods("POST")
@rate_limited("hint")
def practice_hint(request: HttpRequest, template: str, seed: str) -> HttpResponse:
    """The next hint level of one part (the sheet's "Hint" button): JSON with the part's new panel
    for hints.js, else back to the page (the typed answers come back with it)."""
    page, failure = _load_variant_page(request, template, seed)
    if failure is not None:
        return failure
    part = request.POST.get("hint", "")
    limit = settings.BPCOURSE_MAX_ANSWER_CHARS
    answers = {p.key: request.POST[p.key][:limit] for p in page["solution"].parts if request.POST.get(p.key)}
    try:
        with transaction.atomic():
            variant = _practice_variant(request, page)
            level = services.practice_hint(variant=variant, part_key=part)
    except ValidationError as exc:
        if wants_json(request):
            return JsonResponse({"detail": validation_message(exc)}, status=400)
        return error_page(request, 400, validation_message(exc))
    remember(request, SESSION_VARIANTS, f"{template}/{seed}", str(variant.pk))
    if wants_json(request):
        page["variant"] = variant
        return JsonResponse({"part": part, "level": level, "html": hint_sheet(page, answers).panel(part)})
    request.session[SESSION_HINT_ANSWERS] = {"variant": str(variant.pk), "answers": answers}
    return redirect(reverse("exercises:practice", args=[template, seed]) + f"#hint-{part}")


def _previous_answers(request: HttpRequest) -> dict[str, str]:
    """Answers of the viewer's earlier submission named by ?from=<id>, to edit and send again."""
    source = request.GET.get("from")
    if not source:
        return {}
    submission = selectors.submission_get_for_viewer(
        submission_id=source, user=request.user, session_key=request.session.session_key
    )
    return dict(submission.answers) if submission is not None else {}


# -------------------------------------------------------------------------------- submissions


def _submission_for_viewer(request: HttpRequest, submission_id: str) -> Submission | None:
    return selectors.submission_get_for_viewer(
        submission_id=submission_id, user=request.user, session_key=request.session.session_key
    )


def _result_context(request: HttpRequest, submission: Submission) -> dict[str, Any]:
    """Everything the live part of the submission page shows: expected values and worked lines
    only of the parts the variant has revealed (exercises.grading.reveal)."""
    variant = submission.variant
    context: dict[str, Any] = {
        "submission": submission,
        "variant": variant,
        "final": submission.is_finished,
        "status_url": reverse("exercises:submission_status", args=[submission.pk]),
        "show_progress": True,
        "can_reveal": _owns_submission(request, submission),
        "reveal_url": reverse("exercises:submission_reveal", args=[submission.pk]),
    }
    if submission.status == Submission.Status.GRADED and submission.report:
        reasons = reveal_reasons(variant)
        results = report_revealed(submission.report, reasons).get("parts", {})
        try:
            spec = submission_spec(submission=submission)
            focus = variant.focus or {}
            asked = set(focus.get("parts") or ())  # an adaptive exercise: only the parts it asks
            keys_by_step = parts_by_step(p for p in graders.solve(spec).parts if not asked or p.key in asked)
            # an adaptive exercise's given earlier results count as known in its worked lines
            context["steps"] = worked_steps(spec, only=reasons, known=focus.get("given") or ())
            context["worked_keys"] = worked_keys(context["steps"])
        except graders.UnknownTemplate:  # a network type removed since: the stored report still shows
            keys_by_step = {"": list(results)}
        context.update(graded_context(results, keys_by_step, submission.report.get("followthrough_notes"),
                                      hints=submission.hints))
        context["reveal_reasons"] = reasons
        context["reveal_after_wrong"] = reveal_after_wrong()
    context.update(error_context(submission))
    return context


def _owns_submission(request: HttpRequest, submission: Submission) -> bool:
    """Whether the viewer may press "show answer" (the variant's owner: user or browser session)."""
    return _submission_for_viewer(request, str(submission.pk)) is not None


@allow_methods("GET")
def submission_detail(request: HttpRequest, submission_id: str) -> HttpResponse:
    """A submission's page; with ?wait=S an unfinished one is first given up to S seconds
    (BPCOURSE_STATUS_WAIT_SECONDS at most) to be graded, then shown as it is."""
    submission = _submission_for_viewer(request, submission_id)
    if submission is None:
        return error_page(request, 404)
    wait = 0.0 if submission.is_finished else requested_wait(request)
    if wait:
        status = wait_for_verdict(
            submission_id=submission.pk, seconds=wait,
            read=lambda: selectors.submission_status_for_viewer(
                submission_id=submission_id, user=request.user, session_key=request.session.session_key
            ),
        )
        if status != submission.status:
            submission = _submission_for_viewer(request, submission_id) or submission
    variant = submission.variant
    context = {
        **_result_context(request, submission),
        "template": graders.TEMPLATES.get(variant.template),
        "retry_url": reverse("exercises:practice", args=[variant.template, variant.seed])
        + "?"
        + urlencode({"from": str(submission.pk)}),
    }
    if (variant.focus or {}).get("step"):  # an adaptive exercise: retried on its own page
        context["adaptive_step"] = variant.focus["step"]
        context["retry_url"] = (reverse("exercises:adaptive_exercise", args=[variant.pk]) + "?"
                                + urlencode({"from": str(submission.pk)}))
    return render(request, "exercises/submission.html", context)


@allow_methods("GET")
def submission_status(request: HttpRequest, submission_id: str) -> HttpResponse:
    """JSON for the live status: the status, whether it is final, and the page fragment to show.

    site.js sends the status it shows (`?known=queued`); while that is still the status, the
    answer is only {status, final: false, unchanged: true} from one small query (no fragment).
    With `&wait=S` it first waits up to S seconds (BPCOURSE_STATUS_WAIT_SECONDS at most) for the
    verdict, and says so (`waited: true`), so that the page asks again at once."""
    known = request.GET.get("known", "")
    if known in UNFINISHED_STATUSES:

        def read() -> str | None:
            return selectors.submission_status_for_viewer(
                submission_id=submission_id, user=request.user, session_key=request.session.session_key
            )

        status = read()
        wait = requested_wait(request) if status == known else 0.0
        if wait:
            status = wait_for_verdict(submission_id=submission_id, seconds=wait, read=read)
        if status == known:
            return JsonResponse({"status": status, "final": False, "unchanged": True, "waited": bool(wait)})
    submission = _submission_for_viewer(request, submission_id)
    if submission is None:
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return live_status_response(
        request, submission, "exercises/includes/submission_live.html", _result_context(request, submission)
    )


@allow_methods("POST")
def submission_reveal(request: HttpRequest, submission_id: str) -> HttpResponse:
    """"Show answer" for one part of the viewer's own practice submission: recorded on the variant."""
    submission = _submission_for_viewer(request, submission_id)
    if submission is None:
        return error_page(request, 404)
    part = request.POST.get("part", "")
    try:
        services.variant_reveal_part(variant=submission.variant, part_key=part)
    except ValidationError as exc:
        return error_page(request, 400, validation_message(exc))
    return redirect(reverse("exercises:submission", args=[submission.pk]) + f"#part-{part}")


@login_required
@allow_methods("GET")
def history(request: HttpRequest) -> HttpResponse:
    rows = [
        HistoryRow(submission, graders.TEMPLATES.get(submission.variant.template), _progress_of(submission))
        for submission in selectors.practice_history(user=request.user)
    ]
    return render(request, "exercises/history.html", {"rows": rows})


@dataclass(frozen=True)
class HistoryRow:
    submission: Submission
    template: graders.Template | None
    progress: list[StepProgress]  # right / attempted per step (blank parts count neither way)


def _progress_of(submission: Submission) -> list[StepProgress]:
    """A graded practice submission's progress per step, over the parts it answered."""
    if submission.status != Submission.Status.GRADED or not submission.report:
        return []
    results = submission.report.get("parts") or {}
    try:
        keys_by_step = parts_by_step(graders.solve(submission_spec(submission=submission)).parts)
    except graders.UnknownTemplate:
        keys_by_step = {"": list(results)}
    return step_progress(results, keys_by_step)


# --------------------------------------------------------------------------------------- auth


@allow_methods("GET", "POST")
@rate_limited("signup")
def signup(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    if request.method == "POST":
        form = SignupForm(request.POST)
        if form.is_valid():
            user = form.save()
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect(next_url or "exercises:home")
        status = 400
    else:
        form = SignupForm()
        status = 200
    return render(request, "registration/signup.html", {"form": form, "next": next_url}, status=status)
