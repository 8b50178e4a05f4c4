"""Practice endpoints of the JSON API: network types, variants, submissions.

Practice needs no sign-in: practice variants and submissions are reachable by their unguessable
ids (capabilities). Signed-in callers (session or token) own what they create.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.utils.translation import get_language
from ninja import Router, Schema, Status
from ninja.responses import NinjaJSONEncoder
from pydantic import Field, StrictStr

import graders

from ..grading.hints import latest_answers, part_hints
from ..grading.reveal import revealed_parts
from ..grading.store import SubmissionFormatError
from ..grading.variants import variant_solution
from ..i18n import pick_language
from ..models import Submission, Variant
from ..practice import selectors, services
from ..web.results import step_progress
from ..web.waits import requested_wait, wait_for_verdict
from .auth import Viewer, get_viewer, rate_limit
from .errors import answers_as_text, detail_of, format_error_body
from .reports import submission_out
from .schemas import ErrorOut, FollowthroughNoteOut, FormatErrorOut, PartResultOut, SubmissionCreatedOut, SubmissionIn

router = Router(tags=["practice"])
UNFINISHED = frozenset({Submission.Status.QUEUED, Submission.Status.GRADING})


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
    training_step: int = Field(1, description="1, or 2 for the second training step of a two-step network "
                               "(its keys start s2_; it starts from step 1's updated weights w…_new)")


class VariantOut(Schema):
    id: str
    template: str
    seed: str
    kind: str
    parameters: dict[str, float] = Field(..., description="the given values: i1…, w1…, b1…, target_o1…, eta")
    part_keys: list[str] = Field(..., description="the quantities to compute, in teaching order")
    parts: list[PartOut]
    submissions_url: str


class StepProgressOut(Schema):
    step: str
    right: int = Field(..., description="parts answered right (correct or follow-through)")
    attempted: int = Field(..., description="parts answered (blank parts count neither way)")
    total: int


class RevealIn(Schema):
    part: StrictStr = Field(..., description="a part key of the variant")


class RevealOut(Schema):
    variant_id: str
    revealed: list[str]


class HintIn(Schema):
    part: StrictStr = Field(..., description="a part key of the variant")
    answers: dict[str, Any] = Field(default_factory=dict, description=(
        "the answers typed so far (optional): level 3 puts in the readable ones; "
        "by default those of the variant's newest submission"))


class HintFactorOut(Schema):
    key: str
    name: str = Field(..., description="in the page's notation, e.g. ∂E_total/∂out_o1")
    latex: str
    given: bool
    value: float | None = Field(None, description="level 3: the number put in (null: still to work out)")
    source: str = Field("", description="level 3: yours | given | reference (revealed) | '' (left open)")


class HintOut(Schema):
    level: int
    text: str = Field(..., description="in the request's language")
    factors: list[HintFactorOut]
    latex: str = Field("", description="levels 2 and 3: the formula")
    mathml: str = ""
    missing: list[str] = Field(default_factory=list, description="level 3: factors left as symbols")


class HintsOut(Schema):
    variant_id: str
    part: str
    level: int = Field(..., description="the highest level shown now (1–3)")
    hints: list[HintOut] = Field(..., description="levels 1…level")


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
    followthrough_notes: list[FollowthroughNoteOut] = Field(default_factory=list, description="one note per root cause of follow-through credit")
    revealed: list[str] = Field(..., description="parts whose expected value is shown (answered right, "
                                "answered wrongly BPCOURSE_REVEAL_AFTER_WRONG times, or revealed on request)")
    progress: list[StepProgressOut] = Field(..., description="per step, right among the parts answered "
                                            "(the score counts blank parts as wrong; this does not)")


# ------------------------------------------------------------------------------------ helpers


def _variant_out(request: HttpRequest, variant: Variant) -> dict[str, Any]:
    solution = variant_solution(variant=variant)
    asked = set((variant.focus or {}).get("parts") or ())  # an adaptive exercise asks only these
    parts = [p for p in solution.parts if not asked or p.key in asked]
    return {
        "id": str(variant.id),
        "template": variant.template,
        "seed": variant.seed,
        "kind": variant.kind,
        "parameters": dict(solution.givens),
        "part_keys": [p.key for p in parts],
        "parts": [{"key": p.key, "step": p.step, "training_step": p.iteration} for p in parts],
        "submissions_url": request.build_absolute_uri(f"/api/variants/{variant.id}/submissions"),
    }


def _submission_out(submission: Submission) -> dict[str, Any]:
    """Practice shows a part's expected value once the variant has revealed it (answered right,
    answered wrongly BPCOURSE_REVEAL_AFTER_WRONG times, or "show answer"); homework is never served here."""
    try:
        steps = {p.key: p.step for p in variant_solution(variant=submission.variant).parts}
    except Exception:  # a variant whose template disappeared still shows its status
        steps = {}
    graded = submission.status == Submission.Status.GRADED and not submission.variant.is_homework
    revealed = revealed_parts(submission.variant) if graded else frozenset()
    out = submission_out(submission, report=submission.report, steps=steps, reveal_expected=revealed)
    out["variant_id"] = str(submission.variant_id)
    out["revealed"] = sorted(revealed)
    keys_by_step: dict[str, list[str]] = {}
    for key, step in steps.items():
        keys_by_step.setdefault(step, []).append(key)
    results = ((submission.report or {}).get("parts") or {}) if graded else {}
    out["progress"] = [asdict(item) for item in step_progress(results, keys_by_step)] if results else []
    return out


# --------------------------------------------------------------------------------- endpoints


@router.get("/templates", response=list[TemplateOut], summary="List network types")
def list_templates(request: HttpRequest) -> list[dict[str, str]]:
    """The network types a variant can be made of."""
    return [
        {
            "name": name,
            "title": pick_language(template.title) or name,
            "description": pick_language(template.description),
        }
        for name, template in graders.TEMPLATES.items()
    ]


@router.post(
    "/practice",
    response={201: VariantOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Create a practice variant",
)
def create_practice(request: HttpRequest, payload: PracticeIn) -> Status[dict[str, Any]]:
    """A fresh variant of a network type (random seed unless one is given)."""
    viewer = get_viewer(request)
    rate_limit(request, scope="practice_variant", user=viewer.signed_in_user, session_key=viewer.session_key)
    try:
        variant = services.variant_create(
            template=payload.template,
            seed=payload.seed,
            owner=viewer.signed_in_user,
            session_key=viewer.session_key,
        )
    except ValidationError as exc:
        return Status(422, {"detail": detail_of(exc)})
    return Status(201, _variant_out(request, variant))


def _viewer_variant(request: HttpRequest, variant_id: str) -> tuple[Viewer, Variant]:
    """The caller and a practice variant they may use (404 otherwise: never a homework variant)."""
    viewer = get_viewer(request)
    variant = selectors.variant_get_for_viewer(
        variant_id=variant_id, user=viewer.user, session_key=viewer.session_key, public_practice=True
    )
    if variant is None:
        raise Http404
    return viewer, variant


@router.get("/variants/{variant_id}", response={200: VariantOut, 404: ErrorOut}, summary="Get a variant")
def get_variant(request: HttpRequest, variant_id: str) -> Status[dict[str, Any]]:
    """A variant's parameters and part keys."""
    _viewer, variant = _viewer_variant(request, variant_id)
    return Status(200, _variant_out(request, variant))


@router.post(
    "/variants/{variant_id}/submissions",
    response={202: SubmissionCreatedOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut,
              413: ErrorOut, 422: FormatErrorOut | ErrorOut, 429: ErrorOut},
    summary="Submit answers",
)
def create_submission(request: HttpRequest, variant_id: str, payload: SubmissionIn) -> Status[dict[str, Any]]:
    """Store the answers and queue them for grading (202); unreadable answers give 422."""
    viewer, variant = _viewer_variant(request, variant_id)
    rate_limit(request, scope="practice_submit", user=viewer.signed_in_user, session_key=viewer.session_key)
    try:
        return Status(202, submission_accept(request, variant=variant, viewer=viewer, answers=payload.answers))
    except SubmissionFormatError as exc:
        return Status(422, format_error_body(exc))
    except ValidationError as exc:
        return Status(422, {"detail": detail_of(exc)})


def submission_accept(request: HttpRequest, *, variant: Variant, viewer: Viewer, answers: dict[str, Any]) -> dict[str, Any]:
    """Store a practice submission (queued for grading) and the 202 body that names it; answers
    that do not read raise SubmissionFormatError or ValidationError and store nothing.
    Shared by the API view and its fast lane (exercises.api.hot)."""
    submission = services.submission_create(
        variant=variant,
        answers=answers_as_text(answers),
        user=viewer.signed_in_user,
        session_key=viewer.session_key,
    )
    return {
        "id": str(submission.id),
        "status": submission.status,
        "url": request.build_absolute_uri(f"/api/submissions/{submission.id}"),
    }


@router.post(
    "/variants/{variant_id}/reveal",
    response={200: RevealOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Show one part's answer",
)
def reveal_part(request: HttpRequest, variant_id: str, payload: RevealIn) -> Status[dict[str, Any]]:
    """"Show answer": the part's expected value (and worked line) is shown from now on; recorded on the variant."""
    _viewer, variant = _viewer_variant(request, variant_id)
    try:
        variant = services.variant_reveal_part(variant=variant, part_key=payload.part)
    except ValidationError as exc:
        return Status(422, {"detail": detail_of(exc)})
    return Status(200, {"variant_id": str(variant.id), "revealed": sorted(revealed_parts(variant))})


@router.post(
    "/variants/{variant_id}/hints",
    response={200: HintsOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut,
              429: ErrorOut},
    summary="Ask for the next hint of a part",
)
def ask_hint(request: HttpRequest, variant_id: str, payload: HintIn) -> Status[dict[str, Any]]:
    """The next hint level (1–3) of one part, recorded on the variant, with every level shown so far.

    Only the variant's owner may ask: the signed-in user or the browser session that made it (a
    variant made without either, by a script without cookies, belongs to whoever holds its id);
    a part whose answer is shown already gets 422."""
    viewer = get_viewer(request)
    variant = selectors.variant_get_for_viewer(variant_id=variant_id, user=viewer.user, session_key=viewer.session_key)
    if variant is None:
        anyone = selectors.variant_get_for_viewer(variant_id=variant_id, user=None, session_key=None,
                                                  public_practice=True)
        if anyone is None or anyone.owner_id is not None or anyone.session_key:
            raise Http404
        variant = anyone
    rate_limit(request, scope="hint", user=viewer.signed_in_user, session_key=viewer.session_key)
    try:
        level = services.practice_hint(variant=variant, part_key=payload.part)
    except ValidationError as exc:
        return Status(422, {"detail": detail_of(exc)})
    answers = {**latest_answers(variant=variant), **answers_as_text(payload.answers)}
    hints = part_hints(variant=variant, part_key=payload.part, level=level, answers=answers,
                       shown=revealed_parts(variant))
    return Status(200, {"variant_id": str(variant.id), "part": payload.part, "level": level,
                        "hints": [{**h.to_dict(), "text": pick_language(h.text)} for h in hints]})


@router.get("/submissions/{submission_id}", response={200: SubmissionOut, 404: ErrorOut}, summary="Get a submission")
def get_submission(request: HttpRequest, submission_id: str) -> HttpResponse:
    """Status (queued → grading → graded), score and per-part verdicts.

    While a submission is queued or grading, the answer carries an ETag; a poll that sends it
    back (If-None-Match) gets 304 Not Modified from one small query until the status changes.
    `?wait=S` (a long poll) first waits up to S seconds (at most BPCOURSE_STATUS_WAIT_SECONDS)
    for an unfinished submission's verdict."""
    viewer = get_viewer(request)
    response = submission_status_response(request, submission_id=submission_id, viewer=viewer)
    if response is None:
        raise Http404
    return response


def submission_status_response(request: HttpRequest, *, submission_id: str, viewer: Viewer) -> HttpResponse | None:
    """The status answer of a practice submission the viewer may read (304 while unchanged,
    after an optional long poll); None when there is none. Shared by the API view and its fast
    lane (exercises.api.hot)."""
    asked = request.headers.get("If-None-Match", "")
    wait = requested_wait(request)
    if asked or wait:

        def read() -> str | None:
            return selectors.submission_status_for_viewer(
                submission_id=submission_id, user=viewer.user, session_key=viewer.session_key, public_practice=True
            )

        status = read()
        if status in UNFINISHED and wait:
            status = wait_for_verdict(submission_id=submission_id, seconds=wait, read=read)
        if status in UNFINISHED and asked == _status_etag(status):
            return HttpResponseNotModified(headers={"ETag": asked})
    submission = selectors.submission_get_for_viewer(
        submission_id=submission_id, user=viewer.user, session_key=viewer.session_key, public_practice=True
    )
    if submission is None:
        return None
    # The status endpoint is polled: skip re-validating our own output (it is built to match
    # SubmissionOut, and tests check that it does), which costs more than building it.
    response = JsonResponse(_submission_out(submission), encoder=NinjaJSONEncoder,
                            content_type="application/json; charset=utf-8")
    if submission.status in UNFINISHED:  # a finished one may still change (a regrade): no ETag
        response["ETag"] = _status_etag(submission.status)
    return response


def _status_etag(status: str) -> str:
    """Names an unfinished submission's answer: its status, in the language of the answer."""
    return f'W/"{status}-{get_language() or "en"}"'
