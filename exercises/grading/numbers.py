"""Frozen numbers: a spec is stored once, by the digest of its canonical JSON, when a variant is
given it; grading, pages and regrades read it back and never regenerate it."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from typing import Any

from ..models import FrozenSpec
from .specs import template_spec


def spec_digest(spec: dict[str, Any]) -> str:
    """SHA-256 of the spec's canonical JSON (sorted keys, no spaces)."""
    return hashlib.sha256(json.dumps(spec, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


@lru_cache(maxsize=1024)
def template_numbers_id(*, template: str, seed: str) -> str:
    """The digest of what this code draws for a built-in template and seed (computed once per process)."""
    return spec_digest(template_spec(template=template, seed=seed))


def numbers_freeze(*, spec: dict[str, Any]) -> FrozenSpec:
    """The stored copy of a spec (stored now if it is new; one INSERT … ON CONFLICT DO NOTHING)."""
    frozen = FrozenSpec(digest=spec_digest(spec), spec=spec)
    FrozenSpec.objects.bulk_create([frozen], ignore_conflicts=True)
    return frozen


@lru_cache(maxsize=2048)
def _stored_spec(digest: str) -> dict[str, Any]:
    return FrozenSpec.objects.values_list("spec", flat=True).get(pk=digest)


def numbers_spec(*, numbers_id: str) -> dict[str, Any]:
    """The frozen numbers stored under a digest, read once per process: a digest names its
    content, which never changes, so the copy kept here cannot go out of date (do not mutate it).
    FrozenSpec.DoesNotExist if nothing is stored under it."""
    return _stored_spec(numbers_id)
