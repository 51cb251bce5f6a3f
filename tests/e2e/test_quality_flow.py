"""A Puskesmas opens its data-quality scorecard and the worst Posyandu's evidence.

The city is the demo's (a smaller one), where the second kader of three Posyandu
rounds weights and lengths and measures infants standing. The Puskesmas of one
of them sees that Posyandu at the top of its scorecard, rated problematic, opens
it, and finds the histogram of decimals and the infants measured standing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from posyandu.accounts.models import Role
from posyandu.areas.models import Posyandu
from posyandu.demo.generator import generate
from tests.e2e.conftest import PHONE, with_password
from tests.e2e.test_kader_month import fits_the_phone, follow, log_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_puskesmas_finds_its_worst_posyandu_and_the_evidence(
    browser: Any, live_server: Any, screenshots: Path
) -> None:
    report = generate(children=4000, seed=6474)
    poor = Posyandu.objects.get(code=report.poor_posyandu[0])
    with_password(UserFactory(username="pkm_mutu", role=Role.PUSKESMAS, puskesmas=poor.puskesmas))
    last = report.report_period
    first = dt.date(last.year - 1, last.month, 1) + dt.timedelta(days=32)
    window = f"?dari={first:%Y-%m}&sampai={last:%Y-%m}"
    base = live_server.url

    desktop = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    page = desktop.new_page()
    log_in(page, base, "pkm_mutu")
    follow(page, "nav a:has-text('Mutu data')")
    page.goto(base + reverse("reports:quality") + window)
    expect(page.locator("h1")).to_contain_text(poor.puskesmas.name)
    first_row = page.locator("table.quality").first.locator("tbody tr").first
    expect(first_row).to_contain_text(poor.name)
    expect(first_row.locator(".pill")).to_have_text("bermasalah")
    page.screenshot(
        path=str(screenshots / "quality-scorecard.png"),
        full_page=True,
        clip={"x": 0, "y": 0, "width": 1280, "height": 1800},
    )

    follow(page, f"table.quality >> nth=0 >> a:has-text('{poor.name}')")
    expect(page.locator("h1")).to_contain_text(poor.name)
    expect(page.locator("svg.digit-histogram")).to_have_count(2)
    findings = page.locator("table.quality-findings tbody")
    expect(findings).to_contain_text("cara ukur tidak sesuai umur")
    expect(page.locator("table.quality-checks").first).to_contain_text("bermasalah")
    page.screenshot(
        path=str(screenshots / "quality-evidence.png"),
        full_page=True,
        clip={"x": 0, "y": 0, "width": 1280, "height": 2000},
    )
    # The recorder behind it: the second kader, whose own page rates them problematic.
    follow(page, "table.quality >> nth=0 >> tbody tr >> nth=0 >> a")
    expect(page.locator("h1")).to_contain_text("-2")
    expect(page.locator("h2 .pill").first).to_have_text("bermasalah")
    desktop.close()

    phone = browser.new_context(viewport=PHONE, device_scale_factor=1, locale="id-ID")
    page = phone.new_page()
    log_in(page, base, "pkm_mutu")
    page.goto(base + reverse("reports:quality_posyandu", args=[poor.pk]) + window)
    assert fits_the_phone(page) <= PHONE["width"]
    page.screenshot(path=str(screenshots / "quality-evidence-phone.png"), full_page=False)
    phone.close()
