from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from posyandu.accounts.scope import Scope
from posyandu.measurements.selectors import participation
from tests.factories import ChildFactory, bidan_of, factory_user, kader_of, make_visit


def _month_before(period: dt.date) -> dt.date:
    return (period - dt.timedelta(days=1)).replace(day=1)


@pytest.fixture
def this_month():
    return timezone.localdate().replace(day=1)


@pytest.fixture
def register(city, this_month):
    """Posyandu Melati: 3 balita, 2 weighed this month; one aged-out child, one died."""
    young = this_month - dt.timedelta(days=400)
    ani = ChildFactory(name="Ani", birth_date=young, posyandu=city.posyandu_a)
    budi = ChildFactory(name="Budi", birth_date=young, posyandu=city.posyandu_a, sex=1)
    cici = ChildFactory(name="Cici", birth_date=young, posyandu=city.posyandu_a)
    ChildFactory(
        name="Lulus", birth_date=this_month - dt.timedelta(days=2000), posyandu=city.posyandu_a
    )
    ChildFactory(name="Almarhum", birth_date=young, posyandu=city.posyandu_a, status="meninggal")
    # Ani: short and underweight, gaining too little two months running (2T).
    # Budi: far below the red line (BGM), but gaining enough this month (N).
    two_months_ago = _month_before(_month_before(this_month))
    make_visit(ani, two_months_ago, weight_kg="6.85", height_cm="67.6")
    make_visit(ani, _month_before(this_month), weight_kg="6.95", height_cm="68.0")
    make_visit(ani, this_month, weight_kg="7.00", height_cm="68.5")
    make_visit(budi, _month_before(this_month), weight_kg="5.70")
    make_visit(budi, this_month, weight_kg="6.00")
    make_visit(cici, this_month - dt.timedelta(days=20), weight_kg="9.00")
    return {"ani": ani, "budi": budi, "cici": cici}


@pytest.mark.django_db
def test_participation_counts_d_and_s_per_posyandu(city, register, this_month):
    counts = participation(
        Scope.of(factory_user()), [city.posyandu_a.pk, city.posyandu_b.pk], this_month
    )

    assert counts[city.posyandu_a.pk].sasaran == 3
    assert counts[city.posyandu_a.pk].weighed == 2
    assert counts[city.posyandu_a.pk].d_over_s == pytest.approx(2 / 3)
    assert counts[city.posyandu_b.pk].sasaran == 0
    assert counts[city.posyandu_b.pk].d_over_s is None


@pytest.mark.django_db
def test_posyandu_list_shows_this_months_d_over_s(client, city, register, this_month):
    client.force_login(bidan_of(city.puskesmas_a))

    response = client.get(
        reverse("measurements:posyandu_list"), {"bulan": this_month.strftime("%Y-%m")}
    )

    rows = {
        row.area.name: (row.count("d"), row.count("s"))
        for row, _pct, _css in response.context["rows"]
        if row.area.level == "posyandu"
    }
    assert rows == {"Posyandu Melati": (2, 3), "Posyandu Kenanga": (0, 0)}
    assert "2/3" in response.content.decode()
    assert "66,7%" in response.content.decode()


@pytest.mark.django_db
def test_posyandu_page_shows_the_month_who_has_not_come_and_whom_to_refer(client, city, register):
    client.force_login(kader_of(city.posyandu_a))

    response = client.get(reverse("measurements:posyandu_detail", args=[city.posyandu_a.pk]))

    body = response.content.decode()
    assert response.context["sasaran"] == 3
    assert response.context["weighed"] == 2
    assert [r.child.name for r in response.context["not_yet"]] == ["Cici"]
    assert "66,7%" in body
    assert "Lulus" not in body and "Almarhum" not in body
    # Ani is 2T this month, Budi below the red line: both to refer, nobody else.
    refer = {r.child.name: r.this_month for r in response.context["refer"]}
    assert set(refer) == {"Ani", "Budi"}
    assert (refer["Ani"].weight_gain, refer["Ani"].is_2t) == ("T", True)
    assert (refer["Budi"].weight_gain, refer["Budi"].is_bgm) == ("N", True)
    assert "Belum datang (1)" in body
    assert reverse("measurements:child", args=[register["ani"].pk]) in body
    # No table open today: a name leads to the child's page.
    assert reverse("measurements:child", args=[register["cici"].pk]) in body
    assert f"{reverse('children:new')}?posyandu={city.posyandu_a.pk}" in body
    assert f'action="{reverse("children:list")}"' in body


@pytest.mark.django_db
def test_month_picker_shows_last_month(client, city, register, this_month):
    client.force_login(kader_of(city.posyandu_a))
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)

    response = client.get(
        reverse("measurements:posyandu_detail", args=[city.posyandu_a.pk]),
        {"bulan": last_month.strftime("%Y-%m")},
    )

    assert response.context["period"] == last_month
    # Ani and Budi were weighed last month; Cici 20 days before this month began.
    weighed_last_month = 2 + (1 if register["cici"].visits.get().period == last_month else 0)
    assert response.context["weighed"] == weighed_last_month


@pytest.mark.django_db
def test_an_unreadable_month_falls_back_to_this_month(client, city, register, this_month):
    client.force_login(kader_of(city.posyandu_a))
    response = client.get(
        reverse("measurements:posyandu_detail", args=[city.posyandu_a.pk]), {"bulan": "2025-13"}
    )
    assert response.context["period"] == this_month


@pytest.mark.django_db
def test_home_sends_a_kader_to_their_posyandu_page(client, city):
    client.force_login(kader_of(city.posyandu_a))
    response = client.get("/")
    assert response["Location"] == reverse(
        "measurements:posyandu_detail", args=[city.posyandu_a.pk]
    )


@pytest.mark.django_db
def test_an_empty_register_says_so(client, city):
    client.force_login(kader_of(city.posyandu_a))
    response = client.get(reverse("measurements:posyandu_detail", args=[city.posyandu_a.pk]))
    assert "Belum ada anak terdaftar." in response.content.decode()
