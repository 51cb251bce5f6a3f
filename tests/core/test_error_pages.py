"""The 404 and 500 pages: friendly Indonesian words that reveal nothing about the data."""

from __future__ import annotations

import re

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from tests.factories import ChildFactory, kader_of

NOT_FOUND = "Halaman tidak ditemukan atau di luar wilayah Anda"


def main_of(response: HttpResponse) -> str:
    found = re.search(r"<main.*?</main>", response.content.decode(), re.S)
    assert found is not None
    return found.group()


@pytest.mark.django_db
def test_a_child_outside_the_kaders_area_answers_the_friendly_404(client, city):
    other = ChildFactory(name="Anak Anggrek", posyandu=city.posyandu_b)
    client.force_login(kader_of(city.posyandu_a))

    response = client.get(reverse("measurements:child", args=[other.pk]))

    body = response.content.decode()
    assert response.status_code == 404
    assert NOT_FOUND in body
    assert f'href="{reverse("administration:home")}"' in body
    assert "Anak Anggrek" not in body


@pytest.mark.django_db
def test_the_404_does_not_tell_an_out_of_area_child_from_a_missing_one(client, city):
    other = ChildFactory(posyandu=city.posyandu_b)
    client.force_login(kader_of(city.posyandu_a))

    out_of_area = client.get(reverse("measurements:child", args=[other.pk]))
    missing = client.get(reverse("measurements:child", args=[other.pk + 1000]))

    assert out_of_area.status_code == missing.status_code == 404
    assert main_of(out_of_area) == main_of(missing)
    assert NOT_FOUND in main_of(missing)


def test_the_500_page_renders_without_a_request_context() -> None:
    response = server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    assert "Terjadi kesalahan di server" in response.content.decode()
