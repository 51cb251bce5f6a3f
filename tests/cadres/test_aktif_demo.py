"""The demo's year of Posyandu days: exactly one Posyandu is not aktif, and why."""

from __future__ import annotations

import datetime as dt

import pytest

from posyandu.accounts.scope import Scope
from posyandu.areas.hierarchy import find_area
from posyandu.areas.models import Posyandu
from posyandu.cadres.aktif import posyandu_aktif
from posyandu.cadres.incentives import roster
from posyandu.cadres.models import Kader, KaderPosting, SessionAttendance, SessionService
from posyandu.demo import city
from posyandu.demo.generator import generate
from posyandu.demo.posyandu_days import add_posyandu_days
from posyandu.measurements.models import PosyanduSession
from posyandu.policy.posyandu_aktif import TOO_FEW_KADER

TODAY = dt.date(2026, 3, 15)


def six_kader_each() -> None:
    """What the kader demo leaves: kader posted by SK at every Posyandu."""
    for posyandu in Posyandu.objects.all():
        for i in range(6):
            person = Kader.objects.create(name=f"Kader {posyandu.code} {i}", sex=2)
            person.posyandu = posyandu
            person.save()
            KaderPosting.objects.create(
                kader=person,
                posyandu=posyandu,
                sk_number=f"{i}/SK/2024",
                sk_date=dt.date(2024, 11, 1),
                started_on=dt.date(2024, 11, 1),
            )


@pytest.mark.django_db
def test_the_demo_year_has_exactly_one_posyandu_not_aktif_for_too_few_kader() -> None:
    generate(children=300, seed=11, today=TODAY)
    six_kader_each()
    days = add_posyandu_days(today=TODAY)
    assert days.year == 2025
    result = posyandu_aktif(Scope.for_command_line(), find_area(city.KOTA_CODE), 2025, today=TODAY)
    assert result.total == 124
    assert [(r.code, r.reasons, r.kader) for r in result.not_aktif] == [
        (days.not_aktif_code, [TOO_FEW_KADER], 4)
    ]
    assert days.kader_stopped == 2
    assert result.aktif_count == 123
    assert round(100 * result.share, 2) == 99.19
    # Every Posyandu opened in each of the 12 months and served a core life stage.
    assert {r.months_open for r in result.rows} == {12}
    assert all(r.stages & {"balita", "ibu_hamil", "usia_sekolah_remaja"} for r in result.rows)
    # One day a month at every Posyandu, also in the months no child came.
    in_2025 = PosyanduSession.objects.filter(date__year=2025)
    assert in_2025.count() == 124 * 12
    assert in_2025.values("posyandu_id", "date__month").distinct().count() == 124 * 12
    assert SessionService.objects.count() == days.services
    assert SessionAttendance.objects.count() == days.attendance > 0
    # The incentive roster of February 2026 has kader paid and kader left out.
    weighed_day = (
        PosyanduSession.objects.filter(date__year=2026, date__month=2, visits__isnull=False)
        .exclude(posyandu__code=days.not_aktif_code)
        .order_by("posyandu__code")
        .first()
    )
    assert weighed_day is not None
    found = roster(weighed_day.posyandu, dt.date(2026, 2, 1))
    assert found.data_entered
    assert len(found.lines) == 6
    assert {line.present for line in found.lines} >= {True}
