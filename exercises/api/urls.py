"""The JSON API (django-ninja), mounted at /api/ — OpenAPI schema at /api/openapi.json, docs at
/api/docs (swagger-ui served from ninja's own static files, no CDN). Both routers are mounted
here, with the error handlers that keep every error a JSON `{"detail": …}`.

Authentication: a browser session (CSRF token required for writes when the session cookie is
sent) or `Authorization: Bearer <token>` with a personal API token (exercises.api.auth).
"""

from __future__ import annotations

from csp.decorators import csp_update
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

from ..web.ratelimit import RateLimited
from . import courses, invitations, practice

api = NinjaAPI(
    title="bpcourse API",
    version="1",
    description=(
        "Practise backpropagation by script: create a variant, compute every quantity with your "
        "own code, submit the numbers as strings, read the grader's verdict per part."
    ),
    urls_namespace="api",
    docs_url="/docs",
    # swagger-ui draws its icons as data: images; everything else stays under the site's policy.
    docs_decorator=csp_update({"img-src": ["data:"]}),
)
api.add_router("/", practice.router)  # practice: network types, variants, submissions
api.add_router("/", courses.router)  # homework: courses, assignments, submissions
api.add_router("/", invitations.router)  # invitations, leaving a course


@api.exception_handler(RequestDataTooBig)
def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return api.create_response(request, {"detail": _("Request body too large.")}, status=413)


@api.exception_handler(RateLimited)
def too_many_requests(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    response = api.create_response(request, {"detail": exc.message}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


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
