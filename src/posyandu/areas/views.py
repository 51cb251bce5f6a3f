from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from posyandu.accounts.models import Role
from posyandu.areas.forms import AreaCsvForm
from posyandu.areas.importer import import_areas
from posyandu.areas.selectors import month_end, participation, posyandu_for, posyandu_list_for
from posyandu.children.models import Child
from posyandu.core.i18n import growth_lang
from posyandu.growth.classify import label
from posyandu.measurements.assessment import completed_months
from posyandu.measurements.models import Visit
from posyandu.measurements.selectors import posyandu_month


def _period_from(request: HttpRequest) -> dt.date:
    """The month asked for with ``?bulan=YYYY-MM``; this month when absent or unreadable."""
    this_month = timezone.localdate().replace(day=1)
    raw = request.GET.get("bulan", "")
    try:
        period = dt.datetime.strptime(raw, "%Y-%m").date()
    except ValueError:
        return this_month
    return min(period, this_month)


def _previous(period: dt.date) -> dt.date:
    return (period - dt.timedelta(days=1)).replace(day=1)


def _next(period: dt.date) -> dt.date:
    return month_end(period) + dt.timedelta(days=1)


def _month_nav(period: dt.date) -> dict[str, object]:
    this_month = timezone.localdate().replace(day=1)
    return {
        "period": period,
        "bulan": period.strftime("%Y-%m"),
        "prev_bulan": _previous(period).strftime("%Y-%m"),
        "next_bulan": _next(period).strftime("%Y-%m") if period < this_month else "",
        "max_bulan": this_month.strftime("%Y-%m"),
    }


@login_required
def posyandu_list(request: HttpRequest) -> HttpResponse:
    period = _period_from(request)
    posyandu = list(posyandu_list_for(request.user).order_by("puskesmas__name", "name"))
    counts = participation([p.pk for p in posyandu], period)
    rows = [(p, counts[p.pk]) for p in posyandu]
    total_s = sum(c.sasaran for _p, c in rows)
    total_d = sum(c.weighed for _p, c in rows)
    return render(
        request,
        "areas/posyandu_list.html",
        {
            "rows": rows,
            "total_s": total_s,
            "total_d": total_d,
            "total_pct": 100 * total_d / total_s if total_s else None,
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
    )


@login_required
def posyandu_detail(request: HttpRequest, pk: int) -> HttpResponse:
    posyandu = posyandu_for(request.user, pk)
    period = _period_from(request)
    today = timezone.localdate()
    age_on = today if period == today.replace(day=1) else month_end(period)
    month = posyandu_month(posyandu, period)
    entries = [_entry(r.child, r.latest, r.this_month, age_on) for r in month.rows]
    weighed = sum(1 for e in entries if e.weighed_this_month)
    return render(
        request,
        "areas/posyandu_detail.html",
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


def _is_admin(user: object) -> bool:
    return bool(getattr(user, "is_superuser", False) or getattr(user, "role", "") == Role.ADMIN)


@login_required
def import_areas_view(request: HttpRequest) -> HttpResponse:
    """Admin-only upload of the same CSV as ``manage.py import_areas``."""
    if not _is_admin(request.user):
        raise Http404
    report = None
    if request.method == "POST":
        form = AreaCsvForm(request.POST, request.FILES)
        if form.is_valid():
            dry_run = form.cleaned_data["dry_run"]
            report = import_areas(form.cleaned_data["file"].read(), dry_run=dry_run)
            if report.ok and not dry_run:
                messages.success(request, _("Impor berhasil: %s") % report.summary())
            elif report.ok:
                messages.info(request, _("Berkas benar, belum disimpan: %s") % report.summary())
            else:
                messages.error(
                    request,
                    _("%(n)d baris bermasalah; tidak ada yang disimpan.")
                    % {"n": len(report.errors)},
                )
    else:
        form = AreaCsvForm()
    return render(request, "areas/import.html", {"form": form, "report": report})
