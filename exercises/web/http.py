"""HTTP plumbing shared by the site's views: allowed methods, error pages, the session."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

View = Callable[..., HttpResponse]
REMEMBERED_ITEMS = 40


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


def remember(request: HttpRequest, bucket: str, key: str, value: str) -> None:
    """Store key → value in a small, bounded dict in the session (newest last)."""
    items: dict[str, str] = dict(request.session.get(bucket, {}))
    items.pop(key, None)
    items[key] = value
    request.session[bucket] = dict(list(items.items())[-REMEMBERED_ITEMS:])
