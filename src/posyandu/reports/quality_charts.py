"""The histogram of first decimals behind a digit preference score, as plain SVG
(server-drawn, readable when printed, no script)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 360, 190, 34, 30, 16
BAR = "#2f6fd0"
HEAPED = "#d64541"
""".0 and .5: the digits a rounding hand prefers."""


def digit_histogram_svg(counts: Sequence[int], *, title: str) -> SafeString:
    """Bars of how many values end in .0, .1 … .9, with the even share (a tenth)
    drawn as a dashed line."""
    total = sum(counts)
    top = max([*counts, 1])
    plot_w, plot_h = WIDTH - LEFT - 8, HEIGHT - BOTTOM - TOP
    step = plot_w / 10
    parts = [
        f'<svg class="digit-histogram" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{LEFT}" x2="{WIDTH - 8}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" '
        'stroke="#44525c" stroke-width="1"/>',
        f'<text x="{LEFT - 4}" y="{TOP + 4}" font-size="11" text-anchor="end" '
        f'fill="#44525c">{top}</text>',
        f'<text x="{LEFT - 4}" y="{TOP + plot_h + 4}" font-size="11" text-anchor="end" '
        'fill="#44525c">0</text>',
    ]
    for digit, value in enumerate(counts):
        h = plot_h * value / top
        x = LEFT + step * digit + step * 0.15
        colour = HEAPED if digit in (0, 5) else BAR
        parts.append(
            f'<rect x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{step * 0.7:.1f}" '
            f'height="{h:.1f}" fill="{colour}"><title>,{digit}: {value}</title></rect>'
            f'<text x="{x + step * 0.35:.1f}" y="{TOP + plot_h - h - 3:.1f}" font-size="10" '
            f'text-anchor="middle" fill="#1d2a33">{value}</text>'
            f'<text x="{x + step * 0.35:.1f}" y="{HEIGHT - BOTTOM + 14}" font-size="11" '
            f'text-anchor="middle" fill="#44525c">,{digit}</text>'
        )
    if total:
        y = TOP + plot_h - plot_h * (total / 10) / top
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - 8}" y1="{y:.1f}" y2="{y:.1f}" stroke="#2e9e5b" '
            'stroke-width="1.5" stroke-dasharray="5 4"/>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is a number or escaped
