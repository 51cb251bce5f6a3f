"""Template filters of the Operasi Timbang pages."""

from __future__ import annotations

from django import template

from posyandu.campaigns.selectors import AreaResult
from posyandu.core.templatetags.ui_tags import thousands

register = template.Library()


@register.filter
def measured(result: AreaResult) -> str:
    """ "1.234/1.300": measured / target."""
    return f"{thousands(result.count('measured'))}/{thousands(result.count('target'))}"


@register.filter
def count(result: AreaResult, name: str) -> int:
    return result.count(name)
