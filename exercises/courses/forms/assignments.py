"""The assignment authoring form: the network (ready-made, own shape and ranges, or fixed
values typed into a grid per layer: `network_values`), the parts asked (a checklist per part, or per step for large networks), the grading
settings, the dates and what students see. It shapes what was typed into the service's `data`;
the rules (valid networks, dates in order, late windows) are the services', whose errors
`attach_errors` puts back on the fields."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import graders
from graders.variants import Template

from ...i18n import pick_language
from ...web.sheets import parts_by_step
from ..window import reveal_risky
from .common import DATETIME_FORMAT, datetime_widget
from .grading import PART_KEY, POINT_SECTIONS, GradingFields
from .network_fields import GRIDS, NetworkShapeFields
from .network_values import initial_values, shape_of

NETWORK_CHOICES = [
    ("builtin", _("A ready-made network")),
    ("custom", _("My own network shape and value ranges")),
    ("fixed", _("Fixed values (the same numbers for everyone)")),
]
LOSS_CHOICES = [
    ("half_sse", _("½ squared error (the article's)")),
    ("mse", _("Mean squared error")),
    ("ce", _("Cross-entropy (softmax outputs)")),
]
BIAS_CHOICES = [
    ("shared", _("One intercept per layer (the article's b1, b2)")),
    ("per_neuron", _("One intercept per neuron")),
    ("none", _("No intercepts")),
]
LATE_CHOICES = [("none", _("Not accepted after the due date")), ("penalty", _("Accepted with a penalty per day"))]
REVEAL_CHOICES = [
    ("after_submission", _("After each submission")),
    ("after_last", _("After the student's last attempt, or after the due date")),
    ("after_due", _("After the due date")),
    ("never", _("Never")),
]
# Shown on the form (and after saving) while answers are revealed after each of several attempts.
REVEAL_WARNING = _(
    "Careful: with more than one attempt, the answers shown after a submission can be typed into the "
    "next attempt. Reveal them after the student's last attempt, or allow one attempt."
)
GRID_TITLES = {
    "inputs": _("Inputs"),
    "weights": _("Weights"),
    "biases": _("Intercepts (biases)"),
    "targets": _("Targets"),
}
# More parts than this (the 4-8-8-3 network has 340) are chosen by step, not one by one:
# one checkbox each would pass DATA_UPLOAD_MAX_NUMBER_FIELDS.
MAX_PART_CHECKBOXES = 120
DEFAULT_TEMPLATE = "article-random"
SIGNATURE_FIELD = "checklist_signature"


class PartKeysField(forms.MultipleChoiceField):
    """Part keys of whatever network the form describes (the services check them against it)."""

    def valid_value(self, value: Any) -> bool:
        return bool(PART_KEY.match(str(value)))


class AssignmentForm(NetworkShapeFields, GradingFields):
    """Everything an assignment is made of. `assignment_data()` returns the service's `data`."""

    title = forms.CharField(label=_("Title"), max_length=200)
    instructions = forms.CharField(
        label=_("Instructions for students"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    network = forms.ChoiceField(label=_("Network"), choices=NETWORK_CHOICES, initial="builtin", widget=forms.RadioSelect)
    builtin = forms.ChoiceField(label=_("Ready-made network"), required=False, initial=DEFAULT_TEMPLATE)
    layers = forms.CharField(
        label=_("Layer sizes"),
        required=False,
        initial="2-2-2",
        max_length=40,
        help_text=_("Inputs first, outputs last, for example 2-3-1 (at most 8 neurons a layer)."),
    )
    activations = forms.CharField(
        label=_("Activations"),
        required=False,
        initial="sigmoid, sigmoid",
        max_length=120,
        help_text=_("One per layer after the inputs: sigmoid, tanh, relu, linear; softmax on the output layer only."),
    )
    loss = forms.ChoiceField(label=_("Loss"), choices=LOSS_CHOICES, initial="half_sse")
    bias = forms.ChoiceField(label=_("Intercepts"), choices=BIAS_CHOICES, initial="shared")
    train_biases = forms.BooleanField(label=_("Intercepts get gradients and updates too"), required=False)
    learning_rate = forms.FloatField(
        label=_("Learning rate η"),
        initial=0.5,
        min_value=0.000001,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    parts = PartKeysField(label=_("Parts asked"), required=False)
    steps = forms.MultipleChoiceField(
        label=_("Steps asked"),
        required=False,
        choices=[(step, step) for step in graders.STEPS],
    )
    show_diagnosis = forms.BooleanField(
        label=_("Show diagnosis feedback"),
        required=False,
        initial=True,
        help_text=_("Name the likely misconception behind a wrong answer, such as a flipped sign."),
    )
    attempts_allowed = forms.IntegerField(
        label=_("Attempts allowed"), initial=3, min_value=0, max_value=1000, help_text=_("0 = unlimited.")
    )
    opens_at = forms.DateTimeField(label=_("Opens"), widget=datetime_widget())
    due_at = forms.DateTimeField(label=_("Due"), widget=datetime_widget())
    late_policy = forms.ChoiceField(label=_("Late submissions"), choices=LATE_CHOICES, initial="none")
    late_until = forms.DateTimeField(
        label=_("Late submissions accepted until"),
        required=False,
        widget=datetime_widget(),
        help_text=_("Needed when late submissions are accepted."),
    )
    reveal = forms.ChoiceField(
        label=_("Show expected answers and worked solutions"),
        choices=REVEAL_CHOICES,
        initial="after_due",
        widget=forms.RadioSelect,
    )

    # Field names of the template section (where a template_config error is shown); the fixed
    # values' boxes come on top (`template_fields`).
    TEMPLATE_FIELDS = ("network", "builtin", "layers", "activations", "loss", "bias", "train_biases",
                       "learning_rate",
                       *(f"{grid}_{end}" for grid in GRIDS for end in ("low", "high", "step")))
    SHAPE_FIELDS = ("layers", "activations", "loss", "bias", "train_biases", "learning_rate")

    def __init__(self, *args: Any, part_infos: Iterable[graders.PartInfo] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["builtin"].choices = builtin_choices()
        defaults = Template("custom", {}, {}, (1, 1), ("linear",))
        for grid in GRIDS:
            spacing = getattr(defaults, grid)
            for end, initial in (("low", spacing.low), ("high", spacing.high), ("step", spacing.step)):
                self.fields[f"{grid}_{end}"] = forms.FloatField(
                    label={"low": _("from"), "high": _("to"), "step": _("step")}[end],
                    required=False,
                    initial=initial,
                    widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal", "class": "grid-input"}),
                )
        if not self.is_bound:
            now = timezone.localtime().replace(second=0, microsecond=0)
            self.initial.setdefault("opens_at", now)
            self.initial.setdefault("due_at", (now + timedelta(days=7)).replace(hour=23, minute=59))
        self.values_grid = self._add_values_grid()
        self.set_parts(part_infos)

    # ------------------------------------------------------------------- the parts checklist

    def set_parts(self, part_infos: Iterable[graders.PartInfo]) -> None:
        """The network's parts, for the checklist (grouped by step) and the points per step."""
        self.part_infos = list(part_infos)
        self.fields["parts"].choices = [(part.key, part.key) for part in self.part_infos]

    @property
    def by_part(self) -> bool:
        """Checkboxes per part (False: per step, for very large networks)."""
        return len(self.part_infos) <= MAX_PART_CHECKBOXES

    def keys_by_step(self) -> dict[str, list[str]]:
        """The network's part keys grouped by step."""
        return parts_by_step(self.part_infos)

    def signature(self) -> str:
        """A short fingerprint of the network's part keys: the checklist posts it back, so a
        changed network (another type, other layer sizes) is noticed and starts afresh."""
        keys = ",".join(part.key for part in self.part_infos)
        return hashlib.sha256(keys.encode()).hexdigest()[:16]

    def network_changed(self) -> bool:
        """True when the posted checklist belongs to another network than the one described now."""
        posted = self.data.get(SIGNATURE_FIELD) if self.is_bound else None
        return bool(posted) and posted != self.signature()

    def checked_parts(self) -> set[str]:
        """The part keys ticked (everything on a fresh form or a network that just changed)."""
        keys = {part.key for part in self.part_infos}
        if not self.is_bound:
            initial = self.initial.get("parts")
            return set(initial) if initial else keys
        if self.network_changed():
            return keys
        if self.by_part:
            return set(self.data.getlist("parts")) if hasattr(self.data, "getlist") else set(self.data.get("parts", []))
        steps = set(self.data.getlist("steps")) if hasattr(self.data, "getlist") else set(self.data.get("steps", []))
        return {part.key for part in self.part_infos if part.step in steps}

    def asked_parts(self) -> list[str]:
        """The keys asked, in the network's order; [] means every part (call after cleaning)."""
        keys = [part.key for part in self.part_infos]
        if self.by_part:
            chosen = set(self.cleaned_data.get("parts") or [])
        else:
            steps = set(self.cleaned_data.get("steps") or [])
            chosen = {part.key for part in self.part_infos if part.step in steps}
        if keys and chosen >= set(keys):
            return []
        ordered = [key for key in keys if key in chosen]
        # Keys of another network (its template changed without the script): the services judge them.
        return ordered + sorted(chosen - set(keys))

    def asked_keys_by_step(self) -> dict[str, list[str]]:
        asked = set(self.asked_parts()) or {part.key for part in self.part_infos}
        return {step: [key for key in keys if key in asked] for step, keys in self.keys_by_step().items()}

    # ---------------------------------------------------------------------------- the network

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        network = data.get("network")
        if network == "builtin" and not data.get("builtin"):
            self.add_error("builtin", _("Choose a network."))
        if network in ("custom", "fixed"):
            for name in ("layers", "activations"):
                if not data.get(name):
                    self.add_error(name, _("This field is required."))
        if network == "fixed":
            self._clean_values_grid()
        if network in ("custom", "fixed"):
            self._check_network()
        if self.part_infos and self.network_changed():
            self.add_error(
                "parts" if self.by_part else "steps",
                _("The network changed: check the parts asked (every part of the new network is ticked now)."),
            )
        elif self.part_infos and not self.asked_parts_raw():
            self.add_error("parts" if self.by_part else "steps", _("Ask at least one part."))
        return data

    def asked_parts_raw(self) -> set[str]:
        if self.by_part:
            return set(self.cleaned_data.get("parts") or [])
        return set(self.cleaned_data.get("steps") or [])

    def template_config(self) -> dict[str, Any] | None:
        """The network as `Assignment.template_config`, or None if its fields are not valid."""
        data = self.cleaned_data
        network = data.get("network")
        if network == "builtin":
            name = data.get("builtin")
            return {"builtin": name} if name else None
        if network == "fixed":
            grid = self.values_grid
            if grid is None or any(name in self.errors for name in self.template_fields()):
                return None
            shape = {**self.shape_config(), "learning_rate": data.get("learning_rate") or 0.5}
            return {**shape, "fixed": grid.spec(data, shape)}
        if network == "custom":
            if any(name in self.errors for name in self.TEMPLATE_FIELDS):
                return None
            config: dict[str, Any] = {
                **self.shape_config(),
                "train_biases": bool(data.get("train_biases")),
                "learning_rate": data.get("learning_rate") or 0.5,
            }
            for grid in GRIDS:
                ends = [data.get(f"{grid}_{end}") for end in ("low", "high", "step")]
                if all(value is not None for value in ends):
                    config[grid] = ends
            return config
        return None

    def reveal_warning(self) -> bool:
        """Whether the form, as filled in now, reveals answers after each of several attempts."""
        attempts = str(self["attempts_allowed"].value() or "0").strip()
        allowed = int(attempts) if attempts.isdigit() else None
        return reveal_risky(reveal=str(self["reveal"].value() or ""), attempts_allowed=allowed)

    def assignment_data(self) -> dict[str, Any]:
        """The service's `data` (Assignment field names), from a valid form."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "instructions": data.get("instructions") or "",
            "template_config": self.template_config(),
            "parts": self.asked_parts(),
            **self.grading_data(self.asked_keys_by_step()),
            "show_diagnosis": bool(data.get("show_diagnosis")),
            "attempts_allowed": data.get("attempts_allowed") or 0,
            "opens_at": data.get("opens_at"),
            "due_at": data.get("due_at"),
            "late_policy": data.get("late_policy") or "none",
            "late_until": data.get("late_until"),
            "reveal": data.get("reveal") or "after_due",
        }

    def initial_data(self) -> QueryDict:
        """An unbound form's initial values as the browser would post them."""
        data = QueryDict(mutable=True)
        for name in self.fields:
            if name in ("parts", "steps"):
                continue
            value = self[name].value()
            if value is None or value is False or value == "":
                continue
            if value is True:
                data[name] = "on"
            elif isinstance(value, datetime):
                data[name] = (timezone.localtime(value) if timezone.is_aware(value) else value).strftime(DATETIME_FORMAT)
            else:
                data[name] = str(value)
        if self.by_part:
            data.setlist("parts", sorted(self.checked_parts()))
        else:
            data.setlist("steps", sorted({p.step for p in self.part_infos if p.key in self.checked_parts()}))
        return data

    def preview_data(self) -> dict[str, Any] | None:
        """What the live preview needs, even when unrelated fields are not valid yet (or None)."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        config = self.template_config()
        if config is None:
            return None
        known = {part.key for part in self.part_infos}
        # Ticks of another network (its type just changed) do not count: the new one starts with all.
        parts = [] if self.network_changed() else [k for k in self.asked_parts() if k in known]
        data: dict[str, Any] = {"template_config": config, "parts": parts}
        points_fields = ("default_points", "points_overrides", *(f"points_{step}" for step in POINT_SECTIONS))
        if not any(name in self.errors for name in points_fields):
            data["points"] = self.points_for(self.asked_keys_by_step())
        return data

    @classmethod
    def initial_from(cls, assignment: Any, keys_by_step: Mapping[str, Iterable[str]]) -> dict[str, Any]:
        """Initial values to edit a saved assignment."""
        config = dict(assignment.template_config or {})
        initial: dict[str, Any] = {
            "title": assignment.title,
            "instructions": assignment.instructions,
            "parts": list(assignment.parts or []),
            "show_diagnosis": assignment.show_diagnosis,
            "attempts_allowed": assignment.attempts_allowed,
            "opens_at": timezone.localtime(assignment.opens_at) if assignment.opens_at else None,
            "due_at": timezone.localtime(assignment.due_at) if assignment.due_at else None,
            "late_policy": assignment.late_policy,
            "late_until": timezone.localtime(assignment.late_until) if assignment.late_until else None,
            "reveal": assignment.reveal,
            **cls.grading_initial(assignment, keys_by_step),
        }
        if "builtin" in config:
            initial.update(network="builtin", builtin=config["builtin"])
        elif config.get("fixed"):
            fixed = config["fixed"]
            initial["network"] = "fixed"
            initial["layers"] = "-".join(str(n) for n in fixed.get("layers", []))
            initial["activations"] = ", ".join(fixed.get("activations", []))
            for name in ("loss", "bias", "train_biases", "learning_rate"):
                if name in fixed:
                    initial[name] = fixed[name]
            arch = shape_of(fixed)
            if arch is not None:
                initial.update(initial_values(fixed, arch))
        else:
            initial["network"] = "custom"
            initial["layers"] = "-".join(str(n) for n in config.get("layers", []))
            initial["activations"] = ", ".join(config.get("activations", []))
            for name in ("loss", "bias", "train_biases", "learning_rate"):
                if name in config:
                    initial[name] = config[name]
            for grid in GRIDS:
                if isinstance(config.get(grid), (list, tuple)) and len(config[grid]) == 3:
                    for end, value in zip(("low", "high", "step"), config[grid], strict=True):
                        initial[f"{grid}_{end}"] = value
        return initial


def builtin_choices() -> list[tuple[str, str]]:
    """The ready-made networks, titled in the current language."""
    return [(name, pick_language(template.title)) for name, template in graders.TEMPLATES.items()]


# The fields of one question (network, parts, points, tolerance, follow-through); the rest of
# AssignmentForm is the assignment's own (title, dates, attempts, what students see).
