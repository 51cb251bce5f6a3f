"""Template filters shared by every app."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def thousands(value: int | str | None) -> str:
    """1234567 -> "1.234.567" (the Indonesian thousands separator)."""
    if value is None or value == "":
        return ""
    return f"{int(value):,}".replace(",", ".")
