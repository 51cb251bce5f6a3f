"""Logins from a CSV: every bad line with its number, all or nothing, a printable list."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from posyandu.accounts.bulk import import_logins
from posyandu.accounts.models import Role, User
from posyandu.accounts.scope import Scope
from posyandu.core.models import AuditAction, AuditLog
from tests.factories import City, UserFactory, kader_of

pytestmark = pytest.mark.django_db

HEADER = "username,first_name,last_name,role,area_code\n"


def manager(city: City) -> User:
    return UserFactory(username="pkm-utara", role=Role.PUSKESMAS, puskesmas=city.puskesmas_a)


def test_a_good_file_creates_every_login_with_its_area(city: City) -> None:
    text = HEADER + "siti.m,Siti,Aminah,kader,PSY-A\nrina.b,Rina,Wati,bidan,PKM-BU\n"

    result = import_logins(Scope.of(manager(city)), text.encode(), file_name="kader.csv")

    assert result.ok, result.errors
    assert [c.user.username for c in result.created] == ["siti.m", "rina.b"]
    siti, rina = (User.objects.get(username=u) for u in ("siti.m", "rina.b"))
    assert siti.posyandu == city.posyandu_a and rina.puskesmas == city.puskesmas_a
    assert siti.must_change_password and rina.must_change_password
    assert len({c.password for c in result.created}) == 2
    assert AuditLog.objects.filter(action=AuditAction.CREATE).count() == 2
    summary = AuditLog.objects.get(action=AuditAction.IMPORT)
    assert summary.changes == {"file": "kader.csv", "rows": 2}


def test_every_bad_line_is_reported_with_its_number_and_nothing_is_created(city: City) -> None:
    kader_of(city.posyandu_a, username="sudah.ada")
    text = (
        HEADER
        + "baik.satu,Baik,Satu,kader,PSY-A\n"  # line 2: fine
        + "sudah.ada,Sudah,Ada,kader,PSY-A\n"  # line 3: username taken
        + "luar,Luar,Wilayah,kader,PSY-B\n"  # line 4: Posyandu of another Puskesmas
        + "naik,Naik,Pangkat,dinkes,64.74\n"  # line 5: a Puskesmas may not make Dinkes
        + "\n"  # line 6: empty, skipped
        + "baik.satu,Dua,Kali,kader,PSY-A2\n"  # line 7: same username as line 2
        + "ada spasi,Spasi,,kader,PSY-A\n"  # line 8: invalid username
        + "tanpa.nama,,,kader,PSY-A\n"  # line 9: no first name
        + "peran,Salah,,perawat,PSY-A\n"  # line 10: unknown role
    )

    result = import_logins(Scope.of(manager(city)), text.encode("utf-8-sig"))

    assert [e.line for e in result.errors] == [3, 4, 5, 7, 8, 9, 10]
    by_line = {e.line: e.message for e in result.errors}
    assert "sudah.ada" in by_line[3]
    assert "PSY-B" in by_line[4]
    assert by_line[5].startswith("role:")
    assert "baris 2" in by_line[7]
    assert by_line[8].startswith("username:")
    assert by_line[9].startswith("first_name:")
    assert "perawat" in by_line[10]
    assert not User.objects.filter(username="baik.satu").exists()
    assert not AuditLog.objects.exists()


def test_semicolons_and_header_case_and_order_are_accepted(city: City) -> None:
    text = "Role;AREA_CODE;Username;First_Name;Last_Name\nkader;PSY-A2;ani;Ani;Lestari\n"

    result = import_logins(Scope.of(manager(city)), text.encode("cp1252"))

    assert result.ok, result.errors
    assert User.objects.get(username="ani").posyandu == city.posyandu_a2


def test_a_missing_column_is_named_on_line_1(city: City) -> None:
    result = import_logins(Scope.of(manager(city)), b"username,role\nani,kader\n")

    assert [e.line for e in result.errors] == [1]
    assert "first_name" in result.errors[0].message and "area_code" in result.errors[0].message


def test_the_upload_page_prints_the_first_passwords_once(city: City) -> None:
    client = Client()
    client.force_login(manager(city))
    upload = SimpleUploadedFile(
        "kader.csv", (HEADER + "dewi.k,Dewi,Kartika,kader,PSY-A\n").encode(), "text/csv"
    )

    response = client.post(reverse("accounts:users_import"), {"file": upload})

    html = response.content.decode()
    assert response.status_code == 200
    assert "dewi.k" in html and "data-print" in html and "Posyandu Melati" in html
    dewi = User.objects.get(username="dewi.k")
    shown = html.split('<code class="password">')[1].split("</code>")[0]
    assert dewi.check_password(shown)


def test_a_bad_upload_page_lists_the_lines(city: City) -> None:
    client = Client()
    client.force_login(manager(city))
    upload = SimpleUploadedFile(
        "kader.csv", (HEADER + "x,X,,kader,PSY-X-TIDAK-ADA\n").encode(), "text/csv"
    )

    html = client.post(reverse("accounts:users_import"), {"file": upload}).content.decode()

    assert "baris 2" in html and "PSY-X-TIDAK-ADA" in html
    assert not User.objects.filter(username="x").exists()
