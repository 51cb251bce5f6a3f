"""A retried registration never makes a second child; every write to a child checks
its version; year 1 never reaches the registry."""

from __future__ import annotations

import datetime as dt
import re
import threading
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from posyandu.children.models import Child, ChildStatus
from posyandu.children.services import ChildData, register_child
from tests.children.test_register import form_data
from tests.factories import ChildFactory, bidan_of, kader_of, make_city


@pytest.fixture
def kader_client(city):
    client = Client()
    client.force_login(kader_of(city.posyandu_a))
    return client


def _token_of(html: str) -> str:
    match = re.search(r'name="client_token" value="([0-9a-f-]{36})"', html)
    assert match, "the registration form carries its own token"
    return match.group(1)


@pytest.mark.django_db
def test_a_double_tap_on_register_creates_one_child(kader_client, city):
    token = _token_of(kader_client.get(reverse("children:new")).content.decode())
    data = form_data(city.posyandu_a, client_token=token)
    first = kader_client.post(reverse("children:new"), data)
    second = kader_client.post(reverse("children:new"), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Child.objects.filter(name="Ahmad Fauzi").count() == 1


@pytest.mark.django_db
def test_a_retry_after_ticking_different_child_still_creates_one(kader_client, city):
    ChildFactory(
        name="Ahmad Fauzi",
        mother_name="Siti Aminah",
        birth_date=dt.date(2024, 3, 15),
        posyandu=city.posyandu_a,
    )
    token = str(uuid.uuid4())
    data = form_data(city.posyandu_a, client_token=token, confirm_different="on")
    for _ in range(5):
        assert kader_client.post(reverse("children:new"), data).status_code == 302
    assert Child.objects.filter(name="Ahmad Fauzi").count() == 2


@pytest.mark.django_db
def test_a_new_form_is_a_new_child(kader_client, city):
    for _ in range(2):
        token = _token_of(kader_client.get(reverse("children:new")).content.decode())
        data = form_data(city.posyandu_a, client_token=token, confirm_different="on")
        kader_client.post(reverse("children:new"), data)
    assert Child.objects.filter(name="Ahmad Fauzi").count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_of_one_form_create_one_child():
    city = make_city()
    kader = kader_of(city.posyandu_a)
    token = uuid.uuid4()
    data = ChildData(
        name="Bayu Samudra",
        sex=1,
        birth_date=dt.date(2025, 5, 1),
        mother_name="Dewi",
    )
    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def save() -> None:
        try:
            barrier.wait()
            child = register_child(
                user=kader, posyandu=city.posyandu_a, data=data, client_token=token
            )
            results.append(child.pk)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=save) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert len(set(results)) == 1
    assert Child.objects.filter(name="Bayu Samudra").count() == 1


@pytest.mark.django_db
def test_a_status_change_on_a_stale_form_is_refused(kader_client, city):
    child = ChildFactory(posyandu=city.posyandu_a)
    stale = child.version
    kader_client.post(
        reverse("children:status", args=[child.pk]),
        {"status": ChildStatus.MOVED, "on": "01/06/2025", "version": stale},
    )
    response = kader_client.post(
        reverse("children:status", args=[child.pk]),
        {"status": ChildStatus.DIED, "on": "02/06/2025", "version": stale},
        follow=True,
    )
    assert "baru saja diubah orang lain" in response.content.decode()
    child.refresh_from_db()
    assert child.status == ChildStatus.MOVED


@pytest.mark.django_db
def test_the_status_and_transfer_forms_carry_the_version(kader_client, city):
    child = ChildFactory(posyandu=city.posyandu_a)
    html = kader_client.get(reverse("children:status", args=[child.pk])).content.decode()
    assert f'name="version" value="{child.version}"' in html
    client = Client()
    client.force_login(bidan_of(city.puskesmas_a))
    html = client.get(reverse("children:transfer", args=[child.pk])).content.decode()
    assert f'name="version" value="{child.version}"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["01/01/0001", "0001-01-01", "31/12/1899"])
def test_a_birth_date_before_1900_is_refused_on_edit(kader_client, city, typed):
    child = ChildFactory(posyandu=city.posyandu_a)
    data = {
        "name": child.name,
        "sex": str(child.sex),
        "birth_date": typed,
        "mother_name": child.mother_name,
        "version": child.version,
        "has_kia_book": "on",
    }
    response = kader_client.post(reverse("children:edit", args=[child.pk]), data)
    assert response.status_code == 200
    assert "tidak masuk akal" in response.content.decode()
    child.refresh_from_db()
    assert child.birth_date.year > 1900
