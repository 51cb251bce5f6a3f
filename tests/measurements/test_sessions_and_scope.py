"""The weighing table of a Posyandu day, and area scoping of every URL."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from posyandu.measurements.models import PosyanduSession, Visit
from posyandu.measurements.services import VisitValues, record_visit
from tests.factories import ChildFactory, bidan_of

pytestmark = pytest.mark.django_db


def test_a_kader_opens_todays_session_of_her_own_posyandu(kader_client, city):
    page = kader_client.get(reverse("measurements:session_pick")).content.decode()
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in page
    assert "Posyandu Melati" in page and "Posyandu Anggrek" not in page
    response = kader_client.post(
        reverse("measurements:session_pick"),
        {"posyandu": city.posyandu_a.pk, "date": f"{timezone.localdate():%d/%m/%Y}"},
    )
    session = PosyanduSession.objects.get()
    assert response["Location"] == reverse("measurements:session", args=[session.pk])
    assert (session.posyandu, session.date) == (city.posyandu_a, timezone.localdate())


def test_a_kader_cannot_open_a_session_for_another_posyandu(kader_client, city):
    response = kader_client.post(
        reverse("measurements:session_pick"),
        {"posyandu": city.posyandu_b.pk, "date": "2024-07-15"},
    )
    assert "Pilih Posyandu dari daftar." in response.content.decode()
    assert not PosyanduSession.objects.exists()


def test_a_session_in_the_future_is_refused(kader_client, city):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = kader_client.post(
        reverse("measurements:session_pick"),
        {"posyandu": city.posyandu_a.pk, "date": f"{tomorrow:%Y-%m-%d}"},
    )
    assert "Tanggal hari buka tidak boleh di masa depan." in response.content.decode()


def test_the_weighing_table_splits_children_weighed_this_month_from_the_rest(
    kader_client, city, kader
):
    session = PosyanduSession.objects.create(posyandu=city.posyandu_a, date=dt.date(2024, 7, 15))
    ani = ChildFactory(name="Ani", birth_date=dt.date(2023, 5, 1), posyandu=city.posyandu_a)
    budi = ChildFactory(name="Budi", birth_date=dt.date(2023, 6, 1), posyandu=city.posyandu_a)
    ChildFactory(name="Cici", birth_date=dt.date(2023, 6, 1), posyandu=city.posyandu_b)
    record_visit(
        user=kader,
        child=ani,
        values=VisitValues(measured_on=dt.date(2024, 7, 3), weight_kg=Decimal("9.1")),
    )
    html = kader_client.get(reverse("measurements:session", args=[session.pk])).content.decode()
    done, not_yet = html.split("Sudah ditimbang (")[1], html.split("Sudah ditimbang (")[0]
    assert "Ani" in done and "Budi" not in done
    assert "Budi" in not_yet
    assert f"{reverse('measurements:visit_new', args=[budi.pk])}?sesi={session.pk}" in not_yet
    assert "Cici" not in html


def test_live_search_returns_only_the_matching_children_as_a_fragment(kader_client, city):
    session = PosyanduSession.objects.create(posyandu=city.posyandu_a, date=dt.date(2024, 7, 15))
    ChildFactory(name="Ani Lestari", birth_date=dt.date(2023, 5, 1), posyandu=city.posyandu_a)
    ChildFactory(name="Budi Santoso", birth_date=dt.date(2023, 6, 1), posyandu=city.posyandu_a)
    url = reverse("measurements:session", args=[session.pk])
    fragment = kader_client.get(url, {"q": "ani"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Ani Lestari" in fragment and "Budi" not in fragment
    assert "<html" not in fragment
    full_page = kader_client.get(url, {"q": "budi"}).content.decode()
    assert "<html" in full_page and "Budi Santoso" in full_page and "Ani Lestari" not in full_page


def test_a_bidan_sees_every_session_of_her_puskesmas(city):
    from django.test import Client

    client = Client()
    client.force_login(bidan_of(city.puskesmas_a))
    own = PosyanduSession.objects.create(posyandu=city.posyandu_a2, date=dt.date(2024, 7, 15))
    other = PosyanduSession.objects.create(posyandu=city.posyandu_b, date=dt.date(2024, 7, 15))
    assert client.get(reverse("measurements:session", args=[own.pk])).status_code == 200
    assert client.get(reverse("measurements:session", args=[other.pk])).status_code == 404


def test_every_measurement_url_answers_404_to_a_kader_of_another_posyandu(
    other_client, siti, kader, city
):
    visit = record_visit(
        user=kader,
        child=siti,
        values=VisitValues(measured_on=dt.date(2024, 7, 15), weight_kg=Decimal("7.5")),
    )
    session = PosyanduSession.objects.create(posyandu=city.posyandu_a, date=dt.date(2024, 7, 15))
    post = {"measured_on": "2024-08-15", "weight_kg": "7,9", "client_id": str(uuid.uuid4())}
    gets = [
        reverse("measurements:child", args=[siti.pk]),
        reverse("measurements:child_print", args=[siti.pk]),
        reverse("measurements:visit_new", args=[siti.pk]),
        reverse("measurements:visit_edit", args=[visit.pk]),
        reverse("measurements:session", args=[session.pk]),
    ]
    for url in gets:
        assert other_client.get(url).status_code == 404, url
    posts = [
        reverse("measurements:visit_new", args=[siti.pk]),
        reverse("measurements:visit_preview", args=[siti.pk]),
        reverse("measurements:visit_edit", args=[visit.pk]),
    ]
    for url in posts:
        assert other_client.post(url, {**post, "version": "1"}).status_code == 404, url
    visit.refresh_from_db()
    assert (visit.weight_kg, Visit.objects.count()) == (Decimal("7.50"), 1)


def test_a_kader_cannot_weigh_her_child_into_another_posyandus_session(kader_client, siti, city):
    foreign = PosyanduSession.objects.create(posyandu=city.posyandu_b, date=dt.date(2024, 7, 15))
    url = reverse("measurements:visit_new", args=[siti.pk]) + f"?sesi={foreign.pk}"
    assert kader_client.get(url).status_code == 404


def test_an_anonymous_visitor_is_sent_to_the_login_form(client, siti):
    response = client.get(reverse("measurements:child", args=[siti.pk]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_a_search_at_the_weighing_table_keeps_the_month_count_of_the_whole_posyandu(
    kader_client, city
):
    today = timezone.localdate()
    session = PosyanduSession.objects.create(posyandu=city.posyandu_a, date=today)
    weighed = [
        ChildFactory(name=name, birth_date=today - dt.timedelta(days=400), posyandu=city.posyandu_a)
        for name in ("Ayu", "Bima")
    ]
    ChildFactory(name="Citra", birth_date=today - dt.timedelta(days=400), posyandu=city.posyandu_a)
    for child in weighed:
        record_visit(
            user=None,
            child=child,
            values=VisitValues(measured_on=today, weight_kg=Decimal("9.1")),
            session=session,
            confirm_warnings=True,
        )
    url = reverse("measurements:session", args=[session.pk])
    for query in ("", "Citra", "zzz"):
        page = kader_client.get(url, {"q": query}).content.decode()
        assert "Sudah ditimbang bulan ini: 2 dari 3 balita." in page, query
