"""The dashboard of a Puskesmas and of the Dinkes: the month's headline prevalence
with intervals and coverage, 24 months of trend, the areas worst first, the
running Operasi Timbang, the children to follow up, the data quality.

Everything is read from the aggregates (``reports_prevalencecell``,
``reports_monthlyaggregate``, ``campaigns_campaigncount``) except the short list
of children to follow up, which is one indexed query with a limit.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from posyandu.accounts.models import Role
from posyandu.accounts.scope import Scope
from posyandu.areas.hierarchy import JOIN_FROM_POSYANDU, Area, Level
from posyandu.campaigns import selectors as campaign_selectors
from posyandu.campaigns.models import Campaign
from posyandu.core import audit
from posyandu.core.ui import month_nav
from posyandu.measurements.models import Visit
from posyandu.policy import DS_TARGET
from posyandu.reports import exports, quality
from posyandu.reports.aggregates import first_of_month, previous_month
from posyandu.reports.models import MonthlyAggregate
from posyandu.reports.prevalence import Prevalence, sum_cells
from posyandu.reports.prevalence_selectors import (
    INDICATORS,
    AreaPrevalence,
    Period,
    prevalence_by_level,
    prevalence_report,
)
from posyandu.reports.prevalence_views import (
    HEADLINE,
    label,
    method_text,
    period_from,
    period_query,
    period_text,
    shown,
)

TREND_MONTHS = 24
FOLLOW_UP_SHOWN = 10

DASHBOARD_ROLES = frozenset({Role.BIDAN, Role.TENAGA_GIZI, Role.PUSKESMAS, Role.DINKES, Role.ADMIN})

_TREND_SERIES = (
    ("stunted", "measured_lhfa", "#c0392b", "stunting"),
    ("wasted", "measured_wflh", "#e67e22", "wasting"),
    ("underweight", "measured_wfa", "#2f6fd0", "underweight"),
)


@dataclass(frozen=True)
class TrendPoint:
    period: dt.date
    counts: dict[str, int]

    def pct(self, numerator: str, denominator: str) -> float | None:
        den = self.counts.get(denominator, 0)
        return 100 * self.counts.get(numerator, 0) / den if den else None


def trend(scope: Scope, area: Area, last: dt.date, months: int = TREND_MONTHS) -> list[TrendPoint]:
    """The monthly screening counts of ``area`` (monthly aggregates)."""
    periods = [last]
    while len(periods) < months:
        periods.append(previous_month(periods[-1]))
    periods.reverse()
    names = {n for series in _TREND_SERIES for n in series[:2]} | {"s", "measured"}
    sums = {
        row["period"]: {n: int(row[n] or 0) for n in names}
        for row in MonthlyAggregate.objects.filter(scope.rows_in(area), period__in=periods)
        .values("period")
        .annotate(**{n: Sum(n) for n in names})
    }
    return [TrendPoint(p, sums.get(p, {})) for p in periods]


WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 720, 250, 40, 10, 12, 44


def trend_svg(points: list[TrendPoint], *, title: str) -> SafeString:
    """Lines of stunting, wasting and underweight (% of the measured) per month.
    Plain SVG with its own legend and grid: readable when printed in grey."""
    values = [p.pct(num, den) for p in points for num, den, _c, _code in _TREND_SERIES]
    highest = max([v for v in values if v is not None] + [5.0])
    grid = next(step for step in (1, 2, 5, 10, 20, 25) if highest <= step * 5)
    top = grid * max(1, math.ceil(highest / grid))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(points) - 1, 1)
    parts = [
        f'<svg class="trend" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for k in range(int(top // grid) + 1):
        value = grid * k
        y = TOP + plot_h - plot_h * value / top
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d9dee2"/>'
            f'<text x="{LEFT - 4}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="#44525c">{value:.0f}%</text>'
        )
    for i, point in enumerate(points):
        if i % 3 == len(points) % 3 or i == len(points) - 1:
            x = LEFT + step * i
            parts.append(
                f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 14}" font-size="11" '
                f'text-anchor="middle" fill="#44525c">{point.period:%m/%y}</text>'
            )
    dashes = ("", ' stroke-dasharray="6 3"', ' stroke-dasharray="2 3"')
    for (num, den, colour, code), dash in zip(_TREND_SERIES, dashes, strict=True):
        coords = []
        for i, point in enumerate(points):
            pct = point.pct(num, den)
            if pct is None:
                continue
            x, y = LEFT + step * i, TOP + plot_h - plot_h * pct / top
            coords.append(f"{x:.1f},{y:.1f}")
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}">'
                f"<title>{escape(label(INDICATORS[code]))} {point.period:%m/%Y}: "
                f"{pct:.1f}%</title></circle>"
            )
        if coords:
            parts.append(
                f'<polyline points="{" ".join(coords)}" fill="none" stroke="{colour}" '
                f'stroke-width="2"{dash}/>'
            )
    for j, ((_num, _den, colour, code), dash) in enumerate(zip(_TREND_SERIES, dashes, strict=True)):
        x = LEFT + j * 230
        parts.append(
            f'<line x1="{x}" x2="{x + 24}" y1="{HEIGHT - 9}" y2="{HEIGHT - 9}" stroke="{colour}" '
            f'stroke-width="2"{dash}/><text x="{x + 30}" y="{HEIGHT - 5}" font-size="11" '
            f'fill="#1d2a33">{escape(label(INDICATORS[code]))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - numbers and escaped text only


def running_campaigns(scope: Scope, today: dt.date) -> list[tuple[Campaign, object]]:
    campaigns = list(
        campaign_selectors.campaigns_for(scope)
        .filter(starts_on__lte=today, ends_on__gte=today)
        .order_by("-starts_on", "-id")[:5]
    )
    return list(
        zip(campaigns, campaign_selectors.overview_of_campaigns(scope, campaigns), strict=True)
    )


@dataclass(frozen=True)
class FollowUp:
    visit: Visit
    reasons: list[str]


def to_follow_up(
    scope: Scope, area: Area, period: dt.date
) -> tuple[dict[str, int], list[FollowUp]]:
    """2T and BGM of the month (counts from the aggregates) and the first children
    among them with no later visit yet (audited as shown)."""
    totals = MonthlyAggregate.objects.filter(scope.rows_in(area), period=period).aggregate(
        two_t=Sum("two_t"), bgm=Sum("bgm")
    )
    if area.level in (Level.KOTA, Level.KECAMATAN):
        # A city's month holds tens of thousands of them: the names are a
        # Puskesmas's work, the city gets the counts and the lists behind them.
        return {k: int(v or 0) for k, v in totals.items()}, []
    later = Visit.objects.filter(child_id=OuterRef("child_id"), period__gt=OuterRef("period"))
    visits = list(
        Visit.objects.filter(scope.rows_in(area), period=period)
        .filter(Q(is_2t=True) | Q(is_bgm=True))
        .filter(~Exists(later))
        .select_related("child", "posyandu")
        .order_by("posyandu__name", "child__name")[:FOLLOW_UP_SHOWN]
    )
    audit.shown([v.child for v in visits])
    rows = [
        FollowUp(v, [r for r, on in (("2T", v.is_2t), ("BGM", v.is_bgm)) if on]) for v in visits
    ]
    return {k: int(v or 0) for k, v in totals.items()}, rows


def _level_rows(rows: list[AreaPrevalence], period: Period) -> list[dict[str, object]]:
    stunting = INDICATORS["stunting"]

    def worst(row: AreaPrevalence) -> tuple[bool, float]:
        pct = row.prevalence.estimate(stunting).pct
        return (pct is None, -(pct or 0))

    return [
        {
            "row": row,
            "query": urlencode({"wilayah": row.area.key, **period_query(period)}),
            "cells": [shown(row, period, INDICATORS[code]) for code in HEADLINE],
        }
        for row in sorted(rows, key=worst)
    ]


def _level_table(
    area: Area, period: Period, level: Level, rows: list[AreaPrevalence]
) -> exports.Table:
    columns = [_("Kode wilayah"), _("Wilayah")]
    for code in HEADLINE:
        name = label(INDICATORS[code])
        columns += [
            f"{name}: {_('Pembilang')}",
            f"{name}: {_('Penyebut')}",
            f"{name}: %",
            f"{name}: {_('SK 95% bawah %')}",
            f"{name}: {_('SK 95% atas %')}",
        ]
    columns += [_("Diukur"), _("Sasaran"), _("Cakupan %")]
    table_rows: list[list[object]] = []
    for row in rows:
        values: list[object] = [row.area.code, row.area.name]
        for code in HEADLINE:
            estimate = row.prevalence.estimate(INDICATORS[code])
            ci = estimate.ci_pct
            values += [
                estimate.numerator,
                estimate.denominator,
                estimate.pct,
                ci[0] if ci else None,
                ci[1] if ci else None,
            ]
        values += [row.measured, row.sasaran, row.coverage_pct]
        table_rows.append(values)
    return exports.Table(
        title=f"{_('Dasbor')}: {_level_name(level)}",
        area=area,
        period=period_text(period),
        method=method_text(),
        columns=columns,
        rows=table_rows,
    )


def levels_below(area: Area) -> list[Level]:
    order = list(JOIN_FROM_POSYANDU)
    if area.level == Level.KOTA:
        return order
    if area.level == Level.KECAMATAN:
        return [Level.KELURAHAN, Level.POSYANDU]
    if area.level in (Level.KELURAHAN, Level.PUSKESMAS):
        return [Level.POSYANDU]
    return []


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    scope = Scope.of(request.user)
    if scope.role not in DASHBOARD_ROLES:
        raise Http404
    area = scope.area_asked(request.GET.get("wilayah"))
    period = period_from(request)
    if not period.is_one_month:
        period = Period.month(period.last_month)
    month = period.date_from
    levels = levels_below(area)
    level_raw = request.GET.get("tingkat", "")
    level = Level(level_raw) if level_raw in {lv.value for lv in levels} else None
    if level is None and levels:
        level = levels[0]
    if level is None:
        root, _below = prevalence_report(scope, area, period)
        by_level: list[AreaPrevalence] = []
    else:
        # The areas of a level cover the whole area: its numbers are their sum,
        # without reading the month's cells a second time.
        by_level = prevalence_by_level(scope, area, period, level)
        root = AreaPrevalence(
            area,
            Prevalence(
                sum_cells(
                    (key, counts)
                    for row in by_level
                    for key, counts in row.prevalence.cells.items()
                )
            ),
            sum(row.sasaran or 0 for row in by_level),
        )
    if request.GET.get("format") and level is not None:
        return exports.export(
            request, _level_table(area, period, level, by_level), request.GET["format"], "dasbor"
        )
    counts, follow_up = to_follow_up(scope, area, month)
    today = timezone.localdate()
    points = trend(scope, area, month)
    return render(
        request,
        "reports/dashboard.html",
        {
            "area": area,
            "root": root,
            "headline": [
                {"label": label(INDICATORS[c]), "shown": shown(root, period, INDICATORS[c])}
                for c in HEADLINE
            ],
            "low_coverage": root.coverage_pct is not None
            and root.coverage_pct < 100 * DS_TARGET.target_ratio,
            "method": method_text(),
            "trend_svg": trend_svg(
                points,
                title=_("Tren %(n)s bulan: %(area)s") % {"n": TREND_MONTHS, "area": area.name},
            ),
            "levels": [(lv.value, _level_name(lv)) for lv in levels],
            "level": level,
            "level_rows": _level_rows(by_level, period),
            "campaigns": running_campaigns(scope, today),
            "follow_up_counts": counts,
            "follow_up": follow_up,
            "prevalence_query": urlencode({"wilayah": area.key, **period_query(period)}),
            "skdn_query": urlencode({"wilayah": area.key, "bulan": f"{month:%Y-%m}"}),
            "wilayah": area.key,
            "headline_names": [label(INDICATORS[code]) for code in HEADLINE],
            **month_nav(month, this_month=first_of_month(today)),
        },
    )


WORST_QUALITY_SHOWN = 5


@login_required
def dashboard_quality(request: HttpRequest) -> HttpResponse:
    """The dashboard's "worst data quality" block, loaded after the page: the
    scorecard reads the month's visits (each check needs the measurements
    themselves), so the dashboard's own numbers never wait for it."""
    scope = Scope.of(request.user)
    if scope.role not in DASHBOARD_ROLES:
        raise Http404
    area = scope.area_asked(request.GET.get("wilayah"))
    period = period_from(request)
    if not period.is_one_month:
        period = Period.month(period.last_month)
    rows = quality.worst_first(
        quality.quality_by_posyandu(scope, area, period.date_from, period.date_to)
    )
    month = f"{period.date_from:%Y-%m}"
    return render(
        request,
        "reports/_dashboard_quality.html",
        {
            "rows": [r for r in rows if r.stats.rating is not None][:WORST_QUALITY_SHOWN],
            "query": urlencode({"wilayah": area.key, "dari": month, "sampai": month}),
        },
    )


def _level_name(level: Level) -> str:
    return {
        Level.KECAMATAN: _("Kecamatan"),
        Level.KELURAHAN: _("Kelurahan"),
        Level.PUSKESMAS: _("Puskesmas"),
        Level.POSYANDU: _("Posyandu"),
    }[level]
