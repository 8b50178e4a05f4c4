"""Assignment writes: validated settings (every rule of an assignment lives here), defaults,
create, update, delete, and a sample variant of unsaved settings for the live preview."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import graders
from graders.tolerance import ToleranceError

from ...models import Assignment, Course, Submission
from ...practice.services import seed_validate
from ..config import (
    NetworkTooLarge, assignment_part_infos, assignment_template, config_budget, config_key, config_specs_within,
    network_size_check,
)
from ..permissions import can_manage, require
from .fields import at_most_a_year_after, boolean, choice, field_error, grader_message, integer, number, when

# Settings an instructor edits; the rest of an Assignment is fixed or bookkeeping.
ASSIGNMENT_FIELDS = (
    "title", "instructions", "template_config", "parts", "points", "tolerance", "followthrough",
    "followthrough_credit", "attempts_allowed", "attempt_penalty", "opens_at", "due_at", "late_policy",
    "late_penalty_per_day", "late_until", "reveal", "show_diagnosis", "scoring",
    "hint_penalty_1", "hint_penalty_2", "hint_penalty_3",
)
# Settings that change the scores already given: changed through a regrade (preview, apply).
REGRADE_FIELDS = (
    "parts", "points", "tolerance", "followthrough", "followthrough_credit", "attempt_penalty",
    "late_penalty_per_day", "hint_penalty_1", "hint_penalty_2", "hint_penalty_3",
)
MAX_TEMPLATE_JSON = 20_000
SEED_CHECKS = 3  # seeds tried when validating a template (a student's seed is re-drawn if unusable)


def _clean_template(config: Any, extra_seeds: tuple[str, ...] = ()) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A template_config and the specs of its check seeds then `extra_seeds`, all drawn within
    one budget of draws and CPU time (a refusal is remembered); else ValidationError."""
    if not isinstance(config, dict) or not config:
        raise field_error("template_config", _("Choose a network type or describe one."), code="required")
    if len(config_key(config)) > MAX_TEMPLATE_JSON:
        raise field_error("template_config", _("The network description is too long."))
    if "builtin" in config:
        name = config["builtin"]
        if set(config) != {"builtin"} or not isinstance(name, str) or name not in graders.TEMPLATES:
            raise field_error("template_config", _("Unknown network type “%(template)s”.")
                               % {"template": str(name)[:64]}, code="unknown_template")
    try:
        template = assignment_template(config=config)
        network_size_check(config=config)
        seeds = [f"check-{index}" for index in range(1 if template.fixed else SEED_CHECKS)]
        specs = config_specs_within(config=config, seeds=[*seeds, *extra_seeds], budget=config_budget())
    except NetworkTooLarge as exc:
        raise field_error(
            "template_config",
            _("This network is too large: it asks %(parts)d quantities, at most %(limit)d are allowed. "
              "Use fewer layers or neurons.") % {"parts": exc.parts, "limit": exc.limit},
            code="too_large",
        ) from None
    except graders.BudgetExhausted as exc:
        if exc.reason == "time":
            raise field_error(
                "template_config",
                _("Checking this network takes too long. Use a smaller network or wider value ranges."),
                code="too_costly",
            ) from None
        raise field_error(
            "template_config",
            _("These value ranges rarely give networks that can be graded well (saturated neurons or "
              "vanishing gradients). Widen or move the ranges."),
            code="no_usable_variant",
        ) from None
    except graders.NoUsableVariant:
        raise field_error(
            "template_config",
            _("These value ranges only give networks that cannot be graded well (saturated neurons "
              "or vanishing gradients). Widen or move the ranges."),
            code="no_usable_variant",
        ) from None
    except (graders.SpecError, ToleranceError, ValueError, TypeError) as exc:
        raise field_error(
            "template_config",
            _("The network description is invalid: %(error)s") % {"error": grader_message(exc)},
        ) from None
    return json.loads(config_key(config)), specs[len(specs) - len(extra_seeds):]


def _clean_parts(config: dict[str, Any], parts: Any, points: Any) -> tuple[list[str], dict[str, float]]:
    all_keys = [p.key for p in assignment_part_infos(config=config)]
    known = set(all_keys)
    if parts in (None, ""):
        parts = []
    if not isinstance(parts, list | tuple) or not all(isinstance(k, str) for k in parts):
        raise field_error("parts", _("Choose the parts to ask."))
    unknown = [k for k in parts if k not in known]
    if unknown:
        raise field_error("parts", _("Unknown part “%(part)s”.") % {"part": unknown[0][:64]})
    chosen = set(parts)
    clean_parts = [k for k in all_keys if k in chosen]
    if points in (None, ""):
        points = {}
    if not isinstance(points, Mapping):
        raise field_error("points", _("Points must map part keys to numbers."))
    clean_points: dict[str, float] = {}
    for key, value in points.items():
        if key not in known:
            raise field_error("points", _("Unknown part “%(part)s”.") % {"part": str(key)[:64]})
        clean_points[key] = number({"points": value}, "points", 0, 1000)
    asked = clean_parts or all_keys
    if sum(clean_points.get(k, 1.0) for k in asked) <= 0:
        raise field_error("points", _("The asked parts must be worth some points."))
    return clean_parts, {k: v for k, v in clean_points.items() if k in set(asked)}


def _clean_tolerance(value: Any) -> dict[str, Any]:
    if value in (None, ""):
        return graders.DEFAULT_TOLERANCE.to_dict()
    try:
        return graders.Tolerance.from_dict(value).to_dict()
    except ToleranceError as exc:
        raise field_error("tolerance", _("Invalid tolerance: %(error)s") % {"error": grader_message(exc)}) from None


def assignment_defaults() -> dict[str, Any]:
    """Settings a new assignment starts from (due in a week, the article's network)."""
    now = timezone.now().replace(second=0, microsecond=0)
    return {
        "title": "",
        "instructions": "",
        "template_config": {"builtin": "article-random"},
        "parts": [],
        "points": {},
        "tolerance": graders.DEFAULT_TOLERANCE.to_dict(),
        "followthrough": True,
        "followthrough_credit": 1.0,
        "attempts_allowed": 0,
        "attempt_penalty": 0.0,
        "opens_at": now,
        "due_at": now + timedelta(days=7),
        "late_policy": Assignment.LatePolicy.NONE,
        "late_penalty_per_day": 0.0,
        "late_until": None,
        "reveal": Assignment.Reveal.AFTER_DUE,
        "show_diagnosis": True,
        "scoring": Assignment.Scoring.BEST,
        "hint_penalty_1": 0.0,
        "hint_penalty_2": 0.0,
        "hint_penalty_3": 0.0,
    }


def assignment_clean(*, data: Mapping[str, Any], base: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Validated assignment settings: `data` over `base` (defaults); ValidationError naming the field."""
    if not isinstance(data, Mapping):
        raise ValidationError(_("Settings must be an object."), code="invalid")
    unknown = sorted(str(k) for k in data if k not in ASSIGNMENT_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown setting “%(name)s”.") % {"name": unknown[0][:64]}, code="unknown_field")
    merged = {**(dict(base) if base is not None else assignment_defaults()), **dict(data)}
    clean: dict[str, Any] = {}
    title = merged["title"]
    if not isinstance(title, str) or not title.strip() or len(title.strip()) > 200:
        raise field_error("title", _("An assignment needs a title of at most 200 characters."), code="required")
    clean["title"] = title.strip()
    instructions = merged["instructions"] or ""
    if not isinstance(instructions, str) or len(instructions) > 20_000:
        raise field_error("instructions", _("Instructions are text of at most 20,000 characters."))
    clean["instructions"] = instructions
    clean["template_config"], _specs = _clean_template(merged["template_config"])
    clean["parts"], clean["points"] = _clean_parts(clean["template_config"], merged["parts"], merged["points"])
    clean["tolerance"] = _clean_tolerance(merged["tolerance"])
    clean["followthrough"] = boolean(merged, "followthrough")
    clean["followthrough_credit"] = number(merged, "followthrough_credit", 0, 1)
    clean["attempts_allowed"] = integer(merged, "attempts_allowed", 0, 1000)
    clean["attempt_penalty"] = number(merged, "attempt_penalty", 0, 1)
    clean["opens_at"] = when(merged, "opens_at", required=True)
    clean["due_at"] = when(merged, "due_at", required=True)
    if clean["due_at"] <= clean["opens_at"]:
        raise field_error("due_at", _("The due date must come after the opening date."))
    if not at_most_a_year_after(clean["due_at"], clean["opens_at"]):
        raise field_error("due_at", _("The due date may be at most a year after the opening date."), code="too_late")
    clean["late_policy"] = choice(merged, "late_policy", Assignment.LatePolicy.values)
    clean["late_penalty_per_day"] = number(merged, "late_penalty_per_day", 0, 1)
    clean["late_until"] = when(merged, "late_until", required=False)
    if clean["late_policy"] == Assignment.LatePolicy.PENALTY:
        if clean["late_until"] is None:
            raise field_error("late_until", _("Say until when late submissions are accepted."), code="required")
        if clean["late_until"] <= clean["due_at"]:
            raise field_error("late_until", _("Late submissions must end after the due date."))
        if not at_most_a_year_after(clean["late_until"], clean["due_at"]):
            raise field_error(
                "late_until", _("Late submissions may end at most a year after the due date."), code="too_late"
            )
    else:
        clean["late_until"] = None
    clean["reveal"] = choice(merged, "reveal", Assignment.Reveal.values)
    clean["show_diagnosis"] = boolean(merged, "show_diagnosis")
    clean["scoring"] = choice(merged, "scoring", Assignment.Scoring.values)
    for level in (1, 2, 3):
        clean[f"hint_penalty_{level}"] = number(merged, f"hint_penalty_{level}", 0, 1)
    return clean


def assignment_settings(assignment: Assignment) -> dict[str, Any]:
    """The assignment's editable settings (ASSIGNMENT_FIELDS) as they are saved."""
    return {name: getattr(assignment, name) for name in ASSIGNMENT_FIELDS}


def assignment_create(*, course: Course, actor: Any, data: Mapping[str, Any]) -> Assignment:
    """A new assignment in the course (instructors only), its settings validated through graders."""
    require(can_manage(course=course, user=actor))
    clean = assignment_clean(data=data)
    now = timezone.now()
    return Assignment.objects.create(course=course, created_at=now, updated_at=now, **clean)


def assignment_update(*, assignment: Assignment, actor: Any, data: Mapping[str, Any]) -> Assignment:
    """Change an assignment's settings (instructors only; score-changing ones via regrade once graded)."""
    # Once students have submitted, the network can no longer change, and settings that change
    # given scores (REGRADE_FIELDS) go through a regrade (preview, apply) instead.
    require(can_manage(course=assignment.course, user=actor))
    current = assignment_settings(assignment)
    clean = assignment_clean(data=data, base=current)
    submitted = Submission.objects.filter(variant__assignment=assignment)
    if clean["template_config"] != current["template_config"] and submitted.exists():
        raise field_error(
            "template_config",
            _("Students have already submitted answers for these numbers; the network can no longer change."),
            code="locked",
        )
    changed = [name for name in REGRADE_FIELDS if clean[name] != current[name]]
    if changed and submitted.filter(status=Submission.Status.GRADED).exists():
        raise field_error(
            changed[0],
            _("This changes scores already given. Use “Regrade” to preview the changes and apply them."),
            code="needs_regrade",
        )
    for name, value in clean.items():
        setattr(assignment, name, value)
    assignment.updated_at = timezone.now()
    assignment.save()
    return assignment


def assignment_delete(*, assignment: Assignment, actor: Any) -> None:
    """Delete an assignment and its submissions (instructors only)."""
    require(can_manage(course=assignment.course, user=actor))
    assignment.delete()


def assignment_preview(*, data: Mapping[str, Any], seed: str = "preview") -> dict[str, Any]:
    """A sample variant of unsaved settings: {"spec", "givens", "parts", "expected"}."""
    if not isinstance(data, Mapping):
        raise ValidationError(_("Settings must be an object."), code="invalid")
    seed_validate(seed)
    config, (spec,) = _clean_template(data.get("template_config"), extra_seeds=(seed,))
    parts, points = _clean_parts(config, data.get("parts"), data.get("points"))
    solution = graders.solve(spec)
    infos = assignment_part_infos(config=config, parts=tuple(parts))
    return {
        "spec": spec,
        "givens": dict(solution.givens),
        "parts": [{"key": p.key, "step": p.step, "points": points.get(p.key, 1.0)} for p in infos],
        "expected": {p.key: solution.values[p.key] for p in infos},
    }
