"""Fixed values typed into a grid per layer, every box labelled with the diagram's name (i1, w5,
b1, target o1) — server-rendered fields, so the form works without JavaScript.

A box's field name says where it sits, not what the diagram calls it (`fixed_w_<layer>_<to>_<from>`,
`fixed_b_<layer>_<j>`, `fixed_in_<k>`, `fixed_t_<j>`): a value keeps its meaning when the layer
sizes change and the diagram's numbering moves. `NetworkValuesGrid` adds the boxes of one shape
to a form, reads them back as a spec, and gives the layout the template draws.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils.translation import gettext, gettext_lazy as _

from graders.notation import neuron as neuron_name
from graders.spec import Architecture, SpecError, parse_shape

PREFIX = "fixed_"


@dataclass(frozen=True)
class Cell:
    """One box: its form field name, the diagram's name for it, and what it connects."""

    name: str
    label: str  # w5, b1, i1, target o1
    detail: str = ""  # "h1 → o1" (read after the label; shown as a tooltip)


@dataclass
class WeightLayer:
    """One layer's weights as a table: a row per destination neuron, a column per source
    neuron, and the intercepts (one per row, or one shared by the layer)."""

    title: str
    sources: list[str]
    rows: list[tuple[str, list[Cell], Cell | None]] = field(default_factory=list)  # (to, weights, own bias)
    shared_bias: Cell | None = None


@dataclass
class GridLayout:
    """Everything the grid shows, in the order it is drawn."""

    inputs: list[Cell]
    targets: list[Cell]
    layers: list[WeightLayer]
    signature: str

    def cells(self) -> list[Cell]:
        """Every box, in drawing order."""
        out = list(self.inputs)
        for layer in self.layers:
            for _to, weights, bias in layer.rows:
                out.extend(weights)
                if bias is not None:
                    out.append(bias)
            if layer.shared_bias is not None:
                out.append(layer.shared_bias)
        return out + list(self.targets)


def _layer_name(arch: Architecture, m: int) -> str:
    if m == 0:
        return gettext("the inputs")
    if m == arch.depth:
        return gettext("the outputs")
    if arch.depth == 2:
        return gettext("the hidden layer")
    return gettext("hidden layer %(n)s") % {"n": m}


def layout(arch: Architecture) -> GridLayout:
    """The boxes of a network of this shape, named as its diagram names them."""
    inputs = [Cell(f"{PREFIX}in_{k}", neuron_name(arch.neuron(0, k))) for k in range(arch.layers[0])]
    outputs = arch.layers[-1]
    targets = [Cell(f"{PREFIX}t_{j}", arch.target_name(j)) for j in range(outputs)]
    layers = []
    for m in range(arch.depth):
        sources = [neuron_name(arch.neuron(m, k)) for k in range(arch.layers[m])]
        layer = WeightLayer(
            title=gettext("Weights from %(source)s to %(target)s") % {"source": _layer_name(arch, m),
                                                                        "target": _layer_name(arch, m + 1)},
            sources=sources,
        )
        for j in range(arch.layers[m + 1]):
            to = neuron_name(arch.neuron(m + 1, j))
            weights = [Cell(f"{PREFIX}w_{m}_{j}_{k}", arch.weight_name(m, j, k), f"{source} → {to}")
                       for k, source in enumerate(sources)]
            bias = None
            if arch.bias == "per_neuron":
                bias = Cell(f"{PREFIX}b_{m}_{j}", arch.bias_name(m, j) or "", f"→ {to}")
            layer.rows.append((to, weights, bias))
        if arch.bias == "shared":
            targets_of = ", ".join(neuron_name(arch.neuron(m + 1, j)) for j in range(arch.layers[m + 1]))
            layer.shared_bias = Cell(f"{PREFIX}b_{m}_0", arch.bias_name(m, 0) or "", f"→ {targets_of}")
        layers.append(layer)
    shape = f"{list(arch.layers)}|{arch.bias}"
    return GridLayout(inputs, targets, layers, hashlib.sha256(shape.encode()).hexdigest()[:12])


def shape_of(data: Mapping[str, Any]) -> Architecture | None:
    """The architecture that shape fields describe (layers, activations, loss, bias), or None."""
    try:
        return parse_shape(dict(data))[0]
    except (SpecError, TypeError, ValueError):
        return None


def initial_values(spec: Mapping[str, Any], arch: Architecture) -> dict[str, float]:
    """A spec's numbers as the grid's initial values (boxes the spec does not fill stay empty)."""
    values: dict[str, float] = {}

    def put(name: str, source: Any, *index: int) -> None:
        try:
            for i in index:
                source = source[i]
        except (IndexError, KeyError, TypeError):
            return
        if isinstance(source, int | float) and not isinstance(source, bool):
            values[name] = source

    for k in range(arch.layers[0]):
        put(f"{PREFIX}in_{k}", spec.get("inputs"), k)
    for j in range(arch.layers[-1]):
        put(f"{PREFIX}t_{j}", spec.get("targets"), j)
    for m in range(arch.depth):
        for j in range(arch.layers[m + 1]):
            for k in range(arch.layers[m]):
                put(f"{PREFIX}w_{m}_{j}_{k}", spec.get("weights"), m, j, k)
        for j in range(arch.bias_count(m)):
            put(f"{PREFIX}b_{m}_{j}", spec.get("biases"), m, j)
    return values


class NetworkValuesGrid:
    """The grid of one shape on a form: adds its fields, reads the typed numbers back."""

    def __init__(self, arch: Architecture) -> None:
        self.arch = arch
        self.layout = layout(arch)

    def add_fields(self, form: forms.Form, initial: Mapping[str, float]) -> None:
        """One optional number field per box (the form requires them when the network is fixed)."""
        for cell in self.layout.cells():
            form.fields[cell.name] = forms.FloatField(
                label=cell.label,
                required=False,
                initial=initial.get(cell.name),
                widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal", "class": "value-input",
                                                "title": f"{cell.label}: {cell.detail}" if cell.detail else cell.label}),
            )

    def field_names(self) -> list[str]:
        """The boxes' field names."""
        return [cell.name for cell in self.layout.cells()]

    def missing(self, cleaned: Mapping[str, Any]) -> list[str]:
        """Boxes left empty (or not readable as a number)."""
        return [name for name in self.field_names() if cleaned.get(name) is None]

    def spec(self, cleaned: Mapping[str, Any], shape: Mapping[str, Any]) -> dict[str, Any]:
        """The network with the typed numbers, as `graders.parse_spec` reads it."""
        a = self.arch
        return {
            **shape,
            "inputs": [cleaned[f"{PREFIX}in_{k}"] for k in range(a.layers[0])],
            "targets": [cleaned[f"{PREFIX}t_{j}"] for j in range(a.layers[-1])],
            "weights": [[[cleaned[f"{PREFIX}w_{m}_{j}_{k}"] for k in range(a.layers[m])]
                         for j in range(a.layers[m + 1])] for m in range(a.depth)],
            "biases": [[cleaned[f"{PREFIX}b_{m}_{j}"] for j in range(a.bias_count(m))] for m in range(a.depth)],
        }


EMPTY_BOX = _("Enter a number.")
