"""Posyandu aktif from recorded days, services and kader: each reason, the page, the CLI."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse

from posyandu.accounts.scope import Scope
from posyandu.areas.hierarchy import find_area
from posyandu.areas.models import Posyandu
from posyandu.cadres.aktif import CSV_COLUMNS, NoRuleInForce, posyandu_aktif, shares_by_year
from posyandu.cadres.models import Kader, KaderPosting, SessionAttendance, SessionService
from posyandu.cli import main
from posyandu.measurements.models import PosyanduSession
from posyandu.policy.posyandu_aktif import (
    MADYA,
    NO_CORE_SERVICE,
    NOT_OPEN_THIS_MONTH,
    STRATA_NOT_RECORDED,
    TOO_FEW_KADER,
    TOO_FEW_OPENINGS,
)
from tests.factories import ChildFactory, City, dinkes_of, make_visit

pytestmark = pytest.mark.django_db

YEAR = 2025
TODAY = dt.date(2026, 3, 1)
SYSTEM = Scope.for_command_line()


def post_kader(
    posyandu: Posyandu, n: int, *, ended_on: dt.date | None = None, prefix: str = "Kader"
) -> list[Kader]:
    kader = []
    for i in range(n):
        person = Kader.objects.create(name=f"{prefix} {posyandu.code} {i}", sex=2)
        KaderPosting.objects.create(
            kader=person,
            posyandu=posyandu,
            sk_number=f"{i}/SK/2024",
            sk_date=dt.date(2024, 12, 1),
            started_on=dt.date(2024, 12, 1),
            ended_on=ended_on,
        )
        kader.append(person)
    return kader


def open_days(
    posyandu: Posyandu, months: range, stages: tuple[str, ...] = ("balita",), present: int = 0
) -> list[PosyanduSession]:
    sessions = []
    kader = list(Kader.objects.filter(postings__posyandu=posyandu).order_by("pk"))
    for month in months:
        session = PosyanduSession.objects.create(posyandu=posyandu, date=dt.date(YEAR, month, 10))
        for stage in stages:
            SessionService.objects.create(session=session, life_stage=stage, people_served=3)
        for person in kader[:present]:
            SessionAttendance.objects.create(session=session, kader=person)
        sessions.append(session)
    return sessions


def judged(city: City, posyandu: Posyandu, **kwargs: object):  # type: ignore[no-untyped-def]
    result = posyandu_aktif(SYSTEM, find_area(city.kota.code), YEAR, today=TODAY, **kwargs)  # type: ignore[arg-type]
    return result, next(r for r in result.rows if r.pk == posyandu.pk)


def test_open_every_month_serving_balita_with_five_kader_is_aktif(city: City) -> None:
    post_kader(city.posyandu_a, 5)
    open_days(city.posyandu_a, range(1, 13))
    _result, row = judged(city, city.posyandu_a)
    assert (row.months_open, row.kader, row.reasons) == (12, 5, [])
    assert row.aktif and all(m.aktif for m in row.months)
    assert row.stages_in_order == ["balita"]


def test_seven_months_open_is_not_aktif_for_too_few_openings(city: City) -> None:
    post_kader(city.posyandu_a, 5)
    open_days(city.posyandu_a, range(1, 8))
    _result, row = judged(city, city.posyandu_a)
    assert row.months_open == 7
    assert row.reasons == [TOO_FEW_OPENINGS]
    assert [m.reasons for m in row.months[6:8]] == [[], [NOT_OPEN_THIS_MONTH]]


def test_serving_only_the_elderly_is_not_aktif_for_no_core_service(city: City) -> None:
    post_kader(city.posyandu_a, 6)
    open_days(city.posyandu_a, range(1, 13), stages=("lansia", "usia_produktif"))
    _result, row = judged(city, city.posyandu_a)
    assert row.reasons == [NO_CORE_SERVICE]
    assert row.stages_in_order == ["usia_produktif", "lansia"]


def test_a_day_with_weighed_children_served_balita_even_unticked(city: City) -> None:
    post_kader(city.posyandu_a, 5)
    sessions = open_days(city.posyandu_a, range(1, 13), stages=("lansia",))
    child = ChildFactory(posyandu=city.posyandu_a, birth_date=dt.date(2024, 1, 1))
    make_visit(child, dt.date(YEAR, 3, 10), weight_kg="9.0", session=sessions[2])
    _result, row = judged(city, city.posyandu_a)
    assert row.reasons == []
    assert [m.aktif for m in row.months][1:4] == [False, True, False]


def test_a_kader_leaving_in_june_leaves_four_and_the_year_fails_from_july(city: City) -> None:
    post_kader(city.posyandu_a, 4)
    post_kader(city.posyandu_a, 1, ended_on=dt.date(YEAR, 6, 30), prefix="Pindah")
    open_days(city.posyandu_a, range(1, 13))
    _result, row = judged(city, city.posyandu_a)
    assert (row.kader, row.reasons) == (4, [TOO_FEW_KADER])
    assert [m.kader for m in row.months] == [5] * 6 + [4] * 6
    assert [m.reasons for m in row.months][5:7] == [[], [TOO_FEW_KADER]]


def test_the_area_share_counts_only_the_posyandu_the_user_may_see(city: City) -> None:
    for posyandu in (city.posyandu_a, city.posyandu_a2, city.posyandu_b):
        post_kader(posyandu, 5)
    for posyandu in (city.posyandu_a, city.posyandu_a2):
        open_days(posyandu, range(1, 13))
    open_days(city.posyandu_b, range(1, 5))
    result = posyandu_aktif(SYSTEM, find_area("64.74"), YEAR, today=TODAY)
    assert (result.aktif_count, result.total) == (2, 3)
    assert result.share == pytest.approx(2 / 3)
    assert not result.meets_target and not result.meets_national_line
    assert [r.code for r in result.not_aktif] == ["PSY-B"]


def test_the_current_year_is_judged_until_today(city: City) -> None:
    post_kader(city.posyandu_a, 5)
    open_days(city.posyandu_a, range(1, 13))
    result = posyandu_aktif(
        SYSTEM, find_area(city.posyandu_a.code), YEAR, today=dt.date(YEAR, 4, 15)
    )
    row = result.rows[0]
    assert not result.complete
    assert (len(row.months), row.months_open, row.reasons) == (4, 4, [TOO_FEW_OPENINGS])


def test_no_rule_before_2022(city: City) -> None:
    with pytest.raises(NoRuleInForce):
        posyandu_aktif(SYSTEM, find_area("64.74"), 2021, today=TODAY)


def test_strata_with_the_recorded_figures_reach_madya_and_say_what_is_missing(
    city: City,
) -> None:
    post_kader(city.posyandu_a, 5)
    open_days(city.posyandu_a, range(1, 13), present=5)
    _result, row = judged(city, city.posyandu_a, with_strata=True)
    assert row.mean_kader_on_duty == 5.0
    assert row.strata is not None and row.strata.stratum == MADYA
    assert f"{STRATA_NOT_RECORDED}:kia" in row.strata.reasons_not_higher


# --- the page ----------------------------------------------------------------------


def test_the_page_names_the_posyandu_not_aktif_and_why(client, city: City) -> None:
    for posyandu in (city.posyandu_a, city.posyandu_a2, city.posyandu_b):
        post_kader(posyandu, 5)
    open_days(city.posyandu_a, range(1, 13))
    open_days(city.posyandu_a2, range(1, 13))
    open_days(city.posyandu_b, range(1, 8))
    client.force_login(dinkes_of(city.kota))
    html = client.get(
        reverse("cadres:aktif") + f"?wilayah=kota:{city.kota.pk}&tahun={YEAR}"
    ).content.decode()
    assert "2 / 3" in html
    assert "66,67%" in html
    assert "1 Posyandu tidak aktif" in html
    assert "Posyandu Anggrek</strong> (PSY-B): buka 7 bulan, kurang dari 8 kali setahun" in html
    strata = client.get(
        reverse("cadres:aktif") + f"?wilayah=kota:{city.kota.pk}&tahun={YEAR}&aturan=strata"
    ).content.decode()
    assert "Pratama" in strata and "Madya" in strata


# --- the CLI ---------------------------------------------------------------------


def test_the_cli_writes_one_row_per_posyandu_and_the_area_share(city: City, tmp_path: Path) -> None:
    for posyandu in (city.posyandu_a, city.posyandu_a2):
        post_kader(posyandu, 5)
    open_days(city.posyandu_a, range(1, 13), stages=("balita", "ibu_hamil"))
    open_days(city.posyandu_a2, range(1, 13), stages=("lansia",))
    out = tmp_path / "aktif.csv"
    code = main(
        ["report", "posyandu-aktif", "--area", "PKM-BU", "--year", str(YEAR), "-o", str(out)]
    )
    assert code == 0
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == CSV_COLUMNS
    assert rows[1] == ["PSY-A", "Posyandu Melati", "12", "5", "balita;ibu_hamil", "1", ""]
    assert rows[2][:6] == ["PSY-A2", "Posyandu Kenanga", "12", "5", "lansia", "0"]
    assert rows[2][6].startswith("tidak melayani Bayi dan balita atau Ibu hamil")
    assert rows[3] == [
        "PKM-BU",
        "Puskesmas Bontang Utara I",
        "",
        "",
        "",
        "50.00",
        "1 dari 2 Posyandu aktif",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--area", "99.99", "--year", "2025"], "no kota, kecamatan"),
        (["--area", "64.74", "--year", "20x5"], "--year '20x5' is not a year YYYY"),
        (["--area", "64.74", "--year", "2019"], "2019"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(
    city: City, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code = main(["report", "posyandu-aktif", *args, "-o", str(tmp_path / "x.csv")])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert message in err


def test_the_share_aktif_of_each_year_against_the_target_and_the_national_line(
    city: City,
) -> None:
    for posyandu in (city.posyandu_a, city.posyandu_a2, city.posyandu_b):
        post_kader(posyandu, 5)
    open_days(city.posyandu_a, range(1, 13))
    open_days(city.posyandu_a2, range(1, 13))
    open_days(city.posyandu_b, range(1, 13))
    # 2026 until 1 March: two openings each (January and February 2026), none aktif yet.
    for posyandu in (city.posyandu_a, city.posyandu_a2, city.posyandu_b):
        for month in (1, 2):
            PosyanduSession.objects.create(posyandu=posyandu, date=dt.date(2026, month, 10))
    shares = shares_by_year(SYSTEM, find_area("64.74"), today=TODAY)
    assert [(y.year, y.aktif, y.total, y.complete) for y in shares] == [
        (2025, 3, 3, True),
        (2026, 0, 3, False),
    ]
    assert shares[0].pct == 100.0 and shares[0].meets_target and shares[0].meets_national_line
    assert shares[1].pct == 0.0 and not shares[1].meets_national_line
