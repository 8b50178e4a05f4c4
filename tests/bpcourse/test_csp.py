"""The Content-Security-Policy header (django-csp): this site only, no inline script or style,
and templates that need none."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "exercises" / "templates").rglob("*.html"))


def directives(header: str) -> dict[str, list[str]]:
    parts = [part.split() for part in header.split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/practice/", "/walkthrough/", "/accounts/login/", "/api/templates"])
def test_every_response_carries_a_strict_policy(client, url):
    response = client.get(url)
    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_the_api_docs_may_show_data_images_and_nothing_more(client):
    policy = directives(client.get("/api/docs")["Content-Security-Policy"])
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(ROOT)))
def test_templates_have_no_inline_style_script_or_handler(template):
    html = template.read_text()
    assert not re.search(r"\sstyle\s*=", html)
    assert not re.search(r"<style\b", html)
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", html)
    assert not re.search(r"\son[a-z]+\s*=", html)
    assert "javascript:" not in html
