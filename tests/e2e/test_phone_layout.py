"""Every page fits a kader's 360 px phone: nothing scrolls the whole page sideways.

Wide content (the visits table) may scroll inside its own box; the page itself
must not, or the kader loses the left edge of every line while reading.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from posyandu.children.models import Sex
from posyandu.measurements.models import Position
from posyandu.measurements.services import VisitValues, open_session, record_visit
from tests.e2e.conftest import OVERFLOW, PASSWORD, PHONE, with_password
from tests.factories import ChildFactory, UserFactory, dinkes_of, kader_of, make_city

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}


def log_in(page: Any, base_url: str, username: str) -> None:
    page.goto(base_url + reverse("accounts:login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation(wait_until="load"):
        page.click("main button[type=submit]")
    assert reverse("accounts:login") not in page.url, page.inner_text("main")


def overflow(page: Any, url: str, shots: Path) -> list[tuple[str, dict[str, Any]]]:
    """``[]`` when the page at ``url`` fits the phone, else what sticks out."""
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == 200, url
    found = page.evaluate(OVERFLOW)
    # A look at each page when one fails (pytest keeps tmp_path of recent runs).
    name = url.split("//", 1)[-1].split("/", 1)[-1].strip("/").replace("/", "_") or "home"
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    return [] if found["scroll"] <= PHONE["width"] + 1 else [(url, found)]


def test_every_page_fits_a_360_px_phone_without_sideways_scrolling(
    browser: Any, live_server: Any, tmp_path: Path
) -> None:
    city = make_city()
    kader = with_password(kader_of(city.posyandu_a, username="kader_melati"))
    admin = with_password(UserFactory(username="admin_kota"))
    today = timezone.localdate()
    child = ChildFactory(
        name="Muhammad Rizky Pratama Ramadhan",
        sex=Sex.MALE,
        birth_date=today - dt.timedelta(days=800),
        posyandu=city.posyandu_a,
        mother_name="Sri Wahyuni Kusumaningrum",
    )
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=10)
    month_before = (last_month.replace(day=1) - dt.timedelta(days=1)).replace(day=10)
    for day, kg, cm, head in (
        (month_before, "11.2", "84.5", "47.0"),
        (last_month, "11.1", "85.0", None),
    ):
        record_visit(
            user=kader,
            child=child,
            confirm_warnings=True,
            values=VisitValues(
                measured_on=day,
                weight_kg=Decimal(kg),
                height_cm=Decimal(cm),
                position=Position.STANDING,
                head_cm=Decimal(head) if head else None,
            ),
        )
    session = open_session(user=kader, posyandu=city.posyandu_a, date=today)
    base = live_server.url

    context = browser.new_context(viewport=PHONE, device_scale_factor=1, locale="id-ID")
    page = context.new_page()
    too_wide = overflow(page, base + reverse("accounts:login"), tmp_path)
    log_in(page, base, kader.username)
    for url in (
        reverse("measurements:posyandu_list"),
        reverse("measurements:posyandu_detail", args=[city.posyandu_a.pk]),
        reverse("children:list"),
        reverse("children:new"),
        reverse("children:edit", args=[child.pk]),
        reverse("measurements:session_pick"),
        reverse("measurements:session", args=[session.pk]),
        reverse("measurements:visit_new", args=[child.pk]),
        reverse("measurements:child", args=[child.pk]),
        reverse("measurements:child_print", args=[child.pk]),
    ):
        too_wide += overflow(page, base + url, tmp_path)
    context.close()

    context = browser.new_context(viewport=PHONE, device_scale_factor=1, locale="id-ID")
    page = context.new_page()
    log_in(page, base, admin.username)
    too_wide += overflow(page, base + reverse("administration:audit"), tmp_path)
    context.close()
    assert not too_wide, f"screenshots in {tmp_path}\n" + "\n".join(
        f"{url}: {found}" for url, found in too_wide
    )


def test_the_city_roll_ups_fit_a_1280_px_desktop_and_a_360_px_phone(
    browser: Any, live_server: Any, screenshots: Path
) -> None:
    city = make_city()
    dinkes = with_password(dinkes_of(city.kota, username="dinkes_kota"))
    kader = with_password(kader_of(city.posyandu_a, username="kader_melati"))
    today = timezone.localdate()
    for k, posyandu in enumerate((city.posyandu_a, city.posyandu_a2, city.posyandu_b)):
        for j in range(3):
            child = ChildFactory(
                name=f"Anak {posyandu.name} {j}",
                birth_date=today - dt.timedelta(days=300 + 40 * j),
                posyandu=posyandu,
            )
            if j <= k:
                record_visit(
                    user=kader if posyandu == city.posyandu_a else dinkes,
                    child=child,
                    confirm_warnings=True,
                    values=VisitValues(measured_on=today, weight_kg=Decimal("8.5")),
                )
    base = live_server.url
    bulan = today.strftime("%Y-%m")
    pages = {
        "skdn-rollup": f"{reverse('reports:skdn')}?bulan={bulan}",
        "posyandu-rollup": f"{reverse('measurements:posyandu_list')}?bulan={bulan}",
        "child-list": reverse("children:list"),
    }
    for viewport, suffix in ((DESKTOP, ""), (PHONE, "-phone")):
        context = browser.new_context(viewport=viewport, device_scale_factor=1, locale="id-ID")
        page = context.new_page()
        log_in(page, base, dinkes.username)
        for name, url in pages.items():
            response = page.goto(base + url, wait_until="load")
            assert response is not None and response.status == 200, url
            found = page.evaluate(OVERFLOW)
            page.screenshot(path=str(screenshots / f"{name}{suffix}.png"), full_page=True)
            assert found["scroll"] <= viewport["width"] + 1, (url, viewport, found)
        if viewport == DESKTOP:
            # The SKDN table shows all of its columns at 1280 px, BGM/D the last.
            page.goto(base + pages["skdn-rollup"])
            box = page.evaluate(
                "document.querySelector('table.skdn').getBoundingClientRect().right"
            )
            assert box <= DESKTOP["width"]
            subtotals = page.locator("table.skdn tr.subtotal th a").all_inner_texts()
            # Bontang Utara weighed 3 of 6 (Melati 1, Kenanga 2), Selatan 3 of 3: Utara first.
            assert subtotals == [
                "Bontang Utara",
                "Bontang Kuala",
                "Bontang Selatan",
                "Tanjung Laut",
            ]
        context.close()
