"""Practice writes: variants of a built-in template, submissions, "show answer", claiming anonymous work."""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

import graders

from ..grading.hints import hint_next, hint_part_check
from ..grading.numbers import numbers_freeze
from ..grading.reveal import revealed_parts
from ..grading.specs import template_spec
from ..grading.store import answers_clean, submission_store
from ..grading.variants import variant_solution
from ..models import Submission, Variant
from .selectors import seed_is_homework

SEED_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
# Homework seeds drawn before homework had seeds of its own ("hw:…", outside SEED_RE) looked like this.
LEGACY_HOMEWORK_SEED_RE = re.compile(r"[0-9a-f]{16}")
# The session key of the variants a browser opened (practice URL → variant id); the pages write
# it, the login receiver reads it (defined here so the receiver does not import the views).
SESSION_VARIANTS = "practice_variants"


def seed_validate(seed: str) -> str:
    """Return the seed if it is 1–64 characters of [A-Za-z0-9_-], else raise ValidationError."""
    if not isinstance(seed, str) or not SEED_RE.fullmatch(seed):
        raise ValidationError(
            _("A seed is 1 to 64 characters: letters, digits, “-” and “_”."), code="invalid_seed"
        )
    return seed


def practice_seed_validate(*, seed: str) -> str:
    """A seed practice may use: seed_validate's rule, and never a homework variant's seed (typed
    into practice it would reproduce that student's homework numbers and their worked solution)."""
    seed_validate(seed)
    if LEGACY_HOMEWORK_SEED_RE.fullmatch(seed) and seed_is_homework(seed=seed):
        raise ValidationError(_("This seed cannot be used for practice; choose another one."), code="reserved_seed")
    return seed


def template_validate(template: str) -> str:
    """Return the template name if the grader knows it, else raise ValidationError."""
    if not isinstance(template, str) or template not in graders.TEMPLATES:
        raise ValidationError(
            _("Unknown network type “%(template)s”."),
            code="unknown_template",
            params={"template": str(template)[:64]},
        )
    return template


def variant_create(
    *,
    template: str,
    seed: str | None = None,
    owner: AbstractBaseUser | None = None,
    session_key: str = "",
) -> Variant:
    """Create a practice variant of a built-in template, its numbers frozen; a random seed when none is given."""
    template_validate(template)
    seed = secrets.token_urlsafe(12) if seed is None or seed == "" else practice_seed_validate(seed=seed)
    if owner is not None and not owner.is_authenticated:
        owner = None
    numbers = numbers_freeze(spec=template_spec(template=template, seed=seed))
    variant = Variant(
        template=template,
        seed=seed,
        owner=owner,
        session_key="" if owner is not None else (session_key or ""),
        kind=Variant.Kind.PRACTICE,
        numbers=numbers,
        generator_version=graders.GENERATOR_VERSION,
    )
    variant.full_clean()
    variant.save(force_insert=True)
    return variant


def submission_create(
    *,
    variant: Variant,
    answers: Mapping[str, Any],
    user: AbstractBaseUser | None = None,
    session_key: str = "",
) -> Submission:
    """Check the answers' format, store the practice submission as queued and enqueue its grading."""
    if variant.is_homework:  # deadlines, attempts: the course's homework_submit
        raise ValidationError(_("Homework is submitted on its assignment's page."), code="homework")
    kept = answers_clean(variant=variant, answers=answers)
    return submission_store(variant=variant, answers=kept, user=user, session_key=session_key)


def variant_reveal_part(*, variant: Variant, part_key: str) -> Variant:
    """"Show answer": record that the student asked to see one part's expected value and worked
    lines (practice only; kept on the variant, for the history and later mastery)."""
    if variant.is_homework:
        raise ValidationError(_("Homework answers are shown by the assignment's own rule."), code="homework")
    keys = {part.key for part in variant_solution(variant=variant).parts}
    if not isinstance(part_key, str) or part_key not in keys:
        raise ValidationError(_("This exercise has no such part."), code="unknown_part")
    with transaction.atomic():
        variant = Variant.objects.select_for_update().get(pk=variant.pk)
        if part_key not in (variant.revealed_parts or []):
            variant.revealed_parts = [*(variant.revealed_parts or []), part_key]
            variant.save(update_fields=["revealed_parts"])
    return variant


def practice_hint(*, variant: Variant, part_key: Any) -> int:
    """Show the next hint level (1–3) of a practice part and return it. Only for parts whose answer
    is not shown yet (solved, revealed or answered wrongly too often: the answer says more)."""
    if variant.is_homework:
        raise ValidationError(_("Homework hints are asked on the assignment's page."), code="homework")
    part_key = hint_part_check(variant=variant, part_key=part_key)
    if part_key in revealed_parts(variant):
        raise ValidationError(_("This part's answer is already shown: it needs no hint."), code="revealed")
    return hint_next(variant=variant, part_key=part_key)


def practice_claim_anonymous(*, user: AbstractBaseUser, variant_ids: list[str]) -> int:
    """Give a signed-in user the practice work of the anonymous session they just left.

    Logging in rotates the session key, so the old key is found through the practice variants
    the session remembers; every anonymous variant and submission of that key moves to the user.
    """
    ids = [pk for pk in (_uuid_or_none(v) for v in variant_ids) if pk is not None]
    old_keys = list(
        Variant.objects.filter(pk__in=ids, owner__isnull=True, kind=Variant.Kind.PRACTICE)
        .exclude(session_key="")
        .values_list("session_key", flat=True)
        .distinct()
    )
    if not old_keys:
        return 0
    with transaction.atomic():
        Variant.objects.filter(session_key__in=old_keys, owner__isnull=True).update(owner=user, session_key="")
        return Submission.objects.filter(session_key__in=old_keys, user__isnull=True).update(
            user=user, session_key=""
        )


def _uuid_or_none(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None
