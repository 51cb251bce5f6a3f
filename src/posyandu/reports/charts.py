"""Server-drawn SVG of the SKDN trend, in the traditional colours: S red, K yellow,
D green, N blue. Plain SVG, readable when printed, no script."""

from __future__ import annotations

import datetime as dt

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from posyandu.reports.selectors import SkdnRow

SERIES = (
    ("s", "#d64541", "S"),
    ("k", "#f2c200", "K"),
    ("d", "#2e9e5b", "D"),
    ("n", "#2f6fd0", "N"),
)
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 260, 44, 34, 14


def skdn_trend_svg(trend: list[tuple[dt.date, SkdnRow]], *, title: str) -> SafeString:
    """Grouped bars (S, K, D, N) per month, with the D/S line's months labelled."""
    top = max([row.count(name) for _p, row in trend for name, _c, _l in SERIES] + [1])
    plot_w, plot_h = WIDTH - LEFT - 8, HEIGHT - BOTTOM - TOP
    group = plot_w / max(len(trend), 1)
    bar = group * 0.8 / len(SERIES)
    parts = [
        f'<svg class="skdn-trend" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for k in range(5):
        value = top * k / 4
        y = TOP + plot_h - plot_h * k / 4
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - 8}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d9dee2" '
            'stroke-width="1"/>'
            f'<text x="{LEFT - 4}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="#44525c">{value:,.0f}</text>'.replace(",", ".")
        )
    for i, (period, row) in enumerate(trend):
        x0 = LEFT + group * i + group * 0.1
        for j, (name, colour, label) in enumerate(SERIES):
            value = row.count(name)
            h = plot_h * value / top
            parts.append(
                f'<rect x="{x0 + bar * j:.1f}" y="{TOP + plot_h - h:.1f}" width="{bar - 1:.1f}" '
                f'height="{h:.1f}" fill="{colour}">'
                f"<title>{label} {period:%m/%Y}: {value}</title></rect>"
            )
        parts.append(
            f'<text x="{x0 + group * 0.4:.1f}" y="{HEIGHT - BOTTOM + 14}" font-size="11" '
            f'text-anchor="middle" fill="#44525c">{period:%m/%y}</text>'
        )
    for j, (_name, colour, label) in enumerate(SERIES):
        x = LEFT + j * 56
        parts.append(
            f'<rect x="{x}" y="{HEIGHT - 14}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x + 14}" y="{HEIGHT - 5}" font-size="11" fill="#1d2a33">{label}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is a number or escaped
