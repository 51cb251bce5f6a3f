"""A kader's month in the browser: log in, register a child, weigh it twice, read N and the chart.

Runs Debian's Chromium on pytest-django's live server and saves a screenshot
of every page visited under docs/screenshots/ (the README shows them).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from posyandu.accounts.models import User
from posyandu.children.models import Child, Sex
from posyandu.measurements.models import Visit
from tests.e2e.conftest import PASSWORD, PHONE
from tests.factories import ChildFactory, City, kader_of, make_city

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHILD_NAME = "Nur Aini Lestari"


def a_kader(posyandu: Any, username: str) -> User:
    user = kader_of(posyandu, username=username)
    user.set_password(PASSWORD)
    user.save()
    return user


def log_in(page: Any, base_url: str, username: str, screenshot: Path | None = None) -> None:
    page.goto(base_url + reverse("accounts:login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    if screenshot is not None:
        page.screenshot(path=str(screenshot), full_page=True)
    # The language switch in the footer is a form too: the login button is the one in main.
    follow(page, "main button[type=submit]")
    assert reverse("accounts:login") not in page.url, page.inner_text("main")


def follow(page: Any, selector: str) -> None:
    """Click something that loads a new page and wait until that page has loaded."""
    with page.expect_navigation(wait_until="load"):
        page.click(selector)


def fits_the_phone(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def same_day_last_month(today: dt.date) -> dt.date:
    end_of_last_month = today.replace(day=1) - dt.timedelta(days=1)
    return end_of_last_month.replace(day=min(today.day, end_of_last_month.day))


def enter_visit(page: Any, on: dt.date, weight: str, height: str) -> None:
    # The phone's date picker: Playwright sets it as ISO, the value the picker sends.
    page.fill("input[name=measured_on]", on.isoformat())
    page.fill("input[name=weight_kg]", weight)
    page.fill("input[name=height_cm]", height)
    page.check("input[name=position][value=l]")


def test_a_kader_registers_a_child_weighs_it_twice_and_sees_n_and_the_chart(
    browser: Any, live_server: Any, screenshots: Path
) -> None:
    city: City = make_city()
    a_kader(city.posyandu_a, "kader_melati")
    a_kader(city.posyandu_b, "kader_anggrek")
    today = timezone.localdate()
    last_month = same_day_last_month(today)
    birth_date = today - dt.timedelta(days=300)
    base = live_server.url

    phone = browser.new_context(viewport=PHONE, device_scale_factor=1, locale="id-ID")
    page = phone.new_page()
    log_in(page, base, "kader_melati", screenshots / "login.png")

    # A kader starts on their own Posyandu's page.
    assert page.url == base + reverse("measurements:posyandu_detail", args=[city.posyandu_a.pk])
    assert "Posyandu Melati" in page.inner_text("main")

    page.goto(base + reverse("children:new"))
    page.fill("input[name=name]", CHILD_NAME)
    page.check("input[name=sex][value='2']")
    page.fill("input[name=birth_date]", birth_date.strftime("%d/%m/%Y"))
    page.fill("input[name=birth_weight_kg]", "3,1")
    page.fill("input[name=birth_length_cm]", "49,5")
    page.fill("input[name=mother_name]", "Sri Wahyuni")
    page.fill("input[name=address]", "Jl. Cumi-cumi 12")
    page.fill("input[name=rt]", "7")
    page.fill("input[name=rw]", "2")
    page.screenshot(path=str(screenshots / "child-register.png"), full_page=True)
    follow(page, "main button[type=submit]")
    child = Child.objects.get(name=CHILD_NAME)
    assert (child.posyandu_id, child.sex, child.birth_date) == (city.posyandu_a.pk, 2, birth_date)
    child_url = base + reverse("measurements:child", args=[child.pk])
    assert page.url == child_url
    assert f"{CHILD_NAME} sudah terdaftar." in page.inner_text("main")

    # Last month's visit, then this month's: 600 g more, above the 300 g KBM at 9 months.
    follow(page, "main a:has-text('Timbang')")
    assert page.url == base + reverse("measurements:visit_new", args=[child.pk])
    enter_visit(page, last_month, "8,0", "70,0")
    follow(page, "main button[type=submit]")
    page.wait_for_url(child_url)
    assert f"Tersimpan: {CHILD_NAME}, {last_month:%d/%m/%Y}." in page.inner_text("main")

    page.goto(base + reverse("measurements:visit_new", args=[child.pk]))
    enter_visit(page, today, "8,6", "71,2")
    # The live preview (htmx) answers under the form before anything is saved.
    expect(page.locator("#preview .gain")).to_contain_text("N (naik) +600 g, KBM 300 g")
    # Wait for the preview of all values typed (length too), not an earlier weight-only one.
    expect(page.locator("#preview table.zs")).to_contain_text("PB/U")
    assert fits_the_phone(page) <= PHONE["width"] + 1
    page.screenshot(path=str(screenshots / "visit-entry.png"), full_page=True)
    follow(page, "main button[type=submit]")
    page.wait_for_url(child_url)
    saved = page.inner_text("main .messages")
    assert f"Tersimpan: {CHILD_NAME}, {today:%d/%m/%Y}." in saved
    assert "N (naik) +600 g, KBM 300 g." in saved
    page.screenshot(path=str(screenshots / "visit-result.png"))
    assert list(
        Visit.objects.filter(child=child)
        .order_by("measured_on")
        .values_list("measured_on", "weight_gain")
    ) == [(last_month, "B"), (today, "N")]

    # The child page: N in this month's strip cell and the weight-for-age chart with both visits.
    strip = page.locator(".strip .cell")
    assert strip.last.inner_text().split()[-1] == "N"
    chart = page.locator("svg.growth-chart[data-indicator=wfa]")
    assert chart.count() == 1
    assert chart.locator("circle.child-point").count() == 2
    page.screenshot(path=str(screenshots / "child-page.png"), full_page=True)
    chart.scroll_into_view_if_needed()
    page.locator("figure.chart", has=chart).screenshot(path=str(screenshots / "child-chart.png"))

    follow(page, "main a:has-text('Cetak KMS')")
    assert page.url == base + reverse("measurements:child_print", args=[child.pk])
    assert CHILD_NAME in page.inner_text("body")
    assert page.locator("svg.growth-chart circle.child-point").count() == 2
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    page.emulate_media(media="print")
    page.screenshot(path=str(screenshots / "kms-print.png"), full_page=True)

    # Back on the Posyandu page, the child counts as weighed this month.
    page.set_viewport_size(PHONE)
    page.emulate_media(media="screen")
    page.goto(base + reverse("measurements:posyandu_detail", args=[city.posyandu_a.pk]))
    home = page.inner_text("main")
    assert "Belum datang (0)" in home
    assert "100,0%" in home
    page.screenshot(path=str(screenshots / "posyandu.png"), full_page=True)
    phone.close()

    # A kader of another Posyandu, on their own phone, cannot open that child.
    other = browser.new_context(viewport=PHONE, device_scale_factor=1, locale="id-ID")
    other_page = other.new_page()
    log_in(other_page, base, "kader_anggrek")
    response = other_page.goto(child_url)
    assert response is not None and response.status == 404
    assert CHILD_NAME not in other_page.content()
    other_page.screenshot(path=str(screenshots / "other-kader-404.png"), full_page=True)
    for url in (
        reverse("measurements:visit_new", args=[child.pk]),
        reverse("measurements:child_print", args=[child.pk]),
        f"{reverse('children:list')}?q=Nur",
    ):
        response = other_page.goto(base + url)
        assert response is not None
        assert response.status == (200 if "?q=" in url else 404), url
        assert CHILD_NAME not in other_page.content(), url
    other.close()


def test_letters_in_the_weight_give_an_indonesian_message_and_keep_what_was_typed(
    browser: Any, live_server: Any
) -> None:
    city = make_city()
    a_kader(city.posyandu_a, "kader_melati")
    today = timezone.localdate()
    child = ChildFactory(
        name="Rizky Pratama",
        sex=Sex.MALE,
        birth_date=today - dt.timedelta(days=400),
        posyandu=city.posyandu_a,
    )
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, locale="id-ID")
    page = context.new_page()
    log_in(page, live_server.url, "kader_melati")
    page.goto(live_server.url + reverse("measurements:visit_new", args=[child.pk]))
    page.fill("input[name=measured_on]", today.isoformat())
    page.fill("input[name=weight_kg]", "sembilan")
    page.fill("input[name=height_cm]", "76,4")
    page.check("input[name=position][value=l]")
    page.click("summary")  # the optional measurements
    page.fill("input[name=head_cm]", "45,5")
    page.check("input[name=vitamin_a]")
    follow(page, "main button[type=submit]")

    errors = page.locator("main form .errorlist").all_inner_texts()
    assert "Berat badan harus berupa angka, misalnya 10,4." in errors
    assert page.input_value("input[name=weight_kg]") == "sembilan"
    assert page.input_value("input[name=height_cm]") == "76,4"
    assert page.input_value("input[name=measured_on]") == today.isoformat()
    assert page.input_value("input[name=head_cm]") == "45,5"
    assert page.is_checked("input[name=position][value=l]")
    assert page.is_checked("input[name=vitamin_a]")
    assert not Visit.objects.filter(child=child).exists()

    # Correcting only the weight saves the visit with everything else as typed.
    page.fill("input[name=weight_kg]", "9,6")
    follow(page, "main button[type=submit]")
    assert page.url == live_server.url + reverse("measurements:child", args=[child.pk]), (
        page.url + "\n" + page.inner_text("main")
    )
    visit = Visit.objects.get(child=child)
    assert (str(visit.weight_kg), str(visit.height_cm), str(visit.head_cm), visit.vitamin_a) == (
        "9.60",
        "76.40",
        "45.5",
        True,
    )

    # The registration form does the same with letters in the birth weight.
    page.goto(live_server.url + reverse("children:new"))
    page.fill("input[name=name]", "Putri Ayu")
    page.check("input[name=sex][value='2']")
    page.fill("input[name=birth_date]", (today - dt.timedelta(days=60)).strftime("%d/%m/%Y"))
    page.fill("input[name=birth_weight_kg]", "tiga")
    page.fill("input[name=mother_name]", "Dewi Lestari")
    follow(page, "main button[type=submit]")
    assert "Isi dengan angka saja, misalnya 3,2." in page.inner_text("#id_birth_weight_kg_error")
    assert page.input_value("input[name=name]") == "Putri Ayu"
    assert page.input_value("input[name=birth_weight_kg]") == "tiga"
    assert page.input_value("input[name=mother_name]") == "Dewi Lestari"
    assert page.is_checked("input[name=sex][value='2']")
    assert not Child.objects.filter(name="Putri Ayu").exists()
    context.close()
