"""Template helpers: the article's notation for answer keys, picking a language, numbers."""

from __future__ import annotations

import html
import math
import re
from decimal import Decimal
from collections.abc import Iterable, Mapping
from datetime import timezone as dt_timezone
from functools import lru_cache
from xml.sax.saxutils import quoteattr
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.safestring import SafeString, mark_safe

from exercises.web.diagram import network_svg, weight_tables
from exercises.web.speech import key_speech, latex_speech
from exercises.zones import zone_label
from exercises.i18n import (
    SUBMISSION_STATUS_LABELS,
    pick_language,
    section_title,
    step_hint_for,
)
from graders.graph import training_step_of
from graders.worked import WorkedLine

register = template.Library()

_PARTIAL = "\u2202"  # ∂
_NAMED = re.compile(r"^(net|out)_(?P<neuron>\w+)$")
_ERROR = re.compile(r"^E_(?P<which>o\d+|total)(?P<new>_new)?$")
_DE_DOUT = re.compile(r"^dE_dout_(?P<neuron>\w+)$")
_DOUT_DNET = re.compile(r"^dout_dnet_(?P<neuron>\w+)$")
_DELTA = re.compile(r"^delta_(?P<neuron>\w+)$")
_DE_DPARAM = re.compile(r"^dE_d(?P<param>[wb]\d+)$")
_NEW_PARAM = re.compile(r"^(?P<param>[wb]\d+)_new$")
_TARGET = re.compile(r"^target_(?P<neuron>\w+)$")


def _neuron(name: str) -> SafeString:
    """h1 stays h1; a hidden neuron of a deeper network, h2_3 (layer 2, neuron 3), becomes h_{2,3}."""
    if "_" in name:
        return format_html("{}<sub>{}</sub>", name[0], name[1:].replace("_", ","))
    return format_html("{}", name)


def _sub(name: str, subscript: str) -> SafeString:
    return format_html("{}<sub>{}</sub>", name, _neuron(subscript))


def _e_total() -> SafeString:
    return _sub("E", "total")


@register.filter
def notation(key: str) -> SafeString:
    """An answer key in the article's notation as HTML: net_h1 → net<sub>h1</sub>, dE_dw6 → ∂E_total/∂w6."""
    return _notation(str(key))


def _at_step(key: str, t: int) -> SafeString:
    """A quantity of training step t > 1: out<sub>o1</sub><sup>(2)</sup>, w5<sup>++</sup>, ∂E<sub>total</sub><sup>(2)</sup>/∂w5."""
    mark = format_html("<sup>({})</sup>", t)
    if match := _NEW_PARAM.match(key):
        return format_html("{}<sup>{}</sup>", match.group("param"), "+" * t)
    if key == "E_total_new":
        return format_html("{}<sup>{}</sup>", _e_total(), "+" * t)
    if match := _DE_DOUT.match(key):
        return format_html("{}{}{}/{}{}{}", _PARTIAL, _e_total(), mark, _PARTIAL, _sub("out", match.group("neuron")), mark)
    if match := _DOUT_DNET.match(key):
        neuron = match.group("neuron")
        return format_html("{}{}{}/{}{}{}", _PARTIAL, _sub("out", neuron), mark, _PARTIAL, _sub("net", neuron), mark)
    if match := _DELTA.match(key):
        return format_html("{}{}{}/{}{}{}", _PARTIAL, _e_total(), mark, _PARTIAL, _sub("net", match.group("neuron")), mark)
    if match := _DE_DPARAM.match(key):
        return format_html("{}{}{}/{}{}", _PARTIAL, _e_total(), mark, _PARTIAL, match.group("param"))
    return format_html("{}{}", _notation(key), mark)


@lru_cache(maxsize=4096)
def _notation(key: str) -> SafeString:
    t, base = training_step_of(key)
    if t > 1:
        return _at_step(base, t)
    if match := _NAMED.match(key):
        return _sub(match.group(1), match.group("neuron"))
    if match := _ERROR.match(key):
        base = _sub("E", match.group("which"))
        return format_html("{}<sup>+</sup>", base) if match.group("new") else base
    if match := _DE_DOUT.match(key):
        return format_html("{}{}/{}{}", _PARTIAL, _e_total(), _PARTIAL, _sub("out", match.group("neuron")))
    if match := _DOUT_DNET.match(key):
        neuron = match.group("neuron")
        return format_html("{}{}/{}{}", _PARTIAL, _sub("out", neuron), _PARTIAL, _sub("net", neuron))
    if match := _DELTA.match(key):
        return format_html("{}{}/{}{}", _PARTIAL, _e_total(), _PARTIAL, _sub("net", match.group("neuron")))
    if match := _DE_DPARAM.match(key):
        return format_html("{}{}/{}{}", _PARTIAL, _e_total(), _PARTIAL, match.group("param"))
    if match := _NEW_PARAM.match(key):
        return format_html("{}<sup>+</sup>", match.group("param"))
    if match := _TARGET.match(key):
        return _sub("target", match.group("neuron"))
    if key == "eta":
        return mark_safe("\u03b7")  # noqa: S308 - a constant
    return format_html("{}", key)


@register.filter
def localized(texts: Mapping[str, str] | str | None) -> str:
    """The current language's text of a {"en": …, "zh": …} mapping."""
    return pick_language(texts)


@register.filter
def step_title(step: str) -> str:
    """A step's title; a later training step's group says which (Training step 2 · Forward pass)."""
    return section_title(str(step))


@register.filter
def step_hint(step: str, spec: Mapping[str, Any] | None = None) -> str:
    """The step's hint for the network (`spec`): a softmax/cross-entropy network names its own loss."""
    return step_hint_for(step, spec if isinstance(spec, Mapping) else None)


@register.filter
def submission_status_label(status: str) -> str:
    return str(SUBMISSION_STATUS_LABELS.get(status, status))




@register.filter
def significant(value: Any, digits: int = 6) -> str:
    """A number to `digits` significant figures (the precision the answer boxes expect)."""
    if value is None or value == "":
        return ""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(number):
        return str(number)
    # Positional, never e-notation (2.89192e-06 → 0.00000289192): these pages are read by people.
    return f"{Decimal(f'{number:.{int(digits)}g}'):f}"


@register.filter
def percent(value: Any) -> str:
    """A fraction as a percentage, one format everywhere: "81.0 %" (a no-break space before %)."""
    try:
        number = float(value) * 100
    except (TypeError, ValueError):
        return ""
    return f"{number:.1f}\u00a0%" if math.isfinite(number) else ""


@register.filter
def ratio(part: Any, whole: Any) -> float | None:
    """part / whole, or None when whole is 0 or not a number."""
    try:
        return float(part) / float(whole) if float(whole) else None
    except (TypeError, ValueError):
        return None


@register.filter
def pp_change(new: Any, old: Any) -> str:
    """The change from `old` to `new` (fractions) in percentage points: "+2.5 pp", "−5.6 pp"."""
    try:
        points = (float(new or 0.0) - float(old or 0.0)) * 100
    except (TypeError, ValueError):
        return ""
    sign = "+" if points > 0.05 else "\u2212" if points < -0.05 else "±"
    return f"{sign}{abs(points):.1f}\u00a0pp"


@register.simple_tag
def network_diagram(spec: Mapping[str, Any], element_id: str = "network") -> SafeString:
    """The spec's network as inline SVG; diagram.network_svg escapes every piece of text."""
    return mark_safe(network_svg(dict(spec), element_id=element_id))  # noqa: S308


@register.simple_tag
def network_weight_tables(spec: Mapping[str, Any], element_id: str = "network") -> SafeString:
    """The spec's weights as one table per layer; diagram.weight_tables escapes every piece of text."""
    return mark_safe(weight_tables(dict(spec), element_id=element_id))  # noqa: S308


# ------------------------------------------------------------------------ worked-solution lines

_TAG = re.compile(r"<(/?)([A-Za-z][\w:-]*)[^>]*?(/?)>")
_EQUALS = "<mo>&#x0003D;</mo>"
_MATH_OPEN = re.compile(r"^(<math\b[^>]*>)<mrow>(.*)</mrow></math>$", re.DOTALL)


@lru_cache(maxsize=8192)
def split_at_equals(mathml: str) -> tuple[str, ...]:
    """Split a one-line `<math>` "a = b = c" at its top-level equals signs into `<math>` pieces.

    latex2mathml writes a line as <math …><mrow>…</mrow></math>; "=" between the forms sits at
    depth 0 of that mrow. Anything else comes back whole, as a single piece.
    """
    match = _MATH_OPEN.match(mathml.strip())
    if match is None:
        return (mathml,)
    opening, body = match.groups()
    pieces: list[str] = []
    depth = 0
    start = 0
    position = 0
    while position < len(body):
        if depth == 0 and body.startswith(_EQUALS, position):
            pieces.append(body[start:position])
            position += len(_EQUALS)
            start = position
            continue
        tag = _TAG.match(body, position)
        if tag is None:
            position += 1
            continue
        closing, _name, self_closing = tag.groups()
        if not self_closing:
            depth += -1 if closing else 1
        if depth < 0:
            return (mathml,)
        position = tag.end()
    pieces.append(body[start:])
    if depth != 0 or any(not piece.strip() for piece in pieces):
        return (mathml,)
    return tuple(f"{opening}<mrow>{piece}</mrow></math>" for piece in pieces)


@register.simple_tag
def derivation(line: WorkedLine) -> SafeString:
    """A worked line as one ``<math>`` (alttext read in the page's language): a table of rows
    "lhs = form₁", "= form₂", … that scrolls sideways as one block when it is wider than the page.

    Built here rather than in a template: a page has up to hundreds of lines.
    """
    alttext = latex_speech(line.latex, get_language() or "en")
    pieces = split_at_equals(line.mathml)
    match = _MATH_OPEN.match(line.mathml.strip())
    if len(pieces) == 1 or match is None:
        body = line.mathml.replace("<math ", f"<math alttext={quoteattr(alttext)} ", 1)
    else:
        inner = [_MATH_OPEN.match(piece).group(2) for piece in pieces]  # type: ignore[union-attr]
        rows = [f"<mtr><mtd>{inner[0]}</mtd><mtd><mo>=</mo></mtd><mtd>{inner[1]}</mtd></mtr>"]
        rows += [f"<mtr><mtd></mtd><mtd><mo>=</mo></mtd><mtd>{piece}</mtd></mtr>" for piece in inner[2:]]
        opening = match.group(1).replace("<math ", f"<math alttext={quoteattr(alttext)} ", 1)
        body = f"{opening}<mtable>{''.join(rows)}</mtable></math>"
    # MathML from the grader (latex2mathml output), safe by construction; the alttext is escaped.
    return format_html(
        '<div class="derivation" data-key="{}" role="group" aria-label="{}">{}</div>',
        line.key, key_speech(line.key, get_language() or "en"), mark_safe(body),  # noqa: S308
    )


@register.simple_tag
def answer_boxes(boxes: Iterable[Any], hints: Any = None) -> SafeString:
    """The labelled answer boxes of one step (built here, not in a template: a sheet has 40–340),
    each with its hint panel when the sheet offers hints (`hints.panel(key)`: exercises.web.hints)."""
    return mark_safe("".join(  # noqa: S308 - every piece escapes what it prints
        answer_box(box.key, box.value, box.error, hints.panel(box.key) if hints else "") for box in boxes))


def answer_box(key: str, value: str, error: str, extra: str = "") -> str:
    """One labelled answer box with its format error, if any (all text escaped), then `extra` (HTML)."""
    label, attributes = _answer_box_parts(key)
    typed = html.escape(value, quote=True)
    if not error:
        return f'<div class="answer-field">{label}<input {attributes} value="{typed}">{extra}</div>'
    input_id = f"id_{key}"
    return (
        f'<div class="answer-field has-error">{label}<input {attributes} value="{typed}" aria-invalid="true"'
        f' aria-describedby="{input_id}-error"><p class="field-error" id="{input_id}-error">'
        f"{html.escape(error)}</p>{extra}</div>"
    )


def _answer_box_parts(key: str) -> tuple[str, str]:
    """The label (the notation shown, its reading for screen readers) and the input's attributes."""
    return _answer_box_parts_in(key, get_language() or "en")


@lru_cache(maxsize=4096)
def _answer_box_parts_in(key: str, language: str) -> tuple[str, str]:
    """Escaped once per key and language, then reused."""
    input_id = html.escape(f"id_{key}", quote=True)
    spoken = html.escape(key_speech(key, language))
    label = (
        f'<label for="{input_id}"><span class="notation" aria-hidden="true">{notation(key)}</span>'
        f'<span class="visually-hidden">{spoken}</span></label>'
    )
    attributes = (
        f'type="text" name="{html.escape(key, quote=True)}" id="{input_id}" autocomplete="off"'
        ' autocapitalize="off" spellcheck="false"'
    )
    return label, attributes


@register.simple_tag
def error_summary(message: str, boxes_by_step: Iterable[tuple[str, Iterable[Any]]] = ()) -> SafeString:
    """The banner over a refused sheet: its message and a link to every box that could not be read
    (what the box is, then why). Focus moves here when the page loads (static a11y.js)."""
    if not message:
        return mark_safe("")  # noqa: S308 - empty
    language = get_language() or "en"
    items = [
        format_html(
            '<li><a href="#id_{}"><span class="notation" aria-hidden="true">{}</span>'
            '<span class="visually-hidden">{}</span>: {}</a></li>',
            box.key, notation(box.key), key_speech(box.key, language), box.error,
        )
        for _step, boxes in boxes_by_step for box in boxes if box.error
    ]
    listing = format_html("<ul>{}</ul>", mark_safe("".join(items))) if items else ""  # noqa: S308 - escaped above
    return format_html(
        '<div class="error-summary" role="alert" id="form-message" tabindex="-1" data-error-summary>'
        '<h2 class="error-summary-title">{}</h2>{}</div>',
        message, listing,
    )


@register.filter
def when(moment: Any) -> str:
    """A stored (UTC) time in the viewer's zone, the zone named: 2026-12-01 23:59 Asia/Shanghai."""
    if not moment:
        return ""
    local = timezone.localtime(moment)
    zone = timezone.get_current_timezone_name()
    return format_html(
        '<time datetime="{}">{} <span class="zone">{}</span></time>',
        moment.astimezone(dt_timezone.utc).isoformat(),
        local.strftime("%Y-%m-%d %H:%M"),
        zone_label(zone),
    )
