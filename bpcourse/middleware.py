"""Under /api/ every error is JSON: Django's own 400/404/405/413/500 pages are replaced."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


def default_error_message(status: int) -> str:
    """A short, translated explanation for an HTTP error status."""
    messages = {
        400: _("Bad request."),
        401: _("Authentication required."),
        403: _("You do not have permission to do that."),
        404: _("Not found."),
        405: _("Method not allowed."),
        413: _("Request body too large."),
        415: _("Unsupported media type."),
        429: _("Too many requests."),
    }
    if status in messages:
        return messages[status]
    if status >= 500:
        return _("Internal server error. Please try again later.")
    return _("Request failed.")


class JsonApiErrorsMiddleware:
    """Turn non-JSON error responses under /api/ into `{"detail": message}` JSON."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        if request.path.startswith(API_PREFIX + "docs"):
            return response
        new = JsonResponse({"detail": default_error_message(response.status_code)}, status=response.status_code)
        if response.has_header("Allow"):
            new["Allow"] = response["Allow"]
        return new

