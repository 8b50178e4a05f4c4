"""An assignment's configuration as the grader sees it: each question's template, numbers for a
seed, asked parts, points and policy; per-student seeds, pool draws and penalties. Pure reads of
Assignment and Question rows (a leaf module: models, selectors, services and the grading hook may
all import it)."""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import threading
from collections import OrderedDict
from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.cache import cache

import graders
from graders.graph import build_graph
from graders.spec import parse_spec

from ..grading.specs import template_spec
from ..models import Assignment, Question


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


def question_spec(*, question: Question, seed: str) -> dict[str, Any]:
    """The network spec of a question for a seed (deterministic, cached per process)."""
    return _spec_for(config_key(question.template_config), seed)


class NetworkTooLarge(ValueError):
    """An instructor's network asks more quantities than BPCOURSE_MAX_NETWORK_PARTS."""

    def __init__(self, parts: int, limit: int) -> None:
        super().__init__(f"the network asks {parts} quantities, at most {limit} are allowed")
        self.parts = parts
        self.limit = limit


def _is_builtin(config: Any) -> bool:
    return isinstance(config, dict) and set(config) == {"builtin"}


def network_size_check(*, config: Any) -> None:
    """NetworkTooLarge when a custom network asks more quantities than allowed (microseconds to
    milliseconds: the shape's graph, no numbers drawn). SpecError/ValueError for a bad shape."""
    if _is_builtin(config):
        return
    template = _template_for(config_key(config))
    shapes = [template.architecture()]
    if template.fixed is not None:
        shapes.append(parse_spec(template.fixed).arch)
    limit = settings.BPCOURSE_MAX_NETWORK_PARTS
    for arch in shapes:  # the shape's graph: a few milliseconds at most (6 layers of 8), cached
        parts = len(build_graph(arch).parts)
        if parts > limit:
            raise NetworkTooLarge(parts, limit)


# Specs drawn within a budget, per (config key, seed): the same as _spec_for's, kept per process.
_BUDGETED: OrderedDict[tuple[str, str], dict[str, Any]] = OrderedDict()
_BUDGETED_LOCK = threading.Lock()
_BUDGETED_MAX = 2048


def _failure_keys(config: Any) -> tuple[str, str]:
    """Where a refusal is remembered: under the whole config, and under the config without its
    learning rate (and texts) when no rejected draw depended on the learning rate."""
    def key(value: Any) -> str:
        return "bpcourse:authoring-refused:" + hashlib.sha256(config_key(value).encode()).hexdigest()

    # rng_for draws from name, seed and attempt only: the learning rate changes no number drawn,
    # and of the vetting only the misconception check (graders.variants.Confusion) reads it.
    any_rate = {k: v for k, v in config.items() if k not in ("learning_rate", "title", "description")}
    return key(config), key(any_rate)


def config_budget() -> graders.DrawBudget:
    """A fresh budget of draws and CPU time for one check of a network description."""
    return graders.DrawBudget(draws=settings.BPCOURSE_AUTHORING_MAX_DRAWS,
                              seconds=settings.BPCOURSE_AUTHORING_MAX_SECONDS)


def config_specs_within(*, config: Any, seeds: Iterable[str], budget: graders.DrawBudget) -> list[dict[str, Any]]:
    """The specs of a template_config for the seeds, all drawn within one budget. A refusal
    (NoUsableVariant, BudgetExhausted) is remembered in the shared cache and raised again
    without drawing, whatever the learning rate."""
    if _is_builtin(config):  # vetted templates, cached per process
        return [config_spec(config=config, seed=seed) for seed in seeds]
    key = config_key(config)
    exact, any_rate = _failure_keys(config)
    found = cache.get_many([exact, any_rate])
    refused = found.get(any_rate, found.get(exact))
    if refused is not None:
        raise (graders.BudgetExhausted(refused) if refused in ("draws", "time")
               else graders.NoUsableVariant(f"refused earlier: {refused}"))
    template = _template_for(key)
    specs = []
    for seed in seeds:
        with _BUDGETED_LOCK:
            spec = _BUDGETED.get((key, seed))
        if spec is None:
            try:
                spec = graders.generate(template, seed, budget=budget)
            except graders.NoUsableVariant as exc:
                reason = exc.reason if isinstance(exc, graders.BudgetExhausted) else "no usable variant"
                cache.set(exact if budget.confusions else any_rate, reason,
                          timeout=settings.BPCOURSE_AUTHORING_FAILURE_CACHE_SECONDS)
                raise
            with _BUDGETED_LOCK:
                _BUDGETED[(key, seed)] = spec
                while len(_BUDGETED) > _BUDGETED_MAX:
                    _BUDGETED.popitem(last=False)
        specs.append(spec)
    return specs


@lru_cache(maxsize=256)
def _part_infos(key: str, parts: tuple[str, ...]) -> tuple[graders.PartInfo, ...]:
    config = json.loads(key)
    if _is_builtin(config) or _template_for(key).fixed is not None:
        all_parts = graders.solve(_spec_for(key, "parts")).parts
    else:  # the parts depend only on the shape: no numbers need drawing
        all_parts = build_graph(_template_for(key).architecture()).parts
    if not parts:
        return tuple(all_parts)
    asked = set(parts)
    return tuple(p for p in all_parts if p.key in asked)


def assignment_part_infos(*, config: Any, parts: tuple[str, ...] = ()) -> list[graders.PartInfo]:
    """The asked parts (all when `parts` is empty) in teaching order; they depend only on the shape."""
    return list(_part_infos(config_key(config), tuple(parts)))


def question_parts(*, question: Question) -> list[graders.PartInfo]:
    """The parts a question asks, in teaching order."""
    return assignment_part_infos(config=question.template_config, parts=tuple(question.parts or ()))


def question_max_points(*, question: Question) -> float:
    """Total points of the parts a question asks (parts without their own points count 1)."""
    points = question.points or {}
    return float(sum(float(points.get(p.key, 1.0)) for p in question_parts(question=question)))


def question_policy(*, question: Question) -> graders.Policy:
    """The grading policy of a question (diagnosis always runs; showing it is a display choice)."""
    return graders.Policy(
        tolerance=graders.Tolerance.from_dict(question.tolerance or graders.DEFAULT_TOLERANCE.to_dict()),
        points={k: float(v) for k, v in (question.points or {}).items()},
        parts=tuple(question.parts) if question.parts else None,
        followthrough=bool(question.followthrough),
        followthrough_credit=float(question.followthrough_credit),
        diagnose=True,
    )


def template_label(question: Question) -> str:
    """What a homework variant records as its template: the builtin's name, or "custom"."""
    config = question.template_config or {}
    if isinstance(config, dict) and isinstance(config.get("builtin"), str):
        return config["builtin"][:64]
    return "custom"


# Homework seeds have a space of their own: the ":" lies outside practice's seed alphabet, so no
# practice URL or API call can draw a homework variant's numbers (older homework seeds, 16 hex
# digits, are refused by practice: exercises.practice.services.practice_seed_validate).
HOMEWORK_SEED_PREFIX = "hw:"


def variant_seed(*, assignment: Assignment, user_id: int, reseed: int = 0, position: int = 1) -> str:
    """"hw:" and the first 16 hex digits of HMAC-SHA256(assignment.secret, "user:reseed"), with
    ":position" appended for the questions after the first (the first keeps the seeds students
    were given before assignments had several questions)."""
    message = f"{user_id}:{reseed}" if position == 1 else f"{user_id}:{reseed}:{position}"
    digest = hmac.new(assignment.secret.encode(), message.encode(), hashlib.sha256).hexdigest()
    return HOMEWORK_SEED_PREFIX + digest[:16]


def pool_draw(*, assignment: Assignment, user_id: int, position: int, size: int) -> int:
    """Which member (0 … size-1) of the pool at `position` a student is given: HMAC-SHA256 of the
    assignment's secret over "pool:user:position", reduced modulo the pool's size."""
    if size < 1:
        raise ValueError("a pool has at least one member")
    message = f"pool:{user_id}:{position}".encode()
    digest = hmac.new(assignment.secret.encode(), message, hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") % size


def submission_penalty(
    *, assignment: Assignment, attempt_number: int | None, late: bool, created_at: datetime, due_at: datetime
) -> float:
    """Fraction lost: attempt_penalty per attempt after the first, late_penalty_per_day per started day late."""
    penalty = assignment.attempt_penalty * max(0, (attempt_number or 1) - 1)
    if late and created_at > due_at:
        days = math.ceil((created_at - due_at).total_seconds() / 86400)
        penalty += assignment.late_penalty_per_day * days
    return min(1.0, max(0.0, penalty))


def hint_fraction(*, assignment: Assignment, level: int) -> float:
    """The fraction of a part's points hints up to `level` cost: the levels' penalties summed (at most 1)."""
    costs = (assignment.hint_penalty_1, assignment.hint_penalty_2, assignment.hint_penalty_3)
    return min(1.0, max(0.0, math.fsum(float(c or 0.0) for c in costs[: max(0, min(3, int(level)))])))


def hint_loss(*, assignment: Assignment, report: dict[str, Any] | None, hints: dict[str, Any] | None) -> float:
    """The fraction of the score hints take: each hinted part loses hint_fraction of the points it earned."""
    parts = (report or {}).get("parts") or {}
    possible = float((report or {}).get("max_points") or 0.0)
    if not possible or not hints:
        return 0.0
    lost = math.fsum(
        float(parts[key].get("points") or 0.0) * hint_fraction(assignment=assignment, level=level)
        for key, level in hints.items() if key in parts and isinstance(level, int)
    )
    return min(1.0, lost / possible)


def final_score(*, score: float, hint_loss: float, penalty: float) -> float:
    """(score − what hints took) × (1 − attempt and late penalty)."""
    return max(0.0, score - hint_loss) * (1.0 - penalty)
