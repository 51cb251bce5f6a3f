"""The e-PPGBM import: real .xlsx, .xls, HTML-as-.xls and .csv files with every
quirk of real downloads; all or nothing; line numbers as Excel shows them."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import xlwt

from posyandu.accounts.scope import Scope
from posyandu.children.models import Child, ChildStatus
from posyandu.cli import main
from posyandu.core.models import AuditAction, AuditLog
from posyandu.exchange.eppgbm import COLUMNS
from posyandu.exchange.importer import REPORT_COLUMNS, import_eppgbm
from posyandu.exchange.tables import UnusableFile
from posyandu.measurements.models import Visit
from posyandu.measurements.services import VisitValues, record_visit
from posyandu.reports.aggregates import computed_counts, stored_counts
from posyandu.reports.models import MonthlyAggregate, PrevalenceCell
from tests.factories import ChildFactory, UserFactory, factory_user, make_city, make_visit

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


def _row(**values: object) -> dict[str, object]:
    base: dict[str, object] = {
        "No": 1,
        "NIK": "",
        "Nama": "Putri Ayu",
        "JK": "P",
        "Tgl Lahir": "05-03-2025",
        "BB Lahir": "",
        "TB Lahir": "",
        "Nama Ortu": "Sari Dewi",
        "Prov": "Kalimantan Timur",
        "Kab/Kota": "Bontang",
        "Kec": "Bontang Utara",
        "Pukesmas": "Puskesmas Bontang Utara I",
        "Desa/Kel": "Bontang Kuala",
        "Posyandu": "Posyandu Melati",
        "RT": "",
        "RW": "",
        "Alamat": "",
        "Usia Saat Ukur": "",
        "Tanggal Pengukuran": "",
        "Berat": "",
        "Tinggi": "",
        "Cara Ukur": "",
        "LiLA": "",
    }
    base.update(values)
    return base


def _xlsx(rows: list[dict[str, object]], *, title_rows: int = 0, header=COLUMNS) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for number in range(title_rows):
        sheet.append([f"Daftar Anak Berdasarkan Status Gizi ({number + 1})"])
    sheet.append(list(header))
    for row in rows:
        sheet.append([row.get(name, "") for name in header])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _html_xls(rows: list[dict[str, object]]) -> bytes:
    def cell(value: object) -> str:
        if isinstance(value, dt.date):
            value = value.strftime("%d/%m/%Y")
        return f"<td>{value}</td>"

    head = "".join(f"<th>{name}</th>" for name in COLUMNS)
    body = "".join(
        "<tr>" + "".join(cell(row.get(name, "")) for name in COLUMNS) + "</tr>" for row in rows
    )
    html = (
        '<html><head><meta charset="utf-8"></head><body>'
        f"<table border=1><tr>{head}</tr>{body}</table></body></html>"
    )
    return html.encode("utf-8")


def _real_xls(rows: list[dict[str, object]]) -> bytes:
    book = xlwt.Workbook()
    sheet = book.add_sheet("Daftar Anak")
    dates = xlwt.easyxf(num_format_str="DD-MM-YYYY")
    for col, name in enumerate(COLUMNS):
        sheet.write(0, col, name)
    for r, row in enumerate(rows, start=1):
        for col, name in enumerate(COLUMNS):
            value = row.get(name, "")
            if isinstance(value, dt.date):
                sheet.write(r, col, value, dates)
            elif isinstance(value, Decimal):
                sheet.write(r, col, float(value))
            else:
                sheet.write(r, col, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _csv(rows: list[dict[str, object]], *, delimiter: str = ";", encoding: str = "cp1252") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row.get(name, "") for name in COLUMNS])
    return out.getvalue().encode(encoding)


def _import(data: bytes, *, dry_run: bool = False, scope: Scope | None = None, user=None):
    return import_eppgbm(
        data=data,
        file_name="daftar.xlsx",
        scope=scope or Scope.for_command_line(),
        user=user,
        dry_run=dry_run,
    )


@pytest.fixture
def city():
    return make_city()


def _quirky_rows(city) -> list[dict[str, object]]:
    """One new child in three lines with its dates in three forms, weights in
    grams and with a decimal comma, positions in odd case and spelling; a
    second new child with a NIK stored as a number; a third whose NIK lost its
    digits in scientific notation; an existing child matched by NIK."""
    return [
        _row(
            NIK="'6474014503250001",
            **{
                "Tgl Lahir": "05-03-2025",
                "Tanggal Pengukuran": "10-09-2025",
                "Berat": "7500",
                "Tinggi": "66,5",
                "Cara Ukur": "  TELENTANG ",
                "Posyandu": "  posyandu   MELATI ",
                "BB Lahir": "3100",
                "TB Lahir": "49,0",
            },
        ),
        _row(
            NIK="6474014503250001",
            **{
                "Tgl Lahir": dt.date(2025, 3, 5),
                "Tanggal Pengukuran": dt.date(2025, 10, 12),
                "Berat": Decimal("7.9"),
                "Tinggi": 68,
                "Cara Ukur": "Terlentang",
            },
        ),
        _row(
            NIK="6474014503250001",
            JK="Perempuan",
            **{
                "Tgl Lahir": "2025-03-05",
                "Tanggal Pengukuran": "14/11/2025",
                "Berat": "8,2",
                "Tinggi": "69.5",
            },
        ),
        _row(
            NIK=6474010107240002,
            Nama="Bayu Saputra",
            JK="Laki-laki",
            **{
                "Nama Ortu": "Wati",
                "Tgl Lahir": "01/07/2024",
                "Tanggal Pengukuran": "03-11-2025",
                "Berat": "9,6",
                "Tinggi": "76,0",
                "Cara Ukur": "terlentang",
                "Desa/Kel": "BONTANG  KUALA",
                "Posyandu": "Kenanga",
            },
        ),
        _row(
            NIK="6,47401E+15",
            Nama="Citra Lestari",
            JK="p",
            **{
                "Nama Ortu": "Nur",
                "Tgl Lahir": "45700",
                "Tanggal Pengukuran": "20-11-2025",
                "Berat": "8.1",
                "Tinggi": "72",
            },
        ),
    ]


def test_an_xlsx_with_every_quirk_imports_children_once_and_visits_with_engine_values(
    city,
) -> None:
    result = _import(_xlsx(_quirky_rows(city)))
    assert result.bad_lines == []
    assert result.imported
    putri = Child.objects.get(nik="6474014503250001")
    assert (putri.name, putri.sex, putri.birth_date, putri.mother_name) == (
        "Putri Ayu",
        2,
        dt.date(2025, 3, 5),
        "Sari Dewi",
    )
    assert putri.posyandu == city.posyandu_a
    assert putri.birth_weight_kg == Decimal("3.10")
    assert putri.birth_length_cm == Decimal("49.0")
    visits = list(putri.visits.order_by("measured_on"))
    assert [(v.measured_on, v.weight_kg, v.height_cm, v.position) for v in visits] == [
        (dt.date(2025, 9, 10), Decimal("7.50"), Decimal("66.50"), "l"),
        (dt.date(2025, 10, 12), Decimal("7.90"), Decimal("68.00"), "l"),
        (dt.date(2025, 11, 14), Decimal("8.20"), Decimal("69.50"), "l"),
    ]
    assert [v.weight_gain for v in visits] == ["B", "N", "N"]
    bayu = Child.objects.get(name="Bayu Saputra")
    assert bayu.nik == "6474010107240002"  # a number with all 16 digits: usable
    assert bayu.posyandu == city.posyandu_a2
    citra = Child.objects.get(name="Citra Lestari")
    assert citra.nik == ""  # scientific notation: digits lost
    assert citra.birth_date == dt.date(1899, 12, 30) + dt.timedelta(days=45700)
    assert Child.objects.count() == 3
    assert Visit.objects.count() == 5
    outcomes = [line.outcome for line in result.lines]
    assert outcomes == [
        "child_created",
        "visit_created",
        "visit_created",
        "child_created",
        "child_created",
    ]
    assert "notasi ilmiah" in result.lines[4].notes[0]


def test_imported_values_are_exactly_what_saving_the_visit_gives(city) -> None:
    """Same child, same values: one through the visit service, one imported."""
    typed = ChildFactory(
        name="Dimas", sex=1, birth_date=dt.date(2024, 2, 10), posyandu=city.posyandu_a
    )
    for on, weight, height in (
        (dt.date(2025, 8, 4), "9.10", "74.2"),
        (dt.date(2025, 9, 6), "9.00", "75.0"),
    ):
        record_visit(
            user=factory_user(),
            child=typed,
            values=VisitValues(
                measured_on=on, weight_kg=Decimal(weight), height_cm=Decimal(height)
            ),
            posyandu=city.posyandu_a,
            confirm_warnings=True,
        )
    rows = [
        _row(
            Nama="Dimas Kembar",
            JK="L",
            **{
                "Tgl Lahir": "10-02-2024",
                "Tanggal Pengukuran": on,
                "Berat": weight,
                "Tinggi": height,
            },
        )
        for on, weight, height in (("04-08-2025", "9,10", "74,2"), ("06-09-2025", "9,00", "75,0"))
    ]
    assert _import(_xlsx(rows)).bad_lines == []
    imported = Child.objects.get(name="Dimas Kembar")
    fields = [
        "measured_on",
        "age_days",
        "position",
        "height_adj_cm",
        *(f"z_{i}" for i in ("wfa", "lhfa", "wflh", "bfa")),
        *(f"flag_{i}" for i in ("wfa", "lhfa", "wflh", "bfa")),
        *(f"cat_{i}" for i in ("wfa", "lhfa", "wflh", "bfa")),
        "weight_gain",
        "weight_gain_g",
        "kbm_g",
        "is_2t",
        "is_bgm",
    ]
    assert list(imported.visits.order_by("measured_on").values_list(*fields)) == list(
        typed.visits.order_by("measured_on").values_list(*fields)
    )


def test_bad_lines_in_the_middle_import_nothing_and_each_is_named_by_its_excel_line(
    city,
) -> None:
    good = _quirky_rows(city)
    bad = [
        _row(Nama="Unknown Place", Posyandu="Posyandu Melatti"),  # typo: a close name
        _row(Nama="Future", **{"Tanggal Pengukuran": "01-01-2099", "Berat": "9"}),
        _row(Nama="Before Birth", **{"Tanggal Pengukuran": "01-01-2025", "Berat": "9"}),
        _row(Nama="Heavy", **{"Tanggal Pengukuran": "01-06-2025", "Berat": "85"}),
        _row(Nama="Word", **{"Tanggal Pengukuran": "01-06-2025", "Berat": "sembilan"}),
    ]
    rows = good[:2] + bad + good[2:]
    data = _xlsx(rows, title_rows=2)  # header on Excel line 3, data from line 4
    result = _import(data)
    assert not result.imported
    assert Child.objects.count() == 0 and Visit.objects.count() == 0
    errors = {line.number: "; ".join(line.errors) for line in result.bad_lines}
    assert sorted(errors) == [6, 7, 8, 9, 10]
    assert "Posyandu Melatti tidak ada di Bontang Kuala" in errors[6]
    assert "Posyandu Melati" in errors[6]  # the closest name as a hint
    assert "masa depan" in errors[7]
    assert "sebelum tanggal lahir" in errors[8]
    assert "85" in errors[9] and "tidak mungkin" in errors[9]
    assert "sembilan bukan angka" in errors[10]
    assert [line.outcome for line in result.lines].count("error") == 5


def test_a_second_different_measurement_in_a_month_is_a_conflict(city) -> None:
    stored = ChildFactory(
        name="Eka",
        sex=1,
        nik="6474010101240005",
        birth_date=dt.date(2024, 1, 1),
        posyandu=city.posyandu_a,
    )
    make_visit(stored, dt.date(2025, 6, 3), weight_kg="9.00", height_cm="72.0")
    rows = [
        _row(
            NIK="6474010101240005",
            Nama="Eka",
            JK="L",
            **{
                "Tgl Lahir": "01-01-2024",
                "Tanggal Pengukuran": "03-06-2025",
                "Berat": "9",
                "Tinggi": "72",
            },
        ),
        _row(
            NIK="6474010101240005",
            Nama="Eka",
            JK="L",
            **{
                "Tgl Lahir": "01-01-2024",
                "Tanggal Pengukuran": "20-06-2025",
                "Berat": "9,4",
                "Tinggi": "72",
            },
        ),
    ]
    result = _import(_csv(rows))
    assert [line.outcome for line in result.lines] == ["already_present", "error"], [
        line.errors for line in result.lines
    ]
    assert "03/06/2025" in result.lines[1].errors[0]
    assert Visit.objects.count() == 1


def test_reimporting_the_same_file_or_its_html_xls_creates_nothing(city) -> None:
    rows = _quirky_rows(city)
    assert _import(_xlsx(rows)).imported
    children, visits = Child.objects.count(), Visit.objects.count()
    again = _import(_xlsx(rows))
    assert (
        again.bad_lines == []
        and again.counts["children_created"] == 0
        and again.counts["visits_created"] == 0
    )
    assert {line.outcome for line in again.lines} == {"already_present"}
    as_html = _import(_html_xls(rows))
    assert as_html.bad_lines == [], [line.errors for line in as_html.bad_lines]
    assert as_html.counts["visits_created"] == 0 and as_html.counts["children_created"] == 0
    assert (Child.objects.count(), Visit.objects.count()) == (children, visits)


def test_a_real_excel_97_file_and_csv_files_of_any_windows_encoding(city) -> None:
    rows = [
        _row(
            Nama="Gita Ñoviyanti",
            **{
                "Tanggal Pengukuran": dt.date(2025, 11, 2),
                "Berat": Decimal("8.3"),
                "Tinggi": Decimal("70.1"),
            },
        ),
    ]
    xls = _import(_real_xls(rows))
    assert xls.kind == "xls" and xls.bad_lines == [] and xls.counts["visits_created"] == 1
    for data in (
        _csv(rows, delimiter=";", encoding="cp1252"),
        _csv(rows, delimiter=",", encoding="utf-8-sig"),
        _csv(rows, delimiter=";", encoding="utf-16"),
    ):
        result = _import(data)
        assert result.kind == "csv" and result.bad_lines == [], [x.errors for x in result.bad_lines]
        assert [line.outcome for line in result.lines] == ["already_present"]
    assert Child.objects.get().name == "Gita Ñoviyanti"


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(city) -> None:
    result = _import(_xlsx(_quirky_rows(city)), dry_run=True)
    assert result.bad_lines == [] and not result.imported
    assert result.counts["children_created"] == 3 and result.counts["visits_created"] == 5
    assert Child.objects.count() == 0 and Visit.objects.count() == 0
    assert not AuditLog.objects.filter(action=AuditAction.IMPORT).exists()
    rows = list(result.report_rows())
    assert [r[2] for r in rows] == ["", "", "", "", ""]  # no ids for children not created


def test_a_masked_or_short_nik_is_not_used_and_nik_warnings_are_reported(city) -> None:
    rows = [
        _row(
            NIK="6474********0001",
            Nama="Masked",
            **{"Tanggal Pengukuran": "01-11-2025", "Berat": "8"},
        ),
        _row(
            NIK="6474014503250009",
            Nama="Wrong Sex",
            JK="L",
            **{"Tanggal Pengukuran": "01-11-2025", "Berat": "8"},
        ),
    ]
    result = _import(_xlsx(rows))
    assert result.bad_lines == []
    assert Child.objects.get(name="Masked").nik == ""
    assert "disamarkan" in result.lines[0].notes[0]
    assert any("Jenis kelamin tidak cocok" in n for n in result.lines[1].notes)


def test_the_import_keeps_the_monthly_aggregates_true_and_is_audited_once(city) -> None:
    old = ChildFactory(
        name="Lama",
        sex=1,
        nik="6474010101230007",
        birth_date=dt.date(2023, 1, 1),
        posyandu=city.posyandu_a,
    )
    make_visit(old, dt.date(2025, 9, 5), weight_kg="11.0", height_cm="85.0")
    rows = [
        *_quirky_rows(city),
        _row(
            NIK="6474010101230007",
            Nama="Lama",
            JK="L",
            **{
                "Tgl Lahir": "01-01-2023",
                "Tanggal Pengukuran": "07-10-2025",
                "Berat": "11,2",
                "Tinggi": "85,5",
            },
        ),
    ]
    data = _xlsx(rows)
    result = _import(data, user=UserFactory(role="dinkes", kota=city.kota))
    assert result.imported and result.counts["children_matched"] == 1
    assert stored_counts() == computed_counts()
    assert list(old.visits.order_by("measured_on").values_list("weight_gain", flat=True)) == [
        "B",
        "N",
    ]
    (entry,) = AuditLog.objects.filter(action=AuditAction.IMPORT)
    assert entry.changes["sha256"] == hashlib.sha256(data).hexdigest()
    assert entry.changes["visits_created"] == 6 and entry.changes["children_created"] == 3


def test_a_puskesmas_imports_only_into_its_own_area(city) -> None:
    user = UserFactory(role="puskesmas", puskesmas=city.puskesmas_a)
    rows = [
        _row(Nama="Mine", **{"Tanggal Pengukuran": "01-11-2025", "Berat": "8"}),
        _row(
            Nama="Theirs",
            **{
                "Desa/Kel": "Tanjung Laut",
                "Posyandu": "Posyandu Anggrek",
                "Tanggal Pengukuran": "01-11-2025",
                "Berat": "8",
            },
        ),
    ]
    result = _import(_xlsx(rows), scope=Scope.of(user), user=user)
    assert [line.number for line in result.bad_lines] == [3]
    assert "di luar wilayah Anda" in result.bad_lines[0].errors[0]
    assert Child.objects.count() == 0


def test_a_child_over_five_is_registered_as_aged_out(city) -> None:
    rows = [
        _row(
            Nama="Besar",
            **{
                "Tgl Lahir": "01-01-2019",
                "Tanggal Pengukuran": "01-06-2023",
                "Berat": "15",
                "Tinggi": "100",
            },
        )
    ]
    assert _import(_xlsx(rows)).imported
    child = Child.objects.get()
    assert child.status == ChildStatus.AGED_OUT and child.status_date == dt.date(2024, 1, 1)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00\x01\x02binary\xff" * 50,
        b"just some words\nno header here\n",
        b"PK\x03\x04broken zip",
    ],
)
def test_a_file_that_is_not_an_eppgbm_table_is_refused_in_one_line(city, data) -> None:
    with pytest.raises(UnusableFile) as caught:
        _import(data)
    assert "\n" not in str(caught.value)


def test_the_round_trip_export_then_import_into_an_empty_registry_gives_the_same_data(
    city, tmp_path: Path
) -> None:
    for n, (posyandu, birth) in enumerate(
        [
            (city.posyandu_a, dt.date(2024, 5, 2)),
            (city.posyandu_a2, dt.date(2023, 8, 19)),
            (city.posyandu_b, dt.date(2025, 1, 30)),
        ]
    ):
        child = ChildFactory(
            name=f"Anak {n}",
            sex=1 + n % 2,
            birth_date=birth,
            posyandu=posyandu,
            nik=f"647401{birth:%d%m%y}900{n}",
            mother_name=f"Ibu {n}",
            rt="00" + str(n),
            rw="002",
            address=f"Jl. Mawar {n}",
        )
        for month in range(3):
            make_visit(
                child,
                dt.date(2025, 7 + month, 5 + n),
                weight_kg=str(9 + n + month * 0.3),
                height_cm=str(75 + 2 * n + month),
            )

    def snapshot():
        return sorted(
            (
                c.name,
                c.sex,
                c.birth_date,
                c.nik,
                c.mother_name,
                c.posyandu.code,
                c.rt,
                c.rw,
                c.address,
                tuple(
                    c.visits.order_by("measured_on").values_list(
                        "measured_on",
                        "weight_kg",
                        "height_cm",
                        "position",
                        "z_wfa",
                        "z_lhfa",
                        "z_wflh",
                        "cat_lhfa",
                        "weight_gain",
                    )
                ),
            )
            for c in Child.objects.all()
        )

    before = snapshot()
    out = tmp_path / "kota.xlsx"
    assert (
        main(
            [
                "export",
                "eppgbm",
                "--area",
                "64.74",
                "--from",
                "2025-01-01",
                "--to",
                str(TODAY),
                "-o",
                str(out),
            ]
        )
        == 0
    )
    Visit.objects.all().delete()
    Child.objects.all().delete()
    MonthlyAggregate.objects.all().delete()
    PrevalenceCell.objects.all().delete()
    assert main(["import", "eppgbm", str(out)]) == 0
    assert snapshot() == before
    assert stored_counts() == computed_counts()


def test_the_cli_exit_codes_and_the_report_file(city, tmp_path: Path, capsys) -> None:
    good = tmp_path / "good.xlsx"
    good.write_bytes(_xlsx(_quirky_rows(city)))
    report = tmp_path / "report.csv"
    assert main(["import", "eppgbm", str(good), "--dry-run", "--report", str(report)]) == 0
    assert Child.objects.count() == 0
    with report.open(newline="", encoding="utf-8") as handle:
        lines = list(csv.reader(handle))
    assert tuple(lines[0][:4]) == ("line", "outcome", "child_id", "reason")
    assert tuple(lines[0]) == REPORT_COLUMNS
    assert [r[0] for r in lines[1:]] == ["2", "3", "4", "5", "6"]
    bad = tmp_path / "bad.csv"
    bad.write_bytes(_csv([*_quirky_rows(city), _row(Nama="X", JK="?")]))
    assert main(["import", "eppgbm", str(bad), "--report", str(report)]) == 1
    err = capsys.readouterr().err
    assert "line 7: JK: jenis kelamin ? tidak dikenal" in err
    assert Child.objects.count() == 0
    with report.open(newline="", encoding="utf-8") as handle:
        outcome = {r["line"]: r["outcome"] for r in csv.DictReader(handle)}
    assert outcome["7"] == "error"
    junk = tmp_path / "junk.xls"
    junk.write_bytes(b"\x00\x00\x00 not a table")
    assert main(["import", "eppgbm", str(junk)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert main(["import", "eppgbm", str(tmp_path / "missing.xlsx")]) == 2
    assert main(["import", "eppgbm", str(good), "--report", str(report)]) == 0
    assert Child.objects.count() == 3


# --- the web page -------------------------------------------------------------------


def test_the_web_page_checks_shows_bad_lines_then_imports_on_confirmation(city, settings) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    from posyandu.exchange.models import ImportJob, JobStatus

    settings.POSYANDU_IMPORT_IN_BACKGROUND = False
    user = UserFactory(role="puskesmas", puskesmas=city.puskesmas_a)
    client = Client()
    client.force_login(user)
    page = client.get(reverse("exchange:eppgbm_import"))
    assert page.status_code == 200 and "Periksa berkas" in page.content.decode()
    bad = _xlsx([*_quirky_rows(city), _row(Nama="Jauh", Posyandu="Posyandu Entah")])
    response = client.post(
        reverse("exchange:eppgbm_import"),
        {"file": SimpleUploadedFile("daftar.xlsx", bad)},
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{job.pk}/")
    shown = client.get(response["Location"]).content.decode()
    assert job.status == JobStatus.REJECTED and job.data is None
    assert "1 baris salah" in shown and "Posyandu Entah tidak ada di Bontang Kuala" in shown
    assert Child.objects.count() == 0
    good = _xlsx(_quirky_rows(city))
    response = client.post(
        reverse("exchange:eppgbm_import"), {"file": SimpleUploadedFile("daftar.xlsx", good)}
    )
    job = ImportJob.objects.latest("pk")
    assert job.status == JobStatus.CHECKED and Child.objects.count() == 0
    shown = client.get(response["Location"]).content.decode()
    assert "Impor sekarang" in shown and "Anak baru yang akan didaftarkan" in shown
    client.post(response["Location"])
    job.refresh_from_db()
    assert job.status == JobStatus.IMPORTED and job.data is None
    assert job.counts["children_created"] == 3 and Child.objects.count() == 3
    assert client.post(response["Location"]).status_code == 302  # a second confirm: nothing
    assert Child.objects.count() == 3
    report = client.get(reverse("exchange:eppgbm_import_report", args=[job.pk]))
    assert report.content.decode("utf-8-sig").splitlines()[0] == ",".join(REPORT_COLUMNS)
    other = UserFactory(role="dinkes", kota=city.kota)
    client.force_login(other)
    assert client.get(response["Location"]).status_code == 404  # another user's upload
    kader = UserFactory(role="kader", posyandu=city.posyandu_a)
    client.force_login(kader)
    assert client.get(reverse("exchange:eppgbm_import")).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_web_check_runs_in_the_background_and_reports_progress(city, settings) -> None:
    import time

    from posyandu.exchange import jobs
    from posyandu.exchange.models import ImportJob, JobStatus

    settings.POSYANDU_IMPORT_IN_BACKGROUND = True
    user = UserFactory(role="dinkes", kota=city.kota)
    job = jobs.submit(user=user, file_name="x.csv", data=b"not;a;table\n1;2;3\n")
    for _ in range(100):
        job.refresh_from_db()
        if not job.running:
            break
        time.sleep(0.05)
    assert job.status == JobStatus.UNUSABLE and "judul kolom" in job.message
    assert jobs.read_progress(job.pk) is None
    assert ImportJob.objects.get(pk=job.pk).data is None


def test_an_imported_measurement_counts_for_the_campaign_of_its_child(city) -> None:
    from posyandu.areas.hierarchy import find_area
    from posyandu.campaigns.models import CampaignTarget
    from posyandu.campaigns.services import open_campaign

    child = ChildFactory(
        name="Sasaran",
        sex=1,
        birth_date=dt.date(2024, 3, 1),
        nik="6474010103240008",
        posyandu=city.posyandu_a,
    )
    start = TODAY - dt.timedelta(days=10)
    open_campaign(
        user=None,
        name="Operasi Timbang",
        area=find_area("64.74"),
        starts_on=start,
        ends_on=TODAY,
    )
    row = _row(
        NIK="6474010103240008",
        Nama="Sasaran",
        JK="L",
        **{
            "Tgl Lahir": "01-03-2024",
            "Tanggal Pengukuran": start.strftime("%d-%m-%Y"),
            "Berat": "11",
            "Tinggi": "84",
        },
    )
    assert _import(_xlsx([row])).imported
    target = CampaignTarget.objects.get(child=child)
    assert target.measured_on == start and target.visit_id is not None


def test_a_spreadsheet_with_only_some_columns_in_its_own_order_and_extra_ones(city) -> None:
    header = (
        "Catatan kader",
        "Posyandu",
        "Nama Anak",
        "Jenis Kelamin",
        "Tanggal Lahir",
        "Nama Ibu",
        "Tgl Ukur",
        "BB",
        "TB",
    )
    rows = [
        {
            "Catatan kader": "datang terlambat",
            "Posyandu": "MELATI",
            "Nama Anak": "Hana",
            "Jenis Kelamin": "p",
            "Tanggal Lahir": 45658,
            "Nama Ibu": "Lia",
            "Tgl Ukur": dt.date(2025, 10, 3),
            "BB": 6.9,
            "TB": "64,0",
        }
    ]
    result = _import(_xlsx(rows, header=header))
    assert result.bad_lines == [], [line.errors for line in result.bad_lines]
    hana = Child.objects.get(name="Hana")
    assert hana.birth_date == dt.date(2025, 1, 1)  # Excel serial 45658 in a number cell
    assert hana.posyandu == city.posyandu_a  # no Desa/Kel column: the name is unique
    visit = hana.visits.get()
    assert (visit.weight_kg, visit.height_cm, visit.position) == (
        Decimal("6.90"),
        Decimal("64.00"),
        "l",
    )
    with pytest.raises(UnusableFile) as caught:
        _import(_xlsx(rows, header=("Posyandu", "Nama Anak", "BB")))
    assert "JK, Tgl Lahir, Nama Ortu" in str(caught.value)


def test_hostile_cells_and_bytes_never_break_the_import(city) -> None:
    """Any cell value in any column, and any bytes as a file: a result with
    reasons, or UnusableFile; never another exception, never a partial write."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from tests.test_hostile_input import HOSTILE

    cell = st.one_of(
        st.sampled_from(HOSTILE),
        st.text(max_size=30),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=True, allow_infinity=True),
        st.dates(min_value=dt.date(1, 1, 1)),
        st.booleans(),
    )
    columns = [name for name in COLUMNS if name not in ("No",)]

    @settings(
        max_examples=40,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        rows=st.lists(st.fixed_dictionaries({}, optional={c: cell for c in columns}), max_size=4),
        junk=st.binary(max_size=300),
        as_csv=st.booleans(),
    )
    def check(rows: list[dict[str, object]], junk: bytes, as_csv: bool) -> None:
        if as_csv:
            data = _csv([_row(**r) for r in rows], encoding="utf-8")
        else:  # only what an Excel cell can hold at all
            from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

            def clean(value: object) -> object:
                return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value

            data = _xlsx([_row(**{k: clean(v) for k, v in r.items()}) for r in rows])
        for payload in (data, junk):
            try:
                result = _import(payload)
            except UnusableFile as exc:
                assert "\n" not in str(exc)
                continue
            for line in result.lines:
                assert line.outcome in (
                    "error",
                    "child_created",
                    "child_matched",
                    "visit_created",
                    "already_present",
                ), line
            if result.bad_lines:
                assert not result.imported
        Visit.objects.all().delete()
        Child.objects.all().delete()

    check()


def test_a_real_excel_97_file_with_every_quirk_gives_what_the_xlsx_gives(city) -> None:
    from_xls = _import(_real_xls(_quirky_rows(city)), dry_run=True)
    from_xlsx = _import(_xlsx(_quirky_rows(city)), dry_run=True)
    assert from_xls.kind == "xls" and from_xls.bad_lines == []
    assert from_xls.counts == from_xlsx.counts
    assert [line.outcome for line in from_xls.lines] == [line.outcome for line in from_xlsx.lines]


@pytest.mark.parametrize(
    "reader", ["date", "number", "weight_kg", "sex", "position", "kpsp", "count", "nik"]
)
def test_each_value_reader_answers_every_hostile_value_with_a_value_or_a_reason(reader) -> None:
    from posyandu.exchange import values
    from tests.test_hostile_input import HOSTILE

    read = getattr(values, reader)
    for raw in [*HOSTILE, "²", "١٢", 1e309, -(2**80), float("nan"), True, dt.date(1, 1, 1)]:
        try:
            read(raw)
        except values.BadValue as exc:
            assert str(exc)


# --- found in review ------------------------------------------------------------------


def test_a_child_registered_outside_the_users_area_is_not_matched_or_shown(city) -> None:
    theirs = ChildFactory(
        name="Di Anggrek",
        sex=1,
        birth_date=dt.date(2024, 1, 1),
        nik="6474020101240009",
        posyandu=city.posyandu_b,
    )
    make_visit(theirs, dt.date(2025, 4, 7), weight_kg="11.30", height_cm="85.2")
    user = UserFactory(role="puskesmas", puskesmas=city.puskesmas_a)
    line = _row(
        NIK="6474020101240009",
        Nama="Siapa Saja",
        JK="L",
        **{
            "Nama Ortu": "Entah",
            "Tgl Lahir": "01-01-2024",
            "Tanggal Pengukuran": "10-05-2025",
            "Berat": "9",
        },
    )
    result = _import(_xlsx([line]), scope=Scope.of(user), user=user)
    (bad,) = result.bad_lines
    assert "di luar wilayah Anda" in bad.errors[0]
    assert "11" not in bad.errors[0] and "07/04/2025" not in bad.errors[0]
    assert next(result.report_rows())[2] == ""  # no child id of another area
    assert theirs.visits.count() == 1


def test_pmt_and_every_number_must_fit_its_column(city) -> None:
    rows = [
        _row(
            Nama="A",
            **{"Tanggal Pengukuran": "01-11-2025", "Berat": "8", "PMT Diterima (kg)": "12345678"},
        ),
        _row(
            Nama="B",
            **{"Tanggal Pengukuran": "01-11-2025", "Berat": "8", "PMT Diterima (kg)": "-2,5"},
        ),
    ]
    result = _import(_xlsx(rows))
    assert [line.number for line in result.bad_lines] == [2, 3]
    assert all("PMT Diterima (kg)" in line.errors[0] for line in result.bad_lines)
    assert Visit.objects.count() == 0


def test_a_weight_with_three_decimals_is_rounded_once_so_a_reimport_matches(city) -> None:
    rows = [
        _row(
            Nama=f"Anak {w}", **{"Tanggal Pengukuran": "01-11-2025", "Berat": w, "Tinggi": "70,125"}
        )
        for w in ("10,005", "8,155", "9,015", "8155")
    ]
    assert _import(_xlsx(rows)).imported
    assert sorted(Visit.objects.values_list("weight_kg", flat=True)) == [
        Decimal("8.16"),
        Decimal("8.16"),
        Decimal("9.02"),
        Decimal("10.01"),
    ]
    again = _import(_xlsx(rows))
    assert again.bad_lines == [] and {line.outcome for line in again.lines} == {"already_present"}


def test_empty_rows_above_the_header_keep_excels_line_numbers(city) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    for col, name in enumerate(COLUMNS, start=3):  # header from column C, on row 4
        sheet.cell(row=4, column=col, value=name)
    bad = _row(Nama="Salah", **{"Tanggal Pengukuran": "01-11-2025", "Berat": "x"})
    good = _row(Nama="Benar", **{"Tanggal Pengukuran": "01-11-2025", "Berat": "8"})
    for r, row in ((5, good), (7, bad)):  # row 6 left empty
        for col, name in enumerate(COLUMNS, start=3):
            sheet.cell(row=r, column=col, value=row.get(name, ""))
    out = io.BytesIO()
    book.save(out)
    result = _import(out.getvalue())
    assert result.header_line == 4
    assert [line.number for line in result.lines] == [5, 7]
    assert [line.number for line in result.bad_lines] == [7]


def test_a_line_without_nik_then_with_the_nik_of_a_stored_child_is_that_child(city) -> None:
    stored = ChildFactory(
        name="Putri Ayu Lestari",
        sex=2,
        birth_date=dt.date(2025, 3, 5),
        nik="6474014503250001",
        mother_name="Sari Dewi",
        posyandu=city.posyandu_a,
    )
    rows = [
        _row(**{"Tanggal Pengukuran": "10-09-2025", "Berat": "7,5"}),
        _row(NIK="6474014503250001", **{"Tanggal Pengukuran": "12-10-2025", "Berat": "7,9"}),
    ]
    result = _import(_xlsx(rows))
    assert result.bad_lines == []
    assert Child.objects.count() == 1
    assert stored.visits.count() == 2
    assert [line.outcome for line in result.lines] == ["visit_created", "visit_created"]


def test_measurement_headers_with_units_are_read_and_an_unknown_one_refuses_the_file(city) -> None:
    header = (
        "Nama",
        "JK",
        "Tgl Lahir",
        "Nama Ortu",
        "Posyandu",
        "Tanggal Pengukuran",
        "Berat Badan (kg)",
        "Panjang Badan (cm)",
    )
    row = {
        "Nama": "Unit",
        "JK": "L",
        "Tgl Lahir": "01-01-2025",
        "Nama Ortu": "Ibu",
        "Posyandu": "Melati",
        "Tanggal Pengukuran": "01-11-2025",
        "Berat Badan (kg)": "8,4",
        "Panjang Badan (cm)": "70",
    }
    assert _import(_xlsx([row], header=header)).imported
    visit = Visit.objects.get()
    assert (visit.weight_kg, visit.height_cm) == (Decimal("8.40"), Decimal("70.00"))
    odd = (*header[:6], "Berat Timbangan Gantung")
    with pytest.raises(UnusableFile) as caught:
        _import(_xlsx([{**row, "Berat Timbangan Gantung": "8"}], header=odd))
    assert "Berat Timbangan Gantung" in str(caught.value)


def test_a_file_without_the_length_column_still_matches_the_stored_measurement(city) -> None:
    rows = [
        _row(Nama="Lengkap", **{"Tanggal Pengukuran": "01-11-2025", "Berat": "8", "Tinggi": "70"})
    ]
    assert _import(_xlsx(rows)).imported
    header = tuple(name for name in COLUMNS if name != "Tinggi")
    again = _import(_xlsx(rows, header=header))
    assert [line.outcome for line in again.lines] == ["already_present"]


def test_an_unwritable_report_stops_before_importing(city, tmp_path: Path) -> None:
    good = tmp_path / "good.xlsx"
    good.write_bytes(_xlsx(_quirky_rows(city)))
    assert main(["import", "eppgbm", str(good), "--report", str(tmp_path / "no" / "r.csv")]) == 2
    assert Child.objects.count() == 0


def test_a_csv_with_excels_sep_line_counts_lines_as_excel_shows_them(city) -> None:
    body = _csv([_row(Nama="Satu"), _row(Nama="Dua", JK="?")], encoding="utf-8")
    result = _import(b"sep=;\r\n" + body)
    assert [line.number for line in result.lines] == [2, 3]
    assert [line.number for line in result.bad_lines] == [3]


def test_an_html_xls_with_a_title_above_its_table_is_numbered_as_excel_shows_it(city) -> None:
    """e-PPGBM puts a title and the area above the table: Excel opens each as a row."""
    good = _row(Nama="Benar", **{"Tanggal Pengukuran": "01-11-2025", "Berat": "8"})
    bad = _row(Nama="Salah", **{"Tanggal Pengukuran": "01-11-2025", "Berat": "x"})
    table = _html_xls([good, bad]).decode("utf-8").split("<body>")[1]
    html = (
        "<html><head><title>e-PPGBM</title><style>td { mso-number-format: '@'; }</style>"
        "</head><body><h3>Daftar Anak Berdasarkan Status Gizi</h3>"
        "<p>Puskesmas Bontang Utara I, November 2025</p>" + table
    )
    result = _import(html.encode("utf-8"))
    assert result.kind == "html"
    assert result.header_line == 3  # title on line 1, area on line 2
    assert [line.number for line in result.lines] == [4, 5]
    assert [line.number for line in result.bad_lines] == [5]
    # Without the lines above it, the same table starts on line 1.
    plain = _import(_html_xls([good, bad]))
    assert (plain.header_line, [line.number for line in plain.bad_lines]) == (1, [3])


def test_the_check_page_lists_the_new_children_and_the_notes_of_good_lines(
    city, settings, monkeypatch
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    from posyandu.exchange import jobs
    from posyandu.exchange.models import ImportJob, JobStatus

    settings.POSYANDU_IMPORT_IN_BACKGROUND = False
    monkeypatch.setattr(jobs, "SHOWN_NEW_CHILDREN", 2)
    client = Client()
    client.force_login(UserFactory(role="puskesmas", puskesmas=city.puskesmas_a))
    response = client.post(
        reverse("exchange:eppgbm_import"),
        {"file": SimpleUploadedFile("daftar.xlsx", _xlsx(_quirky_rows(city)))},
    )
    job = ImportJob.objects.get()
    assert job.status == JobStatus.CHECKED and Child.objects.count() == 0
    # Putri (lines 2-4, her latest at Melati) and Bayu (line 5, Kenanga); Citra
    # (line 6) is the third of three: only counted.
    assert job.new_children == [
        ["Putri Ayu", "05/03/2025", "Posyandu Melati"],
        ["Bayu Saputra", "01/07/2024", "Posyandu Kenanga"],
    ]
    notes = dict(job.notes)
    assert "NIK dalam notasi ilmiah (6,47401E+15): digitnya hilang" in notes[6]
    shown = client.get(response["Location"]).content.decode()
    assert "Anak baru yang akan didaftarkan" in shown
    assert "<td>Bayu Saputra</td><td>01/07/2024</td><td>Posyandu Kenanga</td>" in shown
    assert "Citra Lestari" not in shown
    assert "2 anak pertama dari 3; semuanya ada di laporan." in shown
    assert "<td>6</td><td>NIK dalam notasi ilmiah (6,47401E+15): digitnya hilang" in shown
