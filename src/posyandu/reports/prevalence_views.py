"""Prevalence pages: an area's prevalence with intervals, by sex and age group, the
areas below it, and the children behind every number; each table exportable."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from posyandu.accounts.scope import Scope
from posyandu.areas.hierarchy import Area
from posyandu.core.ui import month_from_query, month_nav, query_id
from posyandu.policy import DS_TARGET
from posyandu.policy.prevalence import PREVALENCE, Indicator
from posyandu.policy.reporting import REPORT_MONTH
from posyandu.reports import exports
from posyandu.reports.prevalence import AGE_GROUP_CODES, ALL, SEXES, Estimate, Prevalence
from posyandu.reports.prevalence_selectors import (
    INDICATORS,
    AreaPrevalence,
    Period,
    children_behind_prevalence,
    prevalence_report,
)

HEADLINE = ("stunting", "wasting", "underweight")
Z_LABELS = {"lhfa": "ZS PB/U-TB/U", "wfa": "ZS BB/U", "wflh": "ZS BB/PB-BB/TB"}


def period_from(request: HttpRequest) -> Period:
    """``dari`` and ``sampai`` (ISO dates) when both are given and in order; else
    the month ``bulan`` (YYYY-MM), by default the last complete one."""
    try:
        date_from = dt.date.fromisoformat(request.GET.get("dari", ""))
        date_to = dt.date.fromisoformat(request.GET.get("sampai", ""))
    except ValueError:
        date_from = date_to = None  # type: ignore[assignment]
    today = timezone.localdate()
    if date_from and date_to and date_from <= date_to and date_from.year >= 1900:
        date_to = min(date_to, today)
        # A period other than a month is read from its visits: at most a year on
        # a page (the command line has no limit).
        return Period(max(date_from, year_before(date_to)), date_to)
    month = month_from_query(
        request.GET.get("bulan"),
        this_month=today.replace(day=1),
        default=REPORT_MONTH.default_period(today),
    )
    return Period.month(month)


def year_before(day: dt.date) -> dt.date:
    """The first day of the year of days that ends on ``day`` (29 February: 1 March)."""
    try:
        return day.replace(year=day.year - 1) + dt.timedelta(days=1)
    except ValueError:
        return dt.date(day.year - 1, 3, 1)


def period_clipped(request: HttpRequest, period: Period) -> bool:
    """The period asked for was longer than a page reads (see :func:`period_from`)."""
    try:
        asked = dt.date.fromisoformat(request.GET.get("dari", ""))
    except ValueError:
        return False
    return asked < period.date_from and not period.is_one_month


def period_query(period: Period) -> dict[str, str]:
    if period.is_one_month:
        return {"bulan": f"{period.date_from:%Y-%m}"}
    return {"dari": period.date_from.isoformat(), "sampai": period.date_to.isoformat()}


def period_text(period: Period) -> str:
    if period.is_one_month:
        return f"{period.date_from:%m/%Y}"
    return f"{period.date_from:%d/%m/%Y}–{period.date_to:%d/%m/%Y}"


def label(indicator: Indicator) -> str:
    return indicator.label_en if get_language() == "en" else indicator.label_id


def method_text() -> str:
    return (
        PREVALENCE.interval_method_en if get_language() == "en" else PREVALENCE.interval_method_id
    )


def sex_label(sex: int | str) -> str:
    return {ALL: _("Semua"), 1: _("Laki-laki"), 2: _("Perempuan")}[sex]


def age_label(age_group: str) -> str:
    return _("Semua umur") if age_group == ALL else _("%(group)s bulan") % {"group": age_group}


@dataclass(frozen=True)
class Shown:
    """One estimate as a page shows it, with the link to its children."""

    estimate: Estimate
    link_n: str
    link_d: str


def _children_link(
    area: Area, period: Period, indicator: Indicator, part: str, sex: int | str, age_group: str
) -> str:
    from django.urls import reverse

    query = {
        "wilayah": area.key,
        **period_query(period),
        "indikator": indicator.code,
        "bagian": part,
        "jk": str(sex),
        "umur": age_group,
    }
    return f"{reverse('reports:prevalence_children')}?{urlencode(query)}"


def shown(
    row: AreaPrevalence,
    period: Period,
    indicator: Indicator,
    sex: int | str = ALL,
    age_group: str = ALL,
) -> Shown:
    return Shown(
        row.prevalence.estimate(indicator, sex, age_group),
        _children_link(row.area, period, indicator, "n", sex, age_group),
        _children_link(row.area, period, indicator, "d", sex, age_group),
    )


def _indicator_rows(row: AreaPrevalence, period: Period) -> list[dict[str, object]]:
    return [
        {
            "indicator": indicator,
            "label": label(indicator),
            "shown": shown(row, period, indicator),
            "z": row.prevalence.z_stats(indicator.z),
        }
        for indicator in PREVALENCE.indicators
    ]


def _breakdown_rows(
    prevalence: Prevalence, row: AreaPrevalence, period: Period, indicator: Indicator
) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    for sex in (ALL, *SEXES):
        found.append(
            {
                "label": sex_label(sex),
                "cells": [shown(row, period, indicator, sex, g) for g in (ALL, *AGE_GROUP_CODES)],
                "z": prevalence.z_stats(indicator.z, sex),
            }
        )
    return found


def _worst_first(rows: list[AreaPrevalence], indicator: Indicator) -> list[AreaPrevalence]:
    def key(row: AreaPrevalence) -> tuple[str, bool, float]:
        pct = row.prevalence.estimate(indicator).pct
        return (row.area.level, pct is None, -(pct or 0))

    return sorted(rows, key=key)


def _table(root: AreaPrevalence, below: list[AreaPrevalence], period: Period) -> exports.Table:
    columns = [
        _("Kode wilayah"),
        _("Wilayah"),
        _("Indikator"),
        _("Jenis kelamin"),
        _("Kelompok umur"),
        _("Pembilang"),
        _("Penyebut"),
        _("Prevalensi %"),
        _("SK 95% bawah %"),
        _("SK 95% atas %"),
        _("Rerata z"),
        _("SD z"),
    ]
    rows: list[list[object]] = []
    for row in [root, *below]:
        for indicator in PREVALENCE.indicators:
            for sex in (ALL, *SEXES):
                for age_group in (ALL, *AGE_GROUP_CODES):
                    estimate = row.prevalence.estimate(indicator, sex, age_group)
                    ci = estimate.ci_pct
                    z = row.prevalence.z_stats(indicator.z, sex, age_group)
                    rows.append(
                        [
                            row.area.code,
                            row.area.name,
                            indicator.code,
                            sex,
                            age_group,
                            estimate.numerator,
                            estimate.denominator,
                            estimate.pct,
                            ci[0] if ci else None,
                            ci[1] if ci else None,
                            z.mean,
                            z.sd,
                        ]
                    )
    return exports.Table(
        title=_("Prevalensi"),
        area=root.area,
        period=period_text(period),
        method=method_text(),
        columns=columns,
        rows=rows,
    )


@login_required
def prevalence_page(request: HttpRequest) -> HttpResponse:
    scope = Scope.of(request.user)
    area = scope.area_asked(request.GET.get("wilayah"))
    period = period_from(request)
    root, below = prevalence_report(scope, area, period)
    if request.GET.get("format"):
        return exports.export(
            request, _table(root, below, period), request.GET["format"], "prevalensi"
        )
    indicator = INDICATORS.get(request.GET.get("indikator", ""), INDICATORS["stunting"])
    today = timezone.localdate()
    return render(
        request,
        "reports/prevalence.html",
        {
            "area": area,
            "period_text": period_text(period),
            "query": urlencode({"wilayah": area.key, **period_query(period)}),
            "root": root,
            "rows": _indicator_rows(root, period),
            "indicator": indicator,
            "indicator_label": label(indicator),
            "indicators": [(i.code, label(i)) for i in PREVALENCE.indicators],
            "breakdown": _breakdown_rows(root.prevalence, root, period, indicator),
            "age_groups": [age_label(g) for g in (ALL, *AGE_GROUP_CODES)],
            "below": [
                {
                    "row": row,
                    "query": urlencode({"wilayah": row.area.key, **period_query(period)}),
                    "cells": [shown(row, period, INDICATORS[code]) for code in HEADLINE],
                }
                for row in _worst_first(below, INDICATORS["stunting"])
            ],
            "headline": [label(INDICATORS[code]) for code in HEADLINE],
            "method": method_text(),
            "low_coverage": root.coverage_pct is not None
            and root.coverage_pct < 100 * DS_TARGET.target_ratio,
            "clipped": period_clipped(request, period),
            "wilayah": area.key,
            "dari": period.date_from.isoformat(),
            "sampai": period.date_to.isoformat(),
            **month_nav(period.last_month, this_month=today.replace(day=1)),
        },
    )


def _sex_from(raw: str) -> int | str:
    if raw == ALL or not raw:
        return ALL
    if raw in ("1", "2"):
        return int(raw)
    raise Http404


@login_required
def prevalence_children(request: HttpRequest) -> HttpResponse:
    scope = Scope.of(request.user)
    area = scope.area_asked(request.GET.get("wilayah"))
    period = period_from(request)
    indicator = INDICATORS.get(request.GET.get("indikator", ""))
    age_group = request.GET.get("umur", ALL) or ALL
    if indicator is None or age_group not in (ALL, *AGE_GROUP_CODES):
        raise Http404
    sex = _sex_from(request.GET.get("jk", ALL))
    part = request.GET.get("bagian", "n")
    exporting = bool(request.GET.get("format"))
    page = query_id(request.GET.get("hal")) or 1
    found = children_behind_prevalence(
        scope,
        area,
        period,
        indicator,
        part=part,
        sex=sex,
        age_group=age_group,
        page=None if exporting else page,
    )
    what = (
        _("Pembilang: %(indicator)s") if part == "n" else _("Penyebut: diukur untuk %(indicator)s")
    ) % {"indicator": label(indicator)}
    if exporting:
        table = exports.Table(
            title=_("Daftar anak"),
            area=area,
            period=period_text(period),
            method=f"{what}; {sex_label(sex)}; {age_label(age_group)}. {method_text()}",
            columns=[
                _("ID anak"),
                _("Nama"),
                _("Jenis kelamin"),
                _("Tanggal lahir"),
                _("Nama ibu"),
                _("Posyandu"),
                _("Tanggal ukur"),
                "ZS PB/U-TB/U",
                "ZS BB/U",
                "ZS BB/PB-BB/TB",
            ],
            rows=[
                [
                    r.child.pk,
                    r.child.name,
                    r.child.get_sex_display(),
                    r.child.birth_date.strftime("%d/%m/%Y"),
                    r.child.mother_name,
                    r.child.posyandu.name,
                    r.measured_on.strftime("%d/%m/%Y"),
                    r.z["lhfa"],
                    r.z["wfa"],
                    r.z["wflh"],
                ]
                for r in found.rows
            ],
            children=[r.child for r in found.rows],
        )
        return exports.export(request, table, request.GET["format"], "daftar-anak")
    return render(
        request,
        "reports/prevalence_children.html",
        {
            "area": area,
            "found": found,
            "rows": [(r, r.z[indicator.z]) for r in found.rows],
            "z_label": Z_LABELS[indicator.z],
            "what": what,
            "sex": sex_label(sex),
            "age": age_label(age_group),
            "period_text": period_text(period),
            "back": urlencode({"wilayah": area.key, **period_query(period)}),
            "query": urlencode({k: v for k, v in request.GET.items() if k != "hal"}),
        },
    )
