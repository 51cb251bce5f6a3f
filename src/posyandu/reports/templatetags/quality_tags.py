"""Template filters of the data-quality pages."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy

from posyandu.core.ui import decimal_comma
from posyandu.policy.quality import QUALITY_RULES, Rating
from posyandu.reports.quality import QualityStats

register = template.Library()

RATING_LABELS = {
    Rating.EXCELLENT: gettext_lazy("sangat baik"),
    Rating.GOOD: gettext_lazy("baik"),
    Rating.ACCEPTABLE: gettext_lazy("cukup"),
    Rating.PROBLEMATIC: gettext_lazy("bermasalah"),
}
RATING_CLASSES = {
    Rating.EXCELLENT: "ok",
    Rating.GOOD: "ok",
    Rating.ACCEPTABLE: "warn",
    Rating.PROBLEMATIC: "bad",
}


@register.filter
def rating_label(rating: Rating | None) -> str:
    return "—" if rating is None else str(RATING_LABELS[rating])


@register.filter
def rating_class(rating: Rating | None) -> str:
    return "" if rating is None else RATING_CLASSES[rating]


@register.filter
def num(value: float | None, places: int = 2) -> str:
    """A statistic with a decimal comma; a dash when there is none."""
    return "—" if value is None else decimal_comma(value, places)


@register.filter
def flagged_pct(stats: QualityStats, indicator: str) -> str:
    return num(stats.pct_flagged(indicator), 1)


@register.filter
def flag_class(stats: QualityStats, indicator: str) -> str:
    """``bad`` above WHO-UNICEF's 1% of flagged values."""
    return "bad" if stats.highlighted(indicator, QUALITY_RULES) else ""


@register.filter
def zstat(stats: QualityStats, what: str) -> str:
    """``"sd_lhfa"`` -> the SD of length-for-age, shown with two decimals."""
    kind, _sep, indicator = what.partition("_")
    return num(getattr(stats.z[indicator], kind), 2)


@register.filter
def check_rating(stats: QualityStats, name: str) -> Rating | None:
    return stats.ratings.get(name)


@register.filter
def get_label(labels: dict[str, object], code: str) -> object:
    return labels.get(code, code)
