"""Files that are not CSV at all: one clear line in the report, nothing saved, no 500."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from posyandu.accounts.models import Role
from posyandu.areas.importer import import_areas
from posyandu.areas.models import Kota
from tests.factories import UserFactory

IMPORT_PAGE = "administration:area_import"
HEADER = "level,code,name,parent_code\n"
NOT_CSV = "bukan teks CSV"
TOO_LONG = "lebih dari 128 KB"


def _xlsx_like() -> bytes:
    """A zip archive, as an .xlsx saved by mistake instead of a CSV is."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>" * 50)
    return buffer.getvalue()


BINARY_FILES = {
    # 0x81 is undefined in cp1252 too: this crashed decode_csv with UnicodeDecodeError.
    "every byte value": bytes(range(256)) * 8,
    "xlsx (zip)": _xlsx_like(),
    "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64),
    "csv with NUL bytes": (HEADER + "kota,64.74,Bon\x00tang,\n").encode(),
}
# An unclosed quote swallows the rest of the file into one field; over the csv
# module's 128 KB field limit this crashed with _csv.Error.
HUGE_FIELD = (HEADER + 'kota,64.74,"' + "x" * 140_000 + '",\n').encode()
UNCLOSED_QUOTE = HEADER + 'kota,64.74,"Bontang,\n' + "kecamatan,64.74.01,Utara,64.74\n" * 5000


@pytest.mark.django_db
@pytest.mark.parametrize("data", BINARY_FILES.values(), ids=BINARY_FILES.keys())
def test_a_binary_file_gets_one_clear_error_and_imports_nothing(data):
    report = import_areas(data)

    assert not report.ok
    assert len(report.errors) == 1
    error = str(report.errors[0])
    assert error.startswith("baris 1: ")
    assert NOT_CSV in error
    assert "\n" not in error
    assert Kota.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("data", [HUGE_FIELD, UNCLOSED_QUOTE], ids=["140 KB field", "open quote"])
def test_a_field_over_the_csv_limit_gets_one_clear_error_and_imports_nothing(data):
    report = import_areas(data)

    assert len(report.errors) == 1
    assert TOO_LONG in report.errors[0].message
    assert "\n" not in str(report.errors[0])
    assert Kota.objects.count() == 0


@pytest.mark.django_db
def test_a_huge_header_field_is_reported_on_line_one():
    report = import_areas('"' + "level" * 30_000 + '"\n')
    assert [(e.line, TOO_LONG in e.message) for e in report.errors] == [(1, True)]


@pytest.mark.django_db
def test_a_utf16_csv_from_excel_is_read_not_refused_as_binary():
    text = "level\tcode\tname\tparent_code\r\nkota\t64.74\tBontang\t\r\n"
    report = import_areas(text.encode("utf-16"))
    assert report.ok, report.errors
    assert Kota.objects.get(code="64.74").name == "Bontang"


@pytest.mark.django_db
def test_the_command_refuses_a_binary_file_with_a_message_not_a_traceback(tmp_path):
    path = tmp_path / "wilayah.xlsx"
    path.write_bytes(BINARY_FILES["every byte value"])
    err = io.StringIO()

    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_areas", str(path), stderr=err)

    assert NOT_CSV in err.getvalue()
    assert Kota.objects.count() == 0


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(role=Role.ADMIN))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [(BINARY_FILES["every byte value"], NOT_CSV), (HUGE_FIELD, TOO_LONG)],
    ids=["binary", "140 KB field"],
)
def test_the_upload_page_shows_the_error_instead_of_a_server_error(admin_client, data, message):
    upload = SimpleUploadedFile("wilayah.csv", data, "text/csv")

    response = admin_client.post(reverse(IMPORT_PAGE), {"file": upload})

    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert "tidak ada yang disimpan" in body
    assert Kota.objects.count() == 0
