"""Homework writes: courses and roles, assignments, per-student variants, submissions, extensions,
regrades — and the small pieces the grading pipeline calls for homework (template, policy,
penalty). Keyword-only arguments; `PermissionDenied` for a wrong role, `ValidationError` (with a
translated message, naming the field where there is one) for bad input. See docs/homework.md.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

import graders
from graders.tolerance import ToleranceError

from ..grading.store import answers_clean, submission_store
from ..models import Assignment, Course, Extension, Membership, RegradeJob, Submission, Variant
from . import selectors as hs
from ..practice.services import seed_validate
from .config import (  # noqa: F401  (interim re-export)
    config_key, assignment_part_infos, assignment_policy, assignment_spec, assignment_template, config_spec, submission_penalty,
    template_label, variant_seed,
)
from .permissions import require as _require
from .permissions import signed_in as _signed_in

logger = logging.getLogger(__name__)

Role = Membership.Role

# Settings an instructor edits; the rest of an Assignment is fixed or bookkeeping.
ASSIGNMENT_FIELDS = (
    "title", "instructions", "template_config", "parts", "points", "tolerance", "followthrough",
    "followthrough_credit", "attempts_allowed", "attempt_penalty", "opens_at", "due_at", "late_policy",
    "late_penalty_per_day", "late_until", "reveal", "show_diagnosis", "scoring",
)
# Settings that change the scores already given: changed through a regrade (preview, apply).
REGRADE_FIELDS = (
    "parts", "points", "tolerance", "followthrough", "followthrough_credit", "attempt_penalty",
    "late_penalty_per_day",
)
MAX_TEMPLATE_JSON = 20_000
MAX_ROSTER_CHARS = 1_000_000
MAX_ROSTER_ROWS = 5_000
SEED_CHECKS = 3  # seeds tried when validating a template (a student's seed is re-drawn if unusable)


def _rate_limit() -> tuple[int, int]:
    """(submissions, seconds) a student may make in homework."""
    return (
        int(getattr(settings, "BPCOURSE_HOMEWORK_SUBMISSIONS_PER_WINDOW", 10)),
        int(getattr(settings, "BPCOURSE_HOMEWORK_RATE_WINDOW_SECONDS", 60)),
    )


def _field_error(name: str, message: Any, code: str = "invalid") -> ValidationError:
    """A ValidationError naming one field."""
    return ValidationError({name: [ValidationError(message, code=code)]})


# ----------------------------------------------------------------------------------- courses


def course_create(*, title: str, instructor: Any) -> Course:
    """A new course with the creator as its instructor (any signed-in person may teach)."""
    if not _signed_in(instructor):
        raise PermissionDenied(_("Sign in to create a course."))
    title = (title or "").strip() if isinstance(title, str) else ""
    if not title or len(title) > 200:
        raise _field_error("title", _("A course needs a title of at most 200 characters."))
    for _attempt in range(5):
        try:
            with transaction.atomic():
                course = Course.objects.create(title=title, created_by=instructor)
                Membership.objects.create(course=course, user=instructor, role=Role.INSTRUCTOR)
                return course
        except IntegrityError:  # a join-code collision (one in 10¹¹): draw another
            continue
    raise ValidationError(_("Could not create the course; please try again."), code="code_collision")


def course_join(*, code: str, user: Any) -> Membership:
    """Join a course as a student by its code; an existing membership is returned unchanged."""
    if not _signed_in(user):
        raise PermissionDenied(_("Sign in to join a course."))
    code = (code or "").strip().upper() if isinstance(code, str) else ""
    course = Course.objects.filter(code=code).first() if 0 < len(code) <= 8 else None
    if course is None:
        raise _field_error("code", _("No course has this join code."), code="unknown_code")
    membership, _created = Membership.objects.get_or_create(
        course=course, user=user, defaults={"role": Role.STUDENT}
    )
    return membership


def course_delete(*, course: Course, actor: Any) -> None:
    """Delete a course with everything in it (instructors only)."""
    _require(hs.can_manage(course=course, user=actor))
    course.delete()


@dataclass
class RosterResult:
    """What a roster import did."""

    created: int = 0  # new user accounts
    enrolled: int = 0  # new student memberships
    errors: list[str] = field(default_factory=list)  # one translated message per bad line


def _roster_rows(csv_text: str) -> Iterable[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(csv_text))
    for number, row in enumerate(reader, start=1):
        if not any(cell.strip() for cell in row):
            continue
        if number == 1 and [c.strip().lower() for c in row[:3]] == ["username", "email", "name"]:
            continue
        yield number, row


def roster_import(*, course: Course, actor: Any, csv_text: str) -> RosterResult:
    """Enroll the students of a CSV (username,email,name), creating accounts without passwords."""
    _require(hs.can_manage(course=course, user=actor))
    if not isinstance(csv_text, str) or len(csv_text) > MAX_ROSTER_CHARS:
        raise _field_error("csv_text", _("The roster must be a CSV text of at most 1 MB."), code="too_big")
    User = get_user_model()
    result = RosterResult()
    try:
        rows = list(_roster_rows(csv_text))
    except csv.Error as exc:
        raise _field_error("csv_text", _("The roster is not valid CSV: %(error)s") % {"error": str(exc)},
                           code="csv") from exc
    if len(rows) > MAX_ROSTER_ROWS:
        raise _field_error("csv_text", _("A roster may have at most %(max)d lines.") % {"max": MAX_ROSTER_ROWS},
                           code="too_many")
    roles = dict(Membership.objects.filter(course=course).values_list("user__username", "role"))
    seen: set[str] = set()
    with transaction.atomic():
        for number, row in rows:
            cells = [c.strip() for c in row] + ["", "", ""]
            username, email, name = cells[0], cells[1], cells[2]
            if len(row) > 3:
                result.errors.append(str(_("Line %(line)d: expected 3 columns (username, email, name).")
                                         % {"line": number}))
                continue
            try:
                User.username_validator(username)
                if not username or len(username) > 150:
                    raise ValidationError("length")
            except ValidationError:
                result.errors.append(str(_("Line %(line)d: “%(username)s” is not a valid username.")
                                         % {"line": number, "username": username[:60]}))
                continue
            if email:
                try:
                    validate_email(email)
                except ValidationError:
                    result.errors.append(str(_("Line %(line)d: “%(email)s” is not a valid email address.")
                                             % {"line": number, "email": email[:80]}))
                    continue
            if username in seen:
                result.errors.append(str(_("Line %(line)d: “%(username)s” appears twice.")
                                         % {"line": number, "username": username}))
                continue
            seen.add(username)
            role = roles.get(username)
            if role in (Role.INSTRUCTOR, Role.TA):
                result.errors.append(str(_("Line %(line)d: “%(username)s” is course staff and stays so.")
                                         % {"line": number, "username": username}))
                continue
            if role == Role.STUDENT:
                continue
            user = User.objects.filter(username=username).first()
            if user is None:
                first, _sep, last = name.partition(" ")
                user = User(username=username, email=email, first_name=first[:150], last_name=last[:150])
                user.set_unusable_password()  # they set one with a password reset
                user.save()
                result.created += 1
            Membership.objects.create(course=course, user=user, role=Role.STUDENT)
            result.enrolled += 1
    return result


def membership_set_role(*, course: Course, actor: Any, user: Any, role: str) -> Membership:
    """Change someone's role (instructors only; a course keeps at least one instructor)."""
    _require(hs.can_manage(course=course, user=actor))
    if role not in Role.values:
        raise _field_error("role", _("Unknown role."), code="invalid_role")
    with transaction.atomic():
        membership = Membership.objects.select_for_update().filter(course=course, user=user).first()
        if membership is None:
            raise ValidationError(_("This person is not in the course."), code="not_member")
        if membership.role == Role.INSTRUCTOR and role != Role.INSTRUCTOR:
            others = Membership.objects.filter(course=course, role=Role.INSTRUCTOR).exclude(pk=membership.pk)
            if not others.exists():
                raise _field_error("role", _("A course needs at least one instructor."), code="last_instructor")
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


def membership_remove(*, course: Course, actor: Any, user: Any) -> None:
    """Remove someone from the course (instructors only; never the last instructor)."""
    _require(hs.can_manage(course=course, user=actor))
    membership = Membership.objects.filter(course=course, user=user).first()
    if membership is None:
        return
    if membership.role == Role.INSTRUCTOR and not Membership.objects.filter(
        course=course, role=Role.INSTRUCTOR
    ).exclude(pk=membership.pk).exists():
        raise ValidationError(_("A course needs at least one instructor."), code="last_instructor")
    membership.delete()


# ------------------------------------------------------------------------------- assignments


def _number(data: Mapping[str, Any], name: str, low: float, high: float) -> float:
    value = data[name]
    if isinstance(value, Decimal):
        value = float(value)
    elif isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            value = None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _field_error(name, _("Enter a number."))
    if not low <= value <= high:
        raise _field_error(name, _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high})
    return float(value)


def _integer(data: Mapping[str, Any], name: str, low: int, high: int) -> int:
    value = data[name]
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _field_error(name, _("Enter a whole number from %(low)s to %(high)s.") % {"low": low, "high": high})
    return value


def _boolean(data: Mapping[str, Any], name: str) -> bool:
    value = data[name]
    if not isinstance(value, bool):
        raise _field_error(name, _("Choose yes or no."))
    return value


def _when(data: Mapping[str, Any], name: str, *, required: bool) -> datetime | None:
    value = data.get(name)
    if value in (None, ""):
        if required:
            raise _field_error(name, _("Enter a date and time."), code="required")
        return None
    if isinstance(value, str):
        value = parse_datetime(value.strip())
    if not isinstance(value, datetime):
        raise _field_error(name, _("Enter a date and time."))
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _choice(data: Mapping[str, Any], name: str, choices: Iterable[str]) -> str:
    value = data[name]
    if value not in tuple(choices):
        raise _field_error(name, _("Choose one of the options."))
    return str(value)


def _grader_message(exc: Exception) -> str:
    field_name = getattr(exc, "field", "")
    message = getattr(exc, "message", "") or str(exc)
    return f"{field_name}: {message}" if field_name else str(message)


def _clean_template(config: Any) -> tuple[dict[str, Any], graders.Template]:
    """A template_config and its Template, with a usable sample variant; else ValidationError."""
    if not isinstance(config, dict) or not config:
        raise _field_error("template_config", _("Choose a network type or describe one."), code="required")
    if len(config_key(config)) > MAX_TEMPLATE_JSON:
        raise _field_error("template_config", _("The network description is too long."))
    if "builtin" in config:
        name = config["builtin"]
        if set(config) != {"builtin"} or not isinstance(name, str) or name not in graders.TEMPLATES:
            raise _field_error("template_config", _("Unknown network type “%(template)s”.")
                               % {"template": str(name)[:64]}, code="unknown_template")
    try:
        template = assignment_template(config=config)
        for index in range(1 if template.fixed else SEED_CHECKS):
            config_spec(config=config, seed=f"check-{index}")
    except graders.NoUsableVariant:
        raise _field_error(
            "template_config",
            _("These value ranges only give networks that cannot be graded well (saturated neurons "
              "or vanishing gradients). Widen or move the ranges."),
            code="no_usable_variant",
        ) from None
    except (graders.SpecError, ToleranceError, ValueError, TypeError) as exc:
        raise _field_error(
            "template_config",
            _("The network description is invalid: %(error)s") % {"error": _grader_message(exc)},
        ) from None
    return json.loads(config_key(config)), template


def _clean_parts(config: dict[str, Any], parts: Any, points: Any) -> tuple[list[str], dict[str, float]]:
    all_keys = [p.key for p in assignment_part_infos(config=config)]
    known = set(all_keys)
    if parts in (None, ""):
        parts = []
    if not isinstance(parts, list | tuple) or not all(isinstance(k, str) for k in parts):
        raise _field_error("parts", _("Choose the parts to ask."))
    unknown = [k for k in parts if k not in known]
    if unknown:
        raise _field_error("parts", _("Unknown part “%(part)s”.") % {"part": unknown[0][:64]})
    chosen = set(parts)
    clean_parts = [k for k in all_keys if k in chosen]
    if points in (None, ""):
        points = {}
    if not isinstance(points, Mapping):
        raise _field_error("points", _("Points must map part keys to numbers."))
    clean_points: dict[str, float] = {}
    for key, value in points.items():
        if key not in known:
            raise _field_error("points", _("Unknown part “%(part)s”.") % {"part": str(key)[:64]})
        clean_points[key] = _number({"points": value}, "points", 0, 1000)
    asked = clean_parts or all_keys
    if sum(clean_points.get(k, 1.0) for k in asked) <= 0:
        raise _field_error("points", _("The asked parts must be worth some points."))
    return clean_parts, {k: v for k, v in clean_points.items() if k in set(asked)}


def _clean_tolerance(value: Any) -> dict[str, Any]:
    if value in (None, ""):
        return graders.DEFAULT_TOLERANCE.to_dict()
    try:
        return graders.Tolerance.from_dict(value).to_dict()
    except ToleranceError as exc:
        raise _field_error("tolerance", _("Invalid tolerance: %(error)s") % {"error": _grader_message(exc)}) from None


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
        raise _field_error("title", _("An assignment needs a title of at most 200 characters."), code="required")
    clean["title"] = title.strip()
    instructions = merged["instructions"] or ""
    if not isinstance(instructions, str) or len(instructions) > 20_000:
        raise _field_error("instructions", _("Instructions are text of at most 20,000 characters."))
    clean["instructions"] = instructions
    clean["template_config"], _template = _clean_template(merged["template_config"])
    clean["parts"], clean["points"] = _clean_parts(clean["template_config"], merged["parts"], merged["points"])
    clean["tolerance"] = _clean_tolerance(merged["tolerance"])
    clean["followthrough"] = _boolean(merged, "followthrough")
    clean["followthrough_credit"] = _number(merged, "followthrough_credit", 0, 1)
    clean["attempts_allowed"] = _integer(merged, "attempts_allowed", 0, 1000)
    clean["attempt_penalty"] = _number(merged, "attempt_penalty", 0, 1)
    clean["opens_at"] = _when(merged, "opens_at", required=True)
    clean["due_at"] = _when(merged, "due_at", required=True)
    if clean["due_at"] <= clean["opens_at"]:
        raise _field_error("due_at", _("The due date must come after the opening date."))
    clean["late_policy"] = _choice(merged, "late_policy", Assignment.LatePolicy.values)
    clean["late_penalty_per_day"] = _number(merged, "late_penalty_per_day", 0, 1)
    clean["late_until"] = _when(merged, "late_until", required=False)
    if clean["late_policy"] == Assignment.LatePolicy.PENALTY:
        if clean["late_until"] is None:
            raise _field_error("late_until", _("Say until when late submissions are accepted."), code="required")
        if clean["late_until"] <= clean["due_at"]:
            raise _field_error("late_until", _("Late submissions must end after the due date."))
    else:
        clean["late_until"] = None
    clean["reveal"] = _choice(merged, "reveal", Assignment.Reveal.values)
    clean["show_diagnosis"] = _boolean(merged, "show_diagnosis")
    clean["scoring"] = _choice(merged, "scoring", Assignment.Scoring.values)
    return clean


def _settings_of(assignment: Assignment) -> dict[str, Any]:
    return {name: getattr(assignment, name) for name in ASSIGNMENT_FIELDS}


def assignment_create(*, course: Course, actor: Any, data: Mapping[str, Any]) -> Assignment:
    """A new assignment in the course (instructors only), its settings validated through graders."""
    _require(hs.can_manage(course=course, user=actor))
    clean = assignment_clean(data=data)
    now = timezone.now()
    return Assignment.objects.create(course=course, created_at=now, updated_at=now, **clean)


def assignment_update(*, assignment: Assignment, actor: Any, data: Mapping[str, Any]) -> Assignment:
    """Change an assignment's settings (instructors only; score-changing ones via regrade once graded)."""
    # Once students have submitted, the network can no longer change, and settings that change
    # given scores (REGRADE_FIELDS) go through a regrade (preview, apply) instead.
    _require(hs.can_manage(course=assignment.course, user=actor))
    current = _settings_of(assignment)
    clean = assignment_clean(data=data, base=current)
    submitted = Submission.objects.filter(variant__assignment=assignment)
    if clean["template_config"] != current["template_config"] and submitted.exists():
        raise _field_error(
            "template_config",
            _("Students have already submitted answers for these numbers; the network can no longer change."),
            code="locked",
        )
    changed = [name for name in REGRADE_FIELDS if clean[name] != current[name]]
    if changed and submitted.filter(status=Submission.Status.GRADED).exists():
        raise _field_error(
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
    _require(hs.can_manage(course=assignment.course, user=actor))
    assignment.delete()


def assignment_preview(*, data: Mapping[str, Any], seed: str = "preview") -> dict[str, Any]:
    """A sample variant of unsaved settings: {"spec", "givens", "parts", "expected"}."""
    if not isinstance(data, Mapping):
        raise ValidationError(_("Settings must be an object."), code="invalid")
    seed_validate(seed)
    config, _template = _clean_template(data.get("template_config"))
    parts, points = _clean_parts(config, data.get("parts"), data.get("points"))
    try:
        spec = config_spec(config=config, seed=seed)
    except graders.NoUsableVariant:
        raise _field_error("template_config", _("No usable network for this seed; try another."),
                           code="no_usable_variant") from None
    solution = graders.solve(spec)
    infos = assignment_part_infos(config=config, parts=tuple(parts))
    return {
        "spec": spec,
        "givens": dict(solution.givens),
        "parts": [{"key": p.key, "step": p.step, "points": points.get(p.key, 1.0)} for p in infos],
        "expected": {p.key: solution.values[p.key] for p in infos},
    }


# ---------------------------------------------------------------------------------- variants


def _usable_seed(assignment: Assignment, user_id: int, reseed: int) -> tuple[str, int]:
    """The first seed from `reseed` on whose network the grader accepts (a few tries)."""
    for step in range(10):
        seed = variant_seed(assignment=assignment, user_id=user_id, reseed=reseed + step)
        try:
            assignment_spec(assignment=assignment, seed=seed)
        except graders.NoUsableVariant:
            continue
        return seed, reseed + step
    raise ValidationError(_("No usable numbers could be drawn for this assignment; tell the course staff."),
                          code="no_usable_variant")


def homework_variant(*, assignment: Assignment, student: Any) -> Variant:
    """The student's variant of the assignment (created on first visit; the same ever after)."""
    if not _signed_in(student) or hs.role_in(course=assignment.course, user=student) != Role.STUDENT:
        raise PermissionDenied(_("Only the course's students have homework variants."))
    variant = Variant.objects.filter(assignment=assignment, owner=student).first()
    if variant is not None:
        return variant
    seed, reseed = _usable_seed(assignment, student.pk, 0)
    try:
        with transaction.atomic():
            return Variant.objects.create(
                template=template_label(assignment), seed=seed, owner=student, kind=Variant.Kind.HOMEWORK,
                assignment=assignment, reseed=reseed,
            )
    except IntegrityError:  # created by a concurrent request
        return Variant.objects.get(assignment=assignment, owner=student)


def homework_reseed(*, assignment: Assignment, student: Any, actor: Any) -> Variant:
    """Give one student new numbers (staff only); earlier submissions keep their own seed."""
    _require(hs.can_grade(course=assignment.course, user=actor))
    if hs.role_in(course=assignment.course, user=student) != Role.STUDENT:
        raise ValidationError(_("This person is not a student of the course."), code="not_student")
    variant = homework_variant(assignment=assignment, student=student)
    with transaction.atomic():
        variant = Variant.objects.select_for_update().get(pk=variant.pk)
        seed, reseed = _usable_seed(assignment, student.pk, variant.reseed + 1)
        variant.seed, variant.reseed = seed, reseed
        variant.save(update_fields=["seed", "reseed"])
    variant.__dict__.pop("spec", None)
    return variant


# ------------------------------------------------------------------------------- submissions


def homework_submit(*, assignment: Assignment, student: Any, answers: Mapping[str, Any]) -> Submission:
    """Check window, attempts and rate limit, store the submission as queued, enqueue its grading."""
    # By the server clock: the student is in the course, the assignment is open (or late
    # submissions are allowed), attempts are left, and the per-student rate limit holds.
    # Unreadable answers raise SubmissionFormatError: nothing is stored and no attempt is used.
    if not _signed_in(student) or hs.role_in(course=assignment.course, user=student) != Role.STUDENT:
        raise PermissionDenied(_("Only the course's students can submit homework."))
    now = timezone.now()
    window = hs.submission_window(
        assignment=assignment, extension_due=hs.extension_due(assignment=assignment, student=student), now=now
    )
    if window.status == hs.NOT_OPEN:
        raise ValidationError(_("This assignment is not open yet."), code="not_open")
    if window.status == hs.CLOSED:
        raise ValidationError(_("The deadline has passed; submissions are no longer accepted."), code="closed")
    variant = homework_variant(assignment=assignment, student=student)
    asked = {p.key for p in hs.assignment_parts(assignment=assignment)}
    if isinstance(answers, Mapping):
        answers = {k: v for k, v in answers.items() if k in asked}
    limit, seconds = _rate_limit()
    with transaction.atomic():
        # The row lock serialises one student's submits, so attempts cannot be overspent.
        variant = Variant.objects.select_for_update().get(pk=variant.pk)
        if assignment.attempts_allowed:
            used = Submission.objects.filter(variant=variant).exclude(status=Submission.Status.ERROR).count()
            if used >= assignment.attempts_allowed:
                raise ValidationError(_("You have used all your attempts."), code="no_attempts_left")
        recent = Submission.objects.filter(
            user=student, variant__kind=Variant.Kind.HOMEWORK, created_at__gte=now - timedelta(seconds=seconds)
        ).count()
        if recent >= limit:
            raise ValidationError(
                _("Too many submissions: at most %(limit)d in %(seconds)d seconds. Please wait a moment."),
                code="rate_limited",
                params={"limit": limit, "seconds": seconds},
            )
        kept = answers_clean(variant=variant, answers=answers)
        return submission_store(
            variant=variant, answers=kept, user=student, seed=variant.seed, late=window.status == hs.LATE
        )


def extension_grant(*, assignment: Assignment, actor: Any, student: Any, due_at: datetime) -> Extension:
    """Give one student a later due date (staff); granting again replaces it."""
    _require(hs.can_grade(course=assignment.course, user=actor))
    if hs.role_in(course=assignment.course, user=student) != Role.STUDENT:
        raise ValidationError(_("This person is not a student of the course."), code="not_student")
    due = _when({"due_at": due_at}, "due_at", required=True)
    if due <= assignment.due_at:
        raise _field_error("due_at", _("An extension must end after the assignment's due date."))
    extension, _created = Extension.objects.update_or_create(
        assignment=assignment, student=student, defaults={"due_at": due}
    )
    return extension


def extension_revoke(*, assignment: Assignment, actor: Any, student: Any) -> None:
    """Remove a student's extension (instructors only)."""
    _require(hs.can_manage(course=assignment.course, user=actor))
    Extension.objects.filter(assignment=assignment, student=student).delete()


# ----------------------------------------------------------------------------------- regrade


def _regrade_settings(assignment: Assignment, new_settings: Any) -> dict[str, Any]:
    """The validated grading settings a regrade would apply (only REGRADE_FIELDS and scoring)."""
    if not isinstance(new_settings, Mapping) or not new_settings:
        raise ValidationError(_("Say which settings to change."), code="empty")
    allowed = (*REGRADE_FIELDS, "scoring")
    other = sorted(str(k) for k in new_settings if k not in allowed)
    if other:
        raise ValidationError(
            _("A regrade changes only points, parts, tolerance, follow-through and penalties, not “%(name)s”.")
            % {"name": other[0][:64]},
            code="not_regradable",
        )
    clean = assignment_clean(data=new_settings, base=_settings_of(assignment))
    return {name: _jsonable(clean[name]) for name in allowed if name in new_settings}


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value))


def regrade_preview(*, assignment: Assignment, actor: Any, new_settings: Mapping[str, Any]) -> RegradeJob:
    """Start a background preview of which scores the new settings would change (staff)."""
    _require(hs.can_grade(course=assignment.course, user=actor))
    settings_ = _regrade_settings(assignment, new_settings)
    total = Submission.objects.filter(variant__assignment=assignment, status=Submission.Status.GRADED).count()
    job = RegradeJob.objects.create(
        assignment=assignment, created_by=actor, new_settings=settings_, status=RegradeJob.Status.PREVIEWING,
        total=total,
    )
    job_id = job.pk
    transaction.on_commit(lambda: _enqueue("preview", job_id))
    return job


def regrade_apply(*, job: RegradeJob, actor: Any) -> RegradeJob:
    """Apply a previewed regrade in the background: new settings and re-graded scores (instructors)."""
    _require(hs.can_manage(course=job.assignment.course, user=actor))
    with transaction.atomic():
        job = RegradeJob.objects.select_for_update().select_related("assignment__course").get(pk=job.pk)
        if job.status != RegradeJob.Status.PREVIEW_READY:
            raise ValidationError(_("Only a finished preview can be applied."), code="not_ready")
        if RegradeJob.objects.filter(assignment=job.assignment, status=RegradeJob.Status.APPLYING).exists():
            raise ValidationError(_("Another regrade of this assignment is being applied."), code="busy")
        job.status = RegradeJob.Status.APPLYING
        job.done = 0
        job.total = Submission.objects.filter(
            variant__assignment=job.assignment, status=Submission.Status.GRADED
        ).count()
        job.save(update_fields=["status", "done", "total"])
        job_id = job.pk
        transaction.on_commit(lambda: _enqueue("apply", job_id))
    return job


def _enqueue(kind: str, job_id: int) -> None:
    from .tasks import regrade_apply_task, regrade_preview_task

    task = regrade_preview_task if kind == "preview" else regrade_apply_task
    try:
        task.delay(job_id)
    except Exception as exc:  # broker down: say so on the job rather than leave it spinning
        logger.warning("regrade %s: could not enqueue job %s: %s", kind, job_id, exc)
        RegradeJob.objects.filter(pk=job_id).update(
            status=RegradeJob.Status.ERROR, error="The task queue is unreachable; try again.",
            finished_at=timezone.now(),
        )


def _with_settings(assignment: Assignment, new_settings: Mapping[str, Any]) -> Assignment:
    """An unsaved copy of the assignment with the new settings."""
    copy = Assignment.objects.get(pk=assignment.pk)
    for name, value in new_settings.items():
        setattr(copy, name, value)
    return copy


REGRADE_BATCH = 200


def _regrade_batches(assignment: Assignment, *, since: datetime | None = None) -> Iterable[list[Submission]]:
    """The assignment's graded submissions, in batches."""
    query = Submission.objects.filter(variant__assignment=assignment, status=Submission.Status.GRADED)
    if since is not None:
        query = query.filter(graded_at__gte=since)
    query = query.select_related("user", "variant").only(
        "id", "seed", "answers", "score", "penalty", "final_score", "report", "attempt_number", "late",
        "created_at", "user__id", "user__username", "variant__id", "variant__seed",
    ).order_by("pk")
    batch: list[Submission] = []
    for submission in query.iterator(chunk_size=REGRADE_BATCH):
        batch.append(submission)
        if len(batch) >= REGRADE_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _regrade_one(assignment: Assignment, policy: graders.Policy, dues: Mapping[int, datetime],
                 submission: Submission) -> tuple[dict[str, Any], float, float, float]:
    """(report, score, penalty, final score) of a stored submission under the assignment's settings."""
    seed = submission.seed or submission.variant.seed
    report = graders.grade(assignment_spec(assignment=assignment, seed=seed), submission.answers, policy).to_dict()
    score = float(report["score"])
    penalty = submission_penalty(
        assignment=assignment, attempt_number=submission.attempt_number, late=submission.late,
        created_at=submission.created_at, due_at=dues.get(submission.user_id, assignment.due_at),
    )
    return report, score, penalty, score * (1.0 - penalty)


def _dues(assignment: Assignment) -> dict[int, datetime]:
    return {
        student: hs.submission_window(assignment=assignment, extension_due=due).due_at
        for student, due in Extension.objects.filter(assignment=assignment).values_list("student_id", "due_at")
    }


def regrade_run_preview(*, job_id: int) -> None:
    """Fill a previewing job's `changes` (called by the Celery task; idempotent)."""
    job = RegradeJob.objects.select_related("assignment").filter(pk=job_id).first()
    if job is None or job.status != RegradeJob.Status.PREVIEWING:
        return
    try:
        assignment = _with_settings(job.assignment, job.new_settings)
        policy = assignment_policy(assignment=assignment)
        dues = _dues(assignment)
        changes: list[dict[str, Any]] = []
        done = 0
        for batch in _regrade_batches(assignment):
            for submission in batch:
                _report, score, _penalty, final = _regrade_one(assignment, policy, dues, submission)
                old = submission.final_score
                if old is None or abs(old - final) > 1e-9:
                    changes.append({
                        "submission": str(submission.pk),
                        "student": submission.user.username if submission.user else "",
                        "student_id": submission.user_id,
                        "attempt": submission.attempt_number,
                        "old": None if old is None else round(old, 6),
                        "new": round(final, 6),
                        "old_score": None if submission.score is None else round(submission.score, 6),
                        "new_score": round(score, 6),
                    })
            done += len(batch)
            RegradeJob.objects.filter(pk=job_id).update(done=done)
        RegradeJob.objects.filter(pk=job_id, status=RegradeJob.Status.PREVIEWING).update(
            status=RegradeJob.Status.PREVIEW_READY, changes=changes, done=done, total=max(done, job.total),
            finished_at=timezone.now(),
        )
    except Exception as exc:
        logger.exception("regrade preview %s failed", job_id)
        RegradeJob.objects.filter(pk=job_id).update(
            status=RegradeJob.Status.ERROR, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now()
        )


def regrade_run_apply(*, job_id: int) -> None:
    """Write the new settings and every re-graded score of an applying job (Celery task; idempotent)."""
    job = RegradeJob.objects.select_related("assignment").filter(pk=job_id).first()
    if job is None or job.status != RegradeJob.Status.APPLYING:
        return
    try:
        started = timezone.now()
        assignment = job.assignment
        with transaction.atomic():
            for name, value in job.new_settings.items():
                setattr(assignment, name, value)
            assignment.updated_at = started
            assignment.save()
        policy = assignment_policy(assignment=assignment)
        dues = _dues(assignment)
        done = 0
        # Second pass: submissions a worker graded with the old settings while this ran.
        for since in (None, started):
            for batch in _regrade_batches(assignment, since=since):
                for submission in batch:
                    report, score, penalty, final = _regrade_one(assignment, policy, dues, submission)
                    submission.report, submission.score = report, score
                    submission.penalty, submission.final_score = penalty, final
                with transaction.atomic():
                    Submission.objects.bulk_update(batch, ["report", "score", "penalty", "final_score"])
                if since is None:
                    done += len(batch)
                    RegradeJob.objects.filter(pk=job_id).update(done=done)
        RegradeJob.objects.filter(pk=job_id, status=RegradeJob.Status.APPLYING).update(
            status=RegradeJob.Status.APPLIED, done=done, total=max(done, job.total), finished_at=timezone.now()
        )
    except Exception as exc:
        logger.exception("regrade apply %s failed", job_id)
        RegradeJob.objects.filter(pk=job_id).update(
            status=RegradeJob.Status.ERROR, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now()
        )
