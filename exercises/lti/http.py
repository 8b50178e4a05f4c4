"""Outgoing HTTP to platforms: one requests session per call site, with a timeout on every request."""

from __future__ import annotations

from typing import Any

import requests
from django.conf import settings


class TimeoutSession(requests.Session):
    """A requests session whose requests give up after BPCOURSE_LTI_HTTP_TIMEOUT seconds."""

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", settings.BPCOURSE_LTI_HTTP_TIMEOUT)
        return super().request(method, url, *args, **kwargs)


def platform_session() -> TimeoutSession:
    """A session for talking to a platform (keysets, tokens, names and roles, scores)."""
    session = TimeoutSession()
    session.headers["User-Agent"] = "bpcourse-lti"
    return session
