"""The "My progress" chart: one skill's mastery after each of its latest attempts, server-rendered
SVG (no JavaScript, no chart library), in the style of the analytics charts.

A self-contained ``<svg>`` with ``role="img"``, a ``<title>`` and a ``<desc>`` listing every value
(the table beside it says the same), a dashed line at the mastery threshold and a ``<title>`` on
every point. It scales to its box (viewBox, CSS width 100 %), so it fits a phone."""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from django.utils.translation import gettext

INK = "#1d2430"
INK_SOFT = "#4a5568"
GRID = "#e3e0d8"
LINE = "#1f6f8b"
MASTERED = "#21794a"
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC", sans-serif'
WIDTH, HEIGHT = 320.0, 150.0
LEFT, RIGHT, TOP, BOTTOM = 40.0, 14.0, 12.0, 26.0
MAX_POINTS = 20


def _pct(value: float) -> str:
    return f"{value * 100:.0f}%"


def mastery_chart(trajectory: Sequence[float], *, title: str, element_id: str, threshold: float) -> str:
    """Mastery (0–100 %) after each of the last MAX_POINTS attempts, oldest on the left."""
    points = list(trajectory)[-MAX_POINTS:]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(value: float) -> float:
        return TOP + plot_h * (1 - max(0.0, min(1.0, value)))

    def x(index: int) -> float:
        return LEFT + (plot_w * index / (len(points) - 1) if len(points) > 1 else plot_w / 2)

    body: list[str] = []
    for tick in (0.0, 0.5, 1.0):
        body.append(
            f'<line x1="{LEFT:.1f}" y1="{y(tick):.1f}" x2="{WIDTH - RIGHT:.1f}" y2="{y(tick):.1f}" stroke="{GRID}"/>'
            f'<text x="{LEFT - 6:.1f}" y="{y(tick):.1f}" text-anchor="end" dominant-baseline="middle" '
            f'font-size="11" fill="{INK_SOFT}">{_pct(tick)}</text>'
        )
    body.append(
        f'<line class="threshold" x1="{LEFT:.1f}" y1="{y(threshold):.1f}" x2="{WIDTH - RIGHT:.1f}" '
        f'y2="{y(threshold):.1f}" stroke="{MASTERED}" stroke-dasharray="4 3"/>'
    )
    if points:
        path = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(points))
        body.append(f'<polyline points="{path}" fill="none" stroke="{LINE}" stroke-width="2"/>')
        attempt = gettext("After attempt %(n)s: %(value)s")
        for i, value in enumerate(points):
            fill = MASTERED if value >= threshold else LINE
            tip = attempt % {"n": len(trajectory) - len(points) + i + 1, "value": _pct(value)}
            body.append(f'<circle class="point" cx="{x(i):.1f}" cy="{y(value):.1f}" r="3.5" fill="{fill}" '
                        f'data-value="{value:.4f}"><title>{escape(tip)}</title></circle>')
    else:
        body.append(f'<text x="{LEFT + plot_w / 2:.1f}" y="{TOP + plot_h / 2:.1f}" text-anchor="middle" '
                    f'fill="{INK_SOFT}">{escape(gettext("Not practised yet"))}</text>')
    axis = gettext("Attempts, oldest to newest")
    body.append(f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 6:.1f}" text-anchor="middle" font-size="11" '
                f'fill="{INK_SOFT}">{escape(axis)}</text>')
    if points:
        description = gettext("Mastery after each attempt: %(values)s; mastered from %(threshold)s.") % {
            "values": ", ".join(_pct(v) for v in points), "threshold": _pct(threshold)}
    else:
        description = gettext("Not practised yet")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-mastery" id={quoteattr(element_id)} '
        f'viewBox="0 0 {WIDTH:.0f} {HEIGHT:.0f}" role="img" aria-labelledby={quoteattr(element_id + "-title")} '
        f'aria-describedby={quoteattr(element_id + "-desc")} font-family={quoteattr(FONT)} font-size="12">'
        f'<title id={quoteattr(element_id + "-title")}>{escape(title)}</title>'
        f'<desc id={quoteattr(element_id + "-desc")}>{escape(description)}</desc>'
        + "".join(body) + "</svg>"
    )
