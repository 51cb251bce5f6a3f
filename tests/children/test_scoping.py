"""Scope first: nobody reaches a child or Posyandu outside their area (404, not 403)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from posyandu.accounts.models import Role
from tests.factories import ChildFactory, UserFactory, bidan_of, dinkes_of, kader_of

CHILD_URLS = ["children:edit", "children:status", "measurements:child"]


@pytest.fixture
def child_a(city):
    return ChildFactory(name="Budi Santoso", posyandu=city.posyandu_a)


@pytest.fixture
def child_b(city):
    return ChildFactory(name="Citra Lestari", posyandu=city.posyandu_b)


@pytest.fixture
def child_elsewhere(city):
    return ChildFactory(name="Dewi Samarinda", posyandu=city.other_kota_posyandu)


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", CHILD_URLS)
def test_kader_cannot_open_a_child_of_another_posyandu(client, city, child_a, child_b, url_name):
    client.force_login(kader_of(city.posyandu_a))

    assert client.get(reverse(url_name, args=[child_a.pk])).status_code == 200
    assert client.get(reverse(url_name, args=[child_b.pk])).status_code == 404
    assert client.post(reverse(url_name, args=[child_b.pk]), {}).status_code == 404


@pytest.mark.django_db
def test_kader_cannot_open_another_posyandu_page(client, city):
    client.force_login(kader_of(city.posyandu_a))

    assert (
        client.get(reverse("measurements:posyandu_detail", args=[city.posyandu_a.pk])).status_code
        == 200
    )
    assert (
        client.get(reverse("measurements:posyandu_detail", args=[city.posyandu_b.pk])).status_code
        == 404
    )
    assert client.get(reverse("measurements:posyandu_detail", args=[99999])).status_code == 404


@pytest.mark.django_db
def test_kader_search_lists_only_children_of_their_posyandu(client, city, child_a, child_b):
    client.force_login(kader_of(city.posyandu_a))

    body = client.get(reverse("children:list")).content.decode()

    assert "Budi Santoso" in body
    assert "Citra Lestari" not in body


@pytest.mark.django_db
def test_kader_cannot_filter_the_list_to_another_posyandu(client, city, child_a, child_b):
    client.force_login(kader_of(city.posyandu_a))

    body = client.get(reverse("children:list"), {"posyandu": city.posyandu_b.pk}).content.decode()

    assert "Citra Lestari" not in body


@pytest.mark.django_db
def test_bidan_sees_own_puskesmas_only(client, city, child_a, child_b):
    client.force_login(bidan_of(city.puskesmas_a))

    assert client.get(reverse("children:edit", args=[child_a.pk])).status_code == 200
    assert client.get(reverse("children:edit", args=[child_b.pk])).status_code == 404
    assert (
        client.get(reverse("measurements:posyandu_detail", args=[city.posyandu_a2.pk])).status_code
        == 200
    )
    assert (
        client.get(reverse("measurements:posyandu_detail", args=[city.posyandu_b.pk])).status_code
        == 404
    )
    listing = client.get(reverse("measurements:posyandu_list")).content.decode()
    assert "Posyandu Melati" in listing
    assert "Posyandu Kenanga" in listing
    assert "Posyandu Anggrek" not in listing


@pytest.mark.django_db
def test_dinkes_sees_the_whole_city_but_not_another_city(
    client, city, child_a, child_b, child_elsewhere
):
    client.force_login(dinkes_of(city.kota))

    assert client.get(reverse("measurements:child", args=[child_a.pk])).status_code == 200
    assert client.get(reverse("measurements:child", args=[child_b.pk])).status_code == 200
    assert client.get(reverse("measurements:child", args=[child_elsewhere.pk])).status_code == 404
    # Dinkes reads the city; correcting a child is the Posyandu's and the Puskesmas' work.
    assert client.get(reverse("children:edit", args=[child_a.pk])).status_code == 403
    assert client.get(reverse("children:edit", args=[child_elsewhere.pk])).status_code == 404
    listing = client.get(reverse("measurements:posyandu_list")).content.decode()
    assert "Posyandu Anggrek" in listing
    assert "Posyandu Samarinda" not in listing


@pytest.mark.django_db
def test_admin_sees_everything(client, city, child_elsewhere):
    client.force_login(UserFactory(role=Role.ADMIN))
    assert client.get(reverse("children:edit", args=[child_elsewhere.pk])).status_code == 200
    listing = client.get(reverse("measurements:posyandu_list")).content.decode()
    assert "Posyandu Samarinda" in listing


@pytest.mark.django_db
def test_kader_cannot_register_a_child_into_another_posyandu(client, city):
    client.force_login(kader_of(city.posyandu_a))

    response = client.post(
        reverse("children:new"),
        {
            "posyandu": city.posyandu_b.pk,
            "name": "Eko",
            "sex": "1",
            "birth_date": "01/02/2024",
            "mother_name": "Fitri",
        },
    )

    assert response.status_code == 200
    assert "Posyandu ini tidak ada di wilayah Anda." in response.content.decode()
    assert not city.posyandu_b.children.exists()
