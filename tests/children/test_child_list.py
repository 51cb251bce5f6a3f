"""The child list of a Puskesmas or Dinkes: the Posyandu filter grouped by
Puskesmas, a choice of order, and counts with thousands separators."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from posyandu.children.models import Child, Sex
from tests.factories import ChildFactory, dinkes_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def dinkes_client(city) -> Client:
    client = Client()
    client.force_login(dinkes_of(city.kota))
    return client


def names(client: Client, **params: str) -> list[str]:
    response = client.get(reverse("children:list"), params)
    return [c.name for c in response.context["page"].object_list]


def test_the_posyandu_filter_is_grouped_by_puskesmas(dinkes_client, city):
    html = dinkes_client.get(reverse("children:list")).content.decode()
    select = html.split('<select id="id_posyandu"', 1)[1].split("</select>", 1)[0]
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select, re.S)
    assert [(label, re.findall(r">([^<]+)</option>", body)) for label, body in groups] == [
        ("Puskesmas Bontang Selatan I", ["Posyandu Anggrek"]),
        ("Puskesmas Bontang Utara I", ["Posyandu Kenanga", "Posyandu Melati"]),
    ]


def test_the_list_sorts_by_name_age_posyandu_or_newest(dinkes_client, city):
    ChildFactory(name="Citra", birth_date=dt.date(2024, 3, 1), posyandu=city.posyandu_a)
    ChildFactory(name="Adi", birth_date=dt.date(2023, 3, 1), posyandu=city.posyandu_b)
    ChildFactory(name="Bela", birth_date=dt.date(2025, 3, 1), posyandu=city.posyandu_a2)
    assert names(dinkes_client) == ["Adi", "Bela", "Citra"]
    assert names(dinkes_client, urut="umur") == ["Bela", "Citra", "Adi"]
    # Anggrek, Kenanga, Melati.
    assert names(dinkes_client, urut="posyandu") == ["Adi", "Bela", "Citra"]
    assert names(dinkes_client, urut="baru") == ["Bela", "Adi", "Citra"]
    assert names(dinkes_client, urut="sembarang") == ["Adi", "Bela", "Citra"]
    # The order survives a search and a page turn.
    html = dinkes_client.get(reverse("children:list"), {"urut": "umur", "q": "a"}).content.decode()
    assert 'name="urut" value="umur"' in html


def test_the_number_of_children_has_a_thousands_separator(dinkes_client, city):
    Child.objects.bulk_create(
        Child(
            name=f"Anak {k:04d}",
            sex=Sex.FEMALE,
            birth_date=dt.date(2024, 1, 1),
            mother_name="Ibu",
            kelurahan=city.posyandu_a.kelurahan,
            posyandu=city.posyandu_a,
        )
        for k in range(1234)
    )
    html = dinkes_client.get(reverse("children:list")).content.decode()
    assert "1.234 anak" in html
    assert "1234" not in html
