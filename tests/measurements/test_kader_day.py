"""A kader's Posyandu day: one path (home -> today's table -> visit -> table), plain
results, and the bidan's numbers one tap away."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from posyandu.children.models import Sex
from posyandu.measurements.display import plain_result
from posyandu.measurements.models import PosyanduSession, Visit
from posyandu.measurements.services import VisitValues, record_visit
from tests.factories import ChildFactory, bidan_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def siti_visits(siti, kader) -> list[Visit]:
    """B in June, N in July (+500 g, KBM 400 g at 6 months), T in August (+100 g,
    KBM 300 g) and T again in September (+0 g): 2T."""
    return [
        record_visit(
            user=kader,
            child=siti,
            values=VisitValues(
                measured_on=day, weight_kg=Decimal(kg), height_cm=Decimal(cm), position="l"
            ),
        )
        for day, kg, cm in [
            (dt.date(2024, 6, 15), "7.0", "65.0"),
            (dt.date(2024, 7, 15), "7.5", "66.5"),
            (dt.date(2024, 8, 15), "7.6", "67.5"),
            (dt.date(2024, 9, 15), "7.6", "68.4"),
        ]
    ]


def child_page(client: Client, child) -> str:
    return client.get(reverse("measurements:child", args=[child.pk])).content.decode()


def test_each_weight_gain_reads_as_what_to_tell_the_mother():
    def text(status: str, **kw) -> str | None:
        found = plain_result(
            weight_gain=status,
            is_2t=kw.get("is_2t", False),
            is_bgm=kw.get("is_bgm", False),
            categories=kw.get("categories", {}),
        )
        return None if found is None else found.text

    assert text("N") == "Naik cukup"
    assert text("T") == "Tidak naik — timbang lagi bulan depan"
    assert text("T", is_2t=True) == "Rujuk ke Puskesmas"
    assert text("N", is_bgm=True) == "Rujuk ke Puskesmas"
    assert text("N", categories={"lhfa": "pendek"}) == "Rujuk ke Puskesmas"
    assert text("N", categories={"lhfa": "normal", "wfa": "normal"}) == "Naik cukup"
    assert text("B") == "Pertama kali ditimbang — timbang lagi bulan depan"
    assert text("O") == "Bulan lalu tidak ditimbang — timbang lagi bulan depan"
    assert text("") is None
    implausible = plain_result(
        weight_gain="N", is_2t=False, is_bgm=False, categories={}, implausible=True
    )
    assert implausible is not None
    assert implausible.text == "Periksa lagi: ukur ulang sebelum menyimpan"


def test_the_child_page_gives_each_visit_its_plain_result(kader_client, siti, siti_visits):
    response = kader_client.get(reverse("measurements:child", args=[siti.pk]))
    results = [r.text if r else None for _v, r in response.context["visits"]]
    # Newest first.
    assert results == [
        "Rujuk ke Puskesmas",
        "Tidak naik — timbang lagi bulan depan",
        "Naik cukup",
        "Pertama kali ditimbang — timbang lagi bulan depan",
    ]
    assert response.context["latest_result"].text == "Rujuk ke Puskesmas"
    html = response.content.decode()
    assert "Arti N, T, O, B, 2T dan BGM" in html
    assert "Dua bulan berturut-turut tidak naik: rujuk ke Puskesmas." in html


def test_the_nt_strip_starts_at_the_first_visit_not_at_birth(kader_client, siti, siti_visits):
    response = kader_client.get(reverse("measurements:child", args=[siti.pk]))
    strip = response.context["strip"]
    today = timezone.localdate()
    months_since_june_2024 = (today.year - 2024) * 12 + today.month - 6 + 1
    assert strip[0]["period"] == dt.date(2024, 6, 1)
    assert len(strip) == min(months_since_june_2024, 60)
    assert [c["status"] for c in strip[:4]] == ["B", "N", "T", "T"]


def test_a_child_never_weighed_has_no_empty_strip(kader_client, siti):
    response = kader_client.get(reverse("measurements:child", args=[siti.pk]))
    assert response.context["strip"] == []
    assert "Riwayat N/T per bulan" not in response.content.decode()


def test_a_kader_sees_no_z_score_or_imt_u_until_opening_the_bidans_numbers(
    kader_client, siti, siti_visits
):
    html = child_page(kader_client, siti)
    shown, bidan = html.split('<details class="for-bidan card"', 1)
    assert not bidan.startswith(" open")
    assert "IMT/U" not in shown and "IMT/U" in bidan
    z_score = re.compile(r"[+−]\d,\d\d<")
    assert not z_score.search(shown)
    assert z_score.search(bidan)


def test_a_bidan_finds_the_numbers_open(city, siti, siti_visits):
    client = Client()
    client.force_login(bidan_of(city.puskesmas_a))
    html = child_page(client, siti)
    assert '<details class="for-bidan card" open>' in html


def test_a_child_without_nik_shows_no_local_id_jargon(kader_client, city):
    child = ChildFactory(
        name="Bayi Tanpa NIK", nik="", birth_date=dt.date(2024, 5, 1), posyandu=city.posyandu_a
    )
    assert child.local_id
    html = child_page(kader_client, child)
    assert child.local_id not in html
    assert "belum ada NIK" in html


def test_the_chart_legend_names_both_signs_of_each_band(kader_client, siti, siti_visits):
    html = child_page(kader_client, siti)
    assert "2…3 SD" not in html
    assert "antara −3 SD dan −2 SD; untuk berat juga antara +2 SD dan +3 SD" in html
    # The child's points are joined by one line on each chart.
    assert html.count('class="child-line"') == 3


def test_the_visit_preview_says_the_result_and_keeps_z_scores_folded(kader_client, siti, kader):
    record_visit(
        user=kader,
        child=siti,
        values=VisitValues(measured_on=dt.date(2024, 6, 15), weight_kg=Decimal("7.0")),
    )
    response = kader_client.post(
        reverse("measurements:visit_preview", args=[siti.pk]),
        {"measured_on": "2024-07-15", "weight_kg": "7,5", "height_cm": "66,5", "position": "l"},
    )
    html = response.content.decode()
    assert response.context["result"].text == "Naik cukup"
    assert '<span class="pill result ok">Naik cukup</span>' in html
    folded = html.split('<details class="for-bidan">', 1)
    assert len(folded) == 2
    assert "IMT/U" not in folded[0] and "IMT/U" in folded[1]


def test_the_saved_message_starts_with_the_plain_result(kader_client, siti, kader):
    record_visit(
        user=kader,
        child=siti,
        values=VisitValues(measured_on=dt.date(2024, 6, 15), weight_kg=Decimal("7.0")),
    )
    response = kader_client.post(
        reverse("measurements:visit_new", args=[siti.pk]),
        {"measured_on": "2024-07-15", "weight_kg": "7,5", "height_cm": "66,5", "position": "l"},
        follow=True,
    )
    html = response.content.decode()
    assert "Tersimpan: Siti Aminah, 15/07/2024. Naik cukup. N (naik)" in html
    message = html.split('<ul class="messages">', 1)[1].split("</ul>", 1)[0]
    assert "IMT/U" not in message


def test_home_opens_todays_table_with_one_button_and_then_continues_it(
    kader_client, city, siti, kader
):
    home = reverse("measurements:posyandu_detail", args=[city.posyandu_a.pk])
    html = kader_client.get(home).content.decode()
    assert "Buka hari Posyandu hari ini" in html
    today = timezone.localdate()
    assert f'name="date" value="{today:%Y-%m-%d}"' in html
    response = kader_client.post(
        reverse("measurements:session_pick"),
        {"posyandu": city.posyandu_a.pk, "date": f"{today:%Y-%m-%d}"},
    )
    session = PosyanduSession.objects.get()
    assert response["Location"] == reverse("measurements:session", args=[session.pk])
    after = kader_client.get(home)
    body = after.content.decode()
    assert "Lanjutkan meja timbang hari ini" in body
    # With the table open, who has not come leads straight to the weighing form.
    url = reverse("measurements:visit_new", args=[siti.pk]) + f"?sesi={session.pk}"
    assert [r.url for r in after.context["not_yet"]] == [url]
    assert url in body
    # The queue leads the kader back home, not to a list of Posyandu.
    queue = kader_client.get(reverse("measurements:session", args=[session.pk])).content.decode()
    assert f'href="{home}">← Posyandu saya' in queue


def test_a_past_month_offers_no_weighing_button(kader_client, city, siti):
    last_month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    html = kader_client.get(
        reverse("measurements:posyandu_detail", args=[city.posyandu_a.pk]), {"bulan": last_month}
    ).content.decode()
    assert "Buka hari Posyandu" not in html and "Lanjutkan meja timbang" not in html


def test_the_kader_home_does_not_list_the_register_twice(kader_client, city, kader):
    today = timezone.localdate()
    children = [
        ChildFactory(
            name=f"Anak {i:02d}",
            sex=Sex.FEMALE,
            birth_date=today - dt.timedelta(days=300 + i),
            posyandu=city.posyandu_a,
        )
        for i in range(30)
    ]
    html = kader_client.get(
        reverse("measurements:posyandu_detail", args=[city.posyandu_a.pk])
    ).content.decode()
    for child in children:
        assert html.count(f">{child.name}<") == 1
    # Thirty names fold away: the list opens on a tap.
    assert '<details class="card not-yet">' in html
    assert "Belum datang (30)" in html


def test_a_kader_has_one_way_to_weigh_in_the_menu(kader_client, city):
    html = kader_client.get(reverse("children:list")).content.decode()
    nav = html.split('<nav class="nav">', 1)[1].split("</nav>", 1)[0]
    assert reverse("measurements:session_pick") not in nav
    assert reverse("measurements:posyandu_list") not in nav
    assert "Posyandu saya" in nav


def test_a_bidan_keeps_the_timbang_and_posyandu_menus(city):
    client = Client()
    client.force_login(bidan_of(city.puskesmas_a))
    html = client.get(reverse("children:list")).content.decode()
    nav = html.split('<nav class="nav">', 1)[1].split("</nav>", 1)[0]
    assert reverse("measurements:session_pick") in nav
    assert reverse("measurements:posyandu_list") in nav


def test_a_correction_opened_from_the_days_table_goes_back_to_it(kader_client, city, siti, kader):
    today = timezone.localdate()
    session = PosyanduSession.objects.create(posyandu=city.posyandu_a, date=today)
    visit = record_visit(
        user=kader,
        child=siti,
        session=session,
        values=VisitValues(measured_on=today, weight_kg=Decimal("9.0")),
    )
    queue = kader_client.get(reverse("measurements:session", args=[session.pk])).content.decode()
    edit_url = reverse("measurements:visit_edit", args=[visit.pk]) + f"?sesi={session.pk}"
    assert edit_url in queue
    data = {
        "measured_on": today.isoformat(),
        "weight_kg": "9,1",
        "version": str(visit.version),
    }
    response = kader_client.post(edit_url, data)
    assert response["Location"] == reverse("measurements:session", args=[session.pk])
    # Opened from the child's page, it goes back there.
    visit.refresh_from_db()
    data["version"] = str(visit.version)
    response = kader_client.post(reverse("measurements:visit_edit", args=[visit.pk]), data)
    assert response["Location"] == reverse("measurements:child", args=[siti.pk])


def test_an_implausible_value_typed_says_check_again_not_a_result(kader_client, siti):
    response = kader_client.post(
        reverse("measurements:visit_preview", args=[siti.pk]),
        {"measured_on": "2024-07-15", "weight_kg": "19,0", "height_cm": "66,5", "position": "l"},
    )
    assert response.context["result"].text == "Periksa lagi: ukur ulang sebelum menyimpan"
