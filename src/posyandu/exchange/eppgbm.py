"""The e-PPGBM by-name layout ("Daftar Anak Berdasarkan Status Gizi"), one row
per measurement, as DOMAIN.md describes it; written to .xlsx or .csv.

The columns and their order are the national export's, so a file goes back
into e-PPGBM and comes back into posyandu the same way. Categories are in
the Permenkes wording; dates DD-MM-YYYY; the NIK is text (an Excel number
loses digits past 15); ``Usia Saat Ukur`` reads "2 Tahun - 3 Bulan - 12 Hari".
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import IO, Any, Final

from django.db.models import QuerySet

from posyandu.accounts.scope import Scope
from posyandu.areas.hierarchy import Area, posyandu_of
from posyandu.core.audit import mask_nik
from posyandu.growth.classify import label
from posyandu.measurements.models import Position, Visit, WeightGain

COLUMNS: Final = (
    "No",
    "NIK",
    "Nama",
    "JK",
    "Tgl Lahir",
    "BB Lahir",
    "TB Lahir",
    "Nama Ortu",
    "Prov",
    "Kab/Kota",
    "Kec",
    "Pukesmas",
    "Desa/Kel",
    "Posyandu",
    "RT",
    "RW",
    "Alamat",
    "Usia Saat Ukur",
    "Tanggal Pengukuran",
    "Berat",
    "Tinggi",
    "Cara Ukur",
    "LiLA",
    "BB/U",
    "ZS BB/U",
    "TB/U",
    "ZS TB/U",
    "BB/TB",
    "ZS BB/TB",
    "Naik Berat Badan",
    "PMT Diterima (kg)",
    "Jml Vit A",
    "KPSP",
    "KIA",
)
"""The e-PPGBM by-name export's columns, in its order (DOMAIN.md)."""

PROVINCES: Final = {
    "11": "Aceh",
    "12": "Sumatera Utara",
    "13": "Sumatera Barat",
    "14": "Riau",
    "15": "Jambi",
    "16": "Sumatera Selatan",
    "17": "Bengkulu",
    "18": "Lampung",
    "19": "Kepulauan Bangka Belitung",
    "21": "Kepulauan Riau",
    "31": "DKI Jakarta",
    "32": "Jawa Barat",
    "33": "Jawa Tengah",
    "34": "DI Yogyakarta",
    "35": "Jawa Timur",
    "36": "Banten",
    "51": "Bali",
    "52": "Nusa Tenggara Barat",
    "53": "Nusa Tenggara Timur",
    "61": "Kalimantan Barat",
    "62": "Kalimantan Tengah",
    "63": "Kalimantan Selatan",
    "64": "Kalimantan Timur",
    "65": "Kalimantan Utara",
    "71": "Sulawesi Utara",
    "72": "Sulawesi Tengah",
    "73": "Sulawesi Selatan",
    "74": "Sulawesi Tenggara",
    "75": "Gorontalo",
    "76": "Sulawesi Barat",
    "81": "Maluku",
    "82": "Maluku Utara",
    "91": "Papua",
    "92": "Papua Barat",
    "93": "Papua Selatan",
    "94": "Papua Tengah",
    "95": "Papua Pegunungan",
    "96": "Papua Barat Daya",
}
"""Kemendagri province codes (the first two digits of every area code)."""

GAIN_WORDS: Final = {
    WeightGain.NAIK: "Naik",
    WeightGain.TIDAK_NAIK: "Tidak Naik",
    WeightGain.TIDAK_DITIMBANG_BULAN_LALU: "Tidak Ditimbang Bulan Lalu",
    WeightGain.BARU: "Baru",
}
POSITION_WORDS: Final = {Position.LYING: "Terlentang", Position.STANDING: "Berdiri"}


def age_text(birth: dt.date, on: dt.date) -> str:
    """Calendar age as e-PPGBM writes it: ``2 Tahun - 3 Bulan - 12 Hari``."""
    months = (on.year - birth.year) * 12 + on.month - birth.month
    if on.day < birth.day:
        months -= 1
    anniversary_month = birth.month + months
    year = birth.year + (anniversary_month - 1) // 12
    month = (anniversary_month - 1) % 12 + 1
    day = birth.day
    while True:
        try:
            anniversary = dt.date(year, month, day)
            break
        except ValueError:
            day -= 1
    days = (on - anniversary).days
    return f"{months // 12} Tahun - {months % 12} Bulan - {days} Hari"


def _date(value: dt.date | None) -> str:
    return value.strftime("%d-%m-%Y") if value else ""


def _z(value: float | None) -> float | str:
    return "" if value is None else round(value, 2)


def _num(value: Decimal | None) -> float | str:
    return "" if value is None else float(value)


def visits_to_export(
    scope: Scope, area: Area, date_from: dt.date, date_to: dt.date
) -> QuerySet[Visit]:
    """The measurements made in ``area`` (by the Posyandu of the visit) in the
    period, within the user's scope, in the order of the file."""
    return (
        Visit.objects.filter(
            posyandu__in=posyandu_of(area).filter(pk__in=scope.posyandu()),
            measured_on__gte=date_from,
            measured_on__lte=date_to,
        )
        .select_related(
            "child",
            "posyandu__kelurahan__kecamatan__kota",
            "posyandu__puskesmas",
        )
        .order_by("posyandu__code", "child__name", "child_id", "measured_on")
    )


def rows(visits: Iterable[Visit], *, mask: bool) -> Iterator[tuple[Any, ...]]:
    """One e-PPGBM row per visit (``mask``: NIKs cut to their last four digits)."""
    for number, v in enumerate(visits, start=1):
        child = v.child
        posyandu = v.posyandu
        kelurahan = posyandu.kelurahan
        kecamatan = kelurahan.kecamatan
        kota = kecamatan.kota
        nik = mask_nik(child.nik) if mask else child.nik
        yield (
            number,
            nik,
            child.name,
            "L" if child.sex == 1 else "P",
            _date(child.birth_date),
            _num(child.birth_weight_kg),
            _num(child.birth_length_cm),
            child.mother_name,
            PROVINCES.get(kota.code[:2], ""),
            kota.name,
            kecamatan.name,
            posyandu.puskesmas.name,
            kelurahan.name,
            posyandu.name,
            child.rt,
            child.rw,
            child.address,
            age_text(child.birth_date, v.measured_on),
            _date(v.measured_on),
            _num(v.weight_kg),
            _num(v.height_cm),
            POSITION_WORDS.get(Position(v.position), "") if v.position else "",
            _num(v.muac_cm),
            label("wfa", v.cat_wfa, "id") if v.cat_wfa else "",
            _z(v.z_wfa),
            label("lhfa", v.cat_lhfa, "id") if v.cat_lhfa else "",
            _z(v.z_lhfa),
            label("wflh", v.cat_wflh, "id") if v.cat_wflh else "",
            _z(v.z_wflh),
            GAIN_WORDS.get(WeightGain(v.weight_gain), "") if v.weight_gain else "",
            _num(v.pmt_kg),
            1 if v.vitamin_a else 0,
            v.get_kpsp_display() if v.kpsp else "",
            "Ya" if child.has_kia_book else "Tidak",
        )


NIK_COLUMN: Final = COLUMNS.index("NIK")


def write_csv(out: IO[str], data: Iterable[tuple[Any, ...]]) -> int:
    """``;``-separated with decimal commas, as an Indonesian Windows Excel reads it."""
    writer = csv.writer(out, delimiter=";")
    writer.writerow(COLUMNS)
    count = 0
    for row in data:
        writer.writerow([str(v).replace(".", ",") if isinstance(v, float) else v for v in row])
        count += 1
    return count


def write_xlsx(out: IO[bytes], data: Iterable[tuple[Any, ...]]) -> int:
    """An Excel file (write-only, so memory stays flat); the NIK as a text cell."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Daftar Anak")
    sheet.append(list(COLUMNS))
    count = 0
    for row in data:
        cells: list[Any] = list(row)
        nik = WriteOnlyCell(sheet, value=str(row[NIK_COLUMN]))
        nik.number_format = "@"
        cells[NIK_COLUMN] = nik
        sheet.append(cells)
        count += 1
    book.save(out)
    return count
