"""An assignment's configuration as the grader sees it: template, numbers for a seed, asked
parts, policy, per-student seeds and penalties. Pure reads of the Assignment row (a leaf module:
models, selectors, services and the grading hook may all import it)."""

from __future__ import annotations

import hashlib
import hmac
import json
import math
from datetime import datetime
from functools import lru_cache
from typing import Any

import graders

from ..grading.specs import template_spec
from ..models import Assignment


def config_key(config: Any) -> str:
    """A template_config as canonical JSON (its cache key)."""
    return json.dumps(config, sort_keys=True, separators=(",", ":"))


@lru_cache(maxsize=256)
def _template_for(key: str) -> graders.Template:
    config = json.loads(key)
    if isinstance(config, dict) and set(config) == {"builtin"}:
        name = config["builtin"]
        if not isinstance(name, str) or name not in graders.TEMPLATES:
            raise graders.UnknownTemplate(str(name))
        return graders.TEMPLATES[name]
    return graders.template_from_dict(config)


def assignment_template(*, config: Any) -> graders.Template:
    """The graders.Template of a template_config (builtin name or the instructor's own)."""
    return _template_for(config_key(config))


@lru_cache(maxsize=8192)
def _spec_for(key: str, seed: str) -> dict[str, Any]:
    config = json.loads(key)
    if isinstance(config, dict) and set(config) == {"builtin"}:
        return template_spec(template=str(config["builtin"]), seed=seed)
    return graders.generate(_template_for(key), seed)


def config_spec(*, config: Any, seed: str) -> dict[str, Any]:
    """The network spec of a template_config for a seed (deterministic, cached per process)."""
    return _spec_for(config_key(config), seed)


def assignment_spec(*, assignment: Assignment, seed: str) -> dict[str, Any]:
    """The network spec of an assignment for a seed (deterministic, cached per process)."""
    return _spec_for(config_key(assignment.template_config), seed)


@lru_cache(maxsize=256)
def _part_infos(key: str, parts: tuple[str, ...]) -> tuple[graders.PartInfo, ...]:
    solution = graders.solve(_spec_for(key, "parts"))
    if not parts:
        return tuple(solution.parts)
    asked = set(parts)
    return tuple(p for p in solution.parts if p.key in asked)


def assignment_part_infos(*, config: Any, parts: tuple[str, ...] = ()) -> list[graders.PartInfo]:
    """The asked parts (all when `parts` is empty) in teaching order; they depend only on the shape."""
    return list(_part_infos(config_key(config), tuple(parts)))


def assignment_parts(*, assignment: Assignment) -> list[graders.PartInfo]:
    """The parts an assignment asks, in teaching order."""
    return assignment_part_infos(config=assignment.template_config, parts=tuple(assignment.parts or ()))


def assignment_policy(*, assignment: Assignment) -> graders.Policy:
    """The grading policy of an assignment (diagnosis always runs; showing it is a display choice)."""
    return graders.Policy(
        tolerance=graders.Tolerance.from_dict(assignment.tolerance or graders.DEFAULT_TOLERANCE.to_dict()),
        points={k: float(v) for k, v in (assignment.points or {}).items()},
        parts=tuple(assignment.parts) if assignment.parts else None,
        followthrough=bool(assignment.followthrough),
        followthrough_credit=float(assignment.followthrough_credit),
        diagnose=True,
    )


def template_label(assignment: Assignment) -> str:
    """What a homework variant records as its template: the builtin's name, or "custom"."""
    config = assignment.template_config or {}
    if isinstance(config, dict) and isinstance(config.get("builtin"), str):
        return config["builtin"][:64]
    return "custom"


# Homework seeds have a space of their own: the ":" lies outside practice's seed alphabet, so no
# practice URL or API call can draw a homework variant's numbers (older homework seeds, 16 hex
# digits, are refused by practice: exercises.practice.services.practice_seed_validate).
HOMEWORK_SEED_PREFIX = "hw:"


def variant_seed(*, assignment: Assignment, user_id: int, reseed: int = 0) -> str:
    """"hw:" and the first 16 hex digits of HMAC-SHA256(assignment.secret, "user:reseed")."""
    digest = hmac.new(assignment.secret.encode(), f"{user_id}:{reseed}".encode(), hashlib.sha256).hexdigest()
    return HOMEWORK_SEED_PREFIX + digest[:16]


def submission_penalty(
    *, assignment: Assignment, attempt_number: int | None, late: bool, created_at: datetime, due_at: datetime
) -> float:
    """Fraction lost: attempt_penalty per attempt after the first, late_penalty_per_day per started day late."""
    penalty = assignment.attempt_penalty * max(0, (attempt_number or 1) - 1)
    if late and created_at > due_at:
        days = math.ceil((created_at - due_at).total_seconds() / 86400)
        penalty += assignment.late_penalty_per_day * days
    return min(1.0, max(0.0, penalty))
