"""Every report table to CSV or Excel, with a header block, audited.

A table leaves the application with what a reader needs to trust it: the
area, the period, the method, when it was made and by whom, then the header
row and the data. The export is one audit row (who, what, which area, how
many rows); a table of children also notes each child as exported.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from posyandu.areas.hierarchy import Area, area_q
from posyandu.areas.models import Posyandu
from posyandu.core import audit
from posyandu.core.models import AuditAction

Format = Literal["csv", "xlsx"]
FORMATS: tuple[Format, ...] = ("csv", "xlsx")

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Table:
    """A report table as it leaves the application."""

    title: str
    area: Area
    period: str
    method: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]
    children: Sequence[models.Model] = ()
    """The children listed, when the table lists children (audited as exported)."""

    def header_block(self, who: str, at: dt.datetime) -> list[tuple[str, str]]:
        return [
            (_("Laporan"), self.title),
            (_("Wilayah"), f"{self.area.name} ({self.area.code})"),
            (_("Periode"), self.period),
            (_("Metode"), self.method),
            (_("Dibuat"), timezone.localtime(at).strftime("%d/%m/%Y %H:%M %Z")),
            (_("Oleh"), who),
        ]


def _cell(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 2)
    return value


def write_csv(table: Table, who: str, at: dt.datetime) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for label, value in table.header_block(who, at):
        writer.writerow([label, value])
    writer.writerow([])
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow(["" if v is None else _cell(v) for v in row])
    # A BOM so that Excel on a Windows PC opens the UTF-8 file with its accents.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_xlsx(table: Table, who: str, at: dt.datetime) -> bytes:
    book = Workbook(write_only=False)
    sheet = book.active
    assert sheet is not None
    # Excel refuses []:*?/\ in a sheet's name and more than 31 characters.
    sheet.title = re.sub(r"[\[\]:*?/\\]", " ", table.title)[:31].strip() or "Laporan"
    bold = Font(bold=True)
    for label, value in table.header_block(who, at):
        sheet.append([label, value])
        sheet.cell(row=sheet.max_row, column=1).font = bold
    sheet.append([])
    sheet.append(list(table.columns))
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for row in table.rows:
        sheet.append([_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export(request: HttpRequest, table: Table, file_format: str, name: str) -> HttpResponse:
    """The file of ``table`` as a download; audited."""
    if file_format not in FORMATS:
        file_format = "csv"
    at = timezone.now()
    user: Any = request.user
    who = f"{user.get_full_name() or user.get_username()} ({user.get_username()})"
    data = write_xlsx(table, who, at) if file_format == "xlsx" else write_csv(table, who, at)
    record_export(user, table, file_format)
    filename = f"{slugify(name)}-{slugify(table.area.name)}.{file_format}"
    response = HttpResponse(
        data, content_type=XLSX_TYPE if file_format == "xlsx" else "text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def kota_of(area: Area) -> int | None:
    """The kota of ``area`` (the audit trail is kept per city)."""
    found = (
        Posyandu.objects.filter(area_q(area))
        .values_list("kelurahan__kecamatan__kota_id", flat=True)
        .first()
    )
    return int(found) if found is not None else None


def record_export(user: Any, table: Table, file_format: str) -> None:
    audit.record(
        user=user,
        action=AuditAction.EXPORT,
        object_type="reports.table",
        object_repr=f"{table.title}: {table.area.name}, {table.period}"[:200],
        changes={
            "area": table.area.code,
            "period": table.period,
            "rows": len(table.rows),
            "format": file_format,
        },
        kota_id=kota_of(table.area),
    )
    if table.children:
        audit.shown(table.children, export=True)
