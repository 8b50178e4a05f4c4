"""Adaptive practice writes (services): "Practise what I get wrong" makes the next exercise.

The focus (a step, and why) comes from the student's mastery (`mastery.progress_for_user`, rules
in `graders.adaptive`); the network type is the least recently used one where the focused
misconception can occur; the variant asks only the focused step's parts and gives the earlier
quantities they read. Its numbers are frozen like every practice variant's, and the focus is
stored on it (`Variant.focus`), so the grader grades only the asked parts."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction

import graders
from graders.adaptive import ADAPTIVE_TEMPLATES, choose_template, focus_parts

from ..grading.variants import variant_solution
from ..models import Variant
from .mastery import current_focus_variant, progress_for_user
from .services import variant_create


def adaptive_variant_create(*, user: AbstractBaseUser | Any, now: float | None = None) -> Variant:
    """The next adaptive exercise of a signed-in user: the unanswered one if it has the same
    focus, else a new practice variant asking only the focused step's parts."""
    if user is None or not user.is_authenticated:
        raise PermissionDenied("adaptive practice needs a signed-in student")
    progress = progress_for_user(user=user, now=now)
    focus = progress.focus
    current = current_focus_variant(user=user)
    if current is not None and current.focus.get("step") == focus.step and not current.submissions.exists():
        return current
    template = choose_template([graders.TEMPLATES[name] for name in ADAPTIVE_TEMPLATES],
                               misconception=focus.misconception, last_used=progress.last_used)
    with transaction.atomic():
        variant = variant_create(template=template.name, owner=user)
        parts = focus_parts(variant_solution(variant=variant).graph, focus.step)
        variant.focus = {
            "step": focus.step,
            "reason": focus.reason,
            "misconception": focus.misconception,
            "parts": list(parts.asked),
            "given": list(parts.given),
        }
        variant.save(update_fields=["focus"])
    return variant
