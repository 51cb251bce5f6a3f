"""Prevalence on a small hand-built city where every answer is written down.

Six children measured in March 2025; their z-scores are set by hand after the
visit is saved (and the aggregates rebuilt), so each count follows from the
table below rather than from the engine's arithmetic:

| child | sex | age group | HAZ | WAZ | WHZ | notes |
|---|---|---|---|---|---|---|
| Ani   | F | 6-11  | -2.50 | -1.00 |  0.50 | also measured in February (HAZ -1.00) |
| Budi  | M | 24-35 | -3.20 | -2.10 | -2.20 | |
| Cici  | F | 0-5   | -1.00 |  0.00 |  2.40 | overweight |
| Dodi  | M | 36-47 | -1.50 |   -   |   -   | oedema |
| Eka   | F | 36-47 | -6.50 | -1.50 | -1.00 | HAZ flagged |
| Fajar | M | 12-23 | -2.01 | -1.20 | -0.50 | at Posyandu B (other kecamatan) |
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from posyandu.accounts.scope import Scope
from posyandu.areas.hierarchy import find_area
from posyandu.children.models import Sex
from posyandu.measurements.models import Visit
from posyandu.reports.aggregates import computed_counts, rebuild, stored_counts
from posyandu.reports.prevalence import Prevalence, wilson_interval
from posyandu.reports.prevalence_selectors import (
    INDICATORS,
    Period,
    children_behind_prevalence,
    prevalence_report,
)
from tests.factories import ChildFactory, bidan_of, dinkes_of, make_city, make_visit

pytestmark = pytest.mark.django_db

MARCH = Period(dt.date(2025, 3, 1), dt.date(2025, 3, 31))
DAY = dt.date(2025, 3, 10)


def _measured(child, day, *, lhfa, wfa, wflh, flag_lhfa=False, oedema=False):
    visit = make_visit(child, day, weight_kg="10.0", height_cm="80.0", oedema=oedema)
    Visit.objects.filter(pk=visit.pk).update(
        z_lhfa=lhfa, z_wfa=wfa, z_wflh=wflh, flag_lhfa=flag_lhfa, flag_wfa=False, flag_wflh=False
    )


@pytest.fixture
def town():
    city = make_city()
    a, b = city.posyandu_a, city.posyandu_b
    girl, boy = Sex.FEMALE, Sex.MALE
    ani = ChildFactory(name="Ani", sex=girl, birth_date=dt.date(2024, 6, 10), posyandu=a)
    budi = ChildFactory(name="Budi", sex=boy, birth_date=dt.date(2023, 3, 1), posyandu=a)
    cici = ChildFactory(name="Cici", sex=girl, birth_date=dt.date(2024, 12, 1), posyandu=a)
    dodi = ChildFactory(name="Dodi", sex=boy, birth_date=dt.date(2022, 1, 5), posyandu=a)
    eka = ChildFactory(name="Eka", sex=girl, birth_date=dt.date(2021, 6, 1), posyandu=a)
    fajar = ChildFactory(name="Fajar", sex=boy, birth_date=dt.date(2023, 9, 1), posyandu=b)
    _measured(ani, dt.date(2025, 2, 10), lhfa=-1.0, wfa=-1.0, wflh=0.0)
    _measured(ani, DAY, lhfa=-2.5, wfa=-1.0, wflh=0.5)
    _measured(budi, DAY, lhfa=-3.2, wfa=-2.1, wflh=-2.2)
    _measured(cici, DAY, lhfa=-1.0, wfa=0.0, wflh=2.4)
    _measured(dodi, DAY, lhfa=-1.5, wfa=None, wflh=None, oedema=True)
    _measured(eka, DAY, lhfa=-6.5, wfa=-1.5, wflh=-1.0, flag_lhfa=True)
    _measured(fajar, DAY, lhfa=-2.01, wfa=-1.2, wflh=-0.5)
    rebuild()
    return city


def _estimates(prevalence: Prevalence, sex="all", age_group="all") -> dict[str, tuple[int, int]]:
    found = {}
    for code, indicator in INDICATORS.items():
        e = prevalence.estimate(indicator, sex, age_group)
        found[code] = (e.numerator, e.denominator)
    return found


def _city(city):
    return find_area(city.kota.code)


def test_the_city_prevalence_follows_whos_rules(town):
    root, _below = prevalence_report(Scope.for_command_line(), _city(town), MARCH)
    assert _estimates(root.prevalence) == {
        "stunting": (3, 5),  # Eka's flagged HAZ is left out
        "severe_stunting": (1, 5),
        "wasting": (2, 6),  # Dodi's oedema counts as wasted
        "severe_wasting": (1, 6),
        "underweight": (2, 6),
        "severe_underweight": (1, 6),
        "overweight": (1, 6),  # Cici; never Dodi
        "stunting_and_wasting": (1, 5),  # Budi
    }
    assert root.measured == 6


def test_the_interval_is_wilsons(town):
    root, _below = prevalence_report(Scope.for_command_line(), _city(town), MARCH)
    stunting = root.prevalence.estimate(INDICATORS["stunting"])
    assert stunting.pct == pytest.approx(60.0)
    low, high = stunting.ci_pct
    assert (round(low, 2), round(high, 2)) == (23.07, 88.24)
    assert wilson_interval(2, 4) == pytest.approx((0.15, 0.85), abs=1e-4)
    assert wilson_interval(0, 0) is None


def test_mean_and_sd_of_each_z_leave_out_flagged_values_and_oedema(town):
    root, _below = prevalence_report(Scope.for_command_line(), _city(town), MARCH)
    haz = root.prevalence.z_stats("lhfa")
    assert (haz.n, round(haz.mean, 3), round(haz.sd, 3)) == (5, -2.042, 0.856)
    waz = root.prevalence.z_stats("wfa")
    assert (waz.n, round(waz.mean, 3), round(waz.sd, 4)) == (5, -1.16, 0.7701)
    whz = root.prevalence.z_stats("wflh")
    assert (whz.n, round(whz.mean, 3), round(whz.sd, 2)) == (5, -0.16, 1.73)


def test_by_sex_and_age_group(town):
    root, _below = prevalence_report(Scope.for_command_line(), _city(town), MARCH)
    boys = _estimates(root.prevalence, sex=1)
    girls = _estimates(root.prevalence, sex=2)
    assert boys["stunting"] == (2, 3)
    assert girls["stunting"] == (1, 2)
    assert _estimates(root.prevalence, age_group="36-47")["stunting"] == (0, 1)
    assert _estimates(root.prevalence, age_group="36-47")["wasting"] == (1, 2)
    assert _estimates(root.prevalence, sex=1, age_group="12-23")["stunting"] == (1, 1)
    assert _estimates(root.prevalence, age_group="48-59")["stunting"] == (0, 0)


def test_one_row_per_area_below(town):
    _root, below = prevalence_report(Scope.for_command_line(), _city(town), MARCH)
    by_name = {row.area.name: row for row in below}
    utara = by_name["Bontang Utara"].prevalence.estimate(INDICATORS["stunting"])
    selatan = by_name["Bontang Selatan"].prevalence.estimate(INDICATORS["stunting"])
    assert (utara.numerator, utara.denominator) == (2, 4)
    assert (selatan.numerator, selatan.denominator) == (1, 1)
    assert {row.area.name for row in below} == {
        "Bontang Utara",
        "Bontang Selatan",
        "Puskesmas Bontang Utara I",
        "Puskesmas Bontang Selatan I",
    }


def test_coverage_is_measured_over_sasaran(town):
    root, below = prevalence_report(Scope.for_command_line(), _city(town), MARCH)
    assert (root.measured, root.sasaran) == (6, 6)
    assert root.coverage_pct == pytest.approx(100.0)
    # Kecamatan and Puskesmas ids overlap (1 and 2 each): each keeps its own S.
    assert {(r.area.name, r.measured, r.sasaran) for r in below} == {
        ("Bontang Utara", 5, 5),
        ("Bontang Selatan", 1, 1),
        ("Puskesmas Bontang Utara I", 5, 5),
        ("Puskesmas Bontang Selatan I", 1, 1),
    }
    over_months = Period(dt.date(2025, 2, 1), dt.date(2025, 3, 31))
    root, below = prevalence_report(Scope.for_command_line(), _city(town), over_months)
    assert root.sasaran is None and root.coverage_pct is None
    assert {r.sasaran for r in below} == {None}


def test_a_period_of_other_length_gives_the_same_numbers_from_the_visits(town):
    from_cells, below_cells = prevalence_report(Scope.for_command_line(), _city(town), MARCH)
    not_a_month = Period(dt.date(2025, 3, 1), dt.date(2025, 3, 30))
    from_visits, below_visits = prevalence_report(
        Scope.for_command_line(), _city(town), not_a_month
    )
    assert from_visits.prevalence.cells == from_cells.prevalence.cells
    assert {r.area: r.prevalence.cells for r in below_visits} == {
        r.area: r.prevalence.cells for r in below_cells
    }


def test_each_child_counts_once_with_its_latest_measurement(town):
    two_months = Period(dt.date(2025, 2, 1), dt.date(2025, 3, 31))
    root, _below = prevalence_report(Scope.for_command_line(), _city(town), two_months)
    assert root.measured == 6
    assert _estimates(root.prevalence)["stunting"] == (3, 5)  # Ani's March -2.50, not February
    february = Period(dt.date(2025, 2, 1), dt.date(2025, 2, 28))
    root, _below = prevalence_report(Scope.for_command_line(), _city(town), february)
    assert _estimates(root.prevalence)["stunting"] == (0, 1)


def test_the_stored_cells_equal_a_recount(town):
    assert stored_counts() == computed_counts()


def test_the_children_behind_a_number(town):
    scope = Scope.for_command_line()
    found = children_behind_prevalence(scope, _city(town), MARCH, INDICATORS["stunting"], part="n")
    assert [row.child.name for row in found.rows] == ["Budi", "Ani", "Fajar"]  # lowest z first
    boys = children_behind_prevalence(
        scope, _city(town), MARCH, INDICATORS["wasting"], part="d", sex=1
    )
    assert [row.child.name for row in boys.rows] == ["Budi", "Fajar", "Dodi"]  # oedema: no WHZ


def test_a_puskesmas_sees_only_its_own_children(town):
    scope = Scope.of(bidan_of(town.puskesmas_a))
    root, _below = prevalence_report(scope, _city(town), MARCH)
    assert _estimates(root.prevalence)["stunting"] == (2, 4)
    found = children_behind_prevalence(scope, _city(town), MARCH, INDICATORS["stunting"], part="n")
    assert [row.child.name for row in found.rows] == ["Budi", "Ani"]

    with pytest.raises(Http404):
        prevalence_report(scope, find_area("PSY-B"), MARCH)


# --- pages, exports and the command line ---------------------------------------------


def _csv_rows(path):
    import csv

    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_report_prevalence_writes_the_city_and_each_kecamatan(town, tmp_path):
    from posyandu.cli import main

    out = tmp_path / "prev.csv"
    code = main(
        [
            "report",
            "prevalence",
            "--area",
            "64.74",
            "--from",
            "2025-03-01",
            "--to",
            "2025-03-31",
            "-o",
            str(out),
        ]
    )
    assert code == 0
    rows = _csv_rows(out)
    assert list(rows[0])[:10] == [
        "area_code",
        "area_name",
        "indicator",
        "sex",
        "age_group",
        "numerator",
        "denominator",
        "prevalence_pct",
        "ci_low_pct",
        "ci_high_pct",
    ]
    assert {r["area_code"] for r in rows} == {"64.74", "64.74.01", "64.74.02"}
    city = {
        (r["indicator"], r["sex"], r["age_group"]): r for r in rows if r["area_code"] == "64.74"
    }
    stunting = city[("stunting", "all", "all")]
    assert (stunting["numerator"], stunting["denominator"]) == ("3", "5")
    assert (stunting["prevalence_pct"], stunting["ci_low_pct"], stunting["ci_high_pct"]) == (
        "60.00",
        "23.07",
        "88.24",
    )
    assert city[("wasting", "1", "36-47")]["numerator"] == "1"  # Dodi's oedema
    assert city[("overweight", "all", "all")]["numerator"] == "1"
    assert {r["indicator"] for r in rows} == set(INDICATORS)
    assert {r["sex"] for r in rows} == {"all", "1", "2"}
    assert {r["age_group"] for r in rows} == {
        "all",
        "0-5",
        "6-11",
        "12-23",
        "24-35",
        "36-47",
        "48-59",
    }
    # 3 areas x 8 indicators x (3 sexes x 7 age groups)
    assert len(rows) == 3 * 8 * 21


@pytest.mark.parametrize(
    "args",
    [
        ["--area", "99.99", "--from", "2025-03-01", "--to", "2025-03-31"],
        ["--area", "64.74", "--from", "2025-13-01", "--to", "2025-03-31"],
        ["--area", "64.74", "--from", "2025-03-31", "--to", "2025-03-01"],
    ],
)
def test_report_prevalence_bad_arguments_exit_2_with_one_line(town, tmp_path, capsys, args):
    from posyandu.cli import main

    assert main(["report", "prevalence", *args, "-o", str(tmp_path / "x.csv")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err


def test_the_page_shows_every_indicator_with_its_interval_and_links(town, client):
    from posyandu.core.models import AuditLog
    from tests.factories import dinkes_of

    client.force_login(dinkes_of(town.kota))
    response = client.get("/laporan/prevalensi/?bulan=2025-03")
    text = response.content.decode()
    assert response.status_code == 200
    assert "60,0%" in text and "23,1–88,2" in text  # stunting 3/5
    assert "Wilson" in text
    assert "indikator=stunting&amp;bagian=n" in text
    listing = client.get(
        "/laporan/prevalensi/anak/?bulan=2025-03&indikator=stunting&bagian=n&jk=all&umur=all"
    )
    assert [n for n in ("Ani", "Budi", "Fajar", "Cici") if n in listing.content.decode()] == [
        "Ani",
        "Budi",
        "Fajar",
    ]
    assert AuditLog.objects.filter(action="view", object_type="children.child").exists()


def test_exports_have_a_header_block_and_are_audited(town, client):
    import io

    from openpyxl import load_workbook

    from posyandu.core.models import AuditLog
    from tests.factories import dinkes_of

    client.force_login(dinkes_of(town.kota))
    response = client.get("/laporan/prevalensi/?bulan=2025-03&format=csv")
    text = response.content.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("Laporan,Prevalensi")
    assert lines[1].startswith("Wilayah,Bontang (64.74)")
    assert lines[2] == "Periode,03/2025"
    assert "Wilson" in lines[3] and lines[4].startswith("Dibuat,") and lines[5].startswith("Oleh,")
    assert "64.74,Bontang,stunting,all,all,3,5,60.0,23.07,88.24" in text
    export = AuditLog.objects.get(action="export", object_type="reports.table")
    assert export.changes["area"] == "64.74" and export.changes["format"] == "csv"
    assert export.kota_id == town.kota.pk

    listing = client.get(
        "/laporan/prevalensi/anak/?bulan=2025-03&indikator=stunting&bagian=n&format=xlsx"
    )
    sheet = load_workbook(io.BytesIO(listing.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:2] == ["Laporan", "Daftar anak"]
    assert [row[1] for row in values[8:]] == ["Budi", "Ani", "Fajar"]
    children_export = AuditLog.objects.filter(action="export", object_type="children.child")
    assert children_export.count() == 1
    assert set(children_export.get().changes["children"]) == set(
        Visit.objects.filter(child__name__in=["Ani", "Budi", "Fajar"]).values_list(
            "child_id", flat=True
        )
    )


def test_a_puskesmas_cannot_see_another_puskesmas_numbers_by_url_or_export(town, client):
    b = find_area("PKM-BS")
    client.force_login(bidan_of(town.puskesmas_a))
    for url in (
        f"/laporan/prevalensi/?wilayah=puskesmas:{b.pk}&bulan=2025-03",
        f"/laporan/prevalensi/?wilayah=puskesmas:{b.pk}&bulan=2025-03&format=csv",
        f"/laporan/prevalensi/anak/?wilayah=puskesmas:{b.pk}&bulan=2025-03&indikator=stunting",
        f"/laporan/dasbor/?wilayah=puskesmas:{b.pk}&bulan=2025-03",
    ):
        assert client.get(url).status_code == 404, url


def test_the_dashboard_shows_the_headline_trend_and_areas(town, client):
    from tests.factories import dinkes_of

    client.force_login(dinkes_of(town.kota))
    response = client.get("/laporan/dasbor/?bulan=2025-03")
    text = response.content.decode()
    assert response.status_code == 200
    assert "60,0%" in text  # stunting 3/5
    assert "<svg" in text and "polyline" in text
    assert "Bontang Utara" in text and "Bontang Selatan" in text
    by_posyandu = client.get("/laporan/dasbor/?bulan=2025-03&tingkat=posyandu").content.decode()
    assert by_posyandu.index("Posyandu Anggrek") < by_posyandu.index(
        "Posyandu Melati"
    )  # 100% > 50%


def test_a_kader_has_no_dashboard(town, client):
    from tests.factories import kader_of

    client.force_login(kader_of(town.posyandu_a))
    assert client.get("/laporan/dasbor/").status_code == 404


def test_the_dashboard_table_exports_with_its_header_block(town, client):
    from tests.factories import dinkes_of

    client.force_login(dinkes_of(town.kota))
    response = client.get("/laporan/dasbor/?bulan=2025-03&tingkat=posyandu&format=csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Laporan,Dasbor: Posyandu"
    xlsx = client.get("/laporan/dasbor/?bulan=2025-03&tingkat=kecamatan&format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    rows = {line.split(",")[0]: line.split(",") for line in lines[8:]}
    assert rows["PSY-A"][2:4] == ["2", "4"] and rows["PSY-B"][2:4] == ["1", "1"]


def test_the_dashboard_loads_the_worst_data_quality_after_the_page(town, client):
    from tests.factories import dinkes_of

    client.force_login(dinkes_of(town.kota))
    page = client.get("/laporan/dasbor/?bulan=2025-03").content.decode()
    assert 'hx-get="/laporan/dasbor/mutu-data/?wilayah=' in page
    block = client.get("/laporan/dasbor/mutu-data/?bulan=2025-03").content.decode()
    assert "Belum ada pengukuran untuk dinilai" in block  # 7 measurements: too few to rate
    # 55 more at Melati, every weight a whole kilogram: digit preference at its worst.
    for k in range(55):
        child = ChildFactory(
            sex=Sex.MALE,
            birth_date=dt.date(2023, 1, 1) + dt.timedelta(days=k),
            posyandu=town.posyandu_a,
        )
        make_visit(child, DAY, weight_kg=f"{11 + k % 3}.0", height_cm=f"{85 + k % 5}.0")
    block = client.get("/laporan/dasbor/mutu-data/?bulan=2025-03").content.decode()
    assert "Posyandu Melati" in block and "Posyandu Anggrek" not in block
    assert "<td>100,00</td>" in block  # DPS of weight
    assert "/laporan/mutu-data/posyandu/" in block and "dari=2025-03&amp;sampai=2025-03" in block


@pytest.mark.parametrize("code", sorted(INDICATORS))
@pytest.mark.parametrize("part", ["n", "d"])
def test_a_months_list_read_in_order_equals_the_list_from_the_visits(town, code, part, monkeypatch):
    """The month's list is found through the (period, z) indexes a chunk at a time;
    the same list from the period's visits (a period that is not a calendar month)
    must be the same children in the same order, page by page."""
    import posyandu.reports.prevalence_selectors as selectors

    scope = Scope.for_command_line()
    not_a_month = Period(dt.date(2025, 3, 1), dt.date(2025, 3, 30))
    for sex, age_group in [("all", "all"), (1, "all"), ("all", "36-47"), (2, "6-11")]:
        fast = children_behind_prevalence(
            scope, _city(town), MARCH, INDICATORS[code], part=part, sex=sex, age_group=age_group
        )
        slow = children_behind_prevalence(
            scope,
            _city(town),
            not_a_month,
            INDICATORS[code],
            part=part,
            sex=sex,
            age_group=age_group,
        )
        assert [r.child.name for r in fast.rows] == [r.child.name for r in slow.rows]
        assert (fast.in_scope, fast.elsewhere) == (slow.in_scope, slow.elsewhere)
    monkeypatch.setattr(selectors, "PAGE_SIZE", 1)
    monkeypatch.setattr(selectors, "SCAN_CHUNK", 2)
    whole = children_behind_prevalence(scope, _city(town), MARCH, INDICATORS[code], part=part)
    paged = []
    for page in range(1, whole.in_scope + 1):
        found = children_behind_prevalence(
            scope, _city(town), MARCH, INDICATORS[code], part=part, page=page
        )
        assert found.pages == max(1, whole.in_scope)
        paged += [r.child.name for r in found.rows]
    assert paged == [r.child.name for r in whole.rows]


def test_a_child_who_moved_away_is_counted_but_not_named(town):
    from posyandu.children.models import Child

    Child.objects.filter(name="Fajar").update(posyandu=town.other_kota_posyandu)
    scope = Scope.of(dinkes_of(town.kota))
    found = children_behind_prevalence(scope, _city(town), MARCH, INDICATORS["stunting"], part="n")
    assert [r.child.name for r in found.rows] == ["Budi", "Ani"]
    assert (found.in_scope, found.elsewhere, found.total) == (2, 1, 3)


def test_a_page_reads_at_most_a_year_of_visits(town, client):
    from tests.factories import dinkes_of

    client.force_login(dinkes_of(town.kota))
    text = client.get("/laporan/prevalensi/?dari=2000-01-01&sampai=2025-03-31").content.decode()
    assert "01/04/2024–31/03/2025" in text
    assert "60,0%" in text  # March's children, each once
    assert "dipendekkan menjadi setahun terakhir" in text
    assert "dihitung per bulan" in text  # no coverage over several months
