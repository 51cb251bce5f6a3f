"""Kader pins in the browser: a bidan records two rounds of skill assessments for a
kader on a phone until the kader is eligible for Purwa, awards the pin and prints
its A4 certificate.

Saves docs/screenshots/kader-assessment.png, kader-profile.png and
kader-certificate.png (with POSYANDU_SCREENSHOTS=1).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from posyandu.cadres.models import PinAward, Skill
from tests.cadres.helpers import make_kader
from tests.e2e.conftest import OVERFLOW, PHONE, with_password
from tests.e2e.test_campaign_flow import follow, log_in
from tests.factories import bidan_of, make_city

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _the_25_skills(transactional_db: None) -> None:
    """The 25 skills are seeded by a data migration; an earlier transactional test
    on this worker flushes every table, so seed them again the same way."""
    if not Skill.objects.exists():
        importlib.import_module("posyandu.cadres.migrations.0004_seed_25_skills").seed(
            django_apps, None
        )


A4_LANDSCAPE = {"width": 1123, "height": 794}  # at 96 dpi


def mark(page: Any, packages: str, result: str) -> int:
    """Choose ``result`` ("1" competent, "0" not yet) for every skill of ``packages``."""
    skills = Skill.objects.filter(package__in=list(packages))
    for skill in skills:
        page.check(f"input[name=skill_{skill.pk}][value='{result}']")
    return skills.count()


def test_a_bidan_assesses_a_kader_to_purwa_awards_the_pin_and_prints_the_certificate(
    browser: Any, live_server: Any, screenshots: Path
) -> None:
    city = make_city()
    kader = make_kader(city.posyandu_a, name="Sri Wahyuni")
    make_kader(city.posyandu_a, name="Ani Lestari")
    with_password(bidan_of(city.puskesmas_a, username="bidan_utara", first_name="Rahma"))
    base = live_server.url
    phone = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="id-ID")
    page = phone.new_page()
    log_in(page, base, "bidan_utara")

    follow(page, "nav a:has-text('Kader')")
    follow(page, "table.kader a:has-text('Sri Wahyuni')")
    expect(page.locator("#kompetensi")).to_contain_text("0 dari 25 keterampilan kompeten")

    # February round: packages A and B, one skill of B not yet.
    follow(page, "a:has-text('Catat uji kompetensi')")
    page.fill("input[name=assessed_on]", "10/02/2025")
    page.select_option("select[name=method]", "praktik")
    assert mark(page, "AB", "1") == 11
    page.check(f"input[name=skill_{Skill.objects.get(code='B7').pk}][value='0']")
    overflow = page.evaluate(OVERFLOW)
    assert overflow["scroll"] <= PHONE["width"], overflow["wide"]
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(screenshots / "kader-assessment.png"), full_page=False)
    follow(page, "button:has-text('Simpan hasil uji')")
    expect(page.locator(".messages")).to_contain_text("11 hasil uji disimpan (10 kompeten)")
    expect(page.locator("#kompetensi")).to_contain_text("masih perlu: B7, D1, D2, D3")
    expect(page.locator("button:has-text('Berikan pin')")).to_have_count(0)

    # August round: B7 again, and package D.
    follow(page, "a:has-text('Catat uji kompetensi')")
    page.fill("input[name=assessed_on]", "12/08/2025")
    page.check(f"input[name=skill_{Skill.objects.get(code='B7').pk}][value='1']")
    assert mark(page, "D", "1") == 3
    follow(page, "button:has-text('Simpan hasil uji')")
    expect(page.locator("#kompetensi")).to_contain_text("14 dari 25 keterampilan kompeten")
    expect(page.locator(".eligible")).to_contain_text("Memenuhi syarat pin Purwa")

    follow(page, "button:has-text('Berikan pin')")
    expect(page.locator(".messages")).to_contain_text("Pin Purwa diberikan kepada Sri Wahyuni.")
    award = PinAward.objects.get(kader=kader)
    assert (award.level, award.awarded_on, award.puskesmas) == (
        "purwa",
        timezone.localdate(),
        city.puskesmas_a,
    )
    # Madya next: the closest other package is E (5 skills) before C (6).
    expect(page.locator("#kompetensi")).to_contain_text("masih perlu: E1, E2, E3, E4, E5")
    page.locator("#kompetensi").scroll_into_view_if_needed()
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(screenshots / "kader-profile.png"), full_page=False)

    follow(page, f"a:has-text('{award.certificate_number}')")
    assert page.url == base + reverse("cadres:certificate", args=[award.pk])
    sheet = page.locator(".sheet")
    expect(sheet).to_contain_text("Sri Wahyuni")
    expect(sheet).to_contain_text("Purwa")
    expect(sheet).to_contain_text("Puskesmas Bontang Utara I")
    expect(sheet).to_contain_text(award.certificate_number)
    expect(sheet).to_contain_text("Rahma")
    # The print button opens the browser's print dialog (replaced by a counter here).
    page.evaluate(
        "() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }"
    )
    page.click("button[data-print]")
    page.wait_for_function("() => window.__printed === 1")
    page.set_viewport_size(A4_LANDSCAPE)
    page.emulate_media(media="print")
    expect(page.locator("button[data-print]")).to_be_hidden()
    page.screenshot(path=str(screenshots / "kader-certificate.png"), full_page=True)
    phone.close()


def test_the_kader_pages_fit_a_phone(browser: Any, live_server: Any) -> None:
    city = make_city()
    kader = make_kader(city.posyandu_a, name="Sri Wahyuni")
    with_password(bidan_of(city.puskesmas_a, username="bidan_utara"))
    phone = browser.new_context(viewport=PHONE, device_scale_factor=1, locale="id-ID")
    page = phone.new_page()
    log_in(page, live_server.url, "bidan_utara")
    for url in (
        reverse("cadres:list"),
        reverse("cadres:detail", args=[kader.pk]),
        reverse("cadres:assess", args=[kader.pk]),
        reverse("cadres:coverage"),
        reverse("cadres:trainings"),
        reverse("cadres:credits"),
    ):
        page.goto(live_server.url + url)
        overflow = page.evaluate(OVERFLOW)
        assert overflow["scroll"] <= PHONE["width"], (url, overflow["wide"])
    phone.close()
