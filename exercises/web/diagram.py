"""The network of a spec drawn as inline SVG, in the article's notation.

Inputs i1…, hidden neurons h1… (or hL_j), outputs o1…, the intercepts b1… with dashed edges to the
neurons they feed, and every weight edge labelled with its name and value. Every piece of text is
escaped; the result is a self-contained ``<svg>`` string to embed in a page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from django.utils.translation import get_language, gettext

from graders.spec import Architecture, Spec, parse_spec

NEURON_RADIUS = 26.0
BIAS_RADIUS = 21.0
SMALL_BIAS_RADIUS = 15.0
ROW_GAP = 112.0  # vertical distance between neurons of a layer
COLUMN_GAP = 270.0  # horizontal distance between layers
MARGIN_LEFT = 70.0
MARGIN_RIGHT = 120.0
MARGIN_TOP = 52.0
MARGIN_BOTTOM = 30.0
LABEL_HEIGHT = 17.0
CHAR_WIDTH = 7.0  # of the monospace edge-label font at 11.5px
LABEL_POSITIONS = (1 / 3, 2 / 3, 0.5, 0.25, 0.75, 0.42, 0.58, 0.2, 0.8, 0.3, 0.7, 0.36, 0.64)


@dataclass(frozen=True)
class Box:
    """An axis-aligned rectangle, used to keep edge labels off each other and off the neurons."""

    left: float
    top: float
    right: float
    bottom: float

    def overlaps(self, other: Box, gap: float = 2.0) -> bool:
        return not (
            self.right + gap <= other.left
            or other.right + gap <= self.left
            or self.bottom + gap <= other.top
            or other.bottom + gap <= self.top
        )


def _box_around(x: float, y: float, half_width: float, half_height: float) -> Box:
    return Box(x - half_width, y - half_height, x + half_width, y + half_height)


@dataclass
class Canvas:
    """SVG fragments by drawing order (edges under labels under neurons) plus occupied space."""

    edges: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    nodes: list[str] = field(default_factory=list)
    occupied: list[Box] = field(default_factory=list)


def format_value(value: float) -> str:
    """A short, exact-enough rendering of a given value: 0.05, 0.3, -1.25, 0.1235."""
    if value == 0:
        return "0"
    text = f"{value:.4g}"
    return text


def _attr(value: str | float) -> str:
    if isinstance(value, float):
        return f'"{value:.1f}"'
    return quoteattr(value)


def _text(x: float, y: float, content: str, css_class: str, anchor: str = "middle") -> str:
    return (
        f"<text x={_attr(x)} y={_attr(y)} class={_attr(css_class)} "
        f'text-anchor="{anchor}" dominant-baseline="middle">{escape(content)}</text>'
    )


def _line(x1: float, y1: float, x2: float, y2: float, css_class: str) -> str:
    return (
        f"<line x1={_attr(x1)} y1={_attr(y1)} x2={_attr(x2)} y2={_attr(y2)} "
        f"class={_attr(css_class)}/>"
    )


def _circle(x: float, y: float, r: float, css_class: str) -> str:
    return f"<circle cx={_attr(x)} cy={_attr(y)} r={_attr(r)} class={_attr(css_class)}/>"


@dataclass(frozen=True)
class Layout:
    """Where every neuron sits."""

    arch: Architecture
    width: float
    height: float
    positions: tuple[tuple[tuple[float, float], ...], ...]  # positions[layer][j] = (x, y)
    bias_row_y: float

    def column_x(self, layer: int) -> float:
        return MARGIN_LEFT + NEURON_RADIUS + layer * COLUMN_GAP


def _layout(arch: Architecture) -> Layout:
    tallest = max(arch.layers)
    column_height = (tallest - 1) * ROW_GAP
    shared_bias_space = ROW_GAP * 0.95 if arch.bias == "shared" else 0.0
    per_neuron_space = ROW_GAP * 0.5 if arch.bias == "per_neuron" else 0.0
    top = MARGIN_TOP + NEURON_RADIUS + per_neuron_space
    positions = []
    for layer, size in enumerate(arch.layers):
        x = MARGIN_LEFT + NEURON_RADIUS + layer * COLUMN_GAP
        offset = (column_height - (size - 1) * ROW_GAP) / 2
        positions.append(tuple((x, top + offset + j * ROW_GAP) for j in range(size)))
    bias_row_y = top + column_height + shared_bias_space
    width = MARGIN_LEFT + 2 * NEURON_RADIUS + arch.depth * COLUMN_GAP + MARGIN_RIGHT
    height = bias_row_y + (BIAS_RADIUS + 20 if arch.bias == "shared" else NEURON_RADIUS + 14)
    return Layout(arch, width, height + MARGIN_BOTTOM, tuple(positions), bias_row_y)


def _layer_title(arch: Architecture, layer: int) -> str:
    if layer == 0:
        return gettext("inputs")
    activation = arch.activations[layer - 1]
    if layer == arch.depth:
        return gettext("outputs · %(activation)s") % {"activation": activation}
    if arch.depth == 2:
        return gettext("hidden · %(activation)s") % {"activation": activation}
    return gettext("hidden %(number)s · %(activation)s") % {"number": layer, "activation": activation}


def _place_label(
    canvas: Canvas,
    start: tuple[float, float],
    end: tuple[float, float],
    text: str,
    title: str,
    *,
    must_fit: bool,
) -> bool:
    """Put an edge label at the first free spot along the edge; False if none is free."""
    half_width = len(text) * CHAR_WIDTH / 2 + 5
    half_height = LABEL_HEIGHT / 2
    best: tuple[int, float, Box] | None = None
    for t in LABEL_POSITIONS:
        x = start[0] + t * (end[0] - start[0])
        y = start[1] + t * (end[1] - start[1])
        box = _box_around(x, y, half_width, half_height)
        collisions = sum(box.overlaps(other) for other in canvas.occupied)
        if best is None or collisions < best[0]:
            best = (collisions, t, box)
        if collisions == 0:
            break
    assert best is not None
    collisions, _, box = best
    if collisions and must_fit:
        return False
    canvas.occupied.append(box)
    x, y = (box.left + box.right) / 2, (box.top + box.bottom) / 2
    canvas.labels.append(
        f"<g><title>{escape(title)}</title>"
        f'<rect x={_attr(box.left)} y={_attr(box.top)} width={_attr(box.right - box.left)} '
        f'height={_attr(box.bottom - box.top)} rx="4" class="edge-label-bg"/>'
        f"{_text(x, y + 0.5, text, 'edge-label')}</g>"
    )
    return True


def _draw_weight_layer(canvas: Canvas, layout: Layout, spec: Spec, layer: int) -> None:
    """Edges from layer to layer+1 with their labels: name and value if they all fit, else names."""
    arch = spec.arch
    sources = layout.positions[layer]
    destinations = layout.positions[layer + 1]
    edges = []
    for j, end in enumerate(destinations):
        for k, start in enumerate(sources):
            name = arch.weight_name(layer, j, k)
            value = format_value(spec.weights[layer][j][k])
            edges.append((start, end, name, value))
            canvas.edges.append(_line(*start, *end, "edge edge-weight"))
    occupied_before = list(canvas.occupied)
    for start, end, name, value in edges:
        if not _place_label(canvas, start, end, f"{name} = {value}", f"{name} = {value}", must_fit=True):
            break
    else:
        return
    # Too crowded for values: take the labels back and write only the names (values in the title).
    canvas.labels = canvas.labels[: len(canvas.labels) - (len(canvas.occupied) - len(occupied_before))]
    canvas.occupied = occupied_before
    for start, end, name, value in edges:
        _place_label(canvas, start, end, name, f"{name} = {value}", must_fit=False)


def _draw_biases(canvas: Canvas, layout: Layout, spec: Spec) -> None:
    arch = spec.arch
    if arch.bias == "shared":
        for layer in range(arch.depth):
            name = arch.bias_name(layer, 0)
            assert name is not None
            x, y = layout.column_x(layer), layout.bias_row_y
            for end in layout.positions[layer + 1]:
                canvas.edges.append(_line(x, y, *end, "edge edge-bias"))
            canvas.nodes.append(_circle(x, y, BIAS_RADIUS, "neuron neuron-bias"))
            canvas.nodes.append(_text(x, y, name, "neuron-name"))
            canvas.nodes.append(
                _text(x, y + BIAS_RADIUS + 12, f"= {format_value(spec.biases[layer][0])}", "neuron-value")
            )
            canvas.occupied.append(_box_around(x, y, BIAS_RADIUS, BIAS_RADIUS + 22))
    elif arch.bias == "per_neuron":
        for layer in range(arch.depth):
            for j, (nx, ny) in enumerate(layout.positions[layer + 1]):
                name = arch.bias_name(layer, j)
                assert name is not None
                x, y = nx - 0.2 * COLUMN_GAP, ny - 0.48 * ROW_GAP
                canvas.edges.append(_line(x, y, nx, ny, "edge edge-bias"))
                canvas.nodes.append(_circle(x, y, SMALL_BIAS_RADIUS, "neuron neuron-bias"))
                canvas.nodes.append(_text(x, y, name, "neuron-value"))
                value = f"= {format_value(spec.biases[layer][j])}"
                canvas.nodes.append(_text(x - SMALL_BIAS_RADIUS - 4, y, value, "neuron-value", "end"))
                canvas.occupied.append(
                    Box(x - SMALL_BIAS_RADIUS - 8 - len(value) * CHAR_WIDTH, y - SMALL_BIAS_RADIUS,
                        x + SMALL_BIAS_RADIUS, y + SMALL_BIAS_RADIUS)
                )


def _draw_neurons(canvas: Canvas, layout: Layout, spec: Spec) -> None:
    arch = spec.arch
    for layer, column in enumerate(layout.positions):
        kind = "input" if layer == 0 else "output" if layer == arch.depth else "hidden"
        x_title = layout.column_x(layer)
        canvas.nodes.append(_text(x_title, MARGIN_TOP - 34, _layer_title(arch, layer), "layer-title"))
        for j, (x, y) in enumerate(column):
            name = arch.neuron(layer, j)
            canvas.nodes.append(_circle(x, y, NEURON_RADIUS, f"neuron neuron-{kind}"))
            canvas.nodes.append(_text(x, y, name, "neuron-name"))
            canvas.occupied.append(_box_around(x, y, NEURON_RADIUS + 3, NEURON_RADIUS + 3))
            if layer == 0:
                text = f"{name} = {format_value(spec.inputs[j])}"
                canvas.nodes.append(_text(x - NEURON_RADIUS - 6, y, text, "neuron-value", "end"))
            elif layer == arch.depth:
                text = gettext("target %(value)s") % {"value": format_value(spec.targets[j])}
                canvas.nodes.append(_text(x + NEURON_RADIUS + 6, y, text, "neuron-value", "start"))


def _description(spec: Spec) -> str:
    arch = spec.arch
    shape = "-".join(str(n) for n in arch.layers)
    givens = ", ".join(
        f"{name} = {format_value(value)}" for name, value in spec.givens().items() if name != "eta"
    )
    return gettext("A %(shape)s network. Given values: %(givens)s.") % {"shape": shape, "givens": givens}


def network_svg(spec: dict[str, Any] | Spec, *, element_id: str = "network") -> str:
    """The spec's network as an accessible inline SVG string (all text escaped)."""
    return _network_svg(parse_spec(spec), element_id, get_language() or "")


@lru_cache(maxsize=512)
def _network_svg(parsed: Spec, element_id: str, language: str) -> str:
    """Drawn once per network, element id and language (a Spec is frozen and hashable)."""
    arch = parsed.arch
    layout = _layout(arch)
    canvas = Canvas()
    # Neurons and bias nodes claim their space first so that edge labels avoid them.
    _draw_neurons(canvas, layout, parsed)
    _draw_biases(canvas, layout, parsed)
    for layer in range(arch.depth):
        _draw_weight_layer(canvas, layout, parsed, layer)
    # Input values stick out to the left of the input column; widen the view box for them.
    longest_input = max(len(f"i{j} = {format_value(x)}") for j, x in enumerate(parsed.inputs))
    left = min(0.0, MARGIN_LEFT - longest_input * CHAR_WIDTH - 14)
    width = layout.width - left
    title_id, desc_id = f"{element_id}-title", f"{element_id}-desc"
    shape = "-".join(str(n) for n in arch.layers)
    title = gettext("Network diagram (%(shape)s)") % {"shape": shape}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="network" id={_attr(element_id)} '
        f'viewBox="{left:.1f} 0 {width:.1f} {layout.height:.1f}" '
        f'width="{math.ceil(width)}" height="{math.ceil(layout.height)}" '
        f'role="img" aria-labelledby={_attr(title_id)} aria-describedby={_attr(desc_id)}>',
        f"<title id={_attr(title_id)}>{escape(title)}</title>",
        f"<desc id={_attr(desc_id)}>{escape(_description(parsed))}</desc>",
        '<g class="edges">', *canvas.edges, "</g>",
        '<g class="labels">', *canvas.labels, "</g>",
        '<g class="nodes">', *canvas.nodes, "</g>",
        "</svg>",
    ]
    return "\n".join(parts)
