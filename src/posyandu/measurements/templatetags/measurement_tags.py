"""Display helpers for visits: z-scores with a decimal comma, ages, weight gains."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

from posyandu.core.i18n import growth_lang
from posyandu.core.ui import decimal_comma
from posyandu.growth.classify import label
from posyandu.measurements.display import PlainResult, visit_result
from posyandu.measurements.models import Visit
from posyandu.policy import DAYS_PER_MONTH

register = template.Library()

# Category code -> pill colour: red for the worst band, yellow for the next.
_SEVERITY = {
    "sangat_kurang": "bad",
    "kurang": "warn",
    "risiko_lebih": "warn",
    "sangat_pendek": "bad",
    "pendek": "warn",
    "gizi_buruk": "bad",
    "gizi_kurang": "warn",
    "berisiko_gizi_lebih": "warn",
    "gizi_lebih": "warn",
    "obesitas": "bad",
}


@register.filter
def zfmt(value: float | None) -> str:
    """A z-score as "−1,23" (two decimals, decimal comma, a real minus sign)."""
    if value is None:
        return "–"
    return decimal_comma(f"{value:+.2f}").replace("-", "−")


@register.filter
def comma(value: Decimal | float | None, places: int = 1) -> str:
    """A measurement with a decimal comma and at most ``places`` decimals, at
    least one: 10.40 -> "10,4", 8 -> "8,0", 7.45 -> "7,45" (with places=2)."""
    if value is None or value == "":
        return ""
    text = f"{float(value):.{max(int(places), 1)}f}"
    whole, decimals = text.split(".")
    return f"{whole},{decimals.rstrip('0') or '0'}"


@register.filter
def category(code: str, indicator: str) -> str:
    """The Permenkes label of a stored category code (``{{ v.cat_lhfa|category:"lhfa" }}``)."""
    try:
        return label(indicator, code or "", growth_lang())
    except ValueError:
        return code


@register.filter
def severity(code: str) -> str:
    if not code:
        return ""
    return _SEVERITY.get(code, "ok")


@register.filter
def age_text(days: int | None) -> str:
    """Age as the KIA book writes it: "1 th 3 bln", "5 bln 12 hr"."""
    if days is None:
        return ""
    months = int(days // DAYS_PER_MONTH)
    years, months_left = divmod(months, 12)
    if years:
        return _("%(y)d th %(m)d bln") % {"y": years, "m": months_left}
    if months:
        return _("%(m)d bln %(d)d hr") % {"m": months, "d": int(days - months * DAYS_PER_MONTH)}
    return _("%(d)d hari") % {"d": days}


@register.filter
def age_on(birth_date: dt.date, on: dt.date | None = None) -> str:
    return age_text(((on or dt.date.today()) - birth_date).days)


@register.filter
def gain_sign(grams: int | None) -> str:
    if grams is None:
        return ""
    return f"{grams:+d} g".replace("-", "−")


@register.filter
def result_of(visit: Visit | None) -> PlainResult | None:
    """The plain-language result of a stored visit (:func:`visit_result`)."""
    return visit_result(visit) if visit is not None else None
