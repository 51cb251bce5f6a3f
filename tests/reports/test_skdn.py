"""SKDN on a small hand-built city where every answer is written down."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from posyandu.accounts.scope import Scope
from posyandu.areas.hierarchy import Level, area_by_key
from posyandu.children.models import ChildStatus
from posyandu.children.services import set_status, transfer_child
from posyandu.reports.selectors import skdn
from tests.factories import ChildFactory, bidan_of, dinkes_of, kader_of, make_city, make_visit

pytestmark = pytest.mark.django_db

JAN, FEB, MAR = dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1)


@pytest.fixture
def town():
    """Posyandu Melati (A) and Anggrek (B) of one kota.

    - Ani (A): weighed at A in January (9.0 kg) and February (9.3 kg: N).
    - Budi (A): weighed at A on 5 February, moved to B on 15 February.
    - Cici (A): weighed at A in January only; died on 10 February.
    - Dodi (A): 60 months old on 15 January 2025: a balita in January only.
    - Eka (A): no KIA book, never weighed.
    - Fajar (B): weighed at A in February (visiting), lives at B.
    """
    city = make_city()
    a, b = city.posyandu_a, city.posyandu_b
    bidan = bidan_of(city.puskesmas_a)
    ani = ChildFactory(name="Ani", birth_date=dt.date(2024, 1, 10), posyandu=a)
    budi = ChildFactory(name="Budi", birth_date=dt.date(2023, 6, 1), posyandu=a)
    cici = ChildFactory(name="Cici", birth_date=dt.date(2024, 5, 5), posyandu=a)
    dodi = ChildFactory(name="Dodi", birth_date=dt.date(2020, 1, 15), posyandu=a)
    eka = ChildFactory(name="Eka", birth_date=dt.date(2024, 8, 1), posyandu=a, has_kia_book=False)
    fajar = ChildFactory(name="Fajar", birth_date=dt.date(2023, 3, 3), posyandu=b)
    make_visit(ani, dt.date(2025, 1, 12), weight_kg="9.00")
    make_visit(ani, dt.date(2025, 2, 12), weight_kg="9.30")
    make_visit(budi, dt.date(2025, 2, 5), weight_kg="11.00")
    make_visit(cici, dt.date(2025, 1, 12), weight_kg="8.00")
    make_visit(fajar, dt.date(2025, 2, 12), weight_kg="12.00", posyandu=a)
    transfer_child(
        user=bidan, child=budi, version=budi.version, to_posyandu=b, on=dt.date(2025, 2, 15)
    )
    cici.refresh_from_db()
    set_status(
        user=bidan,
        child=cici,
        version=cici.version,
        status=ChildStatus.DIED,
        on=dt.date(2025, 2, 10),
    )
    return city, {c.name: c for c in (ani, budi, cici, dodi, eka, fajar)}


def _rows(city, period):
    scope = Scope.of(dinkes_of(city.kota, username="dinkes_skdn"))
    kota = area_by_key(f"{Level.KOTA}:{city.kota.pk}")
    _tree, rows = skdn(scope, kota, period)
    return {row.area.name: row for row in rows}


def test_january_counts_every_balita_where_it_lived(town) -> None:
    city, _kids = town
    rows = _rows(city, JAN)
    melati = rows["Posyandu Melati"]
    # S: Ani, Budi, Cici, Dodi, Eka; K: all but Eka; D: Ani and Cici, both B.
    assert (melati.count("s"), melati.count("k"), melati.count("d")) == (5, 4, 2)
    assert (melati.count("b"), melati.count("n"), melati.count("d_prime")) == (2, 0, 0)
    assert rows["Posyandu Anggrek"].count("s") == 1  # Fajar
    assert rows["Bontang"].count("s") == 6


def test_february_follows_the_transfer_the_death_and_the_child_who_aged_out(town) -> None:
    city, _kids = town
    rows = _rows(city, FEB)
    melati, anggrek = rows["Posyandu Melati"], rows["Posyandu Anggrek"]
    # S at Melati: Ani, Cici (died during February), Eka. Budi lived at Anggrek
    # at the month's end; Dodi turned 60 months in January.
    assert melati.count("s") == 3
    assert anggrek.count("s") == 2  # Budi, Fajar
    # D at Melati: the three weighings made there (Ani, Budi before moving, Fajar).
    assert melati.count("d") == 3
    assert (melati.count("n"), melati.count("d_prime"), melati.count("b")) == (1, 1, 2)
    assert melati.pct("d", "s") == pytest.approx(100.0)
    assert melati.pct("n", "d") == pytest.approx(100 / 3)
    assert anggrek.count("d") == 0
    # The Puskesmas and the kota add up their Posyandu.
    assert rows["Bontang"].count("s") == 5
    assert rows["Bontang"].count("d") == 3


def test_march_has_no_child_who_died_in_february(town) -> None:
    city, _kids = town
    assert _rows(city, MAR)["Posyandu Melati"].count("s") == 2  # Ani, Eka


def test_a_transfer_today_leaves_last_years_numbers_as_they_were(town) -> None:
    city, kids = town
    before = {name: row.counts for name, row in _rows(city, JAN).items()}
    ani = kids["Ani"]
    ani.refresh_from_db()
    transfer_child(
        user=bidan_of(city.puskesmas_a, username="bidan_today"),
        child=ani,
        version=ani.version,
        to_posyandu=city.posyandu_b,
        on=dt.date.today(),
    )
    assert {name: row.counts for name, row in _rows(city, JAN).items()} == before


def test_every_number_links_to_the_children_behind_it(town) -> None:
    city, kids = town
    client = Client()
    client.force_login(bidan_of(city.puskesmas_a, username="bidan_list"))
    melati = f"{Level.POSYANDU}:{city.posyandu_a.pk}"
    page = client.get(reverse("reports:skdn"), {"wilayah": melati, "bulan": "2025-02"})
    html = page.content.decode()
    assert "ukuran=s" in html and "ukuran=d_prime" in html
    expected = {"s": {"Ani", "Cici", "Eka"}, "d": {"Ani", "Budi", "Fajar"}, "n": {"Ani"}}
    for measure, names in expected.items():
        response = client.get(
            reverse("reports:skdn_children"),
            {"wilayah": melati, "bulan": "2025-02", "ukuran": measure},
        )
        shown = {c.name for c in response.context["behind"].children}
        # Budi and Fajar now live at Anggrek (Puskesmas B): counted, not listed.
        visible = names - {"Budi", "Fajar"}
        assert shown == visible, measure
        assert response.context["behind"].total == len(names), measure


def test_a_kader_sees_only_its_posyandu_and_another_area_is_404(town) -> None:
    city, _kids = town
    client = Client()
    client.force_login(kader_of(city.posyandu_a, username="kader_skdn"))
    own = client.get(reverse("reports:skdn"), {"bulan": "2025-02"})
    assert own.status_code == 200
    assert own.context["area"].name == "Posyandu Melati"
    other = f"{Level.POSYANDU}:{city.posyandu_b.pk}"
    assert client.get(reverse("reports:skdn"), {"wilayah": other}).status_code == 404
    assert (
        client.get(
            reverse("reports:skdn_children"), {"wilayah": other, "bulan": "2025-02", "ukuran": "s"}
        ).status_code
        == 404
    )


def test_the_skdn_table_and_its_lists_export_with_a_header_block(town, client):
    from posyandu.core.models import AuditLog

    city, _children = town
    client.force_login(bidan_of(city.puskesmas_a))
    response = client.get("/laporan/skdn/?bulan=2025-02&format=csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Laporan,SKDN" and lines[2] == "Periode,02/2025"
    header = lines[7].split(",")
    assert header[:3] == ["Kode wilayah", "Wilayah", "Tingkat"] and "D/S %" in header
    listing = client.get("/laporan/skdn/anak/?bulan=2025-02&ukuran=d&format=csv")
    names = [line.split(",")[1] for line in listing.content.decode("utf-8-sig").splitlines()[8:]]
    assert names == sorted(names) and names
    assert AuditLog.objects.filter(action="export", object_type="reports.table").count() == 2
    assert AuditLog.objects.filter(action="export", object_type="children.child").count() == 1
