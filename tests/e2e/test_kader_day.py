"""A kader's Posyandu day on a 360 px phone, and the child page on a 1280 px desktop.

Home (the month, one button) -> today's queue (search, "belum ditimbang" first)
-> the visit form with the previous visit -> back to the queue.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from posyandu.children.models import Sex
from posyandu.measurements.models import Position, Visit
from posyandu.measurements.services import VisitValues, record_visit
from tests.e2e.conftest import OVERFLOW, PASSWORD, PHONE, with_password
from tests.factories import ChildFactory, bidan_of, kader_of, make_city

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
CHILDREN = 60
HOME_HEIGHT_PX = 2000
"""The kader's home page on a 360 px phone, whatever the register's size (it
was about 17,000 px with every child listed twice)."""


def log_in(page: Any, base_url: str, username: str) -> None:
    page.goto(base_url + reverse("accounts:login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation(wait_until="load"):
        page.click("main button[type=submit]")
    assert reverse("accounts:login") not in page.url, page.inner_text("main")


def follow(page: Any, selector: str) -> None:
    with page.expect_navigation(wait_until="load"):
        page.click(selector)


def in_view(page: Any, selector: str) -> bool:
    """The whole element lies inside the visible screen, no scrolling needed."""
    return bool(
        page.evaluate(
            """(sel) => { const box = document.querySelector(sel).getBoundingClientRect();
               return box.top >= 0 && box.bottom <= window.innerHeight; }""",
            selector,
        )
    )


def weigh(kader: Any, child: Any, on: dt.date, kg: str, cm: str) -> Visit:
    return record_visit(
        user=kader,
        child=child,
        confirm_warnings=True,
        values=VisitValues(
            measured_on=on, weight_kg=Decimal(kg), height_cm=Decimal(cm), position=Position.LYING
        ),
    )


def test_a_kaders_day_on_a_phone_home_queue_form_and_back(
    browser: Any, live_server: Any, screenshots: Path
) -> None:
    city = make_city()
    kader = with_password(kader_of(city.posyandu_a, username="kader_melati"))
    today = timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=10)
    children = [
        ChildFactory(
            name=f"Anak Melati {i:02d}",
            sex=Sex.FEMALE if i % 2 else Sex.MALE,
            birth_date=today - dt.timedelta(days=200 + 9 * i),
            posyandu=city.posyandu_a,
            mother_name=f"Ibu Melati {i:02d}",
        )
        for i in range(CHILDREN)
    ]
    nur = ChildFactory(
        name="Nur Aini Lestari",
        sex=Sex.FEMALE,
        birth_date=today - dt.timedelta(days=300),
        posyandu=city.posyandu_a,
        mother_name="Sri Wahyuni",
    )
    weigh(kader, nur, last_month, "8.0", "70.0")
    # Two already weighed this month, one of them after two months without gain (2T).
    for child in children[:2]:
        weigh(kader, child, last_month, "7.5", "66.0")
        weigh(kader, child, today, "7.9", "67.0")
    base = live_server.url

    context = browser.new_context(viewport=PHONE, device_scale_factor=1, locale="id-ID")
    page = context.new_page()
    log_in(page, base, kader.username)
    home = base + reverse("measurements:posyandu_detail", args=[city.posyandu_a.pk])
    assert page.url == home
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= HOME_HEIGHT_PX, height
    assert page.evaluate(OVERFLOW)["scroll"] <= PHONE["width"] + 1
    text = page.inner_text("main")
    assert f"Belum datang ({CHILDREN - 1})" in text
    assert "Buka hari Posyandu hari ini" in text
    # The N/T legend is one tap away.
    page.click("details.legend-nt summary")
    expect(page.locator("details.legend-nt")).to_contain_text("Naik cukup")
    page.screenshot(path=str(screenshots / "kader-home.png"), full_page=True)

    # One button opens today's table: the queue, who has not been weighed first.
    follow(page, "#open-day")
    assert "/sesi/" in page.url
    queue_url = page.url
    headings = page.locator("main h2").all_inner_texts()
    assert headings[:2] == [f"Belum ditimbang ({CHILDREN - 1})", "Sudah ditimbang (2)"]
    page.fill("input#q", "Nur Aini")
    expect(page.locator("#results")).to_contain_text("Belum ditimbang (1)")
    expect(page.locator("#results")).to_contain_text(
        f"Sudah ditimbang bulan ini: 2 dari {CHILDREN + 1}"
    )
    page.screenshot(path=str(screenshots / "queue.png"), full_page=True)
    follow(page, "#results a:has-text('Nur Aini Lestari')")

    # The form: last month's visit in view before anything is typed.
    assert in_view(page, ".previous-visit")
    expect(page.locator(".previous-visit")).to_contain_text(f"{last_month:%d/%m/%Y}: BB 8,0 kg")
    assert page.get_attribute("input[name=measured_on]", "type") == "date"
    assert page.input_value("input[name=measured_on]") == today.isoformat()
    # An implausible weight: after Simpan the warning is on the first screen.
    page.fill("input[name=weight_kg]", "19,0")
    page.fill("input[name=height_cm]", "71,0")
    page.check("input[name=position][value=l]")
    follow(page, ".actionbar button[type=submit]")
    assert not Visit.objects.filter(child=nur, period=today.replace(day=1)).exists()
    page.screenshot(path=str(screenshots / "visit-check.png"))
    # "Not saved", what to do and the box to tick, all on the first screen.
    assert in_view(page, "#periksa > p")
    assert in_view(page, "#periksa label.check")
    expect(page.locator("#periksa")).to_contain_text("Belum tersimpan")
    expect(page.locator("#periksa")).to_contain_text("BB/U tidak masuk akal")

    # Corrected, saved: back in the queue, the child now weighed.
    page.fill("input[name=weight_kg]", "8,6")
    # 600 g over last month's 8,0 kg, above the 300 g KBM at 9 months.
    expect(page.locator("#preview .gain")).to_contain_text("+600 g")
    expect(page.locator("#preview .result-line")).to_contain_text("Naik cukup")
    page.screenshot(path=str(screenshots / "visit-result-preview.png"), full_page=True)
    follow(page, ".actionbar button[type=submit]")
    assert page.url == queue_url
    assert "Tersimpan: Nur Aini Lestari" in page.inner_text("main .messages")
    done = page.locator("main ul.list").nth(1)
    expect(done).to_contain_text("Nur Aini Lestari")
    expect(done).to_contain_text("Naik cukup")
    context.close()


def test_the_child_page_fits_1280_px_and_a_360_px_phone(
    browser: Any, live_server: Any, screenshots: Path
) -> None:
    city = make_city()
    kader = with_password(kader_of(city.posyandu_a, username="kader_melati"))
    bidan = with_password(bidan_of(city.puskesmas_a, username="bidan_utara"))
    today = timezone.localdate()
    child = ChildFactory(
        name="Muhammad Rizky Pratama",
        sex=Sex.MALE,
        birth_date=today - dt.timedelta(days=400),
        posyandu=city.posyandu_a,
        mother_name="Sri Wahyuni Kusumaningrum",
    )
    first = (today.replace(day=1) - dt.timedelta(days=100)).replace(day=12)
    for k, (kg, cm) in enumerate(
        [("8.4", "70.0"), ("8.9", "71.5"), ("9.0", "72.3"), ("9.0", "73.0")]
    ):
        on = first + dt.timedelta(days=31 * k)
        weigh(kader, child, min(on, today), kg, cm)
    base = live_server.url
    url = base + reverse("measurements:child", args=[child.pk])

    context = browser.new_context(viewport=DESKTOP, device_scale_factor=1, locale="id-ID")
    page = context.new_page()
    log_in(page, base, bidan.username)
    page.goto(url)
    main_right = page.evaluate("document.querySelector('main').getBoundingClientRect().right")
    table_right = page.evaluate(
        "document.querySelector('table.visits').getBoundingClientRect().right"
    )
    assert table_right <= main_right, (table_right, main_right)
    # Every column of the table shows, the last one included.
    last_header = page.locator("table.visits thead th").nth(6)
    assert last_header.inner_text() == "Status gizi"
    assert page.evaluate(OVERFLOW)["scroll"] <= DESKTOP["width"]
    # The bidan's numbers are open for the bidan.
    assert page.locator("details.for-bidan").get_attribute("open") is not None
    assert page.locator("svg.growth-chart[data-indicator=wfa] polyline.child-line").count() == 1
    page.screenshot(path=str(screenshots / "child-page-desktop.png"), full_page=True)
    context.close()

    context = browser.new_context(viewport=PHONE, device_scale_factor=1, locale="id-ID")
    page = context.new_page()
    log_in(page, base, kader.username)
    page.goto(url)
    assert page.evaluate(OVERFLOW)["scroll"] <= PHONE["width"] + 1
    # Each visit is a card of labelled values, none cut off on the right.
    row = page.locator("table.visits tbody tr").first
    assert row.bounding_box()["width"] <= PHONE["width"]
    assert not page.locator("table.visits thead").is_visible()
    assert row.locator("td").nth(2).get_attribute("data-label") == "BB (kg)"
    # z-scores folded away for the kader.
    assert page.locator("details.for-bidan").get_attribute("open") is None
    assert not page.locator("table.zscores").is_visible()
    page.screenshot(path=str(screenshots / "child-page-phone.png"), full_page=True)
    context.close()
