"""The Posyandu pages: the list with this month's D/S, and one Posyandu's register.

They read children and visits, so they live here and not in ``areas``, which
stays a base layer that no app-level data flows back into.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from posyandu.accounts.scope import Capability, Scope
from posyandu.children.models import Child, Sex
from posyandu.core import audit
from posyandu.core.i18n import growth_lang
from posyandu.core.ui import month_from_query, month_nav
from posyandu.growth.classify import label
from posyandu.measurements.assessment import completed_months, is_measured_lying
from posyandu.measurements.models import Visit, WeightGain
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
    # Worked out once per page, not once per child in the template: with 80
    # children or more, each link, label and translation done per row made up
    # most of the time of the page a kader lands on after logging in.
    child_url: str
    visit_url: str
    sex_label: str
    weight_gain_label: str
    age_months: int
    latest: Visit | None
    came_this_month: bool
    weighed_this_month: bool
    cat_wfa: str
    cat_lhfa: str
    cat_wflh: str
    # Measured lying at the latest visit: PB/U and BB/PB, not TB/U and BB/TB.
    lying: bool


def url_for_each(name: str) -> Callable[[int], str]:
    """``reverse(name, args=[pk])`` for many pks: one reverse, then text.

    Correct because an ``<id:pk>`` segment is written as ``str(pk)``
    (:class:`~posyandu.core.ui.IdConverter`), and the marker is a valid id
    found nowhere else in the URL.
    """
    marker = "918273645546372819"
    before, found, after = reverse(name, args=[int(marker)]).partition(marker)
    assert found and marker not in after, name
    return lambda pk: f"{before}{int(pk)}{after}"


@dataclass(frozen=True)
class _Labels:
    child_url: Callable[[int], str]
    visit_url: Callable[[int], str]
    sex: dict[int, str]
    weight_gain: dict[str, str]
    lang: Literal["id", "en"]

    @classmethod
    def now(cls) -> _Labels:
        return cls(
            child_url=url_for_each("measurements:child"),
            visit_url=url_for_each("measurements:visit_new"),
            sex={value: str(name) for value, name in Sex.choices},
            weight_gain={value: str(name) for value, name in WeightGain.choices},
            lang=growth_lang(),
        )


def _entry(
    child: Child, latest: Visit | None, this_month: Visit | None, on: dt.date, labels: _Labels
) -> RegisterEntry:
    lang = labels.lang
    return RegisterEntry(
        child=child,
        child_url=labels.child_url(child.pk),
        visit_url=labels.visit_url(child.pk),
        sex_label=labels.sex.get(child.sex, str(child.sex)),
        weight_gain_label=labels.weight_gain.get(latest.weight_gain, latest.weight_gain)
        if latest is not None and latest.weight_gain
        else "",
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
    labels = _Labels.now()
    entries = [_entry(r.child, r.latest, r.this_month, age_on, labels) for r in month.rows]
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
            "may_weigh": scope.may(Capability.VISITS_WRITE),
            **_month_nav(period),
        },
    )
