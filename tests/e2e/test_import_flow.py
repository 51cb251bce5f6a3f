"""The e-PPGBM import in the browser: a Puskesmas uploads a file with one bad line,
reads the line Excel shows and why, uploads the fixed file, sees what the import
will do (nothing saved yet), confirms, and finds the children in the register.
The check and the import run in the server's background thread while the page
polls its progress.

Saves docs/screenshots/import-bad-lines.png, import-check-phone.png and import-done.png.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from posyandu.children.models import Child
from tests.e2e.conftest import OVERFLOW, PHONE, with_password
from tests.e2e.test_campaign_flow import DESKTOP, follow, log_in
from tests.exchange.test_eppgbm_import import _quirky_rows, _row, _xlsx
from tests.factories import UserFactory, make_city

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_puskesmas_checks_fixes_and_imports_an_eppgbm_file(
    browser: Any, live_server: Any, screenshots: Path, tmp_path: Path
) -> None:
    city = make_city()
    with_password(UserFactory(username="pkm_impor", role="puskesmas", puskesmas=city.puskesmas_a))
    rows = _quirky_rows(city)
    bad_file = tmp_path / "posyandu-melati.xlsx"
    bad_file.write_bytes(
        _xlsx([*rows[:2], _row(Nama="Rani", Posyandu="Posyandu Melatti"), *rows[2:]])
    )
    good_file = tmp_path / "posyandu-melati-perbaikan.xlsx"
    good_file.write_bytes(_xlsx(rows))

    page = browser.new_page(viewport=DESKTOP)
    log_in(page, live_server.url, "pkm_impor")
    follow(page, page.get_by_role("link", name="Impor"))
    page.set_input_files("input[type=file]", str(bad_file))
    follow(page, page.get_by_role("button", name="Periksa berkas"))
    expect(page.get_by_role("alert")).to_contain_text("1 baris salah", timeout=20_000)
    table = page.locator("table", has_text="Masalah")  # the bad lines
    expect(table).to_contain_text("4")  # header on line 1: the third data row is line 4
    expect(table).to_contain_text("Posyandu Melatti tidak ada di Bontang Kuala")
    expect(table).to_contain_text("Posyandu Melati")
    assert Child.objects.count() == 0
    assert page.evaluate(OVERFLOW)["wide"] == []
    page.screenshot(path=str(screenshots / "import-bad-lines.png"), full_page=True)

    follow(page, page.get_by_role("link", name="Impor e-PPGBM"))
    page.set_input_files("input[type=file]", str(good_file))
    follow(page, page.get_by_role("button", name="Periksa berkas"))
    expect(page.get_by_role("button", name="Impor sekarang")).to_be_visible(timeout=20_000)
    expect(page.locator("main")).to_contain_text("Anak baru yang akan didaftarkan")
    # The children it will create, and the note on the NIK it will not use.
    expect(page.locator("main")).to_contain_text("Bayu Saputra")
    expect(page.locator("main")).to_contain_text("NIK dalam notasi ilmiah")
    assert Child.objects.count() == 0
    page.set_viewport_size(PHONE)
    assert page.evaluate(OVERFLOW)["wide"] == []
    page.screenshot(path=str(screenshots / "import-check-phone.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
    follow(page, page.get_by_role("button", name="Impor sekarang"))
    expect(page.get_by_role("status")).to_contain_text("Sudah diimpor", timeout=20_000)
    expect(page.locator("main")).to_contain_text("Pengukuran disimpan")
    page.screenshot(path=str(screenshots / "import-done.png"), full_page=True)
    assert Child.objects.count() == 3

    page.goto(live_server.url + reverse("children:list") + "?q=Putri")
    expect(page.locator("main")).to_contain_text("Putri Ayu")
    page.close()
