"""Exports to the national system, audited (who, which area, how many rows)."""

from __future__ import annotations

import datetime as dt
from typing import IO, Any, Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from posyandu.accounts.models import User
from posyandu.accounts.scope import Scope
from posyandu.areas.hierarchy import Area
from posyandu.core import audit
from posyandu.core.models import AuditAction
from posyandu.core.ui import check_date
from posyandu.exchange import eppgbm

Format = Literal["xlsx", "csv"]


def export_eppgbm(
    *,
    user: User | None,
    scope: Scope,
    area: Area,
    date_from: dt.date,
    date_to: dt.date,
    file_format: Format,
    out: IO[Any],
    mask_nik: bool = False,
) -> int:
    """Write the e-PPGBM by-name list of ``area`` (within ``scope``) for the period
    to ``out``; returns the number of rows. Audited as an export."""
    for field, day in (("date_from", date_from), ("date_to", date_to)):
        check_date(day, field=field, future_message="", allow_future=True)
    if date_to < date_from:
        raise ValidationError({"date_to": _("Tanggal akhir sebelum tanggal awal.")})
    visits = eppgbm.visits_to_export(scope, area, date_from, date_to)
    data = eppgbm.rows(visits.iterator(chunk_size=2000), mask=mask_nik)
    write = eppgbm.write_xlsx if file_format == "xlsx" else eppgbm.write_csv
    count = write(out, data)
    audit.record(
        user=user,
        action=AuditAction.EXPORT,
        object_type="exchange.eppgbm",
        object_repr=f"e-PPGBM {area.name} {date_from:%d/%m/%Y}-{date_to:%d/%m/%Y}",
        changes={
            "area": area.code,
            "from": date_from.isoformat(),
            "to": date_to.isoformat(),
            "rows": count,
            "format": file_format,
            "nik_masked": mask_nik,
        },
    )
    return count
