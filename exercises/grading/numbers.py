"""Frozen numbers: a spec is stored once, by the digest of its canonical JSON, when a variant is
given it; grading, pages and regrades read it back and never regenerate it."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ..models import FrozenSpec


def spec_digest(spec: dict[str, Any]) -> str:
    """SHA-256 of the spec's canonical JSON (sorted keys, no spaces)."""
    return hashlib.sha256(json.dumps(spec, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def numbers_freeze(*, spec: dict[str, Any]) -> FrozenSpec:
    """The stored copy of a spec (stored now if it is new; one INSERT … ON CONFLICT DO NOTHING)."""
    frozen = FrozenSpec(digest=spec_digest(spec), spec=spec)
    FrozenSpec.objects.bulk_create([frozen], ignore_conflicts=True)
    return frozen
