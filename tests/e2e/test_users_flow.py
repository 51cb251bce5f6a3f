"""User management in the browser: a Puskesmas creates a kader's login and prints
its first password; the kader logs in on a 360 px phone, must choose a password
of their own before anything else, then reaches their Posyandu; the Dinkes reads
both steps in the audit log, in words.

Saves docs/screenshots/users-list.png, users-first-password.png,
users-first-password-print.png, users-forced-change.png and audit-log.png.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from posyandu.accounts.models import User
from posyandu.children.services import ChildData, update_child
from tests.e2e.conftest import OVERFLOW, PHONE, with_password
from tests.e2e.test_campaign_flow import A4, DESKTOP, follow, log_in
from tests.factories import ChildFactory, UserFactory, bidan_of, kader_of, make_city

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "timbangan-melati-2026"


def test_a_puskesmas_creates_a_kader_login_and_the_kader_changes_it_at_first_login(
    browser: Any, live_server: Any, screenshots: Path, tmp_path: Path
) -> None:
    city = make_city()
    with_password(UserFactory(username="pkm_utara", role="puskesmas", puskesmas=city.puskesmas_a))
    with_password(UserFactory(username="dinkes_kota", role="dinkes", kota=city.kota))
    for n, name in enumerate(("Ani Lestari", "Budi Santoso", "Cici Rahma")):
        first, last = name.split()
        kader_of(
            city.posyandu_a if n % 2 else city.posyandu_a2,
            username=f"kader-{first.lower()}",
            first_name=first,
            last_name=last,
        )

    page = browser.new_page(viewport=DESKTOP)
    log_in(page, live_server.url, "pkm_utara")
    follow(page, page.locator("nav").get_by_role("link", name="Pengguna"))
    expect(page.locator("main")).to_contain_text("3 login")
    assert page.evaluate(OVERFLOW)["wide"] == []
    page.screenshot(path=str(screenshots / "users-list.png"), full_page=True)

    follow(page, page.get_by_role("link", name="Buat login", exact=True))
    follow(page, page.locator("main").get_by_role("link", name="Kader"))
    page.fill("input[name=username]", "siti.melati")
    page.fill("input[name=first_name]", "Siti")
    page.fill("input[name=last_name]", "Aminah")
    page.select_option("select[name=area]", label="Posyandu Melati")
    follow(page, page.locator("main").get_by_role("button", name="Buat login"))
    expect(page.locator("main")).to_contain_text("Login baru dibuat")
    first_password = page.locator("code.password").inner_text().strip()
    assert User.objects.get(username="siti.melati").check_password(first_password)
    page.screenshot(path=str(screenshots / "users-first-password.png"), full_page=True)
    page.set_viewport_size(A4)
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Cetak (A4)")).to_be_hidden()
    page.screenshot(path=str(screenshots / "users-first-password-print.png"), full_page=True)
    page.close()

    phone = browser.new_page(viewport=PHONE)
    phone.goto(live_server.url + reverse("accounts:login"))
    phone.fill("input[name=username]", "siti.melati")
    phone.fill("input[name=password]", first_password)
    follow(phone, "main button[type=submit]")
    assert reverse("accounts:password_change") in phone.url
    expect(phone.locator("h1")).to_have_text("Buat sandi Anda sendiri")
    # Any other page leads back to the form until the password is changed.
    phone.goto(live_server.url + reverse("children:list"))
    assert reverse("accounts:password_change") in phone.url
    assert phone.evaluate(OVERFLOW)["wide"] == []
    phone.screenshot(path=str(screenshots / "users-forced-change.png"), full_page=True)
    phone.fill("input[name=new_password1]", NEW_PASSWORD)
    phone.fill("input[name=new_password2]", NEW_PASSWORD)
    follow(phone, phone.locator("main").get_by_role("button", name="Simpan sandi baru"))
    assert phone.url.endswith(reverse("children:list")), phone.url
    expect(phone.locator(".messages")).to_contain_text("Sandi baru Anda tersimpan")
    kader = User.objects.get(username="siti.melati")
    assert not kader.must_change_password and kader.check_password(NEW_PASSWORD)
    phone.close()

    # A bidan corrects a child's data: the log names the child and says what changed.
    bidan = bidan_of(city.puskesmas_a, username="bidan_rina")
    child = ChildFactory(name="Aisyah Melaty", posyandu=city.posyandu_a)
    update_child(
        user=bidan,
        child=child,
        version=child.version,
        data=replace(ChildData.of(child), name="Aisyah Melati", birth_weight_kg=Decimal("3.25")),
    )

    desk = browser.new_page(viewport=DESKTOP)
    log_in(desk, live_server.url, "dinkes_kota")
    follow(desk, desk.locator("nav").get_by_role("link", name="Audit"))
    desk.fill("input[name=pengguna]", "siti")
    follow(desk, desk.get_by_role("button", name="Saring"))
    main = desk.locator("main")
    expect(main).to_contain_text("diganti oleh pemiliknya")
    desk.goto(live_server.url + reverse("administration:audit"))
    expect(main).to_contain_text("Posyandu: — → Posyandu Melati")
    expect(main).to_contain_text("sandi pertama dibuat")
    expect(main).not_to_contain_text("accounts.user")
    expect(main).to_contain_text("Nama anak: Aisyah Melaty → Aisyah Melati")
    expect(main).to_contain_text("Berat lahir (kg): — → 3,25")
    expect(desk.locator("main a", has_text="Aisyah Melati").first).to_have_attribute(
        "href", reverse("measurements:child", args=[child.pk])
    )
    assert desk.evaluate(OVERFLOW)["wide"] == []
    desk.screenshot(path=str(screenshots / "audit-log.png"), full_page=True)
    # On a phone the wide tables scroll in their own box; nothing else sticks out.
    desk.set_viewport_size(PHONE)
    for name in ("accounts:users", "accounts:user_new", "accounts:users_import"):
        desk.goto(live_server.url + reverse(name) + ("?peran=kader" if "new" in name else ""))
        assert desk.evaluate(OVERFLOW)["wide"] == [], name
        desk.screenshot(path=str(tmp_path / f"{name.split(':')[1]}-phone.png"), full_page=True)
    desk.goto(live_server.url + reverse("accounts:user_detail", args=[kader.pk]))
    expect(desk.locator("main")).to_contain_text("Riwayat akun")
    assert desk.evaluate(OVERFLOW)["wide"] == []
    desk.screenshot(path=str(tmp_path / "user-detail-phone.png"), full_page=True)
    desk.goto(live_server.url + reverse("administration:audit"))
    assert desk.evaluate(OVERFLOW)["wide"] == []
    desk.screenshot(path=str(tmp_path / "audit-phone.png"), full_page=True)
    desk.close()
