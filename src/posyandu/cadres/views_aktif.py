"""Posyandu aktif pages: the year of an area, and the services and kader of one day."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from posyandu.accounts.scope import Capability, Scope
from posyandu.areas.hierarchy import tree
from posyandu.cadres import aktif as aktif_data
from posyandu.cadres import day_services
from posyandu.measurements.selectors import session_for
from posyandu.policy.posyandu_aktif import AKTIF_TARGETS

RULE_SETS = ("ilp", "strata")


def default_year(today: dt.date) -> int:
    """The last complete year: the status a city reports."""
    return today.year - 1


def _year(request: HttpRequest, today: dt.date) -> int:
    raw = request.GET.get("tahun", "")
    if raw.isascii() and raw.isdigit() and len(raw) == 4:
        return min(int(raw), today.year)
    return default_year(today)


@login_required
def aktif_page(request: HttpRequest) -> HttpResponse:
    scope = Scope.of(request.user)
    area = scope.area_asked(request.GET.get("wilayah"))
    today = timezone.localdate()
    year = _year(request, today)
    rule_set = request.GET.get("aturan", "ilp")
    if rule_set not in RULE_SETS:
        rule_set = "ilp"
    context: dict[str, object] = {
        "area": area,
        "year": year,
        "wilayah": area.key,
        "aturan": rule_set,
        "prev_year": year - 1,
        "next_year": year + 1 if year < today.year else None,
        "targets": AKTIF_TARGETS,
    }
    try:
        result = aktif_data.posyandu_aktif(
            scope, area, year, today=today, with_strata=rule_set == "strata"
        )
    except aktif_data.NoRuleInForce as exc:
        context["no_rule"] = str(exc)
        return render(request, "cadres/aktif.html", context)
    rule = result.rule
    rows = []
    for row in result.rows:
        rows.append(
            {
                "row": row,
                "aktif": row.aktif,
                "reasons": [aktif_data.year_reason_text(c, row, rule) for c in row.reasons],
                "months": [
                    {
                        "status": m,
                        "reasons": "; ".join(
                            aktif_data.month_reason_text(c, m, rule) for c in m.reasons
                        ),
                    }
                    for m in row.months
                ],
                "stages": [
                    label for value, label in day_services.stage_choices() if value in row.stages
                ],
                "strata_label": aktif_data.STRATA_LABELS.get(row.strata.stratum, "")
                if row.strata
                else "",
                "strata_reasons": [
                    aktif_data.strata_reason_text(c, result.strata_rule)
                    for c in row.strata.reasons_not_higher
                ]
                if row.strata and result.strata_rule
                else [],
            }
        )
    below = tree(area, scope.posyandu_ids).children_of(area)
    context.update(
        {
            "result": result,
            "rule": rule,
            "rows": rows,
            "not_aktif": [r for r in rows if not r["aktif"]],
            "core_stages": aktif_data.core_stages_text(rule),
            "share_pct": None if result.share is None else 100 * result.share,
            "target_pct": 100 * AKTIF_TARGETS.city_target_ratio,
            "baseline_pct": 100 * AKTIF_TARGETS.city_baseline_ratio,
            "national_pct": 100 * AKTIF_TARGETS.national_line_ratio,
            "below": [a for a in below if a.level != "posyandu"],
            "by_year": aktif_data.shares_by_year(scope, area, today=today),
        }
    )
    return render(request, "cadres/aktif.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def day_services_page(request: HttpRequest, pk: int) -> HttpResponse:
    scope = Scope.of(request.user)
    session = session_for(scope, pk)
    may_write = scope.may_write(Capability.VISITS_WRITE, session.posyandu_id)
    if request.method == "POST":
        scope.require_write(Capability.VISITS_WRITE, session.posyandu_id)
        form = day_services.DayServicesForm(request.POST, session=session)
        if form.is_valid():
            if scope.user is None:
                raise PermissionDenied
            day_services.save_day(user=scope.user, session=session, form=form)
            messages.success(request, _("Layanan dan kader hadir tersimpan."))
            return redirect("cadres:day_services", pk=session.pk)
    else:
        form = day_services.DayServicesForm(session=session)
    return render(
        request,
        "cadres/day_services.html",
        {"session": session, "form": form, "may_write": may_write},
    )
