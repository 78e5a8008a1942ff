"""One indicator across holders and years as an inline SVG line chart (no plotting library),
like the benchmarking app's radar: the same SVG serves the page and a PDF."""

from __future__ import annotations

from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils.formats import number_format

from .selectors import IndicatorTable

COLOURS = ("#1d4ed8", "#c2410c", "#15803d", "#7e22ce", "#b91c1c", "#0e7490", "#a16207", "#be185d")
# beyond the colours, each round of them has its own dash pattern and marker shape: 32 holders
# (the framework's most is 30) are told apart by colour, dash and marker, in the legend too
DASHES = ("", "8 4", "2 3", "10 3 2 3")
MARKERS = ("circle", "square", "triangle", "diamond")
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 720, 320, 80, 20, 30, 40
LEGEND_ROW = 18


def indicator_chart(table: IndicatorTable, *, title: str, fluid: bool = False) -> str:
    """Each holder's values (a line through its years); empty when nothing is reported.
    ``fluid``: as wide as its box (a small chart beside a table), the height following."""
    values = [v for _cluster, row in table.rows for v in row if v is not None]
    if not values or not table.years:
        return ""
    high = max(values) or Decimal(1)
    low = min(Decimal(0), min(values))
    span = float(high - low) or 1.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(table.years) - 1, 1)
    height = HEIGHT + LEGEND_ROW * len(table.rows)

    def x(index: int) -> float:
        return LEFT + (index * step if len(table.years) > 1 else plot_w / 2)

    def y(value: Decimal) -> float:
        return TOP + plot_h - float(value - low) / span * plot_h

    out = [
        '<svg xmlns="http://www.w3.org/2000/svg" class="indicator-chart" role="img" '
        + (f'width="{WIDTH}" height="{height}" ' if not fluid else 'width="100%" ')
        + f'viewBox="0 0 {WIDTH} {height}" '
        f'font-family="DejaVu Sans, sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" '
        f'stroke="#6b7280"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="#6b7280"/>',
    ]
    for mark in (low, (low + high) / 2, high):
        out.append(
            f'<text x="{LEFT - 6}" y="{y(mark) + 4:.1f}" text-anchor="end">'
            f"{escape(number_format(mark, decimal_pos=2 if mark % 1 else 0, use_l10n=True))}</text>"
        )
    for index, year in enumerate(table.years):
        out.append(
            f'<text x="{x(index):.1f}" y="{TOP + plot_h + 18}" text-anchor="middle">{year}</text>'
        )
    for number, (cluster, row) in enumerate(table.rows):
        colour, dash, marker = line_style(number)
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        points = [(x(i), y(v)) for i, v in enumerate(row) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            out.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"'
                f"{dashed}/>"
            )
        out.extend(_marker(marker, px, py, colour) for px, py in points)
        legend_y = HEIGHT + LEGEND_ROW * number
        out.append(
            f'<line x1="{LEFT}" y1="{legend_y - 4}" x2="{LEFT + 24}" y2="{legend_y - 4}" '
            f'stroke="{colour}" stroke-width="2"{dashed}/>'
            # the first round's marker (a dot) goes without saying; the others' are shown
            + (_marker(marker, LEFT + 12, legend_y - 4, colour) if dash else "")
            + f'<text x="{LEFT + 30}" y="{legend_y}">{escape(cluster.name)}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def line_style(number: int) -> tuple[str, str, str]:
    """The colour, dash pattern ("" solid) and marker of the ``number``-th holder's line."""
    colour = COLOURS[number % len(COLOURS)]
    tier = (number // len(COLOURS)) % len(DASHES)
    return colour, DASHES[tier], MARKERS[tier]


def _marker(shape: str, px: float, py: float, colour: str) -> str:
    if shape == "square":
        return (
            f'<rect x="{px - 3:.1f}" y="{py - 3:.1f}" width="6" height="6" fill="{colour}" '
            f'data-marker="square"/>'
        )
    if shape == "triangle":
        corners = f"{px:.1f},{py - 4:.1f} {px - 4:.1f},{py + 3:.1f} {px + 4:.1f},{py + 3:.1f}"
        return f'<polygon points="{corners}" fill="{colour}" data-marker="triangle"/>'
    if shape == "diamond":
        corners = (
            f"{px:.1f},{py - 4:.1f} {px + 4:.1f},{py:.1f} "
            f"{px:.1f},{py + 4:.1f} {px - 4:.1f},{py:.1f}"
        )
        return f'<polygon points="{corners}" fill="{colour}" data-marker="diamond"/>'
    return f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}" data-marker="circle"/>'
