"""Server-rendered SVG charts for the analytics page: no JavaScript, no chart library.

* `stacked_bar_chart` — one horizontal bar per part (or step), split into correct /
  follow-through / incorrect / not answered, each segment labelled with its share.
* `misconception_chart` — the most frequent diagnosed misconceptions, their message above the bar
  and the count at its end.
* `histogram_chart` — the score distribution in ten bins of 10 %.

Every chart is a self-contained, well-formed ``<svg>`` string (presentation attributes, no CSS
needed) with ``role="img"``, a ``<title>`` and a ``<desc>`` summarising the data, a ``<title>``
on every bar for pointer users, and real ``<text>`` labels. Every piece of text is escaped;
labels in the article's notation (``net<sub>h1</sub>``) become SVG ``<tspan>`` sub/superscripts.
The caller translates the texts (titles, legend, messages) before passing them in, except the
legend and axis words, which are translated here with gettext.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from django.utils.translation import gettext

SEGMENTS = ("correct", "followthrough", "incorrect", "other")
SEGMENT_FILL = {
    "correct": "#21794a",
    "followthrough": "#d8a800",
    "incorrect": "#b3261e",
    "other": "#c9c5bb",
}
# Text drawn on a segment: white where the fill is dark, ink where it is light.
SEGMENT_TEXT = {"correct": "#ffffff", "followthrough": "#1d2430", "incorrect": "#ffffff", "other": "#1d2430"}
INK = "#1d2430"
INK_SOFT = "#4a5568"
GRID = "#e3e0d8"
ACCENT = "#1f6f8b"
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC", sans-serif'

WIDTH = 760.0
CHAR_WIDTH = 7.4  # average advance of the 13px label font (Latin); CJK counts double
ROW_HEIGHT = 30.0
BAR_HEIGHT = 20.0
LEGEND_HEIGHT = 34.0
HISTOGRAM_BINS = 10

_TAG = re.compile(r"<(/?)(sub|sup)>")


# ------------------------------------------------------------------------------------- pieces


def _a(value: str | float) -> str:
    """An attribute value, quoted and escaped (numbers to one decimal)."""
    if isinstance(value, (int, float)):
        return f'"{value:.1f}"'
    return quoteattr(str(value))


def text_width(text: str, char_width: float = CHAR_WIDTH) -> float:
    """Rough rendered width of a text: wide (CJK, full-width) characters count double."""
    return sum(char_width * (2 if ord(ch) > 0x2E80 else 1) for ch in text)


def plain(markup: str) -> str:
    """The text of a label's HTML notation, without its sub/sup tags (for titles and widths)."""
    return _unescape(_TAG.sub("", str(markup)))


def _unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&#x27;", "'")
        .replace("&#39;", "'").replace("&amp;", "&")
    )


def tspans(markup: str) -> str:
    """Escaped HTML with <sub>/<sup> only (the notation filter's output) as SVG text content."""
    out: list[str] = []
    position = 0
    for match in _TAG.finditer(str(markup)):
        out.append(escape(_unescape(str(markup)[position : match.start()])))
        closing, tag = match.groups()
        if closing:
            out.append("</tspan>")
        else:
            shift = "sub" if tag == "sub" else "super"
            out.append(f'<tspan baseline-shift="{shift}" font-size="75%">')
        position = match.end()
    out.append(escape(_unescape(str(markup)[position:])))
    return "".join(out)


def _truncate(text: str, width: float, char_width: float = CHAR_WIDTH) -> str:
    """The text cut (with an ellipsis) to fit a width; the full text goes in a <title>."""
    if text_width(text, char_width) <= width:
        return text
    out = ""
    for ch in text:
        if text_width(out + ch + "…", char_width) > width:
            break
        out += ch
    return out.rstrip() + "…"


def _open_svg(element_id: str, width: float, height: float, title: str, description: str, css: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class={_a("chart " + css)} id={_a(element_id)} '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
        f'role="img" aria-labelledby={_a(element_id + "-title")} aria-describedby={_a(element_id + "-desc")} '
        f"font-family={_a(FONT)} font-size=\"13\">"
        f"<title id={_a(element_id + '-title')}>{escape(title)}</title>"
        f"<desc id={_a(element_id + '-desc')}>{escape(description)}</desc>"
    )


def _percent(share: float) -> str:
    return f"{share * 100:.0f}%"


def segment_labels() -> dict[str, str]:
    """The legend's words in the current language."""
    return {
        "correct": gettext("Correct"),
        "followthrough": gettext("Follow-through"),
        "incorrect": gettext("Incorrect"),
        "other": gettext("Not answered or unreadable"),
    }


def _legend(labels: Mapping[str, str], x: float, y: float) -> str:
    items = []
    for segment in SEGMENTS:
        label = labels[segment]
        items.append(
            f'<g class="legend-item" data-segment={_a(segment)}>'
            f'<rect x={_a(x)} y={_a(y - 6)} width="12" height="12" rx="2" fill="{SEGMENT_FILL[segment]}"/>'
            f'<text x={_a(x + 17)} y={_a(y)} dominant-baseline="middle" fill="{INK}">{escape(label)}</text></g>'
        )
        x += 17 + text_width(label) + 22
    return '<g class="legend">' + "".join(items) + "</g>"


# ------------------------------------------------------------------------------- stacked bars


@dataclass(frozen=True)
class StackedRow:
    """One bar: `key` (a part key or step name), its label (HTML notation or plain text) and
    the count of answers per grader status (correct, followthrough, incorrect, invalid, missing)."""

    key: str
    label: str
    counts: Mapping[str, int]

    def segments(self) -> dict[str, int]:
        """Counts folded into the chart's four segments (format errors count as not answered)."""
        counts = {status: int(self.counts.get(status, 0)) for status in ("correct", "followthrough", "incorrect")}
        counts["other"] = sum(int(v) for k, v in self.counts.items() if k not in counts)
        return counts

    @property
    def total(self) -> int:
        return sum(self.segments().values())


def stacked_bar_chart(
    rows: Sequence[StackedRow], *, title: str, element_id: str, width: float = WIDTH
) -> str:
    """Horizontal 100 % bars, one per row, split by status; shares written on wide segments."""
    labels = segment_labels()
    label_width = max([text_width(plain(row.label)) for row in rows] + [40.0]) + 14
    label_width = min(label_width, width * 0.4)
    total_width = 56.0  # "n = 123" at the end of each bar
    bar_left = label_width
    bar_width = width - label_width - total_width - 6
    top = LEGEND_HEIGHT + 6
    height = top + max(len(rows), 1) * ROW_HEIGHT + 22

    body: list[str] = []
    summary: list[str] = []
    # Vertical grid lines at 0, 25, 50, 75, 100 %, with their labels under the bars.
    axis_y = top + max(len(rows), 1) * ROW_HEIGHT + 12
    for tick in (0, 25, 50, 75, 100):
        x = bar_left + bar_width * tick / 100
        body.append(
            f'<line x1={_a(x)} y1={_a(top - 4)} x2={_a(x)} y2={_a(axis_y - 8)} stroke="{GRID}" stroke-width="1"/>'
            f'<text x={_a(x)} y={_a(axis_y)} text-anchor="middle" dominant-baseline="middle" '
            f'font-size="11" fill="{INK_SOFT}">{tick}%</text>'
        )
    for index, row in enumerate(rows):
        y = top + index * ROW_HEIGHT
        bar_y = y + (ROW_HEIGHT - BAR_HEIGHT) / 2
        segments = row.segments()
        total = sum(segments.values())
        name = plain(row.label)
        parts = [
            f'<g class="bar-row" data-key={_a(row.key)} data-total="{total}">',
            f'<text x={_a(label_width - 10)} y={_a(y + ROW_HEIGHT / 2)} text-anchor="end" '
            f'dominant-baseline="middle" fill="{INK}" class="bar-label">{tspans(row.label)}</text>',
        ]
        if total == 0:
            parts.append(
                f'<rect x={_a(bar_left)} y={_a(bar_y)} width={_a(bar_width)} height={_a(BAR_HEIGHT)} '
                f'fill="#f0efec" class="bar-empty"><title>{escape(name)}: {escape(gettext("no answers"))}</title></rect>'
            )
        x = bar_left
        shares = []
        for segment in SEGMENTS:
            count = segments[segment]
            if not count:
                continue
            share = count / total
            w = bar_width * share
            tooltip = f"{name}: {labels[segment]} {count}/{total} ({_percent(share)})"
            parts.append(
                f'<rect class={_a("seg seg-" + segment)} data-segment={_a(segment)} data-count="{count}" '
                f"x={_a(x)} y={_a(bar_y)} width={_a(w)} height={_a(BAR_HEIGHT)} "
                f'fill="{SEGMENT_FILL[segment]}"><title>{escape(tooltip)}</title></rect>'
            )
            if w >= 34:
                parts.append(
                    f'<text x={_a(x + w / 2)} y={_a(bar_y + BAR_HEIGHT / 2 + 0.5)} text-anchor="middle" '
                    f'dominant-baseline="middle" font-size="11.5" font-weight="600" '
                    f'fill="{SEGMENT_TEXT[segment]}" aria-hidden="true">{_percent(share)}</text>'
                )
            shares.append(f"{labels[segment]} {_percent(share)}")
            x += w
        parts.append(
            f'<text x={_a(bar_left + bar_width + 8)} y={_a(y + ROW_HEIGHT / 2)} dominant-baseline="middle" '
            f'font-size="11.5" fill="{INK_SOFT}">n = {total}</text></g>'
        )
        body.append("".join(parts))
        summary.append(f"{name}: " + (", ".join(shares) if shares else gettext("no answers")))

    description = "; ".join(summary) if summary else gettext("No graded attempts yet.")
    return (
        _open_svg(element_id, width, height, title, description, "chart-stacked")
        + _legend(labels, bar_left, LEGEND_HEIGHT / 2)
        + "".join(body)
        + "</svg>"
    )


# ---------------------------------------------------------------------------- misconceptions


@dataclass(frozen=True)
class CountRow:
    """One misconception: its key, its message (current language) and how often it was diagnosed."""

    key: str
    label: str
    count: int


def misconception_chart(rows: Sequence[CountRow], *, title: str, element_id: str, width: float = WIDTH) -> str:
    """One bar per misconception, longest first as given; the message sits above its bar."""
    line_height = 18.0
    row_height = line_height + BAR_HEIGHT + 14
    top = 8.0
    height = top + max(len(rows), 1) * row_height + 6
    largest = max([row.count for row in rows] + [1])
    count_space = 60.0
    bar_width = width - count_space - 8
    body: list[str] = []
    summary: list[str] = []
    for index, row in enumerate(rows):
        y = top + index * row_height
        shown = _truncate(f"{index + 1}. {row.label}", width - 8)
        w = max(bar_width * row.count / largest, 2.0)
        body.append(
            f'<g class="bar-row" data-key={_a(row.key)} data-count="{row.count}">'
            f"<title>{escape(row.label)}: {row.count}</title>"
            f'<text x="0" y={_a(y + line_height / 2 + 1)} dominant-baseline="middle" fill="{INK}" '
            f'class="bar-label">{escape(shown)}</text>'
            f'<rect class="bar" x="0" y={_a(y + line_height + 2)} width={_a(w)} height={_a(BAR_HEIGHT)} '
            f'rx="3" fill="{ACCENT}"/>'
            f'<text x={_a(w + 8)} y={_a(y + line_height + 2 + BAR_HEIGHT / 2 + 0.5)} dominant-baseline="middle" '
            f'font-weight="600" fill="{INK}">{row.count}</text></g>'
        )
        summary.append(f"{row.label}: {row.count}")
    description = "; ".join(summary) if summary else gettext("No misconception was diagnosed.")
    return _open_svg(element_id, width, height, title, description, "chart-misconceptions") + "".join(body) + "</svg>"


# --------------------------------------------------------------------------------- histogram


def histogram_bin_labels(bins: int = HISTOGRAM_BINS) -> list[str]:
    """0–10%, 10–20%, …, 90–100% (the last bin includes 100 %)."""
    step = 100 // bins
    return [f"{i * step}–{(i + 1) * step}%" for i in range(bins)]


def _nice_ticks(largest: int) -> list[int]:
    """Whole-number y ticks from 0 to at least `largest`, at most about five of them."""
    if largest <= 0:
        return [0, 1]
    raw = largest / 4
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(int(step), 1)
    top = step * math.ceil(largest / step)
    return list(range(0, top + 1, step))


def histogram_chart(counts: Sequence[int], *, title: str, element_id: str, width: float = WIDTH) -> str:
    """Vertical bars: how many students scored in each tenth; the count is written on top."""
    bins = len(counts) or HISTOGRAM_BINS
    counts = list(counts) or [0] * bins
    bin_labels = histogram_bin_labels(bins)
    height = 280.0
    left, right, top, bottom = 44.0, 10.0, 18.0, 52.0
    plot_w, plot_h = width - left - right, height - top - bottom
    ticks = _nice_ticks(max(counts))
    y_max = ticks[-1]
    body: list[str] = []
    for tick in ticks:
        y = top + plot_h * (1 - tick / y_max)
        body.append(
            f'<line x1={_a(left)} y1={_a(y)} x2={_a(width - right)} y2={_a(y)} stroke="{GRID}" stroke-width="1"/>'
            f'<text x={_a(left - 8)} y={_a(y)} text-anchor="end" dominant-baseline="middle" font-size="11" '
            f'fill="{INK_SOFT}">{tick}</text>'
        )
    slot = plot_w / bins
    students = gettext("students")
    summary: list[str] = []
    for index, count in enumerate(counts):
        h = plot_h * count / y_max
        x = left + index * slot + slot * 0.12
        y = top + plot_h - h
        label = bin_labels[index]
        body.append(
            f'<g class="bar-row" data-bin="{index}" data-count="{count}">'
            f"<title>{escape(label)}: {count} {escape(students)}</title>"
            f'<rect class="bar" x={_a(x)} y={_a(y)} width={_a(slot * 0.76)} height={_a(max(h, 0.0))} '
            f'rx="2" fill="{ACCENT}"/>'
            + (
                f'<text x={_a(x + slot * 0.38)} y={_a(y - 7)} text-anchor="middle" font-weight="600" '
                f'fill="{INK}">{count}</text>'
                if count
                else ""
            )
            + f'<text x={_a(left + index * slot + slot / 2)} y={_a(top + plot_h + 16)} text-anchor="middle" '
            f'font-size="11" fill="{INK_SOFT}">{escape(label)}</text></g>'
        )
        summary.append(f"{label}: {count}")
    axis_title = gettext("Score (share of the points)")
    body.append(
        f'<line x1={_a(left)} y1={_a(top + plot_h)} x2={_a(width - right)} y2={_a(top + plot_h)} '
        f'stroke="{INK_SOFT}" stroke-width="1"/>'
        f'<text x={_a(left + plot_w / 2)} y={_a(height - 10)} text-anchor="middle" fill="{INK_SOFT}">'
        f"{escape(axis_title)}</text>"
    )
    description = gettext("Students per score range: %(ranges)s.") % {"ranges": "; ".join(summary)}
    return _open_svg(element_id, width, height, title, description, "chart-histogram") + "".join(body) + "</svg>"
