"""Operasi Timbang in the browser: Dinkes opens a campaign over the city, reads the
coverage down to a Posyandu and prints its sweeping list; the kader of that
Posyandu measures a child at home on a phone and sees the coverage rise.

Saves docs/screenshots/campaign-coverage.png, campaign-sweeping.png and
campaign-home-visit.png.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from posyandu.areas.hierarchy import area_by_key
from posyandu.campaigns.models import Campaign, CampaignTarget
from posyandu.campaigns.services import open_campaign
from posyandu.children.models import Child, Sex
from posyandu.measurements.models import Visit
from tests.e2e.conftest import OVERFLOW, PASSWORD, PHONE, with_password
from tests.factories import ChildFactory, City, dinkes_of, kader_of, make_city, make_visit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
A4 = {"width": 794, "height": 1123}  # at 96 dpi
CAMPAIGN_NAME = "Operasi Timbang Bontang"
HOME_VISIT_CHILD = "Bima Saputra"


def log_in(page: Any, base_url: str, username: str) -> None:
    page.goto(base_url + reverse("accounts:login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    # The language switch in the footer is a form too: the login button is the one in main.
    follow(page, "main button[type=submit]")
    assert reverse("accounts:login") not in page.url, page.inner_text("main")


def follow(page: Any, selector: Any) -> None:
    """Click something (a selector or a locator) that loads a new page; wait for it."""
    with page.expect_navigation(wait_until="load"):
        if isinstance(selector, str):
            page.click(selector)
        else:
            selector.click()


def coverage_rows(page: Any) -> list[tuple[str, str, str]]:
    """(area name, level, measured/target) of each row of the drill-down table, in order."""
    rows = []
    for row in page.locator("table.coverage tbody tr").all():
        name, level = row.locator("th").inner_text().splitlines()
        rows.append((name.strip(), level.strip(), row.locator("td.num").first.inner_text()))
    return rows


def headline(page: Any) -> str:
    """The "measured / target" figure of the area the coverage page shows."""
    return str(page.locator(".stats .stat b").first.inner_text())


def sweeping_names(page: Any) -> list[str]:
    return [
        name.strip()
        for name in page.locator("table.sweeping tbody td:first-child b").all_inner_texts()
    ]


def build_city(today: dt.date) -> tuple[City, dict[str, Child]]:
    """Six balita in three Posyandu of Bontang (two weighed inside the window), one
    child past 60 months, and one child in another kota."""
    city = make_city()
    # Inside the campaign window (from 7 days ago) and inside this month.
    recently = max(today.replace(day=1), today - dt.timedelta(days=3))
    long_ago = today - dt.timedelta(days=60)
    specs = [
        # name, sex, age in days, Posyandu, rw, rt, visit date (None: never weighed)
        ("Ayu Lestari", Sex.FEMALE, 500, city.posyandu_a, "01", "02", recently),
        (HOME_VISIT_CHILD, Sex.MALE, 600, city.posyandu_a, "01", "03", long_ago),
        ("Citra Dewi", Sex.FEMALE, 800, city.posyandu_a, "02", "01", None),
        ("Dimas Pratama", Sex.MALE, 700, city.posyandu_a2, "03", "01", long_ago),
        ("Eka Putri", Sex.FEMALE, 450, city.posyandu_a2, "03", "02", recently),
        ("Fajar Nugroho", Sex.MALE, 1000, city.posyandu_b, "05", "04", None),
        # Not targets: past 60 months on the start date, and a child of Samarinda.
        ("Gilang Ramadhan", Sex.MALE, 2000, city.posyandu_a, "01", "01", None),
        ("Hana Safitri", Sex.FEMALE, 400, city.other_kota_posyandu, "01", "01", None),
    ]
    children: dict[str, Child] = {}
    for name, sex, age_days, posyandu, rw, rt, visited in specs:
        child = ChildFactory(
            name=name,
            sex=sex,
            birth_date=today - dt.timedelta(days=age_days),
            posyandu=posyandu,
            mother_name=f"Ibu {name.split()[1]}",
            address="Jl. Cumi-cumi",
            rw=rw,
            rt=rt,
            phone=f"0812-5{age_days:04d}-{rw}{rt}",
        )
        if visited is not None:
            # Plausible values for 15-23 months.
            make_visit(child, visited, weight_kg="10.2", height_cm="80.0", position="l")
        children[name] = child
    return city, children


def test_dinkes_opens_a_campaign_and_a_kader_sweeps_its_posyandu(
    browser: Any, live_server: Any, screenshots: Path
) -> None:
    today = timezone.localdate()
    city, children = build_city(today)
    with_password(dinkes_of(city.kota, username="dinkes_bontang"))
    with_password(kader_of(city.posyandu_a, username="kader_melati"))
    base = live_server.url
    starts_on, ends_on = today - dt.timedelta(days=7), today + dt.timedelta(days=7)

    # --- Dinkes, on a desktop ----------------------------------------------------------
    desk = browser.new_context(viewport=DESKTOP, device_scale_factor=1, locale="id-ID")
    page = desk.new_page()
    log_in(page, base, "dinkes_bontang")
    page.goto(base + reverse("campaigns:list"))
    expect(page.locator("main")).to_contain_text("Belum ada operasi timbang di wilayah Anda.")
    follow(page, "main a:has-text('Buka operasi timbang')")
    assert page.url == base + reverse("campaigns:new")

    area_options = page.locator("select[name=area] option")
    kota_key = f"kota:{city.kota.pk}"
    assert kota_key in [o.get_attribute("value") for o in area_options.all()]
    assert "Samarinda" not in page.inner_text("select[name=area]")
    page.fill("input[name=name]", CAMPAIGN_NAME)
    page.select_option("select[name=area]", kota_key)
    page.fill("input[name=starts_on]", starts_on.strftime("%d/%m/%Y"))
    page.fill("input[name=ends_on]", ends_on.strftime("%d/%m/%Y"))
    follow(page, "main button[type=submit]")

    campaign = Campaign.objects.get()
    detail_url = base + reverse("campaigns:detail", args=[campaign.pk])
    assert page.url == detail_url, page.inner_text("main")
    assert (campaign.name, campaign.area_level, campaign.area_id) == (
        CAMPAIGN_NAME,
        "kota",
        city.kota.pk,
    )
    assert (campaign.starts_on, campaign.ends_on) == (starts_on, ends_on)
    # The frozen list: the six balita of Bontang, not the 5-year-old nor the Samarinda child.
    assert sorted(
        CampaignTarget.objects.filter(campaign=campaign).values_list("child__name", flat=True)
    ) == [
        "Ayu Lestari",
        "Bima Saputra",
        "Citra Dewi",
        "Dimas Pratama",
        "Eka Putri",
        "Fajar Nugroho",
    ]
    expect(page.locator("main .messages")).to_contain_text(
        f"{CAMPAIGN_NAME} dibuka: 6 anak sasaran."
    )
    main = page.inner_text("main")
    assert f"{starts_on:%d/%m/%Y}–{ends_on:%d/%m/%Y}" in main
    assert "sedang berjalan" in main
    assert headline(page) == "2/6"
    assert "33,3%" in page.inner_text(".stats")
    # One level below the kota: the kecamatan, then the Puskesmas, each lowest first.
    assert coverage_rows(page) == [
        ("Bontang Selatan", "kecamatan", "0/1"),
        ("Bontang Utara", "kecamatan", "2/5"),
        ("Puskesmas Bontang Selatan I", "puskesmas", "0/1"),
        ("Puskesmas Bontang Utara I", "puskesmas", "2/5"),
    ]
    page.screenshot(path=str(screenshots / "campaign-coverage.png"), full_page=True)

    # The campaign is in the list now, with its coverage.
    page.goto(base + reverse("campaigns:list"))
    row = page.locator("main ul.list a.row", has_text=CAMPAIGN_NAME)
    expect(row).to_contain_text("2/6")
    follow(page, row)
    assert page.url == detail_url

    # Drill down: the Puskesmas, then its Posyandu rows.
    follow(page, "table.coverage a:has-text('Puskesmas Bontang Utara I')")
    assert page.url == f"{detail_url}?wilayah=puskesmas:{city.puskesmas_a.pk}"
    expect(page.locator(".card h2").first).to_have_text("Puskesmas Bontang Utara I")
    assert headline(page) == "2/5"
    assert coverage_rows(page) == [
        ("Posyandu Melati", "posyandu", "1/3"),
        ("Posyandu Kenanga", "posyandu", "1/2"),
    ]
    # A Posyandu row is no drill-down link: its link is the list of those not measured.
    melati_row = page.locator("table.coverage tbody tr", has_text="Posyandu Melati")
    assert melati_row.locator("th a").count() == 0
    follow(page, melati_row.locator("a:has-text('Belum diukur')"))
    assert page.url == base + reverse(
        "campaigns:not_measured", args=[campaign.pk, city.posyandu_a.pk]
    )
    expect(page.locator("main h1")).to_have_text("Belum diukur: Posyandu Melati")
    # Sorted by RW, RT: Bima (RW 01) before Citra (RW 02); Ayu was weighed this month.
    assert sweeping_names(page) == [HOME_VISIT_CHILD, "Citra Dewi"]
    sweeping = page.inner_text("main")
    assert "2 anak" in sweeping
    for name in ("Ayu Lestari", "Gilang Ramadhan", "Dimas Pratama", "Fajar Nugroho"):
        assert name not in sweeping, name
    # Bima's last visit, two months ago; Citra never came.
    bima_row = page.locator("table.sweeping tbody tr", has_text=HOME_VISIT_CHILD)
    assert f"{today - dt.timedelta(days=60):%d/%m/%Y}" in bima_row.inner_text()
    # Dinkes may not weigh: no home-visit buttons or outcome forms.
    assert page.locator("a:has-text('Diukur di rumah')").count() == 0
    assert page.locator("table.sweeping form").count() == 0

    # The print button opens the browser's print dialog (replaced by a counter here).
    page.evaluate(
        "() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }"
    )
    page.click("button[data-print]")
    page.wait_for_function("() => window.__printed === 1")
    assert page.url.endswith(f"/belum/{city.posyandu_a.pk}/")  # no navigation
    page.set_viewport_size(A4)
    page.emulate_media(media="print")
    expect(page.locator("button[data-print]")).to_be_hidden()
    page.screenshot(path=str(screenshots / "campaign-sweeping.png"), full_page=True)
    desk.close()

    # --- The kader of Posyandu Melati, on a phone -------------------------------------
    phone = browser.new_context(viewport=PHONE, device_scale_factor=1, locale="id-ID")
    page = phone.new_page()
    log_in(page, base, "kader_melati")
    page.goto(base + reverse("campaigns:list"))
    # No right to open campaigns; the campaign shows with its own Posyandu's coverage.
    assert page.locator("a:has-text('Buka operasi timbang')").count() == 0
    row = page.locator("main ul.list a.row", has_text=CAMPAIGN_NAME)
    expect(row).to_contain_text("1/3")
    follow(page, row)
    assert page.url == detail_url
    assert headline(page) == "1/3"
    assert "Posyandu Kenanga" not in page.inner_text("main")
    assert "Bontang Selatan" not in page.inner_text("main")

    page.goto(base + reverse("campaigns:not_measured", args=[campaign.pk, city.posyandu_a.pk]))
    assert sweeping_names(page) == [HOME_VISIT_CHILD, "Citra Dewi"]
    content = page.content()
    for name in ("Dimas Pratama", "Fajar Nugroho", "Eka Putri", "Hana Safitri"):
        assert name not in content, name
    assert page.locator("table.sweeping a:has-text('Diukur di rumah')").count() == 2
    assert page.locator("table.sweeping form select[name=outcome]").count() == 2
    page.screenshot(path=str(screenshots / "campaign-home-visit.png"), full_page=True)

    # Another Posyandu's list (of this kota, and of the other Puskesmas) is not found.
    for other in (city.posyandu_a2, city.posyandu_b):
        response = page.goto(base + reverse("campaigns:not_measured", args=[campaign.pk, other.pk]))
        assert response is not None and response.status == 404, other.name
        assert "Dimas Pratama" not in page.content() and "Fajar Nugroho" not in page.content()

    # Bima is measured at home.
    page.goto(base + reverse("campaigns:not_measured", args=[campaign.pk, city.posyandu_a.pk]))
    bima = children[HOME_VISIT_CHILD]
    follow(
        page,
        page.locator("table.sweeping tbody tr", has_text=HOME_VISIT_CHILD).locator(
            "a:has-text('Diukur di rumah')"
        ),
    )
    assert page.url == base + reverse("measurements:visit_new", args=[bima.pk])
    page.fill("input[name=measured_on]", today.isoformat())
    page.fill("input[name=weight_kg]", "11,2")
    page.fill("input[name=height_cm]", "82,5")
    page.check("input[name=position][value=l]")
    expect(page.locator("#preview table.zs")).to_contain_text("PB/U")
    assert page.locator("input[name=confirm_warnings]").count() == 0  # plausible values
    follow(page, "main button[type=submit]")
    assert page.url == base + reverse("measurements:child", args=[bima.pk]), page.inner_text("main")
    expect(page.locator("main .messages")).to_contain_text(
        f"Tersimpan: {HOME_VISIT_CHILD}, {today:%d/%m/%Y}."
    )
    visit = Visit.objects.get(child=bima, measured_on=today)
    target = CampaignTarget.objects.get(campaign=campaign, child=bima)
    assert (target.measured_on, target.visit_id) == (today, visit.pk)

    # Back on the campaign page: one more measured, and one fewer to sweep.
    page.goto(base + reverse("campaigns:list"))
    follow(page, page.locator("main ul.list a.row", has_text=CAMPAIGN_NAME))
    assert headline(page) == "2/3"
    page.goto(f"{detail_url}?wilayah=posyandu:{city.posyandu_a.pk}")
    assert headline(page) == "2/3"
    follow(page, "main a:has-text('Daftar anak yang belum diukur')")
    assert sweeping_names(page) == ["Citra Dewi"]
    phone.close()

    # And for the city: 3 of 6.
    assert CampaignTarget.objects.filter(campaign=campaign, measured_on__isnull=False).count() == 3


def test_the_campaign_pages_fit_the_kader_phone(browser: Any, live_server: Any) -> None:
    """Like every page (test_phone_layout): nothing scrolls the whole page sideways on
    a 360 px phone, the sweeping list with its home-visit buttons included."""
    today = timezone.localdate()
    city, _children = build_city(today)
    with_password(kader_of(city.posyandu_a, username="kader_melati"))
    campaign = open_campaign(
        user=None,
        name=CAMPAIGN_NAME,
        area=area_by_key(f"kota:{city.kota.pk}"),
        starts_on=today - dt.timedelta(days=7),
        ends_on=today + dt.timedelta(days=7),
    )
    base = live_server.url
    phone = browser.new_context(viewport=PHONE, device_scale_factor=1, locale="id-ID")
    page = phone.new_page()
    log_in(page, base, "kader_melati")
    detail = reverse("campaigns:detail", args=[campaign.pk])
    wide = {}
    for url in (
        reverse("campaigns:list"),
        detail,
        f"{detail}?wilayah=puskesmas:{city.puskesmas_a.pk}",
        reverse("campaigns:not_measured", args=[campaign.pk, city.posyandu_a.pk]),
    ):
        response = page.goto(base + url, wait_until="load")
        assert response is not None and response.status == 200, url
        found = page.evaluate(OVERFLOW)
        if found["scroll"] > PHONE["width"] + 1:
            wide[url] = found
    phone.close()
    assert wide == {}
