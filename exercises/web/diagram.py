"""The network of a spec drawn as inline SVG, in the article's notation.

Inputs i1…, hidden neurons h1… (or hL_j), outputs o1…, the intercepts b1… with dashed edges to the
neurons they feed, and every weight edge labelled with its name and value. Every piece of text is
escaped; the result is a self-contained ``<svg>`` string to embed in a page.
"""

from __future__ import annotations

import math
from decimal import Decimal
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
# A layer with more edges than this gets no labels on its edges: a few names scattered over a
# tangle only mislead. Its edges keep their <title> (on hover) and the weight tables list them.
MAX_LABELLED_EDGES = 16
# Where along an edge (0 = source, 1 = destination) a label may sit, tried in this order.
LABEL_POSITIONS = (1 / 3, 2 / 3, 0.5, 0.25, 0.75, 0.42, 0.58, 0.2, 0.8, 0.3, 0.7, 0.36, 0.64,
                   *(n / 50 for n in range(5, 46)))


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
    return f"{Decimal(f'{value:.4g}'):f}"  # positional: 0.00001, never 1e-05


def _attr(value: str | float) -> str:
    if isinstance(value, float):
        return f'"{value:.1f}"'
    return quoteattr(value)


def _text(x: float, y: float, content: str, css_class: str, anchor: str = "middle") -> str:
    return (
        f"<text x={_attr(x)} y={_attr(y)} class={_attr(css_class)} "
        f'text-anchor="{anchor}" dominant-baseline="middle">{escape(content)}</text>'
    )


def _name_text(x: float, y: float, name: str, css_class: str) -> str:
    """A neuron's name in the form's notation: h1_2 (layer 1, neuron 2) is written h with "1,2" below."""
    if "_" in name:
        content = (f'{escape(name[0])}<tspan class="sub" baseline-shift="sub">'
                   f'{escape(name[1:].replace("_", ","))}</tspan>')
    else:
        content = escape(name)
    return (
        f"<text x={_attr(x)} y={_attr(y)} class={_attr(css_class)} "
        f'text-anchor="middle" dominant-baseline="middle">{content}</text>'
    )


def display_name(name: str) -> str:
    """A neuron's name as plain text in the form's notation: h1_2 → h₁,₂."""
    if "_" not in name:
        return name
    return name[0] + name[1:].replace("_", ",").translate(_SUBSCRIPTS)


_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


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
    column_gap: float = COLUMN_GAP

    def column_x(self, layer: int) -> float:
        return MARGIN_LEFT + NEURON_RADIUS + layer * self.column_gap


def _layout(arch: Architecture, column_gap: float = COLUMN_GAP) -> Layout:
    tallest = max(arch.layers)
    column_height = (tallest - 1) * ROW_GAP
    shared_bias_space = ROW_GAP * 0.95 if arch.bias == "shared" else 0.0
    per_neuron_space = ROW_GAP * 0.5 if arch.bias == "per_neuron" else 0.0
    top = MARGIN_TOP + NEURON_RADIUS + per_neuron_space
    positions = []
    for layer, size in enumerate(arch.layers):
        x = MARGIN_LEFT + NEURON_RADIUS + layer * column_gap
        offset = (column_height - (size - 1) * ROW_GAP) / 2
        positions.append(tuple((x, top + offset + j * ROW_GAP) for j in range(size)))
    bias_row_y = top + column_height + shared_bias_space
    width = MARGIN_LEFT + 2 * NEURON_RADIUS + arch.depth * column_gap + MARGIN_RIGHT
    height = bias_row_y + (BIAS_RADIUS + 20 if arch.bias == "shared" else NEURON_RADIUS + 14)
    return Layout(arch, width, height + MARGIN_BOTTOM, tuple(positions), bias_row_y, column_gap)


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
    data: str,
) -> bool:
    """Put an edge label at the first spot along the edge that overlaps nothing; False if none is free."""
    half_width = len(text) * CHAR_WIDTH / 2 + 5
    half_height = LABEL_HEIGHT / 2
    for t in LABEL_POSITIONS:
        x = start[0] + t * (end[0] - start[0])
        y = start[1] + t * (end[1] - start[1])
        box = _box_around(x, y, half_width, half_height)
        if not any(box.overlaps(other) for other in canvas.occupied):
            break
    else:
        return False
    canvas.occupied.append(box)
    canvas.labels.append(
        f"<g class=\"edge-tag\" {data}><title>{escape(title)}</title>"
        f'<rect x={_attr(box.left)} y={_attr(box.top)} width={_attr(box.right - box.left)} '
        f'height={_attr(box.bottom - box.top)} rx="4" class="edge-label-bg"/>'
        f"{_text(x, y + 0.5, text, 'edge-label')}</g>"
    )
    return True


def _edge_data(name: str, source: str, destination: str) -> str:
    return f"data-edge={_attr(name)} data-from={_attr(source)} data-to={_attr(destination)}"


def _draw_weight_layer(canvas: Canvas, layout: Layout, spec: Spec, layer: int) -> int:
    """Edges from layer to layer+1, each labelled "name = value" where that fits without touching
    any other label or neuron, else with its name, else not at all (its <title> and the weight
    tables still give it). Labels therefore never overlap. Returns how many labels lack their value."""
    arch = spec.arch
    sources = layout.positions[layer]
    destinations = layout.positions[layer + 1]
    edges = []
    for j, end in enumerate(destinations):
        for k, start in enumerate(sources):
            name = arch.weight_name(layer, j, k)
            value = format_value(spec.weights[layer][j][k])
            source, destination = arch.neuron(layer, k), arch.neuron(layer + 1, j)
            title = f"{name}: {display_name(source)} → {display_name(destination)} = {value}"
            data = _edge_data(name, source, destination)
            edges.append((start, end, name, value, title, data))
            canvas.edges.append(f"<g class=\"wire\" {data}><title>{escape(title)}</title>"
                                f"{_line(*start, *end, 'edge edge-weight')}{_line(*start, *end, 'edge-hit')}</g>")
    if len(edges) > MAX_LABELLED_EDGES:
        return 0
    # The steepest edges cross the most others and have the fewest free spots: label them first.
    edges.sort(key=lambda edge: -abs(edge[1][1] - edge[0][1]))
    labels_before, occupied_before = list(canvas.labels), list(canvas.occupied)
    without_value = unlabelled = 0
    for start, end, name, value, title, data in edges:
        if not _place_label(canvas, start, end, f"{name} = {value}", title, data):
            without_value += 1
            unlabelled += not _place_label(canvas, start, end, name, title, data)
    if unlabelled:
        # Some edge got no label at all: would names alone label more of them?
        with_values = canvas.labels, canvas.occupied
        canvas.labels, canvas.occupied = list(labels_before), list(occupied_before)
        unlabelled_names = sum(not _place_label(canvas, start, end, name, title, data)
                               for start, end, name, _value, title, data in edges)
        if unlabelled_names >= unlabelled:
            canvas.labels, canvas.occupied = with_values
    return without_value


def _draw_biases(canvas: Canvas, layout: Layout, spec: Spec) -> None:
    arch = spec.arch
    if arch.bias == "shared":
        for layer in range(arch.depth):
            name = arch.bias_name(layer, 0)
            assert name is not None
            x, y = layout.column_x(layer), layout.bias_row_y
            value = format_value(spec.biases[layer][0])
            for j, end in enumerate(layout.positions[layer + 1]):
                destination = arch.neuron(layer + 1, j)
                title = f"{name} → {display_name(destination)} = {value}"
                canvas.edges.append(f"<g class=\"wire\" {_edge_data(name, name, destination)}>"
                                    f"<title>{escape(title)}</title>{_line(x, y, *end, 'edge edge-bias')}{_line(x, y, *end, 'edge-hit')}</g>")
            canvas.nodes.append(f"<g class=\"node\" data-node={_attr(name)}><title>{escape(name)} = {value}</title>")
            canvas.nodes.append(_circle(x, y, BIAS_RADIUS, "neuron neuron-bias"))
            canvas.nodes.append(_text(x, y, name, "neuron-name") + "</g>")
            canvas.nodes.append(
                _text(x, y + BIAS_RADIUS + 12, f"= {format_value(spec.biases[layer][0])}", "neuron-value")
            )
            canvas.occupied.append(_box_around(x, y, BIAS_RADIUS, BIAS_RADIUS + 22))
    elif arch.bias == "per_neuron":
        for layer in range(arch.depth):
            for j, (nx, ny) in enumerate(layout.positions[layer + 1]):
                name = arch.bias_name(layer, j)
                assert name is not None
                x, y = nx - 0.2 * layout.column_gap, ny - 0.48 * ROW_GAP
                destination = arch.neuron(layer + 1, j)
                title = f"{name} → {display_name(destination)} = {format_value(spec.biases[layer][j])}"
                canvas.edges.append(f"<g class=\"wire\" {_edge_data(name, name, destination)}>"
                                    f"<title>{escape(title)}</title>{_line(x, y, nx, ny, 'edge edge-bias')}{_line(x, y, nx, ny, 'edge-hit')}</g>")
                canvas.nodes.append(f"<g class=\"node\" data-node={_attr(name)}><title>{escape(title)}</title>")
                canvas.nodes.append(_circle(x, y, SMALL_BIAS_RADIUS, "neuron neuron-bias"))
                canvas.nodes.append(_text(x, y, name, "neuron-value") + "</g>")
                value = f"= {format_value(spec.biases[layer][j])}"
                canvas.nodes.append(_text(x - SMALL_BIAS_RADIUS - 4, y, value, "neuron-value", "end"))
                canvas.occupied.append(
                    Box(x - SMALL_BIAS_RADIUS - 8 - len(value) * CHAR_WIDTH, y - SMALL_BIAS_RADIUS,
                        x + SMALL_BIAS_RADIUS, y + SMALL_BIAS_RADIUS)
                )


def _draw_neurons(canvas: Canvas, layout: Layout, spec: Spec) -> None:
    """Each neuron a keyboard stop (one tab stop for the whole diagram, arrow keys between neurons:
    static a11y.js), named with its connections."""
    arch = spec.arch
    names = _neuron_labels(spec)
    for layer, column in enumerate(layout.positions):
        kind = "input" if layer == 0 else "output" if layer == arch.depth else "hidden"
        x_title = layout.column_x(layer)
        canvas.nodes.append(_text(x_title, MARGIN_TOP - 34, _layer_title(arch, layer), "layer-title"))
        for j, (x, y) in enumerate(column):
            name = arch.neuron(layer, j)
            stop = "0" if layer == 0 and j == 0 else "-1"
            canvas.nodes.append(f"<g class=\"node node-stop\" data-node={_attr(name)} data-layer=\"{layer}\" "
                                f"data-index=\"{j}\" tabindex=\"{stop}\" role=\"img\" aria-label={_attr(names[name])}>"
                                f"<title>{escape(display_name(name))}</title>")
            canvas.nodes.append(_circle(x, y, NEURON_RADIUS, f"neuron neuron-{kind}"))
            canvas.nodes.append(_name_text(x, y, name, "neuron-name") + "</g>")
            canvas.occupied.append(_box_around(x, y, NEURON_RADIUS + 3, NEURON_RADIUS + 3))
            if layer == 0:
                text = f"{name} = {format_value(spec.inputs[j])}"
                canvas.nodes.append(_text(x - NEURON_RADIUS - 6, y, text, "neuron-value", "end"))
                width = len(text) * CHAR_WIDTH
                canvas.occupied.append(Box(x - NEURON_RADIUS - 8 - width, y - 8, x - NEURON_RADIUS - 4, y + 8))
            elif layer == arch.depth:
                text = gettext("target %(value)s") % {"value": format_value(spec.targets[j])}
                canvas.nodes.append(_text(x + NEURON_RADIUS + 6, y, text, "neuron-value", "start"))
                width = len(text) * CHAR_WIDTH
                canvas.occupied.append(Box(x + NEURON_RADIUS + 4, y - 8, x + NEURON_RADIUS + 8 + width, y + 8))


def _connections(spec: Spec) -> list[tuple[str, str, str]]:
    """Every connection as (source, destination, "w1: i1 → h1 = 0.05"), intercepts included."""
    arch = spec.arch
    connections = []
    for layer in range(arch.depth):
        for j in range(arch.layers[layer + 1]):
            destination = arch.neuron(layer + 1, j)
            for k in range(arch.layers[layer]):
                source = arch.neuron(layer, k)
                connections.append((source, destination, f"{arch.weight_name(layer, j, k)}: {display_name(source)} → "
                                    f"{display_name(destination)} = {format_value(spec.weights[layer][j][k])}"))
            bias = arch.bias_name(layer, j)
            if bias is not None:
                value = spec.biases[layer][0 if arch.bias == "shared" else j]
                connections.append((bias, destination, f"{bias} → {display_name(destination)} = {format_value(value)}"))
    return connections


def _neuron_labels(spec: Spec) -> dict[str, str]:
    """A neuron's accessible name: its name, then every connection into and out of it."""
    labels: dict[str, list[str]] = {}
    for source, destination, text in _connections(spec):
        labels.setdefault(destination, []).append(text)
        labels.setdefault(source, []).append(text)
    return {name: f"{display_name(name)}: " + "; ".join(texts) for name, texts in labels.items()}


def _description(spec: Spec) -> str:
    """Every given value, and every connection with where it runs: "w1: i1 → h1 = 0.05"."""
    arch = spec.arch
    shape = "-".join(str(n) for n in arch.layers)
    inputs = ", ".join(f"i{j + 1} = {format_value(x)}" for j, x in enumerate(spec.inputs))
    targets = ", ".join(f"{display_name(arch.neuron(arch.depth, j))} = {format_value(t)}"
                        for j, t in enumerate(spec.targets))
    connections = "; ".join(text for _source, _destination, text in _connections(spec))
    return gettext("A %(shape)s network. Inputs: %(inputs)s. Targets: %(targets)s. Connections: %(connections)s.") % {
        "shape": shape, "inputs": inputs, "targets": targets, "connections": connections,
    }


def network_svg(spec: dict[str, Any] | Spec, *, element_id: str = "network") -> str:
    """The spec's network as an accessible inline SVG string (all text escaped)."""
    return _network_svg(parse_spec(spec), element_id, get_language() or "")


@lru_cache(maxsize=512)
def _network_svg(parsed: Spec, element_id: str, language: str) -> str:
    """Drawn once per network, element id and language (a Spec is frozen and hashable)."""
    arch = parsed.arch
    # Wider columns until every labelled edge shows its value (at most 1.6 times as wide).
    for widening in (1.0, 1.2, 1.4, 1.6):
        layout = _layout(arch, COLUMN_GAP * widening)
        canvas = Canvas()
        # Neurons and bias nodes claim their space first so that edge labels avoid them.
        _draw_neurons(canvas, layout, parsed)
        _draw_biases(canvas, layout, parsed)
        missing = sum(_draw_weight_layer(canvas, layout, parsed, layer) for layer in range(arch.depth))
        if not missing:
            break
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
        f'role="group" aria-labelledby={_attr(title_id)} aria-describedby={_attr(desc_id)}>',
        f"<title id={_attr(title_id)}>{escape(title)}</title>",
        f"<desc id={_attr(desc_id)}>{escape(_description(parsed))}</desc>",
        '<g class="edges">', *canvas.edges, "</g>",
        '<g class="labels">', *canvas.labels, "</g>",
        '<g class="nodes">', *canvas.nodes, "</g>",
        "</svg>",
    ]
    return "\n".join(parts)


def _html_name(name: str) -> str:
    """A neuron's name as HTML in the form's notation: h1_2 → h<sub>1,2</sub>."""
    if "_" in name:
        return f"{escape(name[0])}<sub>{escape(name[1:].replace('_', ','))}</sub>"
    return escape(name)


def weight_tables(spec: dict[str, Any] | Spec, *, element_id: str = "network") -> str:
    """One table per layer of weights (rows: the neuron fed, columns: the neuron feeding, and its
    intercept): the reliable view of a network too large to label every edge. All text escaped."""
    return _weight_tables(parse_spec(spec), element_id, get_language() or "")


OPEN = ' open=""'


@lru_cache(maxsize=256)
def _weight_tables(parsed: Spec, element_id: str, language: str) -> str:
    arch = parsed.arch
    large = sum(a * b for a, b in zip(arch.layers, arch.layers[1:], strict=False)) > 24
    parts = [
        f'<details class="weight-tables" id={_attr(element_id + "-weights")}{OPEN if large else ""}>',
        f"<summary>{escape(gettext('Weights as tables'))}</summary>",
    ]
    for layer in range(arch.depth):
        sources = [arch.neuron(layer, k) for k in range(arch.layers[layer])]
        has_bias = arch.bias != "none"
        caption = f"{_layer_title(arch, layer)} → {_layer_title(arch, layer + 1)}"
        head = "".join(f'<th scope="col">{_html_name(name)}</th>' for name in sources)
        if has_bias:
            head += f'<th scope="col">{escape(gettext("intercept"))}</th>'
        rows = []
        for j in range(arch.layers[layer + 1]):
            destination = arch.neuron(layer + 1, j)
            cells = [
                f'<td data-edge="{arch.weight_name(layer, j, k)}"><span class="weight-name">'
                f"{arch.weight_name(layer, j, k)}</span> {format_value(parsed.weights[layer][j][k])}</td>"
                for k in range(arch.layers[layer])
            ]
            if has_bias:
                bias = arch.bias_name(layer, j)
                value = parsed.biases[layer][0 if arch.bias == "shared" else j]
                cells.append(f'<td><span class="weight-name">{bias}</span> {format_value(value)}</td>')
            rows.append(f'<tr><th scope="row">{_html_name(destination)}</th>{"".join(cells)}</tr>')
        parts.append(
            '<div class="table-scroll"><table class="data-table weight-table">'
            f"<caption>{escape(caption)}</caption>"
            f'<thead><tr><th scope="col">{escape(gettext("to ↓ from →"))}</th>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>"
        )
    parts.append("</details>")
    return "".join(parts)
