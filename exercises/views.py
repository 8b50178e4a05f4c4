"""HTML pages: home, the article walkthrough, practice, submissions, history, sign-up.

Views stay thin: the grader (`graders`) computes, `services` writes, `selectors` read. What lives
here is HTTP: methods, status codes, the session, and shaping data for templates.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache, wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

import graders
from graders.worked import WorkedLine, WorkedStep

from . import selectors, services
from .forms import FORM_TOKEN_FIELD, AnswerSheetForm, SignupForm
from .i18n import PART_STATUS_HELP, PART_STATUS_LABELS, SUBMISSION_STATUS_LABELS, pick_language
from .models import Submission, Variant
from .templatetags.bpcourse_tags import significant

ARTICLE_TEMPLATE = "article"
ARTICLE_SEED = ""
# Session bookkeeping (per browser): the variant behind each practice URL, and the forms sent.
SESSION_VARIANTS = "practice_variants"
SESSION_SENT_FORMS = "sent_forms"
REMEMBERED_ITEMS = 40
WALKTHROUGH_TRAINING_UPDATES = (0, 1, 10, 100, 1000)

View = Callable[..., HttpResponse]


# ------------------------------------------------------------------------------------ helpers


def allow_methods(*methods: str) -> Callable[[View], View]:
    """Like require_http_methods, but answers other methods with the site's 405 page."""
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in allowed:
                response = render(request, "405.html", status=405)
                response["Allow"] = ", ".join(sorted(allowed))
                return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def error_page(request: HttpRequest, status: int, message: str = "", **context: Any) -> HttpResponse:
    """The site's error page for a status, with an optional explanation."""
    return render(request, f"{status}.html", {"message": message, **context}, status=status)


def session_key_for(request: HttpRequest) -> str:
    """The browser session's key, creating the session if it has none yet."""
    if not request.session.session_key:
        request.session.save()
    return request.session.session_key or ""


def _remember(request: HttpRequest, bucket: str, key: str, value: str) -> None:
    """Store key → value in a small, bounded dict in the session (newest last)."""
    items: dict[str, str] = dict(request.session.get(bucket, {}))
    items.pop(key, None)
    items[key] = value
    request.session[bucket] = dict(list(items.items())[-REMEMBERED_ITEMS:])


def _new_seed() -> str:
    return secrets.token_hex(4)


@dataclass(frozen=True)
class GivenValue:
    name: str
    value: float


@dataclass(frozen=True)
class GivenGroup:
    title: str
    values: list[GivenValue]


def given_groups(givens: Mapping[str, float]) -> list[GivenGroup]:
    """The given values grouped as the article lists them: inputs, weights, intercepts, targets."""
    groups: dict[str, list[GivenValue]] = {"i": [], "w": [], "b": [], "target": [], "eta": []}
    for name, value in givens.items():
        prefix = "target" if name.startswith("target_") else "eta" if name == "eta" else name[0]
        groups.setdefault(prefix, []).append(GivenValue(name, value))
    titles = {
        "i": _("Inputs"),
        "w": _("Weights"),
        "b": _("Intercepts (biases)"),
        "target": _("Targets"),
        "eta": _("Learning rate"),
    }
    return [GivenGroup(titles.get(prefix, prefix), values) for prefix, values in groups.items() if values]


def parts_by_step(parts: Iterable[graders.PartInfo]) -> dict[str, list[str]]:
    """Part keys grouped by step, steps in teaching order."""
    grouped: dict[str, list[str]] = {step: [] for step in graders.STEPS}
    for part in parts:
        grouped.setdefault(part.step, []).append(part.key)
    return {step: keys for step, keys in grouped.items() if keys}


def worked_steps(spec: Mapping[str, Any]) -> list[WorkedStep]:
    """The grader's worked solution for a spec, step by step (MathML and LaTeX per line)."""
    return graders.worked_solution(spec).steps


def template_choices() -> list[graders.Template]:
    return list(graders.TEMPLATES.values())


# -------------------------------------------------------------------------------------- pages


@allow_methods("GET")
def home(request: HttpRequest) -> HttpResponse:
    article_spec = services.variant_spec(template=ARTICLE_TEMPLATE, seed=ARTICLE_SEED)
    return render(request, "exercises/home.html", {"article_spec": article_spec})


@dataclass(frozen=True)
class TrainingPoint:
    updates: int
    error: float


@lru_cache(maxsize=1)
def article_training() -> tuple[TrainingPoint, ...]:
    """E_total of the article's network after 0, 1, 10, 100 and 1000 updates (computed once)."""
    spec = services.variant_spec(template=ARTICLE_TEMPLATE, seed=ARTICLE_SEED)
    errors = graders.train(spec, WALKTHROUGH_TRAINING_UPDATES[-1])
    return tuple(TrainingPoint(n, errors[n]) for n in WALKTHROUGH_TRAINING_UPDATES)


@allow_methods("GET")
def walkthrough(request: HttpRequest) -> HttpResponse:
    """The article's example step by step; the lines are picked by key from the worked solution."""
    spec = services.variant_spec(template=ARTICLE_TEMPLATE, seed=ARTICLE_SEED)
    solution = graders.solve(spec)
    worked = graders.worked_solution(spec)

    def lines(*keys: str) -> list[WorkedLine]:
        return [worked.line(key) for key in keys]

    context = {
        "spec": spec,
        "givens": given_groups(solution.givens),
        "values": solution.values,
        "given_values": solution.givens,
        "eta": solution.givens["eta"],
        "forward_hidden": lines("net_h1", "out_h1", "net_h2", "out_h2"),
        "forward_output": lines("net_o1", "out_o1", "net_o2", "out_o2"),
        "error_lines": lines("E_o1", "E_o2", "E_total"),
        "w6_factors": lines("dE_dout_o1", "dout_dnet_o1"),
        "w6_result": lines("dE_dw6"),
        "output_others": lines("delta_o1", "dE_dw5", "dE_dout_o2", "dout_dnet_o2", "delta_o2", "dE_dw7", "dE_dw8"),
        "w2_deltas": lines("delta_o1", "delta_o2"),
        "w2_factors": lines("dE_dout_h1", "dout_dnet_h1"),
        "w2_result": lines("dE_dw2"),
        "hidden_others": lines("delta_h1", "dE_dw1", "dE_dout_h2", "dout_dnet_h2", "delta_h2", "dE_dw3", "dE_dw4"),
        "updates_shown": lines("w6_new", "w2_new"),
        "updates_others": lines("w1_new", "w3_new", "w4_new", "w5_new", "w7_new", "w8_new"),
        "error_after": lines("E_total_new"),
        "training": article_training(),
    }
    return render(request, "exercises/walkthrough.html", context)


@allow_methods("GET")
def practice_list(request: HttpRequest) -> HttpResponse:
    return render(request, "exercises/practice_list.html", {"templates": template_choices()})


@allow_methods("GET")
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
        services.seed_validate(seed)
    except ValidationError as exc:
        return {}, error_page(request, 400, " ".join(exc.messages))
    spec = services.variant_spec(template=template, seed=seed)
    solution = graders.solve(spec)
    return {
        "template": graders.TEMPLATES[template],
        "seed": seed,
        "spec": spec,
        "solution": solution,
        "givens": given_groups(solution.givens),
    }, None


@dataclass(frozen=True)
class AnswerBox:
    """One answer box of the sheet, ready for the template (no form machinery per box)."""

    key: str
    value: str
    error: str


def answer_boxes_by_step(page: dict[str, Any], form: AnswerSheetForm) -> list[tuple[str, list[AnswerBox]]]:
    """The sheet's boxes grouped by step, with what was typed and the parser's message, if any."""
    typed = form.data if form.is_bound else form.initial
    errors = form.errors if form.is_bound else {}
    return [
        (
            step,
            [AnswerBox(key, str(typed.get(key) or ""), " ".join(errors.get(key, []))) for key in keys],
        )
        for step, keys in parts_by_step(page["solution"].parts).items()
    ]


def _render_practice(
    request: HttpRequest, page: dict[str, Any], form: AnswerSheetForm, *, status: int = 200, message: str = ""
) -> HttpResponse:
    context = {
        **page,
        "form_token": form.data.get(FORM_TOKEN_FIELD, "") if form.is_bound else form.initial[FORM_TOKEN_FIELD],
        "boxes_by_step": answer_boxes_by_step(page, form),
        "form_message": message,
    }
    return render(request, "exercises/practice.html", context, status=status)


def _practice_variant(request: HttpRequest, template: str, seed: str) -> Variant:
    """The variant this browser already uses for the URL, or a new one (inside the caller's transaction)."""
    user = request.user if request.user.is_authenticated else None
    session_key = session_key_for(request)
    known_id = request.session.get(SESSION_VARIANTS, {}).get(f"{template}/{seed}")
    if known_id:
        variant = selectors.variant_get_for_viewer(variant_id=known_id, user=request.user, session_key=session_key)
        if variant is not None and variant.template == template and variant.seed == seed:
            return variant
    return services.variant_create(template=template, seed=seed, owner=user, session_key=session_key)


@allow_methods("GET", "POST")
def practice(request: HttpRequest, template: str, seed: str) -> HttpResponse:
    """Show a variant's answer sheet (GET) or submit it (POST)."""
    page, failure = _load_variant_page(request, template, seed)
    if failure is not None:
        return failure
    part_keys = [part.key for part in page["solution"].parts]

    if request.method == "GET":
        form = AnswerSheetForm(part_keys=part_keys, initial=_previous_answers(request))
        return _render_practice(request, page, form)

    form = AnswerSheetForm(request.POST, part_keys=part_keys)
    if not form.is_valid():  # only the hidden form token can be invalid
        message = " ".join(form.errors.get(FORM_TOKEN_FIELD, []))
        return _render_practice(request, page, form, status=400, message=message)
    form_token = form.cleaned_data[FORM_TOKEN_FIELD]
    already_sent = request.session.get(SESSION_SENT_FORMS, {}).get(form_token)
    if already_sent:
        url = reverse("exercises:submission", args=[already_sent])
        return error_page(request, 409, submission_url=url)

    session_key = session_key_for(request)
    try:
        with transaction.atomic():  # a rejected sheet leaves no variant behind either
            variant = _practice_variant(request, template, seed)
            submission = services.submission_create(
                variant=variant, answers=form.answers(), user=request.user, session_key=session_key
            )
    except services.SubmissionFormatError as exc:
        form.add_format_errors(exc.messages())
        message = _("Some answers could not be read. Nothing was submitted: correct the marked boxes and send again.")
        return _render_practice(request, page, form, status=400, message=message)
    except ValidationError as exc:
        return _render_practice(request, page, form, status=400, message=" ".join(exc.messages))

    _remember(request, SESSION_VARIANTS, f"{template}/{seed}", str(variant.pk))
    _remember(request, SESSION_SENT_FORMS, form_token, str(submission.pk))
    return redirect("exercises:submission", submission_id=submission.pk)


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


@dataclass(frozen=True)
class PartRow:
    """One graded part, translated once per request and ready for the results table."""

    key: str
    status: str
    status_label: str
    status_help: str
    answer: str
    expected: str
    diagnoses: list[tuple[str, str]]  # (diagnosis key, message in the current language)


def part_rows(results: Mapping[str, Mapping[str, Any]], keys: Iterable[str]) -> list[PartRow]:
    """Rows for the report's parts among `keys` (in that order), texts in the current language."""
    labels = {status: str(label) for status, label in PART_STATUS_LABELS.items()}
    help_texts = {status: str(text) for status, text in PART_STATUS_HELP.items()}
    rows = []
    for key in keys:
        result = results.get(key)
        if result is None:
            continue
        status = result.get("status", "missing")
        rows.append(
            PartRow(
                key=key,
                status=status,
                status_label=labels.get(status, status),
                status_help=help_texts.get(status, ""),
                answer=result.get("answer") or "",
                expected=significant(result.get("expected")),
                diagnoses=[(d.get("key", ""), pick_language(d.get("message"))) for d in result.get("diagnoses", [])],
            )
        )
    return rows


def _result_context(submission: Submission) -> dict[str, Any]:
    """Everything the live part of the submission page shows."""
    variant = submission.variant
    context: dict[str, Any] = {
        "submission": submission,
        "variant": variant,
        "final": submission.is_finished,
        "status_url": reverse("exercises:submission_status", args=[submission.pk]),
    }
    if submission.status == Submission.Status.GRADED and submission.report:
        results = submission.report.get("parts", {})
        try:
            keys_by_step = parts_by_step(services.variant_solution(variant=variant).parts)
            context["steps"] = worked_steps(variant.spec)
        except graders.UnknownTemplate:  # a network type removed since: the stored report still shows
            keys_by_step = {"": list(results)}
        context["results_by_step"] = [(step, part_rows(results, keys)) for step, keys in keys_by_step.items()]
        context["counts"] = Counter(result.get("status", "missing") for result in results.values())
        # Steps with anything not fully right start unfolded; the others are one click away.
        context["open_steps"] = {
            step for step, rows in context["results_by_step"] if any(row.status != "correct" for row in rows)
        }
    elif submission.status == Submission.Status.ERROR:
        context["error_message"] = _(submission.error_reason) if submission.error_reason else ""
    return context


@allow_methods("GET")
def submission_detail(request: HttpRequest, submission_id: str) -> HttpResponse:
    submission = _submission_for_viewer(request, submission_id)
    if submission is None:
        return error_page(request, 404)
    variant = submission.variant
    context = {
        **_result_context(submission),
        "template": graders.TEMPLATES.get(variant.template),
        "retry_url": reverse("exercises:practice", args=[variant.template, variant.seed])
        + "?"
        + urlencode({"from": str(submission.pk)}),
    }
    return render(request, "exercises/submission.html", context)


@allow_methods("GET")
def submission_status(request: HttpRequest, submission_id: str) -> HttpResponse:
    """JSON for the live status: the status, whether it is final, and the page fragment to show."""
    submission = _submission_for_viewer(request, submission_id)
    if submission is None:
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return live_status_response(
        request, submission, "exercises/includes/submission_live.html", _result_context(submission)
    )


def live_status_response(
    request: HttpRequest, submission: Submission, fragment: str, context: Mapping[str, Any]
) -> JsonResponse:
    """The live-status JSON the submission pages poll: status, whether final, the fragment to show."""
    return JsonResponse(
        {
            "status": submission.status,
            "status_label": str(SUBMISSION_STATUS_LABELS.get(submission.status, submission.status)),
            "final": submission.is_finished,
            "html": render_to_string(fragment, context, request=request),
        }
    )


@login_required
@allow_methods("GET")
def history(request: HttpRequest) -> HttpResponse:
    rows = [
        (submission, graders.TEMPLATES.get(submission.variant.template))
        for submission in selectors.practice_history(user=request.user)
    ]
    return render(request, "exercises/history.html", {"rows": rows})


# --------------------------------------------------------------------------------------- auth


@allow_methods("GET", "POST")
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
