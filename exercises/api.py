"""JSON API (django-ninja), mounted at /api/ — OpenAPI schema at /api/openapi.json, docs at
/api/docs (swagger-ui served from ninja's own static files, no CDN).

Authentication: a browser session (CSRF token required for writes when the session cookie is
sent) or `Authorization: Bearer <token>` with a personal API token. Practice needs neither:
practice variants and submissions are reachable by their unguessable ids.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.responses import NinjaJSONEncoder
from ninja.utils import check_csrf
from pydantic import Field, StrictStr

import graders

from . import selectors, services
from .api_schemas import ErrorOut, FormatErrorOut, PartResultOut, SubmissionCreatedOut, SubmissionIn
from .models import Submission, Variant

api = NinjaAPI(
    title="bpcourse API",
    version="1",
    description=(
        "Practise backpropagation by script: create a variant, compute every quantity with your "
        "own code, submit the numbers as strings, read the grader's verdict per part."
    ),
    urls_namespace="api",
    docs_url="/docs",
)


# ------------------------------------------------------------------------------- viewer/auth


class Viewer:
    """Who is calling: a user (or anonymous) and the browser session key, if any."""

    def __init__(self, user: Any, session_key: str, via_session: bool) -> None:
        self.user = user
        self.session_key = session_key
        self.via_session = via_session

    @property
    def signed_in_user(self) -> Any | None:
        return self.user if self.user is not None and self.user.is_authenticated else None


def get_viewer(request: HttpRequest) -> Viewer:
    """Resolve the caller from a bearer token or the session; 401 for a bad token, 403 for CSRF."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _sep, raw = header.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise AuthenticationError(401, _("Use “Authorization: Bearer <your API token>”."))
        token = selectors.api_token_get(raw_token=raw.strip())
        if token is None:
            raise AuthenticationError(401, _("Invalid or revoked API token."))
        services.api_token_touch(token=token)
        return Viewer(token.user, "", via_session=False)
    session = getattr(request, "session", None)
    has_cookie = settings.SESSION_COOKIE_NAME in request.COOKIES
    if has_cookie and request.method not in {"GET", "HEAD", "OPTIONS"}:
        # Cookie-authenticated writes need Django's CSRF token, as for any form.
        if check_csrf(request) is not None:
            raise HttpError(403, _("CSRF check failed: send the X-CSRFToken header."))
    user = getattr(request, "user", None) or AnonymousUser()
    session_key = (session.session_key or "") if session is not None and has_cookie else ""
    return Viewer(user, session_key, via_session=has_cookie)


# ------------------------------------------------------------------------------------ schemas


class PracticeIn(Schema):
    template: StrictStr = Field(..., description="network type, one of GET /api/templates")
    seed: StrictStr | None = Field(None, description="1–64 of [A-Za-z0-9_-]; random if omitted")


class TemplateOut(Schema):
    name: str
    title: str
    description: str


class PartOut(Schema):
    key: str
    step: str


class VariantOut(Schema):
    id: str
    template: str
    seed: str
    kind: str
    parameters: dict[str, float] = Field(..., description="the given values: i1…, w1…, b1…, target_o1…, eta")
    part_keys: list[str] = Field(..., description="the quantities to compute, in teaching order")
    parts: list[PartOut]
    submissions_url: str


class SubmissionOut(Schema):
    id: str
    variant_id: str
    status: str
    status_label: str
    score: float | None
    points: float | None
    max_points: float | None
    attempt_number: int | None
    error: str | None
    created_at: datetime
    graded_at: datetime | None
    parts: list[PartResultOut]


# ------------------------------------------------------------------------------------ helpers


def _language() -> str:
    return get_language() or "en"


def _localized(message: Any) -> str:
    """Pick the active language from a grader's {"en": …, "zh": …} message."""
    if isinstance(message, dict):
        lang = "zh" if _language().lower().startswith("zh") else "en"
        return str(message.get(lang) or message.get("en") or "")
    return str(message)


def _finite(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else None


def _variant_out(request: HttpRequest, variant: Variant) -> dict[str, Any]:
    solution = services.variant_solution(variant=variant)
    return {
        "id": str(variant.id),
        "template": variant.template,
        "seed": variant.seed,
        "kind": variant.kind,
        "parameters": dict(solution.givens),
        "part_keys": [p.key for p in solution.parts],
        "parts": [{"key": p.key, "step": p.step} for p in solution.parts],
        "submissions_url": request.build_absolute_uri(f"/api/variants/{variant.id}/submissions"),
    }


def _expected_visible(submission: Submission) -> bool:
    """Practice shows reference values once graded; homework policy decides later."""
    return submission.variant.kind == Variant.Kind.PRACTICE and submission.status == Submission.Status.GRADED


def _part_feedback(part: dict[str, Any]) -> list[str]:
    feedback: list[str] = []
    error = part.get("error")
    if error:
        feedback.append(
            graders.messages.answer_error_message(error.get("code", ""), error.get("params") or {}, _language())
        )
    for diagnosis in part.get("diagnoses") or []:
        feedback.append(_localized(diagnosis.get("message", "")))
    return feedback


def _submission_out(submission: Submission) -> dict[str, Any]:
    status_labels = dict(Submission.Status.choices)
    report = submission.report or {}
    show_expected = _expected_visible(submission)
    steps: dict[str, str] = {}
    try:
        steps = {p.key: p.step for p in services.variant_solution(variant=submission.variant).parts}
    except Exception:  # a variant whose template disappeared still shows its status
        steps = {}
    report_parts: dict[str, Any] = report.get("parts") or {}
    # Teaching order (PostgreSQL's jsonb does not keep the report's key order).
    order = [key for key in steps if key in report_parts] + [key for key in report_parts if key not in steps]
    parts: list[dict[str, Any]] = []
    for key in order:
        part = report_parts[key]
        parts.append(
            {
                "key": key,
                "step": steps.get(key, ""),
                "status": part.get("status", ""),
                "answer": part.get("answer"),
                "value": _finite(part.get("value")),
                "points": float(part.get("points") or 0.0),
                "max_points": float(part.get("max_points") or 0.0),
                "feedback": _part_feedback(part),
                "expected": _finite(part.get("expected")) if show_expected else None,
            }
        )
    return {
        "id": str(submission.id),
        "variant_id": str(submission.variant_id),
        "status": submission.status,
        "status_label": str(status_labels.get(submission.status, submission.status)),
        "score": submission.score,
        "points": _finite(report.get("points")) if report else None,
        "max_points": _finite(report.get("max_points")) if report else None,
        "attempt_number": submission.attempt_number,
        "error": _(submission.error_reason) if submission.error_reason else None,
        "created_at": submission.created_at,
        "graded_at": submission.graded_at,
        "parts": parts,
    }


def _validation_message(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


# --------------------------------------------------------------------------------- endpoints


@api.get("/templates", response=list[TemplateOut], summary="List network types")
def list_templates(request: HttpRequest) -> list[dict[str, str]]:
    """The network types a variant can be made of."""
    lang = "zh" if _language().lower().startswith("zh") else "en"
    out = []
    for name, template in graders.TEMPLATES.items():
        out.append(
            {
                "name": name,
                "title": str(template.title.get(lang) or template.title.get("en", name)),
                "description": str(template.description.get(lang) or template.description.get("en", "")),
            }
        )
    return out


@api.post(
    "/practice",
    response={201: VariantOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Create a practice variant",
)
def create_practice(request: HttpRequest, payload: PracticeIn) -> Status[dict[str, Any]]:
    """A fresh variant of a network type (random seed unless one is given)."""
    viewer = get_viewer(request)
    try:
        variant = services.variant_create(
            template=payload.template,
            seed=payload.seed,
            owner=viewer.signed_in_user,
            session_key=viewer.session_key,
        )
    except ValidationError as exc:
        return Status(422, {"detail": _validation_message(exc)})
    return Status(201, _variant_out(request, variant))


@api.get("/variants/{variant_id}", response={200: VariantOut, 404: ErrorOut}, summary="Get a variant")
def get_variant(request: HttpRequest, variant_id: str) -> Status[dict[str, Any]]:
    """A variant's parameters and part keys."""
    viewer = get_viewer(request)
    variant = selectors.variant_get_for_viewer(
        variant_id=variant_id, user=viewer.user, session_key=viewer.session_key, public_practice=True
    )
    if variant is None:
        raise Http404
    return Status(200, _variant_out(request, variant))


@api.post(
    "/variants/{variant_id}/submissions",
    response={202: SubmissionCreatedOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut,
              413: ErrorOut, 422: FormatErrorOut | ErrorOut},
    summary="Submit answers",
)
def create_submission(request: HttpRequest, variant_id: str, payload: SubmissionIn) -> Status[dict[str, Any]]:
    """Store the answers and queue them for grading (202); unreadable answers give 422."""
    viewer = get_viewer(request)
    variant = selectors.variant_get_for_viewer(
        variant_id=variant_id, user=viewer.user, session_key=viewer.session_key, public_practice=True
    )
    if variant is None:
        raise Http404
    answers = {key: value if isinstance(value, str) else repr(value) for key, value in payload.answers.items()}
    try:
        submission = services.submission_create(
            variant=variant, answers=answers, user=viewer.signed_in_user, session_key=viewer.session_key
        )
    except services.SubmissionFormatError as exc:
        messages = exc.messages(_language())
        return Status(422, {
            "detail": _("Some answers cannot be read; nothing was stored and no attempt was counted."),
            "errors": {
                key: {"code": code, "params": params, "message": messages[key]}
                for key, (code, params) in exc.errors.items()
            },
        })
    except ValidationError as exc:
        return Status(422, {"detail": _validation_message(exc)})
    return Status(202, {
        "id": str(submission.id),
        "status": submission.status,
        "url": request.build_absolute_uri(f"/api/submissions/{submission.id}"),
    })


@api.get("/submissions/{submission_id}", response={200: SubmissionOut, 404: ErrorOut}, summary="Get a submission")
def get_submission(request: HttpRequest, submission_id: str) -> HttpResponse:
    """Status (queued → grading → graded), score and per-part verdicts."""
    viewer = get_viewer(request)
    submission = selectors.submission_get_for_viewer(
        submission_id=submission_id, user=viewer.user, session_key=viewer.session_key, public_practice=True
    )
    if submission is None:
        raise Http404
    # The status endpoint is polled: skip re-validating our own output (it is built to match
    # SubmissionOut, and tests check that it does), which costs more than building it.
    return JsonResponse(_submission_out(submission), encoder=NinjaJSONEncoder)


# --------------------------------------------------------------------------- error handlers


@api.exception_handler(RequestDataTooBig)
def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return api.create_response(request, {"detail": _("Request body too large.")}, status=413)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    message = str(exc)
    if exc.status_code == 400 and message.startswith("Cannot parse request body"):
        message = _("The request body is not valid JSON.")
    return api.create_response(request, {"detail": message}, status=exc.status_code)


@api.exception_handler(NinjaValidationError)
def invalid_request(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [
        {"loc": list(err.get("loc", ())), "msg": str(err.get("msg", "")), "type": str(err.get("type", ""))}
        for err in exc.errors
    ]
    return api.create_response(
        request,
        {"detail": _("The request does not have the expected fields and types."), "errors": errors},
        status=422,
    )


api.add_router("/", "exercises.homework_api.router")  # homework: courses, assignments, submissions
