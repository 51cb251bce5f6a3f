"""The demo's year of Posyandu days: exactly one Posyandu is not aktif, and why."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from posyandu.accounts.scope import Scope
from posyandu.areas.hierarchy import find_area
from posyandu.cadres.aktif import posyandu_aktif
from posyandu.cadres.incentives import roster
from posyandu.cadres.models import SessionAttendance, SessionService
from posyandu.campaigns.models import CampaignTarget
from posyandu.demo import city, users
from posyandu.demo.setup import setup_demo
from posyandu.measurements.models import PosyanduSession
from posyandu.policy.posyandu_aktif import TOO_FEW_KADER
from posyandu.reports.kader_score import kader_of_the_year


@pytest.fixture
def fast_hashes(settings: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hash the demo passwords in-process with a fast hasher (tests only)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]
    monkeypatch.setattr(users, "HASH_WORKERS", 0)


@pytest.mark.django_db
def test_the_demo_year_has_exactly_one_posyandu_not_aktif_for_too_few_kader(
    fast_hashes: None, tmp_path: Path
) -> None:
    setup_demo(children=300, seed=11, directory=tmp_path, say=lambda _m: None)
    today = timezone.localdate()
    year = today.year - 1
    result = posyandu_aktif(Scope.for_command_line(), find_area(city.KOTA_CODE), year, today=today)
    assert result.total == 124
    assert len(result.not_aktif) == 1
    failing = result.not_aktif[0]
    assert failing.reasons == [TOO_FEW_KADER]
    assert failing.kader == 4
    assert result.aktif_count == 123
    assert round(100 * result.share, 2) == 99.19
    # Every Posyandu opened in each of the 12 months and served a core life stage.
    assert {r.months_open for r in result.rows} == {12}
    assert all(r.stages & {"balita", "ibu_hamil", "usia_sekolah_remaja"} for r in result.rows)
    # One day a month at every Posyandu, also in the months no child came.
    in_year = PosyanduSession.objects.filter(date__year=year)
    assert in_year.count() == 124 * 12
    assert in_year.values("posyandu_id", "date__month").distinct().count() == 124 * 12
    assert SessionService.objects.exists()
    assert SessionAttendance.objects.exists()
    # The incentive roster of a day with weighing pays kader and leaves some out.
    weighed_day = (
        PosyanduSession.objects.filter(date__year=year, visits__isnull=False)
        .exclude(posyandu_id=failing.pk)
        .order_by("date", "posyandu__code")
        .first()
    )
    assert weighed_day is not None
    found = roster(weighed_day.posyandu, weighed_day.date.replace(day=1))
    assert found.data_entered
    assert len(found.lines) >= 5
    assert any(line.paid for line in found.lines)
    assert dt.date(year, 1, 1) <= weighed_day.date
    # Home visits of last year's Operasi Timbang count for the kader with a login.
    ranking = kader_of_the_year(Scope.for_command_line(), find_area(city.KOTA_CODE), year)
    visits = sum(r.home_visits for r in ranking.rows)
    assert (
        visits
        == CampaignTarget.objects.filter(outcome_on__year=year, outcome_by__isnull=False).count()
    )
    assert visits > 0
