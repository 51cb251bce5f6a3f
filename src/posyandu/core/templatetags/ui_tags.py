"""Template filters shared by every app."""

from __future__ import annotations

from django import template

from posyandu.core import audit

register = template.Library()


@register.filter
def thousands(value: int | str | None) -> str:
    """1234567 -> "1.234.567" (the Indonesian thousands separator)."""
    if value is None or value == "":
        return ""
    return f"{int(value):,}".replace(",", ".")


@register.filter
def mask_nik(nik: str | None) -> str:
    """Only the last 4 digits of a NIK (specific personal data under UU PDP)."""
    return str(audit.mask_nik(nik or ""))
