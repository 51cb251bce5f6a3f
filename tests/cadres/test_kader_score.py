"""Kader of the year on small hand-built data: every component computed by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from posyandu.accounts.scope import Scope
from posyandu.areas.hierarchy import find_area
from posyandu.cadres.models import Kader, KaderPosting, SessionAttendance, Skill
from posyandu.cadres.services import record_assessments
from posyandu.campaigns.models import CampaignTarget
from posyandu.campaigns.services import open_campaign
from posyandu.measurements.models import PosyanduSession, Visit
from posyandu.policy.posyandu_aktif import KADER_SCORE_2025
from posyandu.reports.kader_score import kader_of_the_year
from posyandu.reports.quality import measurements_of, score
from tests.factories import ChildFactory, City, bidan_of, dinkes_of, kader_of, make_visit

pytestmark = pytest.mark.django_db


def posted(city: City, name: str, **kwargs: object) -> Kader:
    person = Kader.objects.create(name=name, sex=2, posyandu=city.posyandu_a, **kwargs)  # type: ignore[misc]
    KaderPosting.objects.create(
        kader=person,
        posyandu=city.posyandu_a,
        sk_number="1/SK/2025",
        sk_date=dt.date(2025, 1, 2),
        started_on=dt.date(2025, 1, 2),
    )
    return person


@pytest.fixture
def year_of_two(city: City) -> tuple[Kader, Kader]:
    """Ani (with a login) and Budi at Posyandu Melati through 2025."""
    ani = posted(city, "Ani", user=kader_of(city.posyandu_a, username="ani"))
    budi = posted(city, "Budi")
    days = [
        PosyanduSession.objects.create(posyandu=city.posyandu_a, date=dt.date(2025, m, 10))
        for m in (3, 4, 5, 6)
    ]
    for day in days:
        SessionAttendance.objects.create(session=day, kader=ani)
    for day in days[:2]:
        SessionAttendance.objects.create(session=day, kader=budi)
    rina = ChildFactory(name="Rina", posyandu=city.posyandu_a, birth_date=dt.date(2024, 6, 1))
    sari = ChildFactory(name="Sari", posyandu=city.posyandu_a, birth_date=dt.date(2024, 6, 1))
    # March: one complete measurement and one weight alone; May: one complete.
    make_visit(rina, days[0].date, weight_kg="8.0", height_cm="70.0", position="l", session=days[0])
    make_visit(sari, days[0].date, weight_kg="8.2", session=days[0])
    make_visit(rina, days[2].date, weight_kg="8.4", height_cm="72.0", position="l", session=days[2])
    # Ani is assessed competent in five skills.
    skills = list(Skill.objects.filter(is_active=True).order_by("package", "order")[:5])
    record_assessments(
        assessor=bidan_of(city.puskesmas_a),
        kader=ani,
        assessed_on=dt.date(2025, 8, 1),
        method="observasi",
        results={s.pk: True for s in skills},
    )
    # Three Operasi Timbang home visits recorded with Ani's login.
    for i in range(3):
        ChildFactory(name=f"Anak {i}", posyandu=city.posyandu_a, birth_date=dt.date(2023, 1, 1))
    campaign = open_campaign(
        user=None,
        name="Operasi Timbang Agustus 2025",
        area=find_area(city.posyandu_a.code),
        starts_on=dt.date(2025, 8, 1),
        ends_on=dt.date(2025, 8, 31),
    )
    targets = list(campaign.targets.filter(child__name__startswith="Anak"))
    CampaignTarget.objects.filter(pk__in=[t.pk for t in targets]).update(
        outcome="diukur", outcome_on=dt.date(2025, 8, 20), outcome_by=ani.user
    )
    return ani, budi


def test_each_component_and_the_score_by_hand(city: City, year_of_two) -> None:  # type: ignore[no-untyped-def]
    ranking = kader_of_the_year(Scope.for_command_line(), find_area("64.74"), 2025)
    ani, budi = ranking.rows
    assert Skill.objects.filter(is_active=True).count() == 25
    # Ani: 4 of 4 days; 2 of 3 visits complete; 5 of 25 skills; 3 home visits of 12.
    assert (ani.name, ani.days_present, ani.days_held) == ("Ani", 4, 4)
    assert (ani.complete_visits, ani.visits) == (2, 3)
    assert (ani.skills_competent, ani.skills_total, ani.home_visits) == (5, 25, 3)
    # 100 * (0.35*1 + 0.30*2/3 + 0.20*0.2 + 0.15*0.25) = 62.75
    assert ani.score == pytest.approx(62.75)
    # Budi: 2 of 4 days (March and April): 1 of 2 visits complete; nothing else.
    assert (budi.days_present, budi.days_held, budi.complete_visits, budi.visits) == (2, 4, 1, 2)
    # 100 * (0.35*0.5 + 0.30*0.5) = 32.5
    assert budi.score == pytest.approx(32.5)
    assert [(r.rank, r.name) for r in ranking.rows] == [(1, "Ani"), (2, "Budi")]


def test_equal_scores_share_a_rank(city: City) -> None:
    posted(city, "Citra")
    posted(city, "Dian")
    ranking = kader_of_the_year(Scope.for_command_line(), find_area("64.74"), 2025)
    assert [(r.rank, r.name, r.score) for r in ranking.rows] == [
        (1, "Citra", 0.0),
        (1, "Dian", 0.0),
    ]


def test_the_page_shows_the_ranking_and_its_weights(client, city: City, year_of_two) -> None:  # type: ignore[no-untyped-def]
    client.force_login(dinkes_of(city.kota))
    html = client.get(
        reverse("reports:kader_of_the_year") + f"?wilayah=kota:{city.kota.pk}&tahun=2025"
    ).content.decode()
    assert html.index("Ani") < html.index("Budi")
    assert "kehadiran 35% + kelengkapan data 30% + keterampilan 20% + kunjungan rumah 15%" in html
    assert "2/3" in html and "5/25" in html


def test_a_kader_outside_the_area_is_not_ranked(client, city: City, year_of_two) -> None:  # type: ignore[no-untyped-def]
    client.force_login(bidan_of(city.puskesmas_b))
    html = client.get(reverse("reports:kader_of_the_year") + "?tahun=2025").content.decode()
    assert "Ani" not in html


def test_the_data_part_averages_completeness_with_the_rating_of_the_visits_she_recorded(
    city: City,
) -> None:
    """Fifty complete measurements recorded with Ani's login: rated, so the data part
    is the mean of completeness (1.0) and the value of that rating."""
    ani = posted(city, "Ani", user=kader_of(city.posyandu_a, username="ani"))
    day = PosyanduSession.objects.create(posyandu=city.posyandu_a, date=dt.date(2025, 5, 10))
    SessionAttendance.objects.create(session=day, kader=ani)
    for i in range(50):
        child = ChildFactory(
            name=f"Anak {i}",
            posyandu=city.posyandu_a,
            birth_date=dt.date(2024, 1, 1) + dt.timedelta(days=7 * i),
        )
        make_visit(
            child,
            day.date,
            weight_kg=f"{8 + (i % 7) * 0.3:.1f}",
            height_cm=f"{68 + (i % 9) * 0.7:.1f}",
            position="l",
            session=day,
            user=ani.user,
        )
    recorded = Visit.objects.filter(recorded_by=ani.user)
    m = measurements_of(recorded)
    expected = score(m, m.recorder_id)[ani.user.pk].rating  # type: ignore[union-attr]
    assert expected is not None
    row = kader_of_the_year(Scope.for_command_line(), find_area("64.74"), 2025).rows[0]
    assert (row.completeness, row.quality_rating) == (1.0, expected)
    assert row.data == pytest.approx((1.0 + KADER_SCORE_2025.quality_by_rating[expected]) / 2)
