"""The Posyandu list of a Puskesmas or Dinkes: subtotals per Puskesmas (or kecamatan
and kelurahan), the lowest D/S first, opening on the last complete month early on."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from posyandu.areas.hierarchy import Area, Level
from posyandu.areas.nesting import by_name, nest, worst_first
from posyandu.policy.reporting import REPORT_MONTH
from tests.factories import ChildFactory, dinkes_of, make_visit

pytestmark = pytest.mark.django_db


def test_the_report_month_is_the_last_complete_one_during_the_first_week():
    assert REPORT_MONTH.fresh_month_days == 7
    assert REPORT_MONTH.default_period(dt.date(2026, 12, 1)) == dt.date(2026, 11, 1)
    assert REPORT_MONTH.default_period(dt.date(2026, 12, 7)) == dt.date(2026, 11, 1)
    assert REPORT_MONTH.default_period(dt.date(2026, 12, 8)) == dt.date(2026, 12, 1)
    assert REPORT_MONTH.default_period(dt.date(2027, 1, 3)) == dt.date(2026, 12, 1)


def test_nest_sums_leaves_into_each_area_above_them_and_sorts_siblings():
    north = Area(Level.PUSKESMAS, 1, "P1", "Utara")
    south = Area(Level.PUSKESMAS, 2, "P2", "Selatan")
    a, b, c = (Area(Level.POSYANDU, k, f"Y{k}", name) for k, name in ((1, "A"), (2, "B"), (3, "C")))
    leaves = [
        ([north, a], {"s": 10, "d": 9}),
        ([north, b], {"s": 10, "d": 5}),
        ([south, c], {"s": 0, "d": 0}),
    ]
    worst = nest(leaves, key=worst_first("d", "s"))
    assert [(r.depth, r.area.name, r.counts["d"], r.counts["s"]) for r in worst] == [
        (0, "Utara", 14, 20),
        (1, "B", 5, 10),
        (1, "A", 9, 10),
        (0, "Selatan", 0, 0),  # no sasaran: last
        (1, "C", 0, 0),
    ]
    assert [r.has_rows_below for r in worst] == [True, False, False, True, False]
    assert [r.area.name for r in nest(leaves, key=by_name)] == ["Selatan", "C", "Utara", "A", "B"]


@pytest.fixture
def month(city):
    """This month: Melati 2 of 3 weighed, Kenanga 2 of 2, Anggrek 1 of 4."""
    today = timezone.localdate()
    born = today - dt.timedelta(days=400)
    for posyandu, weighed, not_weighed in (
        (city.posyandu_a, 2, 1),
        (city.posyandu_a2, 2, 0),
        (city.posyandu_b, 1, 3),
    ):
        for k in range(weighed + not_weighed):
            child = ChildFactory(name=f"{posyandu.name} {k}", birth_date=born, posyandu=posyandu)
            if k < weighed:
                make_visit(child, today, weight_kg="9.0")
    return today.replace(day=1)


def rollup(client: Client, **params: str) -> list[tuple[int, str, str]]:
    response = client.get(reverse("measurements:posyandu_list"), params)
    assert response.status_code == 200
    return [
        (row.depth, row.area.name, f"{row.count('d')}/{row.count('s')}")
        for row, _pct, _css in response.context["rows"]
    ]


@pytest.fixture
def dinkes_client(city) -> Client:
    client = Client()
    client.force_login(dinkes_of(city.kota))
    return client


def test_the_city_list_has_a_subtotal_per_puskesmas_the_lowest_d_over_s_first(dinkes_client, month):
    bulan = month.strftime("%Y-%m")
    assert rollup(dinkes_client, bulan=bulan) == [
        (0, "Puskesmas Bontang Selatan I", "1/4"),
        (1, "Posyandu Anggrek", "1/4"),
        (0, "Puskesmas Bontang Utara I", "4/5"),
        (1, "Posyandu Melati", "2/3"),
        (1, "Posyandu Kenanga", "2/2"),
    ]
    assert rollup(dinkes_client, bulan=bulan, urut="nama") == [
        (0, "Puskesmas Bontang Selatan I", "1/4"),
        (1, "Posyandu Anggrek", "1/4"),
        (0, "Puskesmas Bontang Utara I", "4/5"),
        (1, "Posyandu Kenanga", "2/2"),
        (1, "Posyandu Melati", "2/3"),
    ]


def test_the_city_list_nests_kecamatan_kelurahan_and_posyandu(dinkes_client, month):
    assert rollup(dinkes_client, bulan=month.strftime("%Y-%m"), kelompok="wilayah") == [
        (0, "Bontang Selatan", "1/4"),
        (1, "Tanjung Laut", "1/4"),
        (2, "Posyandu Anggrek", "1/4"),
        (0, "Bontang Utara", "4/5"),
        (1, "Bontang Kuala", "4/5"),
        (2, "Posyandu Melati", "2/3"),
        (2, "Posyandu Kenanga", "2/2"),
    ]


def test_the_city_list_shows_thousands_separators_and_one_decimal(dinkes_client, month):
    html = dinkes_client.get(
        reverse("measurements:posyandu_list"), {"bulan": month.strftime("%Y-%m")}
    ).content.decode()
    assert "5/9" in html  # the city total
    assert "80,0%" in html and "25,0%" in html and "66,7%" in html


def test_the_city_list_opens_on_the_report_month(dinkes_client, month):
    response = dinkes_client.get(reverse("measurements:posyandu_list"))
    assert response.context["period"] == REPORT_MONTH.default_period(timezone.localdate())
