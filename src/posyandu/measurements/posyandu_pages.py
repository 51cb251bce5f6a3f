"""The Posyandu pages: the list with this month's D/S, and one Posyandu's register.

They read children and visits, so they live here and not in ``areas``, which
stays a base layer that no app-level data flows back into.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from posyandu.accounts.scope import Capability, Scope
from posyandu.areas.hierarchy import Area, Level
from posyandu.areas.models import Posyandu
from posyandu.areas.nesting import NestedRow, by_name, nest, worst_first
from posyandu.children.models import Child
from posyandu.core import audit
from posyandu.core.ui import month_from_query, month_nav
from posyandu.measurements.display import PlainResult, visit_result
from posyandu.measurements.models import Visit
from posyandu.measurements.selectors import (
    month_end,
    participation,
    posyandu_for,
    posyandu_list_for,
    posyandu_month,
    sessions_for,
)
from posyandu.policy import DS_TARGET
from posyandu.policy.reporting import REPORT_MONTH


def _period_from(request: HttpRequest) -> dt.date:
    """The month asked for with ``?bulan=YYYY-MM``; this month when absent or unreadable."""
    this_month = timezone.localdate().replace(day=1)
    return month_from_query(request.GET.get("bulan"), this_month=this_month, default=this_month)


def _month_nav(period: dt.date) -> dict[str, object]:
    return month_nav(period, this_month=timezone.localdate().replace(day=1))


GROUPINGS: dict[str, tuple[Level, ...]] = {
    "puskesmas": (Level.PUSKESMAS, Level.POSYANDU),
    "wilayah": (Level.KECAMATAN, Level.KELURAHAN, Level.POSYANDU),
}
"""``?kelompok=``: the levels a roll-up nests, top first."""


def grouping_choices() -> list[tuple[str, str]]:
    return [
        ("puskesmas", _("Puskesmas → Posyandu")),
        ("wilayah", _("Kecamatan → kelurahan → Posyandu")),
    ]


def grouping_from(request: HttpRequest) -> str:
    raw = request.GET.get("kelompok", "")
    return raw if raw in GROUPINGS else "puskesmas"


def order_from(request: HttpRequest) -> str:
    """``?urut=ds`` (the lowest D/S first, the default) or ``?urut=nama``."""
    return "nama" if request.GET.get("urut") == "nama" else "ds"


def _chain(p: Posyandu, levels: tuple[Level, ...]) -> list[Area]:
    kelurahan, kecamatan = p.kelurahan, p.kelurahan.kecamatan
    at = {
        Level.KECAMATAN: Area(Level.KECAMATAN, kecamatan.pk, kecamatan.code, kecamatan.name),
        Level.KELURAHAN: Area(Level.KELURAHAN, kelurahan.pk, kelurahan.code, kelurahan.name),
        Level.PUSKESMAS: Area(Level.PUSKESMAS, p.puskesmas.pk, p.puskesmas.code, p.puskesmas.name),
        Level.POSYANDU: Area(Level.POSYANDU, p.pk, p.code, p.name),
    }
    return [at[level] for level in levels]


def _ds_class(row: NestedRow) -> str:
    pct = row.pct("d", "s")
    return DS_TARGET.css_class(None if pct is None else pct / 100)


@login_required
def posyandu_list(request: HttpRequest) -> HttpResponse:
    """Every Posyandu of the user's area with its month's D/S, under subtotals per
    Puskesmas (or per kecamatan and kelurahan), the lowest D/S first."""
    scope = Scope.of(request.user)
    today = timezone.localdate()
    period = month_from_query(
        request.GET.get("bulan"),
        this_month=today.replace(day=1),
        default=REPORT_MONTH.default_period(today),
    )
    grouping, order = grouping_from(request), order_from(request)
    posyandu = list(posyandu_list_for(scope).select_related("kelurahan__kecamatan"))
    counts = participation(scope, [p.pk for p in posyandu], period)
    rows = nest(
        (
            (_chain(p, GROUPINGS[grouping]), {"s": counts[p.pk].sasaran, "d": counts[p.pk].weighed})
            for p in posyandu
        ),
        key=worst_first("d", "s") if order == "ds" else by_name,
    )
    inactive = {p.pk for p in posyandu if not p.is_active}
    total_s = sum(c.sasaran for c in counts.values())
    total_d = sum(c.weighed for c in counts.values())
    return render(
        request,
        "measurements/posyandu_list.html",
        {
            "rows": [(row, row.pct("d", "s"), _ds_class(row)) for row in rows],
            "groupings": grouping_choices(),
            "keep": urlencode({"bulan": period.strftime("%Y-%m")}),
            "posyandu_count": len(posyandu),
            "inactive": inactive,
            "total_s": total_s,
            "total_d": total_d,
            "total_pct": 100 * total_d / total_s if total_s else None,
            "target_pct": round(100 * DS_TARGET.target_ratio),
            "may_import_areas": scope.may(Capability.AREAS_IMPORT),
            "kelompok": grouping,
            "urut": order,
            **_month_nav(period),
        },
    )


@dataclass(frozen=True)
class HomeRow:
    """A child named on a Posyandu's month page, with where a tap leads."""

    child: Child
    url: str
    this_month: Visit | None
    result: PlainResult | None


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


@login_required
def posyandu_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A Posyandu's month, the page a kader lands on: D/S, the one button that
    opens (or goes back to) today's weighing table, the children to refer, and
    who has not come. The whole register is the child list, with its search."""
    scope = Scope.of(request.user)
    posyandu = posyandu_for(scope, pk)
    period = _period_from(request)
    today = timezone.localdate()
    this_month = period == today.replace(day=1)
    month = posyandu_month(scope, posyandu, period)
    session = (
        sessions_for(scope).filter(posyandu=posyandu, date=today).first() if this_month else None
    )
    may_weigh = (
        this_month and posyandu.is_active and scope.may_write(Capability.VISITS_WRITE, posyandu.pk)
    )
    child_url = url_for_each("measurements:child")
    # With today's table open, a name leads straight to its weighing form.
    weigh_url = url_for_each("measurements:visit_new")
    sesi = f"?sesi={session.pk}" if session is not None and may_weigh else ""
    not_yet_url = (lambda child_pk: weigh_url(child_pk) + sesi) if sesi else child_url
    not_yet = [
        HomeRow(r.child, not_yet_url(r.child.pk), None, None)
        for r in month.rows
        if r.this_month is None
    ]
    refer = [
        HomeRow(r.child, child_url(r.child.pk), r.this_month, visit_result(r.this_month))
        for r in month.rows
        if r.this_month is not None and (r.this_month.is_2t or r.this_month.is_bgm)
    ]
    audit.shown([row.child for row in refer + not_yet])
    weighed = sum(
        1 for r in month.rows if r.this_month is not None and r.this_month.weight_kg is not None
    )
    sasaran = len(month.rows)
    return render(
        request,
        "measurements/posyandu_detail.html",
        {
            "posyandu": posyandu,
            "not_yet": not_yet,
            "refer": refer,
            "sasaran": sasaran,
            "weighed": weighed,
            "pct": 100 * weighed / sasaran if sasaran else None,
            "pct_class": DS_TARGET.css_class(weighed / sasaran if sasaran else None),
            "may_weigh": may_weigh,
            "may_register": scope.may(Capability.REGISTRY_WRITE),
            "session": session,
            "today": today,
            "age_on": today if this_month else month_end(period),
            **_month_nav(period),
        },
    )
