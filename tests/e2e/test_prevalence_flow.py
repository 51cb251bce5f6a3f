"""Prevalence in the browser: the Dinkes opens its dashboard, follows the stunting
number to the list of children behind it and exports that list to Excel.

Saves docs/screenshots/dashboard-dinkes.png, prevalence.png and
prevalence-children.png.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from posyandu.children.models import Sex
from posyandu.measurements.models import Visit
from posyandu.policy.reporting import REPORT_MONTH
from posyandu.reports.aggregates import rebuild
from tests.e2e.conftest import OVERFLOW, PHONE, with_password
from tests.e2e.test_campaign_flow import follow, log_in
from tests.factories import ChildFactory, dinkes_of, make_city, make_visit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}

# name, sex, age in days on the day measured, HAZ, WAZ, WHZ, Posyandu (a or b)
CHILDREN = (
    ("Ani Lestari", Sex.FEMALE, 250, -2.5, -1.0, 0.5, "a"),
    ("Budi Santoso", Sex.MALE, 740, -3.2, -2.1, -2.2, "a"),
    ("Cici Amelia", Sex.FEMALE, 100, -1.0, 0.0, 2.4, "a"),
    ("Dewi Anggraini", Sex.FEMALE, 1150, -1.5, -1.2, -0.4, "a"),
    ("Fajar Nugroho", Sex.MALE, 560, -2.01, -1.2, -0.5, "b"),
)


def build_city(day: dt.date):
    city = make_city()
    for name, sex, age_days, haz, waz, whz, where in CHILDREN:
        posyandu = city.posyandu_a if where == "a" else city.posyandu_b
        child = ChildFactory(
            name=name, sex=sex, birth_date=day - dt.timedelta(days=age_days), posyandu=posyandu
        )
        visit = make_visit(child, day, weight_kg="10.0", height_cm="80.0")
        Visit.objects.filter(pk=visit.pk).update(
            z_lhfa=haz, z_wfa=waz, z_wflh=whz, flag_lhfa=False, flag_wfa=False, flag_wflh=False
        )
    rebuild()
    return city


def test_dinkes_follows_the_stunting_number_to_its_children_and_exports_them(
    browser: Any, live_server: Any, screenshots: Path
) -> None:
    today = timezone.localdate()
    month = REPORT_MONTH.default_period(today)
    day = min(month + dt.timedelta(days=9), today)
    city = build_city(day)
    dinkes = with_password(dinkes_of(city.kota, username="dinkes_bontang"))
    base = live_server.url

    page = browser.new_page(viewport=DESKTOP, accept_downloads=True)
    log_in(page, base, dinkes.username)
    follow(page, "nav a[href='/laporan/dasbor/']")
    stunting = page.locator("[data-testid=headline-1]")
    assert stunting.inner_text() == "60,0%"  # Ani, Budi, Fajar of 5
    assert "polyline" in page.inner_html("svg.trend")
    page.screenshot(path=str(screenshots / "dashboard-dinkes.png"), full_page=True)

    follow(page, stunting)
    names = [n.strip() for n in page.locator("ul.list b").all_inner_texts()]
    assert names == ["Budi Santoso", "Ani Lestari", "Fajar Nugroho"]  # the lowest z first
    page.screenshot(path=str(screenshots / "prevalence-children.png"), full_page=True)

    with page.expect_download() as download_info:
        page.click("text=Unduh Excel")
    data = Path(download_info.value.path()).read_bytes()
    sheet = load_workbook(io.BytesIO(data)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][:2] == ["Laporan", "Daftar anak"]
    assert [row[1] for row in values[8:]] == names

    follow(page, "text=← Prevalensi")
    assert "Wilson" in page.inner_text("main")
    page.screenshot(path=str(screenshots / "prevalence.png"), full_page=True)
    page.close()


def test_the_dashboard_fits_a_phone(browser: Any, live_server: Any) -> None:
    today = timezone.localdate()
    month = REPORT_MONTH.default_period(today)
    city = build_city(min(month + dt.timedelta(days=9), today))
    dinkes = with_password(dinkes_of(city.kota, username="dinkes_phone"))
    page = browser.new_page(viewport=PHONE)
    log_in(page, live_server.url, dinkes.username)
    for url in ("/laporan/dasbor/", "/laporan/prevalensi/"):
        page.goto(live_server.url + url)
        found = page.evaluate(OVERFLOW)
        assert found["scroll"] <= PHONE["width"], (url, found["wide"])
    page.close()
