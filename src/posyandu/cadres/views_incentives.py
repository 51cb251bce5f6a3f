"""The monthly incentive roster of a Posyandu: a printable page and a CSV for payment."""

from __future__ import annotations

import csv
import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from posyandu.accounts.scope import Capability, Scope
from posyandu.cadres import incentives
from posyandu.core import audit
from posyandu.core.models import AuditAction
from posyandu.core.ui import month_from_query, month_nav
from posyandu.measurements.selectors import posyandu_for


def _period(request: HttpRequest) -> dt.date:
    this_month = timezone.localdate().replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    # Incentives are paid for a month that is over: the page opens on last month.
    return month_from_query(request.GET.get("bulan"), this_month=this_month, default=last_month)


@login_required
def roster_page(request: HttpRequest, pk: int) -> HttpResponse:
    scope = Scope.of(request.user)
    posyandu = posyandu_for(scope, pk)
    period = _period(request)
    found = incentives.roster(posyandu, period)
    return render(
        request,
        "cadres/incentives.html",
        {
            "roster": found,
            "posyandu": posyandu,
            "may_export": scope.may(Capability.DATA_EXPORT),
            **month_nav(period, this_month=timezone.localdate().replace(day=1)),
        },
    )


@login_required
def roster_csv(request: HttpRequest, pk: int) -> HttpResponse:
    scope = Scope.of(request.user)
    posyandu = posyandu_for(scope, pk)
    scope.require(Capability.DATA_EXPORT)
    period = _period(request)
    found = incentives.roster(posyandu, period)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"insentif-kader-{posyandu.code}-{period:%Y-%m}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")  # Excel opens UTF-8 only with a BOM
    writer = csv.writer(response)
    writer.writerow(incentives.CSV_COLUMNS)
    writer.writerows(incentives.csv_rows(found))
    audit.record(
        user=scope.user,
        action=AuditAction.EXPORT,
        obj=posyandu,
        changes={"incentive_roster": period.strftime("%Y-%m"), "rows": len(found.lines)},
    )
    return response
