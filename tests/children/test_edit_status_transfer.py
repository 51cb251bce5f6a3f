from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from django.urls import reverse

from posyandu.children import services
from posyandu.children.models import Child, ChildStatus, ChildTransfer
from posyandu.children.services import ChildData
from posyandu.measurements.models import Visit
from tests.factories import ChildFactory, bidan_of, kader_of, make_visit


def edit_data(child, **overrides):
    data = {
        "version": child.version,
        "name": child.name,
        "sex": str(child.sex),
        "birth_date": child.birth_date.strftime("%d/%m/%Y"),
        "birth_weight_kg": "",
        "birth_length_cm": "",
        "nik": child.nik,
        "mother_name": child.mother_name,
        "mother_nik": "",
        "father_name": "",
        "phone": "",
        "address": "",
        "rt": "",
        "rw": "",
        "kelurahan": child.kelurahan_id,
        "has_kia_book": "on",
    }
    data.update(overrides)
    return data


@pytest.fixture
def child(city):
    return ChildFactory(
        name="Budi Santoso",
        mother_name="Rina",
        birth_date=dt.date(2024, 2, 10),
        posyandu=city.posyandu_a,
    )


@pytest.fixture
def kader(city):
    return kader_of(city.posyandu_a)


@pytest.mark.django_db
def test_edit_saves_and_bumps_the_version(client, kader, child):
    client.force_login(kader)

    response = client.post(
        reverse("children:edit", args=[child.pk]), edit_data(child, father_name="Joko")
    )

    assert response.status_code == 302
    child.refresh_from_db()
    assert child.father_name == "Joko"
    assert child.version == 2


@pytest.mark.django_db
def test_edit_after_someone_else_saved_keeps_my_input_and_shows_what_is_stored(
    client, kader, child
):
    client.force_login(kader)
    opened_version = child.version
    services.update_child(
        user=None,
        child=child,
        version=opened_version,
        data=replace(ChildData.of(child), father_name="Andi"),
    )

    response = client.post(
        reverse("children:edit", args=[child.pk]),
        edit_data(child, version=opened_version, father_name="Joko", address="Jl. Baru 1"),
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "Data anak ini baru saja diubah oleh orang lain." in body
    assert 'value="Joko"' in body
    assert 'value="Jl. Baru 1"' in body
    assert "Andi" in body  # what is stored now
    assert 'name="version" value="2"' in body
    child.refresh_from_db()
    assert child.father_name == "Andi"
    assert child.address == ""


@pytest.mark.django_db
def test_saving_again_after_the_conflict_message_replaces_the_stored_data(client, kader, child):
    client.force_login(kader)
    services.update_child(
        user=None, child=child, version=1, data=replace(ChildData.of(child), father_name="Andi")
    )

    client.post(reverse("children:edit", args=[child.pk]), edit_data(child, version=1))
    response = client.post(
        reverse("children:edit", args=[child.pk]),
        edit_data(child, version=2, father_name="Joko"),
    )

    assert response.status_code == 302
    child.refresh_from_db()
    assert child.father_name == "Joko"
    assert child.version == 3


@pytest.mark.django_db
def test_edit_with_a_bad_weight_keeps_everything_typed(client, kader, child):
    client.force_login(kader)
    response = client.post(
        reverse("children:edit", args=[child.pk]),
        edit_data(child, birth_weight_kg="3,x", father_name="Joko"),
    )
    body = response.content.decode()
    assert "Isi dengan angka saja, misalnya 3,2." in body
    assert 'value="3,x"' in body
    assert 'value="Joko"' in body
    child.refresh_from_db()
    assert child.father_name == ""


@pytest.mark.django_db
def test_status_change_to_moved(client, kader, child):
    client.force_login(kader)

    response = client.post(
        reverse("children:status", args=[child.pk]),
        {"status": "pindah", "on": "01/03/2025", "version": child.version},
    )

    assert response.status_code == 302
    child.refresh_from_db()
    assert child.status == ChildStatus.MOVED
    assert child.status_date == dt.date(2025, 3, 1)


@pytest.mark.django_db
def test_status_date_before_birth_is_refused(client, kader, child):
    client.force_login(kader)
    response = client.post(
        reverse("children:status", args=[child.pk]),
        {"status": "meninggal", "on": "01/01/2020", "version": child.version},
    )
    assert "Tanggal tidak boleh sebelum tanggal lahir anak." in response.content.decode()
    child.refresh_from_db()
    assert child.status == ChildStatus.ACTIVE


@pytest.mark.django_db
def test_transfer_moves_the_child_and_keeps_visits_and_history(client, city, child):
    visit = make_visit(child, dt.date(2025, 1, 12), weight_kg="9.40", height_cm="76.0")
    bidan = bidan_of(city.puskesmas_a)
    client.force_login(bidan)

    response = client.post(
        reverse("children:transfer", args=[child.pk]),
        {
            "to_posyandu": city.posyandu_b.pk,
            "on": "05/02/2025",
            "reason": "ikut orang tua",
            "version": child.version,
        },
    )

    assert response.status_code == 302
    child.refresh_from_db()
    assert child.posyandu == city.posyandu_b
    assert child.version == 2
    assert list(Visit.objects.filter(child=child)) == [visit]
    transfer = ChildTransfer.objects.get(child=child)
    assert (transfer.from_posyandu, transfer.to_posyandu) == (city.posyandu_a, city.posyandu_b)
    assert transfer.transferred_on == dt.date(2025, 2, 5)
    assert transfer.reason == "ikut orang tua"
    assert transfer.by == bidan


@pytest.mark.django_db
def test_a_kader_may_not_transfer_a_child_the_puskesmas_does(client, city, child, kader):
    client.force_login(kader)
    form = {"to_posyandu": city.posyandu_b.pk, "on": "05/02/2025", "version": child.version}

    assert client.get(reverse("children:transfer", args=[child.pk])).status_code == 403
    assert client.post(reverse("children:transfer", args=[child.pk]), form).status_code == 403
    child.refresh_from_db()
    assert child.posyandu == city.posyandu_a


@pytest.mark.django_db
def test_a_bidan_hands_a_child_over_to_another_puskesmas_and_then_no_longer_sees_it(
    client, city, child
):
    client.force_login(bidan_of(city.puskesmas_a))

    response = client.post(
        reverse("children:transfer", args=[child.pk]),
        {"to_posyandu": city.posyandu_b.pk, "on": "05/02/2025", "version": child.version},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse(
        "measurements:posyandu_detail", args=[city.posyandu_a.pk]
    )
    assert client.get(reverse("children:edit", args=[child.pk])).status_code == 404
    client.force_login(bidan_of(city.puskesmas_b, username="bidan_anggrek"))
    page = client.get(reverse("children:transfer", args=[child.pk])).content.decode()
    assert "Posyandu Melati" in page and "Posyandu Anggrek" in page  # history section
    client.force_login(kader_of(city.posyandu_b))
    assert client.get(reverse("measurements:child", args=[child.pk])).status_code == 200


@pytest.mark.django_db
def test_a_transfer_of_a_child_changed_meanwhile_is_refused(client, city, child):
    client.force_login(bidan_of(city.puskesmas_a))
    stale = child.version
    client.post(
        reverse("children:status", args=[child.pk]),
        {"status": "aktif", "on": "01/02/2025", "version": stale},
    )
    response = client.post(
        reverse("children:transfer", args=[child.pk]),
        {"to_posyandu": city.posyandu_b.pk, "on": "05/02/2025", "version": stale},
        follow=True,
    )
    assert "baru saja diubah orang lain" in response.content.decode()
    child.refresh_from_db()
    assert child.posyandu == city.posyandu_a


@pytest.mark.django_db
def test_transfer_targets_are_the_posyandu_of_the_same_city(client, city, child):
    client.force_login(bidan_of(city.puskesmas_a))

    body = client.get(reverse("children:transfer", args=[child.pk])).content.decode()
    assert "Posyandu Anggrek" in body
    assert "Posyandu Kenanga" in body
    assert "Posyandu Samarinda" not in body

    response = client.post(
        reverse("children:transfer", args=[child.pk]),
        {"to_posyandu": city.other_kota_posyandu.pk, "on": "05/02/2025", "version": 1},
    )
    assert "Posyandu tujuan harus di kota yang sama." in response.content.decode()
    child.refresh_from_db()
    assert child.posyandu == city.posyandu_a


@pytest.mark.django_db
def test_transfer_date_in_the_future_is_refused(client, city, child):
    client.force_login(bidan_of(city.puskesmas_a))
    response = client.post(
        reverse("children:transfer", args=[child.pk]),
        {
            "to_posyandu": city.posyandu_b.pk,
            "on": "01/01/2999",
            "reason": "pindah rumah",
            "version": child.version,
        },
    )
    body = response.content.decode()
    assert "Tanggal pindah tidak boleh di masa depan." in body
    assert 'value="pindah rumah"' in body
    assert Child.objects.get(pk=child.pk).posyandu == city.posyandu_a
