"""The monthly incentive roster of a Posyandu, and the day's services and kader present."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from posyandu.cadres.day_services import record_day
from posyandu.cadres.incentives import CSV_COLUMNS, roster
from posyandu.cadres.models import Kader, KaderPosting, SessionAttendance, SessionService
from posyandu.core.models import AuditAction, AuditLog
from posyandu.measurements.models import PosyanduSession
from posyandu.policy.posyandu_aktif import (
    ABSENT,
    DATA_NOT_ENTERED,
    NO_POSTING,
    NO_POSYANDU_DAY,
    NO_SK,
    NOT_INCENTIVE_ELIGIBLE,
    SK_AFTER_DAY,
)
from tests.factories import ChildFactory, City, bidan_of, dinkes_of, kader_of, make_visit

pytestmark = pytest.mark.django_db

MONTH = dt.date(2025, 3, 1)
DAY = dt.date(2025, 3, 12)


def kader(city: City, name: str, **posting: object) -> Kader:
    person = Kader.objects.create(name=name, sex=2)
    values: dict[str, object] = {
        "sk_number": "7/SK-LRH/2025",
        "sk_date": dt.date(2025, 1, 6),
        "started_on": dt.date(2025, 1, 6),
    }
    values.update(posting)
    KaderPosting.objects.create(kader=person, posyandu=city.posyandu_a, **values)  # type: ignore[misc]
    return person


@pytest.fixture
def day(city: City) -> PosyanduSession:
    session = PosyanduSession.objects.create(posyandu=city.posyandu_a, date=DAY)
    child = ChildFactory(posyandu=city.posyandu_a, birth_date=dt.date(2024, 1, 1))
    make_visit(child, DAY, weight_kg="9.0", session=session)
    SessionService.objects.create(session=session, life_stage="balita", people_served=1)
    return session


def test_each_kader_is_paid_or_left_out_with_the_reason(city: City, day: PosyanduSession) -> None:
    paid = kader(city, "Ani")
    absent = kader(city, "Budi")
    no_sk = kader(city, "Cici", sk_number="", sk_date=None)
    late_sk = kader(city, "Dewi", sk_date=dt.date(2025, 3, 20))
    old_sk = kader(city, "Eka", sk_date=dt.date(2010, 2, 1), started_on=dt.date(2010, 2, 1))
    volunteer = kader(city, "Fitri", incentive_eligible=False)
    moved = kader(city, "Gita", ended_on=dt.date(2025, 3, 5))
    for person in (paid, no_sk, late_sk, old_sk, volunteer):
        SessionAttendance.objects.create(session=day, kader=person)
    found = roster(city.posyandu_a, MONTH)
    by_name = {line.name: line.reasons for line in found.lines}
    assert by_name == {
        "Ani": [],
        "Budi": [ABSENT],
        "Cici": [NO_SK],
        "Dewi": [SK_AFTER_DAY],
        "Eka": [],
        "Fitri": [NOT_INCENTIVE_ELIGIBLE],
        "Gita": [NO_POSTING],
    }
    assert [line.name for line in found.paid] == ["Ani", "Eka"]
    assert found.data_entered and found.days == [DAY]
    assert absent.pk not in [line.kader_id for line in found.paid]
    assert moved.pk in [line.kader_id for line in found.left_out]


def test_a_day_without_its_services_recorded_is_data_not_entered(city: City) -> None:
    session = PosyanduSession.objects.create(posyandu=city.posyandu_a, date=DAY)
    child = ChildFactory(posyandu=city.posyandu_a, birth_date=dt.date(2024, 1, 1))
    make_visit(child, DAY, weight_kg="9.0", session=session)
    person = kader(city, "Ani")
    SessionAttendance.objects.create(session=session, kader=person)
    assert roster(city.posyandu_a, MONTH).lines[0].reasons == [DATA_NOT_ENTERED]


def test_a_month_without_a_posyandu_day_pays_nobody(city: City) -> None:
    kader(city, "Ani")
    found = roster(city.posyandu_a, MONTH)
    assert found.lines[0].reasons == [NO_POSYANDU_DAY]
    assert not found.data_entered


def test_the_csv_for_payment_and_its_audit(client, city: City, day: PosyanduSession) -> None:
    person = kader(city, "Ani")
    kader(city, "Budi")
    SessionAttendance.objects.create(session=day, kader=person)
    client.force_login(dinkes_of(city.kota))
    url = reverse("cadres:incentives_csv", args=[city.posyandu_a.pk]) + "?bulan=2025-03"
    response = client.get(url)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == CSV_COLUMNS
    assert rows[1] == [
        "PSY-A",
        "Posyandu Melati",
        "2025-03",
        str(person.pk),
        "Ani",
        "Anggota",
        "7/SK-LRH/2025",
        "2025-01-06",
        "1",
        "1",
        "",
    ]
    assert rows[2][4] == "Budi" and rows[2][8:] == ["0", "0", "tidak hadir pada hari buka"]
    assert AuditLog.objects.filter(action=AuditAction.EXPORT, object_id=city.posyandu_a.pk).count()
    page = client.get(reverse("cadres:incentives", args=[city.posyandu_a.pk]) + "?bulan=2025-03")
    assert "1 / 2" in page.content.decode()


def test_a_kader_records_the_days_services_and_who_came(client, city: City) -> None:
    session = PosyanduSession.objects.create(posyandu=city.posyandu_a, date=DAY)
    ani, budi = kader(city, "Ani"), kader(city, "Budi")
    client.force_login(kader_of(city.posyandu_a))
    url = reverse("cadres:day_services", args=[session.pk])
    response = client.post(
        url,
        {
            "stage_balita": "on",
            "people_balita": "41",
            "stage_lansia": "on",
            "kader": [ani.pk, budi.pk],
        },
    )
    assert response.status_code == 302
    assert dict(
        SessionService.objects.filter(session=session).values_list("life_stage", "people_served")
    ) == {"balita": 41, "lansia": None}
    client.post(url, {"stage_ibu_hamil": "on", "people_ibu_hamil": "3", "kader": [ani.pk]})
    assert dict(
        SessionService.objects.filter(session=session).values_list("life_stage", "people_served")
    ) == {"ibu_hamil": 3}
    assert list(
        SessionAttendance.objects.filter(session=session).values_list("kader__name", flat=True)
    ) == ["Ani"]
    assert AuditLog.objects.filter(action=AuditAction.UPDATE, object_id=session.pk).count() == 2


def test_only_kader_posted_at_the_posyandu_that_day_can_be_present(city: City) -> None:
    session = PosyanduSession.objects.create(posyandu=city.posyandu_a, date=DAY)
    elsewhere = Kader.objects.create(name="Lain", sex=2)
    KaderPosting.objects.create(
        kader=elsewhere, posyandu=city.posyandu_b, started_on=dt.date(2025, 1, 1)
    )
    with pytest.raises(ValidationError):
        record_day(user=None, session=session, stages={}, kader_ids=[elsewhere.pk])
    with pytest.raises(ValidationError):
        record_day(user=None, session=session, stages={"kucing": 1}, kader_ids=[])


def test_a_bidan_of_another_puskesmas_cannot_see_the_day(client, city: City) -> None:
    session = PosyanduSession.objects.create(posyandu=city.posyandu_a, date=DAY)
    client.force_login(bidan_of(city.puskesmas_b))
    assert client.get(reverse("cadres:day_services", args=[session.pk])).status_code == 404


def test_a_day_that_served_balita_without_any_weighing_entered_is_not_entered(
    city: City,
) -> None:
    session = PosyanduSession.objects.create(posyandu=city.posyandu_a, date=DAY)
    SessionService.objects.create(session=session, life_stage="balita", people_served=30)
    person = kader(city, "Ani")
    SessionAttendance.objects.create(session=session, kader=person)
    assert roster(city.posyandu_a, MONTH).lines[0].reasons == [DATA_NOT_ENTERED]
    # A day that served only the elderly needs no weighing.
    SessionService.objects.filter(session=session).update(life_stage="lansia")
    assert roster(city.posyandu_a, MONTH).lines[0].reasons == []
