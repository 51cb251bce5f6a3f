"""The kader pages as their users see them: registry counts, assessment form,
pin award and certificate, coverage, the training page's missed-hours warning."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from posyandu.accounts.models import Role
from posyandu.cadres.models import KaderPosting, PinAward, Skill, TrainingKind
from posyandu.cadres.services import (
    TrainingData,
    add_participant,
    create_training,
    record_training_result,
)
from tests.cadres.helpers import make_kader
from tests.factories import City, UserFactory, bidan_of, dinkes_of


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_an_assessor_records_skills_until_purwa_then_awards_and_prints(city: City) -> None:
    kader = make_kader(city.posyandu_a, name="Sri Wahyuni")
    client = _client(bidan_of(city.puskesmas_a))
    url = reverse("cadres:assess", args=[kader.pk])
    form = {"assessed_on": "10/02/2025", "method": "praktik", "note": "putaran Februari"}
    # Packages A and B first: not enough for Purwa.
    for skill in Skill.objects.filter(package__in=["A", "B"]):
        form[f"skill_{skill.pk}"] = "1"
    assert client.post(url, form).status_code == 302
    page = client.get(reverse("cadres:detail", args=[kader.pk])).content.decode()
    assert "11" in page and "Berikan pin" not in page
    # Then package D (3 skills), with one "not yet" left in E.
    form = {"assessed_on": "11/08/2025", "method": "observasi"}
    for skill in Skill.objects.filter(package="D"):
        form[f"skill_{skill.pk}"] = "1"
    form[f"skill_{Skill.objects.get(code='E1').pk}"] = "0"
    client.post(url, form)
    assert kader.assessments.count() == 11 + 3 + 1
    page = client.get(reverse("cadres:detail", args=[kader.pk])).content.decode()
    assert "Berikan pin" in page
    assert client.post(reverse("cadres:award", args=[kader.pk])).status_code == 302
    award = PinAward.objects.get(kader=kader)
    assert (award.level, award.awarded_on) == ("purwa", timezone.localdate())
    certificate = client.get(reverse("cadres:certificate", args=[award.pk])).content.decode()
    assert "Sri Wahyuni" in certificate and award.certificate_number in certificate
    assert "Purwa" in certificate and "Puskesmas Bontang Utara I" in certificate


def test_the_list_names_posyandu_with_too_few_kader(city: City) -> None:
    for n in range(5):
        make_kader(city.posyandu_a, name=f"Kader Melati {n}")
    make_kader(city.posyandu_a2, name="Kader Kenanga")
    html = _client(bidan_of(city.puskesmas_a)).get(reverse("cadres:list")).content.decode()
    assert "<b>6</b>" in html
    # Kenanga has 1 kader, under the aktif rule's 5; Melati has its 5.
    assert "Posyandu Kenanga: 1" in html
    assert "Posyandu Melati: 5" not in html.split("Kader per Posyandu")[0]


def test_a_move_closes_the_posting_and_keeps_the_history(city: City) -> None:
    kader = make_kader(city.posyandu_a, name="Rina", started_on=dt.date(2022, 1, 3))
    puskesmas_admin = UserFactory(
        username="pkm_admin", role=Role.PUSKESMAS, puskesmas=city.puskesmas_a
    )
    client = _client(puskesmas_admin)
    response = client.post(
        reverse("cadres:move", args=[kader.pk]),
        {
            "action": "move",
            "posyandu": city.posyandu_a2.pk,
            "role": "ketua",
            "sk_number": "SK-44/2025",
            "started_on": "01/03/2025",
            "incentive_eligible": "on",
        },
    )
    assert response.status_code == 302
    postings = list(KaderPosting.objects.filter(kader=kader).order_by("started_on"))
    assert [(p.posyandu_id, p.started_on, p.ended_on) for p in postings] == [
        (city.posyandu_a.pk, dt.date(2022, 1, 3), dt.date(2025, 3, 1)),
        (city.posyandu_a2.pk, dt.date(2025, 3, 1), None),
    ]
    kader.refresh_from_db()
    assert kader.posyandu == city.posyandu_a2
    client.post(reverse("cadres:move", args=[kader.pk]), {"action": "stop", "on": "30/06/2025"})
    kader.refresh_from_db()
    assert (kader.posyandu, kader.is_active) == (None, False)
    assert KaderPosting.objects.get(kader=kader, posyandu=city.posyandu_a2).ended_on == dt.date(
        2025, 6, 30
    )


def test_the_training_page_warns_about_missed_hours(city: City) -> None:
    dinkes = dinkes_of(city.kota, username="dinkes")
    training = create_training(
        user=dinkes,
        data=TrainingData(
            kind=TrainingKind.TOT_BASIC,
            title="ToT keterampilan dasar",
            batch=2,
            kota=city.kota,
            days=[(dt.date(2025, 5, d), 8) for d in (19, 20, 21, 22)],
        ),
    )
    late = add_participant(
        user=dinkes,
        training=training,
        health_worker=bidan_of(city.puskesmas_a, username="bidan_telat"),
    )
    record_training_result(
        user=dinkes,
        participant=late,
        jpl_by_day={training.days.order_by("date").last().pk: 5},
        pre_test=Decimal("40"),
        post_test=Decimal("80"),
    )
    html = _client(dinkes).get(reverse("cadres:training", args=[training.pk])).content.decode()
    assert "Jam pelajaran tidak boleh dipotong" in html
    assert "29/32 JPL" in html and "kurang 3 JPL" in html
    credits = _client(dinkes).get(reverse("cadres:credits")).content.decode()
    assert "bidan_telat" in credits


def test_coverage_counts_competent_kader_per_skill(city: City) -> None:
    bidan = bidan_of(city.puskesmas_a)
    client = _client(bidan)
    a1 = Skill.objects.get(code="A1")
    for n, competent in enumerate(("1", "1", "0")):
        kader = make_kader(city.posyandu_a, name=f"Kader {n}")
        client.post(
            reverse("cadres:assess", args=[kader.pk]),
            {"assessed_on": "10/02/2025", "method": "praktik", f"skill_{a1.pk}": competent},
        )
    response = client.get(reverse("cadres:coverage"))
    skill_row = response.context["by_skill"][0]
    assert (skill_row.skill.code, skill_row.competent, skill_row.kader) == ("A1", 2, 3)
    assert "2/3" in response.content.decode()


def test_a_kader_login_is_linked_only_from_the_kader_posyandu(city: City) -> None:
    kader = make_kader(city.posyandu_a, name="Rina")
    own = UserFactory(username="kader_melati", role=Role.KADER, posyandu=city.posyandu_a)
    other = UserFactory(username="kader_kenanga", role=Role.KADER, posyandu=city.posyandu_a2)
    client = _client(
        UserFactory(username="pkm_admin", role=Role.PUSKESMAS, puskesmas=city.puskesmas_a)
    )
    url = reverse("cadres:edit", args=[kader.pk])
    form = {"name": "Rina", "sex": "2", "version": str(kader.version)}
    response = client.post(url, form | {"account": other.pk})
    assert "bukan akun kader Posyandu tempat kader ini bertugas" in response.content.decode()
    assert client.post(url, form | {"account": own.pk}).status_code == 302
    kader.refresh_from_db()
    assert (kader.user, kader.version) == (own, 2)
    # A second save with the old version is refused, not silently applied.
    stale = client.post(url, form | {"name": "Rina Lama", "account": own.pk})
    assert "baru saja diubah orang lain" in stale.content.decode()
