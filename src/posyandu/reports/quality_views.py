"""The data-quality pages: the scorecard of an area (per Posyandu, per recorder, per
month), the evidence of one Posyandu or one recorder, and the scorecard as a file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from posyandu.accounts.scope import Scope
from posyandu.core.ui import EARLIEST_DATE
from posyandu.policy.quality import QUALITY_RULES
from posyandu.policy.reporting import REPORT_MONTH
from posyandu.reports import exports
from posyandu.reports.aggregates import month_end, previous_month
from posyandu.reports.quality import (
    Evidence,
    QualityStats,
    posyandu_evidence,
    quality_report,
    recorder_evidence,
    worst_first,
)
from posyandu.reports.quality_charts import bars_svg, digit_histogram_svg
from posyandu.reports.quality_commands import QUALITY_COLUMNS, quality_values

DEFAULT_MONTHS = 3
"""A quarter by default: one Posyandu's month is too few children to rate."""
MAX_MONTHS = 12
"""The longest period a page reads (a city's year is ~100,000 visits)."""

CHECK_LABELS = {
    "pct_flagged_wflh": gettext_lazy("Nilai z tidak wajar BB/PB (%)"),
    "pct_flagged_lhfa": gettext_lazy("Nilai z tidak wajar PB/U (%)"),
    "sd_wflh": gettext_lazy("SD z BB/PB"),
    "sd_lhfa": gettext_lazy("SD z PB/U"),
    "skew_wflh": gettext_lazy("Kemencengan z BB/PB"),
    "kurtosis_wflh": gettext_lazy("Kurtosis z BB/PB"),
    "skew_lhfa": gettext_lazy("Kemencengan z PB/U"),
    "kurtosis_lhfa": gettext_lazy("Kurtosis z PB/U"),
    "dps_weight": gettext_lazy("Preferensi angka desimal berat (DPS)"),
    "dps_height": gettext_lazy("Preferensi angka desimal panjang/tinggi (DPS)"),
    "pct_position_mismatch": gettext_lazy("Cara ukur tidak sesuai umur (%)"),
}
FINDING_LABELS = {
    "flagged_lhfa": gettext_lazy("PB/U tidak wajar"),
    "flagged_wfa": gettext_lazy("BB/U tidak wajar"),
    "flagged_wflh": gettext_lazy("BB/PB tidak wajar"),
    "missing_weight": gettext_lazy("tanpa berat"),
    "missing_height": gettext_lazy("tanpa panjang/tinggi"),
    "missing_position": gettext_lazy("tanpa cara ukur"),
    "position_mismatch": gettext_lazy("cara ukur tidak sesuai umur"),
    "length_shrinks": gettext_lazy("panjang/tinggi turun"),
    "weight_implausible": gettext_lazy("perubahan berat tidak wajar"),
    "visits_too_close": gettext_lazy("dua kunjungan terlalu dekat"),
}


@dataclass(frozen=True)
class Window:
    date_from: dt.date
    date_to: dt.date
    dari: str
    sampai: str
    max_bulan: str

    @property
    def query(self) -> str:
        return f"dari={self.dari}&sampai={self.sampai}"


def _month(raw: str | None) -> dt.date | None:
    try:
        period = dt.datetime.strptime(raw or "", "%Y-%m").date()
    except ValueError:
        return None
    return period if period >= EARLIEST_DATE else None


def window(request: HttpRequest) -> Window:
    """The months asked for with ``?dari=YYYY-MM&sampai=YYYY-MM``: by default the
    quarter ending with the month the SKDN page opens on; never beyond this month,
    never longer than :data:`MAX_MONTHS`."""
    today = timezone.localdate()
    this_month = today.replace(day=1)
    last = min(_month(request.GET.get("sampai")) or REPORT_MONTH.default_period(today), this_month)
    earliest = last
    for _k in range(MAX_MONTHS - 1):
        earliest = previous_month(earliest)
    first = _month(request.GET.get("dari"))
    if first is None:
        first = last
        for _k in range(DEFAULT_MONTHS - 1):
            first = previous_month(first)
    first = min(max(first, earliest), last)
    return Window(
        date_from=first,
        date_to=month_end(last),
        dari=first.strftime("%Y-%m"),
        sampai=last.strftime("%Y-%m"),
        max_bulan=this_month.strftime("%Y-%m"),
    )


def _check_rows(stats: QualityStats) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for check in QUALITY_RULES.checks:
        rating = stats.ratings.get(check.name)
        rows.append(
            {
                "name": check.name,
                "label": CHECK_LABELS[check.name],
                "value": stats.value(check.name),
                "rating": rating,
                "points": None if rating is None else check.points_of(rating),
                "check": check,
            }
        )
    return rows


def _common(request: HttpRequest, win: Window) -> dict[str, object]:
    return {
        "win": win,
        "rules": QUALITY_RULES,
        "check_labels": CHECK_LABELS,
    }


def _rating_key(stats: QualityStats) -> tuple[bool, int, int]:
    return (stats.rating is None, -stats.points, -stats.measurements)


@login_required
def quality_page(request: HttpRequest) -> HttpResponse:
    scope = Scope.of(request.user)
    area = scope.area_asked(request.GET.get("wilayah"))
    win = window(request)
    report = quality_report(scope, area, win.date_from, win.date_to)
    recorders = sorted(report.recorders, key=lambda r: _rating_key(r.stats))
    return render(
        request,
        "reports/quality.html",
        {
            **_common(request, win),
            "area": area,
            "wilayah": area.key,
            "report": report,
            "posyandu_rows": worst_first(report.posyandu),
            "recorders": recorders,
            "total_checks": _check_rows(report.total),
        },
    )


def _evidence_page(
    request: HttpRequest, evidence: Evidence, win: Window, kind: str
) -> HttpResponse:
    stats = evidence.stats
    return render(
        request,
        "reports/quality_evidence.html",
        {
            **_common(request, win),
            "evidence": evidence,
            "kind": kind,
            "stats": stats,
            "checks": _check_rows(stats),
            "finding_labels": FINDING_LABELS,
            "weight_svg": digit_histogram_svg(
                stats.weight_digits, title=_("Angka desimal berat badan")
            ),
            "height_svg": digit_histogram_svg(
                stats.height_digits, title=_("Angka desimal panjang/tinggi badan")
            ),
            "age_svg": bars_svg(
                stats.age_years,
                [str(year) for year in range(len(stats.age_years))],
                title=_("Anak menurut umur (tahun)"),
            ),
            "birth_month_svg": bars_svg(
                stats.birth_months,
                [f"{month:02d}" for month in range(1, 13)],
                title=_("Anak menurut bulan lahir"),
            ),
            "recorders": sorted(evidence.recorders, key=lambda r: _rating_key(r.stats)),
        },
    )


@login_required
def quality_posyandu(request: HttpRequest, pk: int) -> HttpResponse:
    scope = Scope.of(request.user)
    win = window(request)
    evidence = posyandu_evidence(scope, pk, win.date_from, win.date_to)
    return _evidence_page(request, evidence, win, "posyandu")


@login_required
def quality_recorder(request: HttpRequest, pk: int) -> HttpResponse:
    scope = Scope.of(request.user)
    win = window(request)
    evidence = recorder_evidence(scope, pk, win.date_from, win.date_to)
    return _evidence_page(request, evidence, win, "recorder")


@login_required
def quality_export(request: HttpRequest) -> HttpResponse:
    """The scorecard per Posyandu as CSV or Excel, with the header block; audited."""
    scope = Scope.of(request.user)
    area = scope.area_asked(request.GET.get("wilayah"))
    win = window(request)
    report = quality_report(scope, area, win.date_from, win.date_to)
    table = exports.Table(
        title=_("Mutu data pengukuran"),
        area=area,
        period=f"{win.date_from:%d/%m/%Y} - {win.date_to:%d/%m/%Y}",
        method=f"{QUALITY_RULES.source} ({QUALITY_RULES.version_id})",
        columns=QUALITY_COLUMNS,
        rows=[quality_values(r.code, r.name, r.stats) for r in report.posyandu],
    )
    return exports.export(request, table, request.GET.get("format", "csv"), "mutu-data")
