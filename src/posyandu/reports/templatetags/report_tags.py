"""Template filters of the report pages."""

from __future__ import annotations

from django import template

from posyandu.core.templatetags.ui_tags import thousands
from posyandu.core.ui import decimal_comma
from posyandu.reports.selectors import SkdnRow

register = template.Library()


@register.filter
def count(row: SkdnRow, name: str) -> int:
    return row.count(name)


@register.filter
def pct(row: SkdnRow, name: str) -> float | None:
    return row.ratios.get(name)


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
