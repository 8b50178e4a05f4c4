"""Assignment writes: validated settings (every rule of an assignment lives here), defaults,
create, update, delete, the validated settings of its questions (their writes: services/questions.py),
and a sample variant of unsaved settings for the live preview.

The question settings (QUESTION_FIELDS) given flat among an assignment's settings are those of
its first question (position 1, member 1): a one-question assignment is written as before."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import graders
from graders.tolerance import ToleranceError

from ...models import Assignment, Course, Question, Submission
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
# Settings of one question (of the first one when given among an assignment's settings).
QUESTION_FIELDS = ("template_config", "parts", "points", "tolerance", "followthrough", "followthrough_credit")
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
    clean.update(_clean_question(merged))
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


def _clean_question(merged: Mapping[str, Any]) -> dict[str, Any]:
    """The QUESTION_FIELDS of `merged`, validated (the network through graders, within its budget)."""
    clean: dict[str, Any] = {}
    clean["template_config"], _specs = _clean_template(merged["template_config"])
    clean["parts"], clean["points"] = _clean_parts(clean["template_config"], merged["parts"], merged["points"])
    clean["tolerance"] = _clean_tolerance(merged["tolerance"])
    clean["followthrough"] = boolean(merged, "followthrough")
    clean["followthrough_credit"] = number(merged, "followthrough_credit", 0, 1)
    return clean


def question_clean(*, data: Mapping[str, Any], base: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Validated settings of one question (QUESTION_FIELDS): `data` over `base` (defaults)."""
    if not isinstance(data, Mapping):
        raise ValidationError(_("Settings must be an object."), code="invalid")
    unknown = sorted(str(k) for k in data if k not in QUESTION_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown setting “%(name)s”.") % {"name": unknown[0][:64]}, code="unknown_field")
    defaults = assignment_defaults()
    start = dict(base) if base is not None else {name: defaults[name] for name in QUESTION_FIELDS}
    return _clean_question({**start, **dict(data)})


def question_settings(question: Question) -> dict[str, Any]:
    """A question's settings (QUESTION_FIELDS) as they are saved."""
    return {name: getattr(question, name) for name in QUESTION_FIELDS}


def _first_question(assignment: Assignment) -> Question:
    return Question.objects.filter(assignment=assignment).order_by("position", "member").first()


def assignment_settings(assignment: Assignment) -> dict[str, Any]:
    """The assignment's editable settings (ASSIGNMENT_FIELDS; those of QUESTION_FIELDS are its first question's)."""
    first = _first_question(assignment)
    return {name: getattr(first if name in QUESTION_FIELDS else assignment, name) for name in ASSIGNMENT_FIELDS}


def max_questions() -> int:
    """Questions an assignment may hold (BPCOURSE_MAX_QUESTIONS)."""
    return int(getattr(settings, "BPCOURSE_MAX_QUESTIONS", 20))


def max_members() -> int:
    """Networks a question's pool may hold (BPCOURSE_MAX_POOL_MEMBERS)."""
    return int(getattr(settings, "BPCOURSE_MAX_POOL_MEMBERS", 10))


def _questions_error(position: int, member: int, exc: ValidationError) -> ValidationError:
    """An error of one question's settings, saying which question (and pool member) it is about."""
    messages = exc.messages[:1] or [_("Invalid settings.")]
    return field_error(
        "questions",
        _("Question %(position)d, network %(member)d: %(error)s")
        % {"position": position, "member": member, "error": messages[0]},
        code=getattr(exc, "code", None) or "invalid",
    )


def questions_clean(*, questions: Any) -> list[list[dict[str, Any]]]:
    """A problem set as given to `assignment_create(data={"questions": …})`: a list (at most
    BPCOURSE_MAX_QUESTIONS) whose entries are one question's settings, or {"pool": [settings, …]}
    (at most BPCOURSE_MAX_POOL_MEMBERS). Returns each position's members, validated."""
    if not isinstance(questions, list | tuple) or not questions:
        raise field_error("questions", _("Give the questions as a list of at least one."), code="required")
    if len(questions) > max_questions():
        raise field_error("questions", _("An assignment holds at most %(limit)d questions.")
                          % {"limit": max_questions()}, code="too_many_questions")
    clean = []
    for position, entry in enumerate(questions, start=1):
        members = entry.get("pool") if isinstance(entry, Mapping) and set(entry) == {"pool"} else [entry]
        if not isinstance(members, list | tuple) or not members:
            raise field_error("questions", _("Question %(position)d: a pool needs at least one network.")
                              % {"position": position}, code="empty_pool")
        if len(members) > max_members():
            raise field_error("questions", _("Question %(position)d: a pool holds at most %(limit)d networks.")
                              % {"position": position, "limit": max_members()}, code="too_many_members")
        cleaned = []
        for member, settings_ in enumerate(members, start=1):
            try:
                cleaned.append(question_clean(data=settings_))
            except ValidationError as exc:
                raise _questions_error(position, member, exc) from None
        clean.append(cleaned)
    return clean


def assignment_create(*, course: Course, actor: Any, data: Mapping[str, Any]) -> Assignment:
    """A new assignment in the course (instructors only), its settings validated through graders.

    `data["questions"]`, if given, is the problem set (see `questions_clean`); else the question
    settings among `data` make a one-question assignment."""
    require(can_manage(course=course, user=actor))
    data = dict(data) if isinstance(data, Mapping) else data
    questions = None
    if isinstance(data, dict) and "questions" in data:
        given = sorted(name for name in data if name in QUESTION_FIELDS)
        if given:
            raise field_error(given[0], _("Give the question settings inside “questions”."), code="ambiguous")
        questions = questions_clean(questions=data.pop("questions"))
    clean = assignment_clean(data=data)
    if questions is None:
        questions = [[{name: clean[name] for name in QUESTION_FIELDS}]]
    now = timezone.now()
    with transaction.atomic():
        assignment = Assignment.objects.create(
            course=course, created_at=now, updated_at=now,
            **{name: value for name, value in clean.items() if name not in QUESTION_FIELDS},
        )
        Question.objects.bulk_create([
            Question(assignment=assignment, position=position, member=member, created_at=now, **settings_)
            for position, members in enumerate(questions, start=1)
            for member, settings_ in enumerate(members, start=1)
        ])
    return assignment


def question_checks(question: Question, clean: Mapping[str, Any]) -> None:
    """A question's network is locked once answered; score-changing settings go through a regrade once graded."""
    current = question_settings(question)
    submitted = Submission.objects.filter(variant__question=question)
    if clean["template_config"] != current["template_config"] and submitted.exists():
        raise field_error(
            "template_config",
            _("Students have already submitted answers for these numbers; the network can no longer change."),
            code="locked",
        )
    changed = [name for name in REGRADE_FIELDS if name in current and name in clean and clean[name] != current[name]]
    if changed and submitted.filter(status=Submission.Status.GRADED).exists():
        raise field_error(
            changed[0],
            _("This changes scores already given. Use “Regrade” to preview the changes and apply them."),
            code="needs_regrade",
        )


def assignment_update(*, assignment: Assignment, actor: Any, data: Mapping[str, Any]) -> Assignment:
    """Change an assignment's settings (instructors only; score-changing ones via regrade once graded).
    Question settings among `data` change its first question (the others: `question_update`)."""
    # Once students have submitted, the network can no longer change, and settings that change
    # given scores (REGRADE_FIELDS) go through a regrade (preview, apply) instead.
    require(can_manage(course=assignment.course, user=actor))
    current = assignment_settings(assignment)
    clean = assignment_clean(data=data, base=current)
    first = _first_question(assignment)
    question_checks(first, clean)
    submitted = Submission.objects.filter(variant__assignment=assignment)
    changed = [name for name in REGRADE_FIELDS if name not in QUESTION_FIELDS and clean[name] != current[name]]
    if changed and submitted.filter(status=Submission.Status.GRADED).exists():
        raise field_error(
            changed[0],
            _("This changes scores already given. Use “Regrade” to preview the changes and apply them."),
            code="needs_regrade",
        )
    with transaction.atomic():
        for name, value in clean.items():
            setattr(first if name in QUESTION_FIELDS else assignment, name, value)
        assignment.updated_at = timezone.now()
        assignment.save()
        first.save()
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
