"""The SKDN pages: a month of an area and its areas below, a 12-month trend, and
the list of children behind every number."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from posyandu.accounts.scope import Scope
from posyandu.areas.hierarchy import Area
from posyandu.areas.nesting import by_name, worst_first
from posyandu.core.ui import month_from_query, month_nav
from posyandu.measurements.posyandu_pages import grouping_choices, order_from
from posyandu.policy import DS_TARGET
from posyandu.policy.reporting import REPORT_MONTH
from posyandu.reports import exports
from posyandu.reports.charts import skdn_trend_svg
from posyandu.reports.selectors import (
    RATIOS,
    SKDN_FIELDS,
    SKDN_NESTING,
    children_behind_number,
    skdn_nested,
    skdn_total,
    skdn_trend,
)


def _period(request: HttpRequest) -> dt.date:
    today = timezone.localdate()
    return month_from_query(
        request.GET.get("bulan"),
        this_month=today.replace(day=1),
        default=REPORT_MONTH.default_period(today),
    )


def _month_nav(period: dt.date) -> dict[str, object]:
    return month_nav(period, this_month=timezone.localdate().replace(day=1))


@login_required
def skdn_page(request: HttpRequest) -> HttpResponse:
    """SKDN of an area and month, with the areas below it nested under their
    subtotals (``?kelompok=wilayah|puskesmas`` for a kota), the lowest D/S first
    (``?urut=ds``, the default) or by name (``?urut=nama``)."""
    scope = Scope.of(request.user)
    area = scope.area_asked(request.GET.get("wilayah"))
    period = _period(request)
    nestings = SKDN_NESTING[area.level]
    asked = request.GET.get("kelompok", "")
    grouping = asked if asked in nestings else next(iter(nestings), "")
    order = order_from(request)
    rows = skdn_nested(
        scope,
        area,
        period,
        nestings.get(grouping, ()),
        key=worst_first("d", "s") if order == "ds" else by_name,
    )
    if request.GET.get("format"):
        root = skdn_total(scope, area, period)
        return exports.export(
            request, _skdn_table(area, period, [root, *rows]), request.GET["format"], "skdn"
        )
    trend = skdn_trend(scope, area, period)
    return render(
        request,
        "reports/skdn.html",
        {
            "area": area,
            "root": skdn_total(scope, area, period),
            "rows": rows,
            "fields": SKDN_FIELDS,
            "ratios": RATIOS,
            "target_pct": round(100 * DS_TARGET.target_ratio),
            "trend_svg": skdn_trend_svg(
                trend, title=_("SKDN 12 bulan: %(area)s") % {"area": area.name}
            ),
            "wilayah": area.key,
            "groupings": [(k, t) for k, t in grouping_choices() if k in nestings]
            if len(nestings) > 1
            else [],
            "kelompok": grouping,
            "urut": order,
            "keep": urlencode({"wilayah": area.key, "bulan": period.strftime("%Y-%m")}),
            **_month_nav(period),
        },
    )


RATIO_HEADERS = {
    "k_s": "K/S %",
    "d_s": "D/S %",
    "d_k": "D/K %",
    "n_d": "N/D %",
    "n_d_prime": "N/D' %",
    "bgm_d": "BGM/D %",
}


def _skdn_table(area: Area, period: dt.date, rows: list[Any]) -> exports.Table:
    return exports.Table(
        title=_("SKDN"),
        area=area,
        period=f"{period:%m/%Y}",
        method=_(
            "S: balita yang tinggal di wilayah ini bulan itu (menurut tanggal pindah); "
            "D dan angka lain: penimbangan di posyandu wilayah ini (agregat bulanan)."
        ),
        columns=[
            _("Kode wilayah"),
            _("Wilayah"),
            _("Tingkat"),
            *(FIELD_LABELS[name] for name in SKDN_FIELDS),
            *(RATIO_HEADERS[name] for name, _n, _d in RATIOS),
        ],
        rows=[
            [row.area.code, row.area.name, row.area.level]
            + [row.count(name) for name in SKDN_FIELDS]
            + [row.pct(num, den) for _name, num, den in RATIOS]
            for row in rows
        ],
    )


FIELD_LABELS = {
    "s": "S (sasaran balita)",
    "k": "K (punya buku KIA/KMS)",
    "d": "D (ditimbang)",
    "d_prime": "D' (ditimbang bulan ini dan bulan lalu)",
    "n": "N (naik)",
    "t": "T (tidak naik)",
    "o": "O (bulan lalu tidak ditimbang)",
    "b": "B (baru)",
    "bgm": "BGM",
    "two_t": "2T",
}


@login_required
def skdn_children(request: HttpRequest) -> HttpResponse:
    scope = Scope.of(request.user)
    area = scope.area_asked(request.GET.get("wilayah"))
    period = _period(request)
    name = request.GET.get("ukuran", "")
    behind = children_behind_number(scope, area, period, name)
    if request.GET.get("format"):
        table = exports.Table(
            title=_("Daftar anak"),
            area=area,
            period=f"{period:%m/%Y}",
            method=FIELD_LABELS.get(name, name),
            columns=[
                _("ID anak"),
                _("Nama"),
                _("Jenis kelamin"),
                _("Tanggal lahir"),
                _("Nama ibu"),
                _("Posyandu"),
            ],
            rows=[
                [
                    c.pk,
                    c.name,
                    c.get_sex_display(),
                    c.birth_date.strftime("%d/%m/%Y"),
                    c.mother_name,
                    c.posyandu.name,
                ]
                for c in behind.children
            ],
            children=behind.children,
        )
        return exports.export(request, table, request.GET["format"], "daftar-anak")
    return render(
        request,
        "reports/skdn_children.html",
        {
            "area": area,
            "behind": behind,
            "measure": FIELD_LABELS.get(name, name),
            "ukuran": name,
            "wilayah": area.key,
            **_month_nav(period),
        },
    )
