"""Deleting a visit entered by mistake: confirm first, version-checked, audited, N/T redone."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from django.urls import reverse

from posyandu.core.models import AuditLog
from posyandu.measurements import selectors, views
from posyandu.measurements.models import Visit
from posyandu.measurements.services import (
    VisitGone,
    VisitValues,
    delete_visit,
    record_visit,
    update_visit,
)
from tests.factories import make_visit

pytestmark = pytest.mark.django_db


def weigh(child, user, day: dt.date, kg: str) -> Visit:
    return record_visit(
        user=user, child=child, values=VisitValues(measured_on=day, weight_kg=Decimal(kg))
    )


def delete_url(visit: Visit) -> str:
    return reverse("measurements:visit_delete", args=[visit.pk])


def test_the_edit_page_links_to_deleting_the_visit(kader_client, siti, kader):
    visit = weigh(siti, kader, dt.date(2024, 7, 15), "7.5")
    html = kader_client.get(reverse("measurements:visit_edit", args=[visit.pk])).content.decode()
    assert f'href="{delete_url(visit)}">Hapus kunjungan ini</a>' in html


def test_opening_the_delete_page_asks_first_and_deletes_nothing(kader_client, siti, kader):
    visit = weigh(siti, kader, dt.date(2024, 7, 15), "7.5")

    response = kader_client.get(delete_url(visit))

    html = response.content.decode()
    assert response.status_code == 200
    assert "15/07/2024" in html
    assert "BB 7,5 kg" in html
    assert 'name="version" value="1"' in html
    assert "Ya, hapus kunjungan ini" in html
    assert Visit.objects.filter(pk=visit.pk).exists()
    assert not AuditLog.objects.filter(action="delete").exists()


def test_deleting_the_middle_month_makes_the_next_month_o(kader_client, siti, kader):
    weigh(siti, kader, dt.date(2024, 6, 15), "7.0")
    july = weigh(siti, kader, dt.date(2024, 7, 15), "7.5")
    august = weigh(siti, kader, dt.date(2024, 8, 15), "7.8")
    assert (august.weight_gain, august.weight_gain_g) == ("N", 300)

    response = kader_client.post(delete_url(july), {"version": july.version}, follow=True)

    assert response.redirect_chain == [(reverse("measurements:child", args=[siti.pk]), 302)]
    assert "Kunjungan Siti Aminah tanggal 15/07/2024 dihapus." in response.content.decode()
    assert not Visit.objects.filter(pk=july.pk).exists()
    august.refresh_from_db()
    assert (august.weight_gain, august.weight_gain_g, august.kbm_g) == ("O", None, None)


def test_deleting_writes_an_audit_record_with_the_deleted_values(kader_client, siti, kader):
    visit = weigh(siti, kader, dt.date(2024, 7, 15), "7.5")

    kader_client.post(delete_url(visit), {"version": visit.version})

    record = AuditLog.objects.get(action="delete", object_id=str(visit.pk))
    assert (record.object_type, record.user) == ("measurements.visit", kader)
    assert record.changes["weight_kg"] == ["7.50", None]
    assert record.kota_id == siti.posyandu.kelurahan.kecamatan.kota_id


def test_a_visit_changed_meanwhile_is_not_deleted_and_the_new_values_are_shown(
    kader_client, siti, kader
):
    visit = weigh(siti, kader, dt.date(2024, 7, 15), "7.5")
    opened_version = visit.version
    update_visit(
        user=kader,
        visit=visit,
        version=visit.version,
        values=replace(VisitValues.of(visit), weight_kg=Decimal("7.6")),
    )

    response = kader_client.post(delete_url(visit), {"version": opened_version})

    html = response.content.decode()
    assert response.status_code == 200
    assert "baru saja diubah orang lain, jadi belum dihapus" in html
    assert "BB 7,6 kg" in html
    # Having seen the current values, a second confirmation deletes on purpose.
    assert 'name="version" value="2"' in html
    assert Visit.objects.filter(pk=visit.pk).exists()
    assert kader_client.post(delete_url(visit), {"version": "2"}).status_code == 302
    assert not Visit.objects.filter(pk=visit.pk).exists()


def test_a_post_without_a_version_deletes_nothing(kader_client, siti, kader):
    visit = weigh(siti, kader, dt.date(2024, 7, 15), "7.5")
    assert kader_client.post(delete_url(visit), {}).status_code == 400
    assert kader_client.post(delete_url(visit), {"version": "satu"}).status_code == 400
    assert Visit.objects.filter(pk=visit.pk).exists()


def test_a_kader_of_another_posyandu_gets_404_and_deletes_nothing(other_client, siti, kader):
    visit = weigh(siti, kader, dt.date(2024, 7, 15), "7.5")

    assert other_client.get(delete_url(visit)).status_code == 404
    assert other_client.post(delete_url(visit), {"version": visit.version}).status_code == 404
    assert Visit.objects.filter(pk=visit.pk).exists()
    assert not AuditLog.objects.filter(action="delete").exists()


def test_a_correction_of_a_visit_deleted_meanwhile_says_so(monkeypatch, siti, kader, kader_client):
    """The race of the issue: the form is checked, then someone deletes the visit
    before the correction is saved. No server error: a message on the child page."""
    visit = make_visit(siti, dt.date(2025, 1, 20), weight_kg="8.0")
    real_lookup = selectors.visit_for_write

    def lookup_then_someone_deletes(scope, pk):
        found = real_lookup(scope, pk)
        delete_visit(user=kader, visit=found, version=found.version)
        return found

    monkeypatch.setattr(views, "visit_for_write", lookup_then_someone_deletes)
    response = kader_client.post(
        reverse("measurements:visit_edit", args=[visit.pk]),
        {"measured_on": "20/01/2025", "weight_kg": "8,1", "version": visit.version},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("measurements:child", args=[siti.pk])
    assert "baru saja dihapus orang lain" in response.content.decode()
    with pytest.raises(VisitGone):
        update_visit(user=kader, visit=visit, version=visit.version, values=VisitValues.of(visit))
