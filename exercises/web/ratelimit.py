"""Rate limits: fixed windows counted in Django's cache (Redis when REDIS_URL is set), per user,
per browser session and per IP address, with one 429 answer for pages and one for the API.

Each scope (`settings.BPCOURSE_RATE_LIMITS`) has a `client` limit — per signed-in user, else per
browser session (for the login: per username tried) — and an `ip` limit that counts every
anonymous request of one address together (a script without cookies has only its address).
A refused request answers 429 with `Retry-After`: the seconds until its window ends.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

View = Callable[..., HttpResponse]
logger = logging.getLogger(__name__)


class RateLimited(Exception):
    """Too many requests in a scope's window; `retry_after` seconds until it ends."""

    def __init__(self, scope: str, retry_after: int) -> None:
        super().__init__(f"rate limit {scope}: retry after {retry_after} s")
        self.scope = scope
        self.retry_after = retry_after

    @property
    def message(self) -> str:
        return rate_limit_message(self.retry_after)


@dataclass(frozen=True)
class Bucket:
    """One counter: a cache key and its limit (count per window of seconds)."""

    name: str
    count: int
    seconds: int


def rate_limit_message(retry_after: int) -> str:
    """The translated sentence every 429 carries."""
    return _("Too many requests. Please wait %(seconds)d seconds and try again.") % {"seconds": retry_after}


def client_ip(request: HttpRequest) -> str:
    """The caller's address (REMOTE_ADDR, or the header a trusted proxy sets: its last entry,
    the one that proxy added); IPv6 by /64."""
    header = settings.BPCOURSE_RATE_LIMIT_IP_HEADER
    raw = (request.META.get(header, "") if header else "") or request.META.get("REMOTE_ADDR", "")
    raw = raw.split(",")[-1].strip()
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw[:64] or "unknown"
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def rate_limit_buckets(
    *, scope: str, ip: str, user_id: Any = None, session_key: str = "", client: str = ""
) -> list[Bucket]:
    """The counters a request of a scope is held to: its client's (user, else session, else the
    `client` string given) and, when anonymous, its address's."""
    limits = settings.BPCOURSE_RATE_LIMITS[scope]
    buckets = []
    who = f"user:{user_id}" if user_id is not None else (
        f"session:{session_key}" if session_key else (f"client:{client}" if client else "")
    )
    if who:
        buckets.append(Bucket(f"{scope}:{_digest(who)}", *limits["client"]))
    if user_id is None:
        buckets.append(Bucket(f"{scope}:ip:{_digest(ip)}", *limits["ip"]))
    return buckets


def _window(bucket: Bucket, now: float) -> tuple[str, int]:
    index = int(now // bucket.seconds)
    retry_after = max(1, math.ceil((index + 1) * bucket.seconds - now))
    return f"bpcourse:rl:{bucket.name}:{bucket.seconds}:{index}", retry_after


def _increment(key: str, seconds: int) -> int:
    cache.add(key, 0, timeout=seconds + 1)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=seconds + 1)
        return 1


def rate_limit_hit(*, scope: str, buckets: Iterable[Bucket], count: bool = True, counted: bool = False) -> None:
    """Count one request in every bucket (or only look, `count=False`; `counted`: the request is
    in the counts already); RateLimited when any bucket is over its limit."""
    if not settings.BPCOURSE_RATE_LIMITS_ENABLED:
        return
    now = time.time()
    waits = []
    for bucket in buckets:
        key, retry_after = _window(bucket, now)
        try:
            used = _increment(key, bucket.seconds) if count else int(cache.get(key, 0)) + (0 if counted else 1)
        except Exception as exc:  # the cache (Redis) is down: serve rather than fail every request
            logger.warning("rate limit %s not applied, cache unreachable (%s: %s)", scope, type(exc).__name__, exc)
            return
        if used > bucket.count:
            waits.append(retry_after)
    if waits:
        raise RateLimited(scope, max(waits))


def _request_buckets(request: HttpRequest, scope: str, client: str = "") -> list[Bucket]:
    user = getattr(request, "user", None)
    user_id = user.pk if user is not None and user.is_authenticated else None
    session = getattr(request, "session", None)
    session_key = (session.session_key or "") if session is not None else ""
    return rate_limit_buckets(scope=scope, ip=client_ip(request), user_id=user_id,
                              session_key=session_key, client=client)


def too_many_requests_page(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    """The site's 429 page."""
    response = render(request, "429.html", {"message": exc.message}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


def rate_limited(
    scope: str,
    *,
    methods: tuple[str, ...] = ("POST",),
    respond: Callable[[HttpRequest, RateLimited], HttpResponse] = too_many_requests_page,
) -> Callable[[View], View]:
    """Hold a page's requests of these methods to a scope's limits; 429 (`respond`) beyond them."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method in methods:
                try:
                    rate_limit_hit(scope=scope, buckets=_request_buckets(request, scope))
                except RateLimited as exc:
                    return respond(request, exc)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def login_throttled(view: View) -> View:
    """The login page: failed sign-ins count per username tried and per address; once either is
    over its limit, every sign-in there is refused (429) until the window ends."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method != "POST":
            return view(request, *args, **kwargs)
        username = str(request.POST.get("username", "")).strip().lower()[:150]
        buckets = rate_limit_buckets(scope="login", ip=client_ip(request), client=f"username:{username}")
        try:
            rate_limit_hit(scope="login", buckets=buckets, count=False)
        except RateLimited as exc:
            return too_many_requests_page(request, exc)
        response = view(request, *args, **kwargs)
        if response.status_code == 200:  # the form again: the password was wrong
            try:
                rate_limit_hit(scope="login", buckets=buckets)
            except RateLimited:
                pass  # this failure was still checked; the next attempt is refused
        return response

    return wrapped
