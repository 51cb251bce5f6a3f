"""The kader-of-the-year page: the ranking of an area, each component shown."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from posyandu.accounts.scope import Scope
from posyandu.areas.hierarchy import Level, tree
from posyandu.reports.kader_score import kader_of_the_year

SHOWN = 50
"""Rows shown unless all are asked for: a city has about 500 kader."""


@login_required
def kader_of_the_year_page(request: HttpRequest) -> HttpResponse:
    scope = Scope.of(request.user)
    area = scope.area_asked(request.GET.get("wilayah"))
    today = timezone.localdate()
    raw = request.GET.get("tahun", "")
    year = (
        min(int(raw), today.year)
        if raw.isascii() and raw.isdigit() and len(raw) == 4
        else today.year - 1
    )
    ranking = kader_of_the_year(scope, area, year)
    show_all = request.GET.get("semua") == "1"
    below = [
        a for a in tree(area, scope.posyandu_ids).children_of(area) if a.level != Level.POSYANDU
    ]
    w = ranking.weights
    return render(
        request,
        "reports/kader_score.html",
        {
            "area": area,
            "wilayah": area.key,
            "year": year,
            "prev_year": year - 1,
            "next_year": year + 1 if year < today.year else None,
            "ranking": ranking,
            "rows": ranking.rows if show_all else ranking.rows[:SHOWN],
            "hidden": 0 if show_all else max(0, len(ranking.rows) - SHOWN),
            "weights_pct": {
                "attendance": 100 * w.attendance / w.total_weight,
                "data": 100 * w.data / w.total_weight,
                "skills": 100 * w.skills / w.total_weight,
                "home_visits": 100 * w.home_visits / w.total_weight,
            },
            "below": below,
        },
    )
