"""What the visit pages show: texts and rows built from visits and assessments.

Display helpers only (no request, no database write), so views stay thin:
parse, call a service or selector, render with these.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from posyandu.children.models import Child
from posyandu.core.i18n import growth_lang
from posyandu.core.ui import format_date
from posyandu.growth.classify import indicator_name, label
from posyandu.growth.weight_gain import is_bgm
from posyandu.measurements.assessment import (
    CLASSIFIED,
    INDICATOR_NAMES,
    STORED_INDICATORS,
    Assessment,
)
from posyandu.measurements.models import Visit, WeightGain
from posyandu.policy import BALITA
from posyandu.policy.referral import REFERRAL

MAX_STRIP_MONTHS = BALITA.max_completed_months
"""The N/T strip shows at most a balita's lifetime of months."""


def month_strip(child: Child, visits: list[Visit], today: dt.date) -> list[dict[str, Any]]:
    """One cell per calendar month from the first visit (at most the last 60) to
    this month: the months before it are not "missed", the child was not yet
    registered (or not yet born)."""
    by_period = {v.period: v for v in visits}
    if not visits:
        return []
    first = max(min(by_period), child.birth_date.replace(day=1))
    months: list[dict[str, Any]] = []
    period = today.replace(day=1)
    while period >= first and len(months) < MAX_STRIP_MONTHS:
        visit = by_period.get(period)
        months.append(
            {
                "period": period,
                "status": visit.weight_gain if visit else "",
                "is_2t": bool(visit and visit.is_2t),
                "visit": visit,
            }
        )
        period = (period - dt.timedelta(days=1)).replace(day=1)
    months.reverse()
    return months


@dataclass(frozen=True)
class PlainResult:
    """A visit's result in the words a kader says to the mother."""

    text: str
    css: str
    """Pill colour: ``ok``, ``warn`` or ``bad``."""
    refer: bool


def plain_result(
    *,
    weight_gain: str,
    is_2t: bool,
    is_bgm: bool,
    categories: dict[str, str],
    implausible: bool = False,
) -> PlainResult | None:
    """What to tell the mother: check again for typed values that look wrong,
    refer to the Puskesmas when :data:`~posyandu.policy.referral.REFERRAL` says
    so, else what the weight did; None when nothing was weighed."""
    if implausible:
        return PlainResult(_("Periksa lagi: ukur ulang sebelum menyimpan"), "warn", False)
    if REFERRAL.refers(is_2t=is_2t, is_bgm=is_bgm, categories=categories):
        return PlainResult(_("Rujuk ke Puskesmas"), "bad", True)
    texts = {
        WeightGain.NAIK: (_("Naik cukup"), "ok"),
        WeightGain.TIDAK_NAIK: (_("Tidak naik — timbang lagi bulan depan"), "warn"),
        WeightGain.TIDAK_DITIMBANG_BULAN_LALU: (
            _("Bulan lalu tidak ditimbang — timbang lagi bulan depan"),
            "",
        ),
        WeightGain.BARU: (_("Pertama kali ditimbang — timbang lagi bulan depan"), ""),
    }
    if weight_gain not in texts:
        return None
    text, css = texts[WeightGain(weight_gain)]
    return PlainResult(text, css, False)


def visit_result(visit: Visit) -> PlainResult | None:
    return plain_result(
        weight_gain=visit.weight_gain,
        is_2t=visit.is_2t,
        is_bgm=visit.is_bgm,
        categories={ind: getattr(visit, f"cat_{ind}") for ind in CLASSIFIED},
    )


def assessment_result(assessment: Assessment, gain_status: str, is_2t: bool) -> PlainResult | None:
    """:func:`plain_result` of values typed but not saved yet (the live preview)."""
    z_wfa = assessment.z.get("wfa")
    return plain_result(
        weight_gain=gain_status,
        is_2t=is_2t,
        is_bgm=bool(is_bgm(math.nan if z_wfa is None else z_wfa)),
        categories=assessment.categories,
        implausible=any(assessment.flags.values()) or bool(assessment.warnings),
    )


def gain_text(status: str, gain_g: int | None, kbm_g: int | None, is_2t: bool) -> str:
    if not status:
        return ""
    text = str(WeightGain(status).label)
    if gain_g is not None:
        text += " " + _("%(g)+d g, KBM %(k)d g") % {"g": gain_g, "k": kbm_g or 0}
    if is_2t:
        text += " — " + _("2T: rujuk ke Puskesmas")
    return text


def saved_message(visit: Visit) -> str:
    parts = [
        _("Tersimpan: %(name)s, %(date)s.")
        % {
            "name": visit.child.name,
            "date": format_date(visit.measured_on),
        }
    ]
    result = visit_result(visit)
    if result is not None:
        parts.append(result.text + ".")
    gain = gain_text(visit.weight_gain, visit.weight_gain_g, visit.kbm_g, visit.is_2t)
    if gain:
        parts.append(gain + ".")
    cats = []
    lang = growth_lang()
    # IMT/U is the bidan's number: the kader reads the three KMS indices.
    for ind in (i for i in CLASSIFIED if i != "bfa"):
        code = getattr(visit, f"cat_{ind}")
        if code:
            name = indicator_name(ind, lang, age_days=visit.age_days)
            cats.append(f"{name}: {label(ind, code, lang)}")
    if cats:
        parts.append("; ".join(cats) + ".")
    if visit.is_bgm:
        parts.append(_("BGM (di bawah garis merah)."))
    return " ".join(parts)


def assessment_rows(assessment: Assessment) -> list[dict[str, Any]]:
    labels = assessment.category_labels()
    rows = []
    for ind in STORED_INDICATORS:
        z = assessment.z.get(ind)
        if z is None:
            continue
        name = (
            indicator_name(ind, growth_lang(), age_days=assessment.age_days)
            if ind in CLASSIFIED
            else INDICATOR_NAMES[ind]
        )
        rows.append(
            {
                "indicator": ind,
                "name": name,
                "z": z,
                "label": labels.get(ind, ""),
                "code": assessment.categories.get(ind, ""),
                "flag": assessment.flags.get(ind, False),
            }
        )
    return rows
