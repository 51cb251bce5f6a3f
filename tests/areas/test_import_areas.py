from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from posyandu.accounts.models import Role
from posyandu.areas.importer import import_areas
from posyandu.areas.models import Kecamatan, Kelurahan, Kota, Posyandu, Puskesmas
from tests.factories import UserFactory

GOOD_CSV = """level,code,name,parent_code,kelurahan_codes,puskesmas_code
posyandu,PSY-001,Posyandu Melati,64.74.01.1001,,PKM-BU1
kota,64.74,Bontang,,,
kecamatan,64.74.01,Bontang Utara,64.74,,
kelurahan,64.74.01.1001,Bontang Kuala,64.74.01,,
kelurahan,64.74.01.1002,Bontang Baru,64.74.01,,
puskesmas,PKM-BU1,Puskesmas Bontang Utara I,64.74,64.74.01.1001;64.74.01.1002,
"""


@pytest.mark.django_db
def test_import_creates_every_level_whatever_the_line_order():
    report = import_areas(GOOD_CSV)

    assert report.ok, report.errors
    assert Kota.objects.get(code="64.74").name == "Bontang"
    assert Kecamatan.objects.get(code="64.74.01").kota.code == "64.74"
    assert sorted(
        Puskesmas.objects.get(code="PKM-BU1").kelurahan.values_list("code", flat=True)
    ) == ["64.74.01.1001", "64.74.01.1002"]
    posyandu = Posyandu.objects.get(code="PSY-001")
    assert posyandu.kelurahan.name == "Bontang Kuala"
    assert posyandu.puskesmas.code == "PKM-BU1"
    assert report.created["kelurahan"] == 2


@pytest.mark.django_db
def test_a_second_import_of_the_same_file_changes_nothing_and_updates_by_code():
    import_areas(GOOD_CSV)
    again = import_areas(GOOD_CSV)
    assert again.ok
    assert sum(again.created.values()) == 0
    assert sum(again.updated.values()) == 0
    assert again.unchanged["kelurahan"] == 2

    renamed = import_areas(GOOD_CSV.replace("Posyandu Melati", "Posyandu Melati Indah"))
    assert renamed.updated["posyandu"] == 1
    assert Posyandu.objects.get(code="PSY-001").name == "Posyandu Melati Indah"
    assert Posyandu.objects.count() == 1


@pytest.mark.django_db
def test_one_bad_line_imports_nothing_and_every_bad_line_is_reported_with_its_number():
    csv_text = (
        "level,code,name,parent_code,kelurahan_codes,puskesmas_code\n"
        "kota,64.74,Bontang,,,\n"  # line 2: fine
        "kecamatan,64.74.01,Bontang Utara,64.74,,\n"  # line 3: fine
        "desa,64.74.01.2001,Salah Level,64.74.01,,\n"  # line 4: unknown level
        "kelurahan,64.74.01.1001,,64.74.01,,\n"  # line 5: no name
        "kelurahan,64.74.01.1002,Bontang Baru,64.74.09,,\n"  # line 6: unknown parent
        "posyandu,PSY-001,Posyandu Melati,64.74.01.1002,,PKM-NONE\n"  # line 7: unknown pkm
    )

    report = import_areas(csv_text)

    assert not report.ok
    assert [e.line for e in report.errors] == [4, 5, 6, 7]
    assert "desa" in report.errors[0].message
    assert "nama wajib diisi" in report.errors[1].message
    assert "64.74.09" in report.errors[2].message
    assert "PKM-NONE" in report.errors[3].message or "64.74.01.1002" in report.errors[3].message
    assert Kota.objects.count() == 0
    assert Kecamatan.objects.count() == 0


@pytest.mark.django_db
def test_codes_must_follow_their_parent_and_the_kemendagri_shape():
    csv_text = (
        "level,code,name,parent_code\n"
        "kota,64.74,Bontang,\n"
        "kecamatan,64.72.01,Palaran,64.74\n"
        "kelurahan,64.74.01,Terlalu Pendek,64.72.01\n"
    )

    report = import_areas(csv_text)

    assert [e.line for e in report.errors] == [3, 4]
    assert "tidak diawali kode induknya 64.74" in report.errors[0].message
    assert "4 bagian" in report.errors[1].message


@pytest.mark.django_db
def test_a_file_without_the_required_columns_is_refused_on_line_one():
    report = import_areas("kode,nama\n64.74,Bontang\n")
    assert [e.line for e in report.errors] == [1]
    assert "level" in report.errors[0].message


@pytest.mark.django_db
def test_the_same_code_twice_in_one_file_is_an_error_naming_both_lines():
    csv_text = "level,code,name,parent_code\nkota,64.74,Bontang,\nkota,64.74,Bontang Lagi,\n"
    report = import_areas(csv_text)
    assert [(e.line, "baris 2" in e.message) for e in report.errors] == [(3, True)]


@pytest.mark.django_db
def test_import_areas_command_saves_a_good_file(tmp_path):
    path = tmp_path / "wilayah.csv"
    path.write_text(GOOD_CSV, encoding="utf-8")
    out = io.StringIO()

    call_command("import_areas", str(path), stdout=out)

    assert Posyandu.objects.filter(code="PSY-001").exists()
    assert "posyandu: 1 baru" in out.getvalue()


@pytest.mark.django_db
def test_import_areas_command_fails_and_lists_bad_lines(tmp_path):
    path = tmp_path / "wilayah.csv"
    path.write_text("level,code,name,parent_code\nkota,64.74,Bontang,\nkota,,Tanpa Kode,\n")
    err = io.StringIO()

    with pytest.raises(CommandError, match="1 bad line"):
        call_command("import_areas", str(path), stderr=err)

    assert "baris 3: kode wajib diisi" in err.getvalue()
    assert Kota.objects.count() == 0


@pytest.mark.django_db
def test_dry_run_checks_without_saving():
    report = import_areas(GOOD_CSV, dry_run=True)
    assert report.ok
    assert report.created["posyandu"] == 1
    assert Posyandu.objects.count() == 0
    assert Kelurahan.objects.count() == 0


@pytest.mark.django_db
def test_admin_can_upload_the_csv_on_the_web(client):
    client.force_login(UserFactory(role=Role.ADMIN))
    upload = SimpleUploadedFile("wilayah.csv", GOOD_CSV.encode("utf-8"), "text/csv")

    response = client.post(reverse("administration:area_import"), {"file": upload}, follow=True)

    assert response.status_code == 200
    assert Posyandu.objects.get(code="PSY-001").name == "Posyandu Melati"
    assert "Impor berhasil" in response.content.decode()


@pytest.mark.django_db
def test_web_upload_shows_bad_lines_and_saves_nothing(client):
    client.force_login(UserFactory(role=Role.ADMIN))
    bad = "level,code,name,parent_code\nkota,64.74,Bontang,\nkecamatan,64.74.01,Utara,99.99\n"
    upload = SimpleUploadedFile("wilayah.csv", bad.encode("utf-8"), "text/csv")

    response = client.post(reverse("administration:area_import"), {"file": upload})

    body = response.content.decode()
    assert "baris 3" in body
    assert "99.99" in body
    assert Kota.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.KADER, Role.BIDAN, Role.PUSKESMAS, Role.DINKES])
def test_only_admins_see_the_upload_page(client, city, role):
    area = {
        Role.KADER: {"posyandu": city.posyandu_a},
        Role.BIDAN: {"puskesmas": city.puskesmas_a},
        Role.PUSKESMAS: {"puskesmas": city.puskesmas_a},
        Role.DINKES: {"kota": city.kota},
    }[role]
    client.force_login(UserFactory(role=role, **area))
    assert client.get(reverse("administration:area_import")).status_code == 404


@pytest.mark.django_db
def test_model_validation_errors_are_reported_with_the_field_name():
    long_name = "X" * 150
    report = import_areas(f"level,code,name,parent_code\nkota,64.74,{long_name},\n")
    assert [e.line for e in report.errors] == [2]
    assert report.errors[0].message.startswith("name: ")
    assert Kota.objects.count() == 0
