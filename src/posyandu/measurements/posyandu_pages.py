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

from posyandu.accounts.scope import Capability, Scope
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
