"""The grading core's validation errors in the reader's language. `graders.SpecError` and
`graders.tolerance.ToleranceError` carry a code and its numbers; this turns them into a
translated line that names the field as the form does. Any other exception gets a general
translated sentence: a library's own text (numpy's, Python's) never reaches a page."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from graders.spec import SpecError
from graders.tolerance import ToleranceError

FIELD_LABELS = {
    "layers": _("Layer sizes"),
    "activations": _("Activations"),
    "loss": _("Loss"),
    "bias": _("Intercepts"),
    "train_biases": _("Intercepts get gradients and updates too"),
    "learning_rate": _("Learning rate η"),
    "inputs": _("Inputs"),
    "weights": _("Weights"),
    "biases": _("Intercepts (biases)"),
    "targets": _("Targets"),
    "kind": _("Tolerance"),
    "value": _("Tolerance"),
    "tolerance": _("Tolerance"),
    "steps": _("Training steps"),
}

SPEC_MESSAGES = {
    "not_a_number": _("must be a number."),
    "not_finite": _("must be a finite number."),
    "wrong_length": _("must be a list of %(size)s numbers."),
    "layer_count": _("must list from 2 to %(high)s layer sizes."),
    "layer_size": _("must be a whole number from 1 to %(high)s."),
    "activation_count": _("must name %(count)s activations, one per layer after the inputs."),
    "unknown_activation": _("“%(name)s” is not an activation: use sigmoid, tanh, relu, linear or softmax."),
    "output_only": _("%(name)s is allowed on the output layer only."),
    "unknown_loss": _("“%(name)s” is not a loss this site knows."),
    "loss_needs_softmax": _("this loss needs a softmax output layer."),
    "loss_needs_probabilities": _("this loss needs sigmoid or softmax outputs."),
    "unknown_bias": _("choose one of the intercept options."),
    "not_boolean": _("must be yes or no."),
    "training_steps": _("must be a whole number of training steps from 1 to %(high)s."),
    "weight_matrices": _("must hold %(count)s weight matrices, one per layer after the inputs."),
    "weight_rows": _("must have %(rows)s rows of %(cols)s numbers."),
    "bias_lists": _("must hold %(count)s lists, one per layer after the inputs."),
    "not_an_object": _("must be a JSON object."),
    "not_positive": _("must be greater than 0."),
    "targets_unit_interval": _("must lie from 0 to 1 for this loss."),
    "overflow": _("these values make %(quantity)s too large to compute: use smaller numbers."),
    "range_shape": _("must be three numbers: from, to and step."),
    "range_invalid": _("needs from ≤ to, a step above 0 and at most 1000 values."),
    "range_only_zero": _("needs a value other than 0: zero is never drawn, so widen the range."),
}

TOLERANCE_MESSAGES = {
    "unknown_kind": _("choose one of the tolerance kinds."),
    "not_finite": _("must be a finite number."),
    "whole_number": _("must be a whole number from %(low)s to %(high)s."),
    "relative_range": _("a relative tolerance must be from 0 to 1."),
    "negative": _("an absolute tolerance must not be negative."),
    "not_an_object": _("must be an object with kind and value."),
    "unknown_field": _("is not a tolerance setting (use kind and value)."),
    "value_required": _("needs a value for this kind."),
}

_PATH = re.compile(r"^(?P<name>[a-z_]+)(?P<index>(\[\d+\])*)$")


def field_label(path: str) -> str:
    """A grader field path in the form's words: weights[0][1] → "Weights [0][1]"; "" for the whole."""
    match = _PATH.match(path or "")
    if match is None or match["name"] in ("spec", "template"):
        return ""
    label = FIELD_LABELS.get(match["name"])
    if label is None:
        return ""
    return f"{label} {match['index']}" if match["index"] else str(label)


def grader_error_message(exc: BaseException) -> str:
    """A translated line for a grader validation error ("Layer sizes [1]: must be a whole number
    from 1 to 8."); a general sentence for anything without a known code."""
    table: dict[str, Any] = {}
    if isinstance(exc, SpecError):
        table = SPEC_MESSAGES
    elif isinstance(exc, ToleranceError):
        table = TOLERANCE_MESSAGES
    template = table.get(getattr(exc, "code", ""))
    if template is None:
        return gettext("The values do not describe a network this site can grade.")
    try:
        message = str(template) % dict(getattr(exc, "params", {}) or {})
    except (KeyError, TypeError, ValueError):
        return gettext("The values do not describe a network this site can grade.")
    label = field_label(str(getattr(exc, "field", "")))
    return gettext("%(field)s: %(message)s") % {"field": label, "message": message} if label else message
