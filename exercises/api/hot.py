"""The fast lane: the two calls a grading client makes most — submit a practice variant's answers,
read a submission's verdict — answered without Django's full middleware stack, URL resolver and
django-ninja when they are the plain case (issue 13: web CPU per submission).

It is a WSGI wrapper around Django's application (bpcourse/wsgi.py). A request it takes runs the
same code as the API views (`submission_accept`, `submission_status_response`) under the
middleware that shapes such an answer — security headers, CSP, language, framing — and skips the
rest, which has nothing to do for it:
  * sessions, CSRF: the lane takes a submit without a session cookie, by a token (its owner's) or
    by nobody (anonymous scripts), and a status read by anyone (a practice status is a
    capability: the API serves it to whoever holds the id);
  * time zones, messages, static files: a JSON answer uses none of them.
Anything else — a bad token, a cookie on a write, a body that does not parse as the API's schema,
answers that do not read, an unknown or homework id, a plain-HTTP request the site redirects to
HTTPS — goes to the full stack unchanged (the body it read is handed on), which answers it as
before: nothing is stored twice, because the lane stores only once it has decided to answer.
The lane also skips the database health check (a SELECT 1 before each request's first query):
its first query is always a read, and a connection that fails it sends the request to the full
stack, which reconnects; once the lane has begun to store, a database error is a 500, never a
second try. BPCOURSE_HOT_PATHS = False turns the lane off.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from functools import cache
from importlib import import_module
from typing import Any

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.base import SessionBase
from django.core import signals
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.core.handlers.base import reset_urlconf
from django.core.handlers.exception import response_for_exception
from django.core.handlers.wsgi import WSGIRequest, get_script_name
from django.core.signals import setting_changed
from django.db import InterfaceError, OperationalError, connection, connections
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware
from django.middleware.locale import LocaleMiddleware
from django.middleware.security import SecurityMiddleware
from django.urls import set_script_prefix
from django.utils import translation
from django.utils.cache import patch_vary_headers
from ninja.errors import AuthenticationError
from pydantic import ValidationError as SchemaError

from bpcourse.middleware import default_error_message

from ..grading.store import SubmissionFormatError
from ..practice import selectors
from ..web.ratelimit import RateLimited, client_ip, rate_limit_buckets, rate_limit_hit
from .auth import RATE_COUNTED, Viewer, bearer_viewer
from .practice import submission_accept, submission_status_response
from .schemas import SubmissionIn


SUBMIT_SCOPE = "practice_submit"
NINJA_JSON = "application/json; charset=utf-8"
_UUID = r"([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"
_SUBMIT = re.compile(rf"/api/variants/{_UUID}/submissions")
_STATUS = re.compile(rf"/api/submissions/{_UUID}")


class _StaticPolicy(CSPMiddleware):
    """The site's Content-Security-Policy headers, built once: the lane's answers set no nonce
    and no per-view policy, so every one gets the same (rebuilt when the settings change)."""

    _built: dict[str, str] | None = None

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if _StaticPolicy._built is None:
            response = super().process_response(request, response)
            if response.status_code < 400:  # django-csp leaves DEBUG's error pages without one
                _StaticPolicy._built = {h: response[h] for h in (HEADER, HEADER_REPORT_ONLY) if h in response}
            return response
        for header, value in _StaticPolicy._built.items():
            response.headers.setdefault(header, value)
        return response


class _VaryCookie:
    """Vary: Cookie, as the full stack's session middleware says of every API answer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        return response


@receiver(setting_changed)
def _settings_changed(**kwargs: Any) -> None:  # tests: middleware read their settings when built
    _StaticPolicy._built = None
    _answering.cache_clear()


# What shapes a JSON answer of the full stack, in its order (outermost first).
_ANSWER_MIDDLEWARE = (SecurityMiddleware, _StaticPolicy, _VaryCookie, LocaleMiddleware, CommonMiddleware,
                      XFrameOptionsMiddleware)


class Declined(Exception):
    """The fast lane does not answer this request: the full stack does."""


def _session_store(session_key: str) -> SessionBase:
    """The session engine's store for a key (no database read: None as its key when malformed)."""
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key)


def _anonymous() -> Viewer:
    return Viewer(AnonymousUser(), "", via_session=False)


def _status(request: HttpRequest, submission_id: str) -> HttpResponse:
    """GET /api/submissions/<id>, for anyone (a bad token: the full stack's 401; a malformed
    session cookie: the full stack, which deletes it)."""
    cookie = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if cookie is not None and _session_store(cookie).session_key is None:
        raise Declined
    response = submission_status_response(request, submission_id=submission_id, viewer=_caller(request))
    if response is None:
        raise Declined  # the full stack's 404, in its words
    return response


def _caller(request: HttpRequest) -> Viewer:
    """Who calls, as the API's get_viewer says, for the callers the lane takes: a token's owner,
    or nobody (a session is the full stack's, except on a status read, which ignores it)."""
    header = request.headers.get("Authorization", "")
    if not header:
        return _anonymous()
    try:
        return bearer_viewer(header)
    except AuthenticationError as exc:
        raise Declined from exc


def _submit(request: HttpRequest, variant_id: str) -> HttpResponse:
    """POST /api/variants/<id>/submissions, by a token or by nobody, without a session cookie."""
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        raise Declined  # a session's write needs its CSRF check: the full stack's
    if request.content_type != "application/json":
        raise Declined
    try:
        payload = SubmissionIn.model_validate_json(request.body)
    except (SchemaError, RequestDataTooBig) as exc:
        raise Declined from exc
    viewer = _caller(request)
    variant = selectors.variant_get_for_viewer(variant_id=variant_id, user=None, session_key=None,
                                               public_practice=True)
    if variant is None:
        raise Declined
    user = viewer.signed_in_user
    buckets = rate_limit_buckets(scope=SUBMIT_SCOPE, ip=client_ip(request), user_id=user.pk if user else None)
    try:
        rate_limit_hit(scope=SUBMIT_SCOPE, buckets=buckets)
    except RateLimited as exc:
        response = _json({"detail": exc.message}, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    request.META[RATE_COUNTED] = SUBMIT_SCOPE  # if the full stack answers after all, it does not count again
    request.lane_stores = True  # type: ignore[attr-defined]  # from here a database error is a 500, never a retry
    try:
        body = submission_accept(request, variant=variant, viewer=viewer, answers=payload.answers)
    except (SubmissionFormatError, ValidationError) as exc:  # stored nothing: the full stack says why (422)
        raise Declined from exc
    return _json(body, status=202)


def _json(body: dict[str, Any], status: int) -> HttpResponse:
    """A JSON answer as django-ninja renders one."""
    return JsonResponse(body, status=status, content_type=NINJA_JSON)


_ROUTES: tuple[tuple[str, re.Pattern[str], Callable[[HttpRequest, str], HttpResponse]], ...] = (
    ("POST", _SUBMIT, _submit),
    ("GET", _STATUS, _status),
)


def _route(environ: dict[str, Any]) -> tuple[Callable[[HttpRequest, str], HttpResponse], str] | None:
    method, path = environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", "")
    for route_method, pattern, view in _ROUTES:
        if method == route_method and (match := pattern.fullmatch(path)):
            return view, match.group(1)
    return None


def _error_answer(request: HttpRequest, exc: Exception) -> HttpResponse:
    """As the full stack answers an exception (logged), as JSON."""
    response = response_for_exception(request, exc)
    return _json({"detail": default_error_message(response.status_code)}, status=response.status_code)


@cache
def _answering(view: Callable[[HttpRequest, str], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """The view wrapped in the middleware that shapes its answer (each one's request and response
    steps, as in the full stack; built once per view); its errors become the API's JSON errors.
    The id from the path is the request's `lane_id`."""

    def answer(request: HttpRequest) -> HttpResponse:
        request.lane_ran = True  # type: ignore[attr-defined]  # from here on the full stack never answers it
        try:
            return view(request, request.lane_id)  # type: ignore[attr-defined]
        except Declined:
            raise
        except Exception as exc:
            if isinstance(exc, OperationalError | InterfaceError) and not getattr(request, "lane_stores", False):
                connection.close()  # a connection gone while idle: the full stack opens a new one
                raise Declined from exc
            return _error_answer(request, exc)

    handler: Callable[[HttpRequest], HttpResponse] = answer
    for middleware in reversed(_ANSWER_MIDDLEWARE):
        handler = middleware(handler)
    return handler


class HotPaths:
    """WSGI: the fast lane in front of Django's application (see the module's docstring)."""

    def __init__(self, application: Callable[..., Iterable[bytes]]) -> None:
        self.application = application

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        route = _route(environ) if getattr(settings, "BPCOURSE_HOT_PATHS", False) else None
        if route is None:
            return self.application(environ, start_response)
        set_script_prefix(get_script_name(environ))
        signals.request_started.send(sender=self.__class__, environ=environ)
        # No health check (a SELECT 1 before the first query): the lane's first query is a read,
        # and a connection that fails it sends the request to the full stack, which reconnects.
        for conn in connections.all(initialized_only=True):
            conn.health_check_done = True
        view, request = route[0], WSGIRequest(environ)
        request.lane_id = route[1]  # type: ignore[attr-defined]
        try:
            response = _answering(view)(request)
        except Declined:
            return self._hand_on(request, environ, start_response)
        except Exception as exc:  # raised by a middleware (a host not allowed, …)
            if not getattr(request, "lane_ran", False):  # before the view: the full stack says why
                return self._hand_on(request, environ, start_response)
            response = _error_answer(request, exc)
        finally:
            translation.deactivate()
            reset_urlconf(sender=None)
        response._handler_class = self.__class__
        headers = [*response.items(), *(("Set-Cookie", c.output(header="")) for c in response.cookies.values())]
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        return response  # the server closes it: request_finished, as for Django's own answers

    def _hand_on(self, request: HttpRequest, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        """The full stack answers; a body the lane read is given back to it."""
        body = getattr(request, "_body", None)
        if body is not None:
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        return self.application(environ, start_response)
