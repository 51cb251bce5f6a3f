"""Template filters of the report pages."""

from __future__ import annotations

from django import template

from posyandu.core.templatetags.ui_tags import thousands
from posyandu.reports.selectors import SkdnRow

register = template.Library()


@register.filter
def count(row: SkdnRow, name: str) -> int:
    return row.count(name)


@register.filter
def pct(row: SkdnRow, name: str) -> float | None:
    return row.ratios.get(name)


register.filter("thousands", thousands)
