"""Bar charts of the data-quality evidence as plain SVG (server-drawn, readable when
printed, no script): the first decimals behind a digit preference score, the
children by year of age and by month of birth."""

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
    drawn as a dashed line; .0 and .5 in red."""
    return bars_svg(
        counts,
        [f",{d}" for d in range(10)],
        title=title,
        heaped={0, 5},
        css_class="digit-histogram",
    )


def bars_svg(
    counts: Sequence[int],
    labels: Sequence[str],
    *,
    title: str,
    heaped: set[int] | None = None,
    css_class: str = "bars",
) -> SafeString:
    """Bars of ``counts`` under ``labels``, the even share as a dashed line; the
    bars at the indices in ``heaped`` in red."""
    total = sum(counts)
    slots = len(counts)
    top = max([*counts, 1])
    plot_w, plot_h = WIDTH - LEFT - 8, HEIGHT - BOTTOM - TOP
    step = plot_w / slots
    parts = [
        f'<svg class="{escape(css_class)}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{LEFT}" x2="{WIDTH - 8}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" '
        'stroke="#44525c" stroke-width="1"/>',
        f'<text x="{LEFT - 4}" y="{TOP + 4}" font-size="11" text-anchor="end" '
        f'fill="#44525c">{top}</text>',
        f'<text x="{LEFT - 4}" y="{TOP + plot_h + 4}" font-size="11" text-anchor="end" '
        'fill="#44525c">0</text>',
    ]
    for index, (value, label) in enumerate(zip(counts, labels, strict=True)):
        h = plot_h * value / top
        x = LEFT + step * index + step * 0.15
        colour = HEAPED if index in (heaped or set()) else BAR
        parts.append(
            f'<rect x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{step * 0.7:.1f}" '
            f'height="{h:.1f}" fill="{colour}"><title>{escape(label)}: {value}</title></rect>'
            f'<text x="{x + step * 0.35:.1f}" y="{TOP + plot_h - h - 3:.1f}" font-size="10" '
            f'text-anchor="middle" fill="#1d2a33">{value}</text>'
            f'<text x="{x + step * 0.35:.1f}" y="{HEIGHT - BOTTOM + 14}" font-size="11" '
            f'text-anchor="middle" fill="#44525c">{escape(label)}</text>'
        )
    if total:
        y = TOP + plot_h - plot_h * (total / slots) / top
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - 8}" y1="{y:.1f}" y2="{y:.1f}" stroke="#2e9e5b" '
            'stroke-width="1.5" stroke-dasharray="5 4"/>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is a number or escaped
