from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from posyandu.children.models import Child, Sex
from posyandu.core.models import AuditLog
from tests.factories import ChildFactory, kader_of

NEW = "children:new"


def form_data(posyandu, **overrides):
    data = {
        "posyandu": posyandu.pk,
        "name": "Ahmad Fauzi",
        "sex": "1",
        "birth_date": "15/03/2024",
        "birth_weight_kg": "3,2",
        "birth_length_cm": "49,5",
        "nik": "",
        "mother_name": "Siti Aminah",
        "mother_nik": "",
        "father_name": "Rudi",
        "phone": "081234567890",
        "address": "Jl. Mulawarman 12",
        "rt": "004",
        "rw": "002",
        "kelurahan": "",
        "has_kia_book": "on",
    }
    data.update(overrides)
    return data


@pytest.fixture
def kader(city):
    return kader_of(city.posyandu_a)


@pytest.fixture
def kader_client(client, kader):
    client.force_login(kader)
    return client


@pytest.mark.django_db
def test_kader_registers_a_child_with_comma_decimals_and_dd_mm_yyyy(kader_client, city):
    response = kader_client.post(reverse(NEW), form_data(city.posyandu_a))

    child = Child.objects.get(name="Ahmad Fauzi")
    assert response.status_code == 302
    assert response["Location"] == reverse("measurements:child", args=[child.pk])
    assert child.birth_date == dt.date(2024, 3, 15)
    assert str(child.birth_weight_kg) == "3.20"
    assert str(child.birth_length_cm) == "49.5"
    assert child.sex == Sex.MALE
    assert child.posyandu == city.posyandu_a
    assert child.kelurahan == city.posyandu_a.kelurahan
    assert child.has_kia_book is True
    assert child.created_by.posyandu == city.posyandu_a
    assert AuditLog.objects.filter(object_id=str(child.pk), action="create").count() == 1


@pytest.mark.django_db
def test_iso_dates_are_accepted_too(kader_client, city):
    kader_client.post(reverse(NEW), form_data(city.posyandu_a, birth_date="2024-03-15"))
    assert Child.objects.get(name="Ahmad Fauzi").birth_date == dt.date(2024, 3, 15)


@pytest.mark.django_db
def test_the_register_form_preselects_the_posyandu_from_the_link(client, city):
    from tests.factories import bidan_of

    client.force_login(bidan_of(city.puskesmas_a))
    body = client.get(reverse(NEW), {"posyandu": city.posyandu_a2.pk}).content.decode()
    assert f'<option value="{city.posyandu_a2.pk}" selected>' in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("birth_weight_kg", "tiga", "Isi dengan angka saja, misalnya 3,2."),
        ("birth_weight_kg", "99", "99 kg tidak mungkin; isi antara 0,4 dan 6,5 kg."),
        ("birth_length_cm", "5", "5 cm tidak mungkin; isi antara 25 dan 65 cm."),
        ("birth_date", "31/02/2024", "Tanggal tidak dikenali. Tulis hari/bulan/tahun"),
        ("birth_date", "kemarin", "Tanggal tidak dikenali."),
        ("birth_date", "", "Tanggal lahir wajib diisi."),
        ("name", "", "Nama anak wajib diisi."),
        ("mother_name", "", "Nama ibu wajib diisi."),
        ("rt", "4a", "RT hanya berisi angka."),
        ("nik", "6474 0115 0324 00011", "NIK paling banyak 16 angka (tertulis 17)."),
    ],
)
def test_bad_input_gives_an_indonesian_message_and_keeps_what_was_typed(
    kader_client, city, field, typed, message
):
    response = kader_client.post(reverse(NEW), form_data(city.posyandu_a, **{field: typed}))

    body = response.content.decode()
    assert response.status_code == 200
    assert message in body
    assert not Child.objects.exists()
    # Everything else typed is still in the form.
    assert 'value="Ahmad Fauzi"' in body or field == "name"
    assert 'value="Siti Aminah"' in body or field == "mother_name"
    assert 'value="Jl. Mulawarman 12"' in body
    assert 'value="081234567890"' in body
    if field != "birth_date":
        assert 'value="15/03/2024"' in body
    if typed:
        assert f'value="{typed}"' in body


@pytest.mark.django_db
def test_a_birth_date_in_the_future_is_refused(kader_client, city):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = kader_client.post(
        reverse(NEW), form_data(city.posyandu_a, birth_date=tomorrow.strftime("%d/%m/%Y"))
    )
    assert "Tanggal lahir tidak boleh di masa depan." in response.content.decode()
    assert not Child.objects.exists()


@pytest.mark.django_db
def test_a_child_older_than_five_years_is_refused_with_a_hint(kader_client, city):
    response = kader_client.post(reverse(NEW), form_data(city.posyandu_a, birth_date="15/03/2014"))
    assert "sudah 60 bulan atau lebih" in response.content.decode()


@pytest.mark.django_db
def test_nik_mismatch_is_a_warning_not_a_block(kader_client, city):
    # Region 6474 (Bontang), born 15/03/24 as a girl (day 55) while the form says boy.
    response = kader_client.post(
        reverse(NEW), form_data(city.posyandu_a, nik="6474015503240001"), follow=True
    )

    child = Child.objects.get(name="Ahmad Fauzi")
    assert child.nik == "6474015503240001"
    body = response.content.decode()
    assert "Jenis kelamin tidak cocok dengan NIK" in body


@pytest.mark.django_db
def test_a_short_nik_is_saved_with_a_warning(kader_client, city):
    response = kader_client.post(
        reverse(NEW), form_data(city.posyandu_a, nik="6474-0115"), follow=True
    )
    assert Child.objects.get(name="Ahmad Fauzi").nik == "64740115"
    assert "NIK harus 16 angka (sekarang 8 karakter)." in response.content.decode()


@pytest.mark.django_db
def test_same_nik_in_own_area_shows_the_existing_child_and_creates_nothing(kader_client, city):
    existing = ChildFactory(
        name="Ahmad F.",
        nik="6474011503240001",
        birth_date=dt.date(2024, 3, 15),
        mother_name="Siti A.",
        posyandu=city.posyandu_a,
    )

    response = kader_client.post(
        reverse(NEW), form_data(city.posyandu_a, nik="6474 0115 0324 0001")
    )

    body = response.content.decode()
    assert "Mungkin anak ini sudah terdaftar" in body
    assert "Ahmad F." in body
    assert "Siti A." in body
    assert reverse("measurements:child", args=[existing.pk]) in body
    assert "Ini anak yang berbeda, tetap daftarkan" in body
    assert Child.objects.count() == 1
    # The warning masks the stored NIK as the child page does (UU PDP).
    assert "NIK ••••••••••••0001" in body
    assert "6474011503240001" not in body


@pytest.mark.django_db
def test_same_name_birth_date_and_mother_ignoring_case_and_spaces_is_a_duplicate(
    kader_client, city
):
    ChildFactory(
        name="Ahmad Fauzi",
        birth_date=dt.date(2024, 3, 15),
        mother_name="SITI AMINAH",
        posyandu=city.posyandu_a,
    )

    response = kader_client.post(
        reverse(NEW),
        form_data(city.posyandu_a, name="  ahmad   FAUZI ", mother_name="siti aminah"),
    )

    assert "Mungkin anak ini sudah terdaftar" in response.content.decode()
    assert Child.objects.count() == 1


@pytest.mark.django_db
def test_ticking_different_child_registers_anyway(kader_client, city):
    ChildFactory(
        name="Ahmad Fauzi",
        birth_date=dt.date(2024, 3, 15),
        mother_name="Siti Aminah",
        posyandu=city.posyandu_a,
    )

    response = kader_client.post(reverse(NEW), form_data(city.posyandu_a, confirm_different="on"))

    assert response.status_code == 302
    assert Child.objects.filter(name="Ahmad Fauzi").count() == 2


@pytest.mark.django_db
def test_a_duplicate_nik_outside_the_area_does_not_say_where_the_child_is(
    kader_client, city, kader
):
    other = ChildFactory(
        name="Ahmad Fauzi",
        nik="6474011503240001",
        birth_date=dt.date(2024, 3, 15),
        mother_name="Siti Rahmawati",
        father_name="Pak Rahasia",
        address="Jl. Rahasia 9",
        posyandu=city.posyandu_b,
    )

    response = kader_client.post(
        reverse(NEW), form_data(city.posyandu_a, nik="6474011503240001", mother_name="Siti A")
    )

    body = response.content.decode()
    assert "Anak dengan NIK yang sama sudah terdaftar di Posyandu lain." in body
    assert "minta Puskesmas Anda (bidan atau tenaga gizi) untuk mengurus perpindahannya" in body
    for secret in ("Posyandu Anggrek", "Puskesmas Bontang Selatan I", "Bontang Selatan"):
        assert secret not in body
    assert "Siti Rahmawati" not in body
    assert "Jl. Rahasia 9" not in body
    assert Child.objects.count() == 1
    probe = AuditLog.objects.get(object_type="children.child", object_id=str(other.pk))
    assert (probe.action, probe.user, probe.changes) == ("view", kader, {"duplicate_check": "nik"})
    assert probe.kota_id == city.kota.pk


@pytest.mark.django_db
def test_a_same_name_duplicate_outside_the_area_is_vague_and_audited(kader_client, city, kader):
    other = ChildFactory(
        name="Ahmad Fauzi",
        birth_date=dt.date(2024, 3, 15),
        mother_name="Siti Aminah",
        posyandu=city.other_kota_posyandu,
    )

    body = kader_client.post(reverse(NEW), form_data(city.posyandu_a)).content.decode()

    assert (
        "Anak dengan nama, tanggal lahir dan nama ibu yang sama sudah terdaftar di Posyandu lain."
        in body
    )
    assert "Posyandu Samarinda" not in body
    assert city.other_kota_posyandu.puskesmas.name not in body
    probe = AuditLog.objects.get(object_type="children.child", object_id=str(other.pk))
    assert (probe.action, probe.user, probe.changes) == ("view", kader, {"duplicate_check": "name"})


@pytest.mark.django_db
def test_a_duplicate_inside_the_area_is_shown_without_a_probe_record(kader_client, city):
    ChildFactory(
        name="Ahmad Fauzi",
        birth_date=dt.date(2024, 3, 15),
        mother_name="Siti Aminah",
        posyandu=city.posyandu_a,
    )

    body = kader_client.post(reverse(NEW), form_data(city.posyandu_a)).content.decode()

    assert "Posyandu Melati" in body
    assert "sudah terdaftar di Posyandu lain" not in body
    assert not AuditLog.objects.filter(changes__has_key="duplicate_check").exists()


@pytest.mark.django_db
def test_a_died_child_is_not_offered_as_a_duplicate(kader_client, city):
    ChildFactory(
        name="Ahmad Fauzi",
        birth_date=dt.date(2024, 3, 15),
        mother_name="Siti Aminah",
        posyandu=city.posyandu_a,
        status="meninggal",
    )
    response = kader_client.post(reverse(NEW), form_data(city.posyandu_a))
    assert response.status_code == 302
