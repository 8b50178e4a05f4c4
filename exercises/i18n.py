"""Translated names for the grader's vocabulary (steps, statuses) and picking a language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

STEP_TITLES: dict[str, Promise] = {
    "forward": _("Forward pass"),
    "error": _("Error"),
    "output_gradients": _("Output-layer gradients"),
    "hidden_gradients": _("Hidden-layer gradients"),
    "updates": _("Updates"),
}

STEP_HINTS: dict[str, Promise] = {
    "forward": _(
        "The net input and the output of every neuron, layer by layer: net = Σ w·in + b, out = f(net)."
    ),
    "error": _("The error of each output and their sum E_total (for squared error, E = ½(target − out)²)."),
    "output_gradients": _(
        "The chain rule for the weights into the output layer: ∂E_total/∂out · ∂out/∂net · ∂net/∂w."
    ),
    "hidden_gradients": _(
        "The error reaches a hidden neuron through every output it feeds: "
        "sum those paths, using the weights before the update."
    ),
    "updates": _("Gradient descent: w⁺ = w − η · ∂E_total/∂w, and the error after the update."),
}

# Training step 2 (and later) of a multi-step exercise: what changes from step 1.
LATER_STEP_HINTS: dict[str, Promise] = {
    "forward": _(
        "This step starts from the previous step's updated weights w⁺ (inputs, biases and targets stay): "
        "net⁽²⁾ = Σ w⁺·in + b, out⁽²⁾ = f(net⁽²⁾)."
    ),
    "hidden_gradients": _(
        "As in step 1, sum the paths through every output, using this step's weights w⁺ (before this step's update)."
    ),
    "updates": _("Gradient descent again: w⁺⁺ = w⁺ − η · ∂E_total⁽²⁾/∂w, and the error after both updates."),
}

# A loss other than ½ squared error (the spec's "loss") has hints of its own for the steps it changes.
LOSS_STEP_HINTS: dict[str, dict[str, Promise]] = {
    "ce": {
        "forward": _(
            "The net input and the output of every neuron, layer by layer: net = Σ w·in + b; hidden "
            "out = f(net); the softmax outputs out_o = e^net_o / Σ e^net (they sum to 1)."
        ),
        "error": _(
            "The cross-entropy error of each output and their sum E_total: E_o = −target_o · ln(out_o)."
        ),
        "output_gradients": _(
            "With softmax and cross-entropy the chain rule collapses: δ_o = ∂E_total/∂net_o = out_o − target_o, "
            "and ∂E_total/∂w = δ_o · out_h."
        ),
    },
    "mse": {
        "error": _("The error of each output and their mean E_total: E_o = (target − out)² / K for K outputs."),
    },
    "bce": {
        "error": _(
            "The binary cross-entropy of each output and their sum E_total: "
            "E_o = −(target · ln(out) + (1 − target) · ln(1 − out))."
        ),
    },
}

SUBMISSION_STATUS_LABELS: dict[str, Promise] = {
    "queued": _("Queued"),
    "grading": _("Grading"),
    "graded": _("Graded"),
    "error": _("Grading failed"),
}

PART_STATUS_LABELS: dict[str, Promise] = {
    "correct": _("Correct"),
    "followthrough": _("Follow-through"),
    "incorrect": _("Incorrect"),
    "invalid": _("Format error"),
    "missing": _("Not answered"),
}

PART_STATUS_HELP: dict[str, Promise] = {
    "followthrough": _(
        "Wrong compared with the reference, but right from your own earlier answers: "
        "you get credit for the method."
    ),
    "invalid": _("This answer could not be read; it was not graded."),
}


def grader_language() -> str:
    """The grader's language key ("en" or "zh") for the language of the current request."""
    language = (get_language() or "en").lower()
    return "zh" if language.startswith("zh") else "en"


def pick_language(texts: Mapping[str, str] | str | None) -> str:
    """The current language's entry of a {"en": …, "zh": …} mapping (English as fallback)."""
    if texts is None:
        return ""
    if isinstance(texts, str):
        return texts
    return texts.get(grader_language()) or texts.get("en") or next(iter(texts.values()), "")


def training_section(section: str) -> tuple[int, str]:
    """A page group's training step and step: "s2_forward" → (2, "forward"), "error" → (1, "error")."""
    head, sep, rest = section.partition("_")
    if sep and len(head) > 1 and head[0] == "s" and head[1:].isdigit() and rest in STEP_TITLES:
        return int(head[1:]), rest
    return 1, section


def section_title(section: str) -> str:
    """A group's title: "Forward pass", or for training step 2 "Training step 2 · Forward pass"."""
    t, step = training_section(section)
    title = str(STEP_TITLES.get(step, step))
    if t == 1:
        return title
    return _("Training step %(number)s · %(step)s") % {"number": t, "step": title}


def step_hint_for(step: str, spec: Mapping[str, Any] | None = None) -> str:
    """The hint of a step for a network: its loss's own hint where it has one, else the general one;
    a later training step's says what it starts from."""
    t, step = training_section(step)
    loss = str((spec or {}).get("loss") or "half_sse")
    hint = (LATER_STEP_HINTS.get(step) if t > 1 else None) or LOSS_STEP_HINTS.get(loss, {}).get(step) \
        or STEP_HINTS.get(step)
    return str(hint) if hint is not None else ""
