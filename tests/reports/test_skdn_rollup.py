"""The SKDN page of a kota or Puskesmas: the areas below nested under their
subtotals, the lowest D/S first, opening on the last complete month early on."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from posyandu.areas.hierarchy import Level
from posyandu.policy.reporting import REPORT_MONTH
from tests.factories import bidan_of, dinkes_of
from tests.reports.test_skdn import town  # noqa: F401  (the hand-built city)

pytestmark = pytest.mark.django_db


def rows(client: Client, **params: str) -> list[tuple[int, str, int, int]]:
    response = client.get(reverse("reports:skdn"), params)
    assert response.status_code == 200
    return [
        (row.depth, row.area.name, row.count("d"), row.count("s"))
        for row in response.context["rows"]
    ]


def test_the_city_nests_kecamatan_kelurahan_and_posyandu_lowest_d_over_s_first(town) -> None:  # noqa: F811
    city, _kids = town
    client = Client()
    client.force_login(dinkes_of(city.kota, username="dinkes_rollup"))
    # February: Melati weighed all 3 of its sasaran, Anggrek none of its 2.
    assert rows(client, bulan="2025-02") == [
        (0, "Bontang Selatan", 0, 2),
        (1, "Tanjung Laut", 0, 2),
        (2, "Posyandu Anggrek", 0, 2),
        (0, "Bontang Utara", 3, 3),
        (1, "Bontang Kuala", 3, 3),
        (2, "Posyandu Melati", 3, 3),
    ]
    assert rows(client, bulan="2025-02", kelompok="puskesmas") == [
        (0, "Puskesmas Bontang Selatan I", 0, 2),
        (1, "Posyandu Anggrek", 0, 2),
        (0, "Puskesmas Bontang Utara I", 3, 3),
        (1, "Posyandu Melati", 3, 3),
    ]
    assert rows(client, bulan="2025-02", kelompok="puskesmas", urut="nama") == [
        (0, "Puskesmas Bontang Selatan I", 0, 2),
        (1, "Posyandu Anggrek", 0, 2),
        (0, "Puskesmas Bontang Utara I", 3, 3),
        (1, "Posyandu Melati", 3, 3),
    ]
    page = client.get(reverse("reports:skdn"), {"bulan": "2025-02"})
    html = page.content.decode()
    assert page.context["root"].count("s") == 5 and page.context["root"].count("d") == 3
    assert html.count('class="level-1 subtotal"') == 2  # the two kecamatan
    assert html.count('class="level-2 subtotal"') == 2  # their kelurahan
    # A Posyandu row leads to its page for that month.
    melati = reverse("measurements:posyandu_detail", args=[city.posyandu_a.pk])
    assert f'href="{melati}?bulan=2025-02"' in html


def test_a_puskesmas_sees_its_posyandu_under_its_total(town) -> None:  # noqa: F811
    city, _kids = town
    client = Client()
    client.force_login(bidan_of(city.puskesmas_a, username="bidan_rollup"))
    response = client.get(reverse("reports:skdn"), {"bulan": "2025-02"})
    assert response.context["area"].level == Level.PUSKESMAS
    assert [(r.depth, r.area.name) for r in response.context["rows"]] == [(0, "Posyandu Melati")]
    assert response.context["groupings"] == []


def test_the_skdn_page_opens_on_the_report_month(town) -> None:  # noqa: F811
    city, _kids = town
    client = Client()
    client.force_login(dinkes_of(city.kota, username="dinkes_month"))
    response = client.get(reverse("reports:skdn"))
    assert response.context["period"] == REPORT_MONTH.default_period(timezone.localdate())
