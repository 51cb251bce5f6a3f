"""The e-PPGBM export: the national layout, real Excel files, scope and audit."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from posyandu.areas.hierarchy import Level
from posyandu.cli import main
from posyandu.core.models import AuditAction, AuditLog
from posyandu.exchange.eppgbm import COLUMNS, age_text
from tests.factories import ChildFactory, UserFactory, bidan_of, kader_of, make_city, make_visit

pytestmark = pytest.mark.django_db

DOMAIN_COLUMNS = (
    "No | NIK | Nama | JK | Tgl Lahir | BB Lahir | TB Lahir | Nama Ortu | Prov | Kab/Kota | Kec | "
    "Pukesmas | Desa/Kel | Posyandu | RT | RW | Alamat | Usia Saat Ukur | Tanggal Pengukuran | "
    "Berat | Tinggi | Cara Ukur | LiLA | BB/U | ZS BB/U | TB/U | ZS TB/U | BB/TB | ZS BB/TB | "
    "Naik Berat Badan | PMT Diterima (kg) | Jml Vit A | KPSP | KIA"
)


def test_the_columns_are_domain_mds_in_its_order() -> None:
    assert tuple(DOMAIN_COLUMNS.split(" | ")) == COLUMNS


@pytest.mark.parametrize(
    ("birth", "on", "text"),
    [
        (dt.date(2024, 1, 15), dt.date(2026, 4, 27), "2 Tahun - 3 Bulan - 12 Hari"),
        (dt.date(2024, 1, 31), dt.date(2024, 2, 29), "0 Tahun - 0 Bulan - 29 Hari"),
        (dt.date(2024, 1, 31), dt.date(2024, 3, 31), "0 Tahun - 2 Bulan - 0 Hari"),
        (dt.date(2025, 6, 1), dt.date(2025, 6, 1), "0 Tahun - 0 Bulan - 0 Hari"),
        (dt.date(2021, 12, 20), dt.date(2026, 12, 19), "4 Tahun - 11 Bulan - 29 Hari"),
    ],
)
def test_the_age_at_measurement_reads_years_months_days(birth, on, text) -> None:
    assert age_text(birth, on) == text


@pytest.fixture
def town():
    city = make_city()
    siti = ChildFactory(
        name="Siti Aminah",
        sex=2,
        birth_date=dt.date(2024, 1, 15),
        nik="6474015501240003",
        mother_name="Rina",
        posyandu=city.posyandu_a,
    )
    make_visit(siti, dt.date(2026, 3, 10), weight_kg="10.40", height_cm="84.5", position="h")
    make_visit(siti, dt.date(2026, 4, 27), weight_kg="10.70", height_cm="85.0", position="h")
    other = ChildFactory(name="Budi Anggrek", posyandu=city.posyandu_b, nik="6474020101230004")
    make_visit(other, dt.date(2026, 4, 5), weight_kg="12.00")
    return city, siti


def _download(client, area_key, **extra):
    data = {
        "area": area_key,
        "date_from": "01/03/2026",
        "date_to": "30/04/2026",
        "file_format": "xlsx",
        **extra,
    }
    return client.post(reverse("exchange:eppgbm_export"), data)


def test_a_puskesmas_downloads_a_real_excel_file_of_its_area_with_the_nik_as_text(town) -> None:
    city, siti = town
    client = Client()
    client.force_login(UserFactory(username="pkm_a", role="puskesmas", puskesmas=city.puskesmas_a))
    response = _download(client, f"{Level.PUSKESMAS}:{city.puskesmas_a.pk}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0] == COLUMNS
    body = rows[1:]
    assert [r[COLUMNS.index("Nama")] for r in body] == ["Siti Aminah", "Siti Aminah"]
    cell = book.active.cell(row=2, column=COLUMNS.index("NIK") + 1)
    assert (cell.value, cell.data_type) == ("6474015501240003", "s")
    april = dict(zip(COLUMNS, body[1], strict=True))
    assert april["Usia Saat Ukur"] == "2 Tahun - 3 Bulan - 12 Hari"
    assert (april["Tgl Lahir"], april["Tanggal Pengukuran"]) == ("15-01-2024", "27-04-2026")
    assert (april["JK"], april["Berat"], april["Tinggi"], april["Cara Ukur"]) == (
        "P",
        10.7,
        85.0,
        "Berdiri",
    )
    assert april["Prov"] == "Kalimantan Timur" and april["Posyandu"] == "Posyandu Melati"
    assert april["Naik Berat Badan"] in ("Naik", "Tidak Naik", "Tidak Ditimbang Bulan Lalu")
    assert april["BB/U"].startswith("Berat badan")
    assert isinstance(april["ZS BB/U"], float)
    entry = AuditLog.objects.get(action=AuditAction.EXPORT, object_type="exchange.eppgbm")
    assert entry.changes["rows"] == 2 and entry.username == "pkm_a"
    assert entry.changes["area"] == city.puskesmas_a.code


def test_another_puskesmas_area_is_not_exported_and_a_kader_has_no_export(town) -> None:
    city, _siti = town
    client = Client()
    client.force_login(bidan_of(city.puskesmas_a, username="bidan_x"))
    assert client.get(reverse("exchange:eppgbm_export")).status_code == 404  # field role
    client.force_login(UserFactory(username="pkm_b", role="puskesmas", puskesmas=city.puskesmas_b))
    response = _download(client, f"{Level.PUSKESMAS}:{city.puskesmas_a.pk}")
    assert response.status_code == 200 and "Content-Disposition" not in response
    assert not AuditLog.objects.filter(action=AuditAction.EXPORT).exists()
    client.force_login(kader_of(city.posyandu_a, username="kader_x"))
    assert client.get(reverse("exchange:eppgbm_export")).status_code == 404


def test_a_masked_csv_for_sharing_keeps_four_digits(town) -> None:
    city, _siti = town
    client = Client()
    client.force_login(
        UserFactory(username="pkm_mask", role="puskesmas", puskesmas=city.puskesmas_a)
    )
    response = _download(
        client, f"{Level.PUSKESMAS}:{city.puskesmas_a.pk}", file_format="csv", mask_nik="on"
    )
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert tuple(rows[0]) == COLUMNS
    assert rows[1][1] == "••••••••••••0003"
    assert rows[2][COLUMNS.index("Berat")] == "10,7"
    assert "6474015501240003" not in text


def test_the_command_line_export(town, tmp_path, capsys) -> None:
    path = tmp_path / "kota.xlsx"
    code = main(
        [
            "export",
            "eppgbm",
            "--area",
            "64.74",
            "--from",
            "2026-03-01",
            "--to",
            "2026-04-30",
            "-o",
            str(path),
        ]
    )
    assert code == 0
    rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    assert len(rows) == 4  # header + 3 measurements in the kota
    assert (
        main(
            [
                "export",
                "eppgbm",
                "--area",
                "64.74",
                "--from",
                "2026-03-01",
                "--to",
                "2026-04-30",
                "-o",
                str(tmp_path / "x.txt"),
            ]
        )
        == 2
    )
    assert (
        main(
            [
                "export",
                "eppgbm",
                "--area",
                "00.00",
                "--from",
                "2026-03-01",
                "--to",
                "2026-04-30",
                "-o",
                str(path),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "Traceback" not in err
