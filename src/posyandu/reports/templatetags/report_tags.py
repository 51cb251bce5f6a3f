"""Template filters of the report pages."""

from __future__ import annotations

from django import template

from posyandu.areas.hierarchy import AreaCounts
from posyandu.core.templatetags.ui_tags import thousands
from posyandu.core.ui import decimal_comma
from posyandu.policy import DS_TARGET
from posyandu.reports.selectors import RATIOS

register = template.Library()


_RATIOS = {name: (numerator, denominator) for name, numerator, denominator in RATIOS}


@register.filter
def count(row: AreaCounts, name: str) -> int:
    return row.count(name)


@register.filter
def pct(row: AreaCounts, name: str) -> float | None:
    """An SKDN ratio of any counted row (a month's area, or a roll-up's subtotal)."""
    return row.pct(*_RATIOS[name])


@register.filter
def d_s_class(row: AreaCounts) -> str:
    ratio = row.pct("d", "s")
    return DS_TARGET.css_class(None if ratio is None else ratio / 100)


register.filter("thousands", thousands)


@register.filter
def pct1(value: float | None) -> str:
    """12.345 -> "12,3" (one decimal, decimal comma)."""
    return "" if value is None else decimal_comma(value, 1)


@register.filter
def z2(value: float | None) -> str:
    return "–" if value is None else decimal_comma(value, 2)


@register.filter
def ci(value: tuple[float, float] | None) -> str:
    """A 95% interval as "10,2–14,8"."""
    return "" if value is None else f"{decimal_comma(value[0], 1)}–{decimal_comma(value[1], 1)}"
