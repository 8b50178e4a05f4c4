"""The fields of one network's shape and fixed values, shared by whatever form describes a
network (the assignment form today; a question of a problem set tomorrow): the shape as typed,
the grid of fixed values for it (`network_values`), and a first reading of the network by the
grader whose errors land, translated, on the field at fault. The form supplies the fields
(`layers`, `activations`, `loss`, `bias`, `train_biases`, `learning_rate`, `network`, the value
ranges `<grid>_low|high|step`), `TEMPLATE_FIELDS` and `template_config()`."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext

import graders
from graders.spec import parse_shape
from graders.tolerance import ToleranceError
from graders.variants import ARTICLE_SPEC

from ..config import NetworkTooLarge, network_size_check
from ..grader_messages import grader_error_message
from .network_values import EMPTY_BOX, NetworkValuesGrid, initial_values, shape_of

GRIDS = ("inputs", "weights", "biases", "targets")  # the value ranges of an instructor's own network


class NetworkShapeFields(forms.Form):
    """A network's shape and fixed values on a form (mixed into it before its other bases)."""

    TEMPLATE_FIELDS: tuple[str, ...] = ()
    values_grid: NetworkValuesGrid | None = None
    grid_refusal = ""

    def _raw(self, name: str) -> Any:
        """What the form holds for a field before cleaning: the posted text, else its initial."""
        if self.is_bound:
            return self.data.get(self.add_prefix(name))
        return self.initial.get(name, self.fields[name].initial)

    def shape_config(self) -> dict[str, Any]:
        """The network's shape as typed (layer sizes, activations, loss, intercepts, η), uncleaned."""
        layers = [piece for piece in re.split(r"[\s,\-–x×]+", str(self._raw("layers") or "")) if piece]
        train = self._raw("train_biases")
        rate = self._raw("learning_rate")
        try:
            rate = float(rate) if rate not in (None, "") else 0.5
        except (TypeError, ValueError):
            rate = 0.5
        return {
            "layers": [int(piece) if piece.isdigit() else piece for piece in layers],
            "activations": [a for a in re.split(r"[\s,]+", str(self._raw("activations") or "").lower()) if a],
            "loss": str(self._raw("loss") or "half_sse"),
            "bias": str(self._raw("bias") or "shared"),
            "train_biases": train in (True, "on", "true", "True", "1"),
            "learning_rate": rate,
        }

    def _add_values_grid(self) -> NetworkValuesGrid | None:
        """The boxes of the fixed values for the shape the form describes now, prefilled with the
        article's numbers where they fit. Only where they can be used: a fresh page, or a posted
        form whose network is fixed (a preview of another network builds none), and never for a
        shape that cannot be read or is too large to ask (`grid_refusal` says why)."""
        self.grid_refusal = ""
        if self.is_bound and self._raw("network") != "fixed":
            return None
        shape = self.shape_config()
        arch = shape_of(shape)
        if arch is None:
            return None
        try:
            network_size_check(config=shape)
        except NetworkTooLarge as exc:
            self.grid_refusal = gettext(
                "This network is too large: it asks %(parts)d quantities, at most %(limit)d are allowed. "
                "Use fewer layers or neurons.") % {"parts": exc.parts, "limit": exc.limit}
            return None
        except (graders.SpecError, ValueError, TypeError, KeyError):
            return None
        grid = NetworkValuesGrid(arch)
        grid.add_fields(self, initial_values(ARTICLE_SPEC, arch))
        return grid

    def template_fields(self) -> tuple[str, ...]:
        """The network section's field names, the fixed values' boxes included."""
        return (*self.TEMPLATE_FIELDS, *(self.values_grid.field_names() if self.values_grid else ()))

    def _clean_values_grid(self) -> None:
        """Fixed values need a readable shape and a number in every box."""
        if self.values_grid is None:
            if self.grid_refusal and "layers" not in self.errors:
                self.add_error("layers", self.grid_refusal)
            elif not self.errors.get("layers") and not self.errors.get("activations"):
                try:
                    parse_shape(self.shape_config())
                except graders.SpecError as exc:
                    field = "activations" if exc.field.startswith("activations") else (
                        exc.field if exc.field in self.fields and exc.field != "network" else "layers")
                    self.add_error(field, grader_error_message(exc))
            return
        for name in self.values_grid.missing(self.cleaned_data):
            if name not in self.errors:
                self.add_error(name, EMPTY_BOX)

    # Where a grader error on a group of fixed values is shown: its first box.
    FIRST_BOX = {"inputs": "fixed_in_0", "targets": "fixed_t_0", "weights": "fixed_w_0_0_0", "biases": "fixed_b_0_0"}

    def _check_network(self) -> None:
        """Read the network as the grader will (no numbers drawn): a broken range or value is
        marked on its own field, in the reader's language (the services check everything again)."""
        if any(name in self.errors for name in self.template_fields()):
            return
        config = self.template_config()
        if config is None:
            return
        try:
            graders.template_from_dict(config)
        except (graders.SpecError, ToleranceError) as exc:
            base = str(getattr(exc, "field", "")).split("[")[0]
            if self.cleaned_data.get("network") == "fixed":
                target = self.FIRST_BOX.get(base, base)
            else:
                target = f"{base}_low" if base in GRIDS else base
            self.add_error(target if target in self.fields else "network", grader_error_message(exc))

    def parts_config(self) -> dict[str, Any] | None:
        """A config whose parts are the network's (they depend on its shape alone): the network
        itself, or — while fixed values are still missing — its shape."""
        config = self.template_config()
        if config is None and self.cleaned_data.get("network") == "fixed" and self.values_grid is not None:
            return self.shape_config()
        return config
