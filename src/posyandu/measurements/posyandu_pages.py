"""The Posyandu pages: the list with this month's D/S, and one Posyandu's register.

They read children and visits, so they live here and not in ``areas``, which
stays a base layer that no app-level data flows back into.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from posyandu.accounts.scope import Capability, Scope
from posyandu.children.models import Child
from posyandu.core import audit
from posyandu.core.i18n import growth_lang
from posyandu.core.ui import month_from_query, month_nav
from posyandu.growth.classify import label
from posyandu.measurements.assessment import completed_months, is_measured_lying
from posyandu.measurements.models import Visit
from posyandu.measurements.selectors import (
    month_end,
    participation,
    posyandu_for,
    posyandu_list_for,
    posyandu_month,
)
from posyandu.policy import DS_TARGET


def _period_from(request: HttpRequest) -> dt.date:
    """The month asked for with ``?bulan=YYYY-MM``; this month when absent or unreadable."""
    this_month = timezone.localdate().replace(day=1)
    return month_from_query(request.GET.get("bulan"), this_month=this_month, default=this_month)


def _month_nav(period: dt.date) -> dict[str, object]:
    return month_nav(period, this_month=timezone.localdate().replace(day=1))


@login_required
def posyandu_list(request: HttpRequest) -> HttpResponse:
    scope = Scope.of(request.user)
    period = _period_from(request)
    posyandu = list(posyandu_list_for(scope).order_by("puskesmas__name", "name"))
    counts = participation(scope, [p.pk for p in posyandu], period)
    rows = [(p, counts[p.pk], DS_TARGET.css_class(counts[p.pk].d_over_s)) for p in posyandu]
    total_s = sum(c.sasaran for _p, c, _css in rows)
    total_d = sum(c.weighed for _p, c, _css in rows)
    return render(
        request,
        "measurements/posyandu_list.html",
        {
            "rows": rows,
            "total_s": total_s,
            "total_d": total_d,
            "total_pct": 100 * total_d / total_s if total_s else None,
            "target_pct": round(100 * DS_TARGET.target_ratio),
            "may_import_areas": scope.may(Capability.AREAS_IMPORT),
            **_month_nav(period),
        },
    )


@dataclass
class RegisterEntry:
    child: Child
    age_months: int
    latest: Visit | None
    came_this_month: bool
    weighed_this_month: bool
    cat_wfa: str
    cat_lhfa: str
    cat_wflh: str
    # Measured lying at the latest visit: PB/U and BB/PB, not TB/U and BB/TB.
    lying: bool


def _entry(
    child: Child, latest: Visit | None, this_month: Visit | None, on: dt.date
) -> RegisterEntry:
    lang = growth_lang()
    return RegisterEntry(
        child=child,
        age_months=completed_months(child.birth_date, max(on, child.birth_date)),
        latest=latest,
        came_this_month=this_month is not None,
        weighed_this_month=this_month is not None and this_month.weight_kg is not None,
        cat_wfa=label("wfa", latest.cat_wfa, lang) if latest and latest.cat_wfa else "",
        cat_lhfa=label("lhfa", latest.cat_lhfa, lang) if latest and latest.cat_lhfa else "",
        cat_wflh=label("wflh", latest.cat_wflh, lang) if latest and latest.cat_wflh else "",
        lying=latest is not None and is_measured_lying(latest.age_days),
    )


@login_required
def posyandu_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = Scope.of(request.user)
    posyandu = posyandu_for(scope, pk)
    period = _period_from(request)
    today = timezone.localdate()
    age_on = today if period == today.replace(day=1) else month_end(period)
    month = posyandu_month(scope, posyandu, period)
    entries = [_entry(r.child, r.latest, r.this_month, age_on) for r in month.rows]
    audit.shown(e.child for e in entries)
    weighed = sum(1 for e in entries if e.weighed_this_month)
    return render(
        request,
        "measurements/posyandu_detail.html",
        {
            "posyandu": posyandu,
            "entries": entries,
            "not_yet": [e for e in entries if not e.came_this_month],
            "sasaran": len(entries),
            "weighed": weighed,
            "pct": 100 * weighed / len(entries) if entries else None,
            **_month_nav(period),
        },
    )
