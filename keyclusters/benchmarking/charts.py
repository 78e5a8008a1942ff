"""A radar chart as inline SVG, drawn with plain trigonometry (no browser, no plotting library).

One SVG serves the report page and its PDF (WeasyPrint draws inline SVG as vector paths).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

CLUSTER_COLOUR = "#c2410c"
MEDIAN_COLOUR = "#1d4ed8"
BENCHMARK_COLOUR = "#15803d"
SIDE_MARGIN = 190  # room for the axis labels left and right of the chart


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]  # one per axis; None where there is no value
    colour: str
    fill: bool = False
    dashed: bool = False


def _point(cx: float, cy: float, radius: float, angle: float) -> tuple[float, float]:
    return cx + radius * math.cos(angle), cy + radius * math.sin(angle)


def _fmt(value: float) -> str:
    return f"{value:.1f}"


def radar_svg(
    axes: Sequence[str],
    series: Sequence[Series],
    *,
    size: int = 420,
    low: float = 0.0,
    high: float = 1.0,
    rings: int = 4,
    title: str = "",
) -> str:
    """An SVG radar chart of ``series`` over ``axes``; values are scaled from low to high.

    A missing value is drawn at the centre. Values beyond the scale are clipped to it.
    """
    n = len(axes)
    width, height = size + 2 * SIDE_MARGIN, size + 60 + 22 * len(series)
    cx, cy, radius = width / 2, size / 2 + 20, size / 2 - 30
    angles = [-math.pi / 2 + 2 * math.pi * k / n for k in range(n)]
    span = (high - low) or 1.0
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="radar" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="DejaVu Sans, sans-serif" font-size="12">'
    ]
    if title:
        out.append(f"<title>{escape(title)}</title>")
    for ring in range(1, rings + 1):
        r = radius * ring / rings
        points = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in (_point(cx, cy, r, a) for a in angles))
        out.append(f'<polygon points="{points}" fill="none" stroke="#cbd5e1" stroke-width="1"/>')
        label = low + span * ring / rings
        out.append(
            f'<text x="{_fmt(cx + 3)}" y="{_fmt(cy - r - 2)}" fill="#64748b" '
            f'font-size="9">{_label(label)}</text>'
        )
    for name, angle in zip(axes, angles, strict=True):
        x, y = _point(cx, cy, radius, angle)
        out.append(
            f'<line x1="{_fmt(cx)}" y1="{_fmt(cy)}" x2="{_fmt(x)}" y2="{_fmt(y)}" '
            f'stroke="#94a3b8" stroke-width="1"/>'
        )
        lx, ly = _point(cx, cy, radius + 16, angle)
        cos = math.cos(angle)
        anchor = "middle" if abs(cos) < 0.2 else ("start" if cos > 0 else "end")
        out.append(
            f'<text x="{_fmt(lx)}" y="{_fmt(ly + 4)}" text-anchor="{anchor}" '
            f'fill="#0f172a">{escape(name)}</text>'
        )
    for item in series:
        points = []
        for value, angle in zip(item.values, angles, strict=True):
            share = 0.0 if value is None else min(max((value - low) / span, 0.0), 1.0)
            points.append(_point(cx, cy, radius * share, angle))
        text = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in points)
        fill = f'fill="{item.colour}" fill-opacity="0.25"' if item.fill else 'fill="none"'
        dash = ' stroke-dasharray="6 4"' if item.dashed else ""
        out.append(
            f'<polygon class="series" points="{text}" {fill} stroke="{item.colour}" '
            f'stroke-width="2"{dash}/>'
        )
    legend_y = size + 40
    for k, item in enumerate(series):
        y = legend_y + 22 * k
        dash = ' stroke-dasharray="6 4"' if item.dashed else ""
        out.append(
            f'<line x1="{_fmt(cx - 90)}" y1="{y}" x2="{_fmt(cx - 60)}" y2="{y}" '
            f'stroke="{item.colour}" stroke-width="3"{dash}/>'
        )
        out.append(
            f'<text x="{_fmt(cx - 52)}" y="{y + 4}" fill="#0f172a">{escape(item.label)}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def _label(value: float) -> str:
    """A ring's value in the active language's format (0,25 in Polish, 0.25 in English)."""
    from django.utils.formats import number_format

    return number_format(value, decimal_pos=2, use_l10n=True)
