"""Trainings through their pages: the Dinkes creates one, enrols, records hours and
scores; a bidan confirms the skills of the kader of their area who completed it."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse

from posyandu.cadres.models import KaderSkill, Training, TrainingParticipant
from tests.cadres.helpers import make_kader, skill_ids
from tests.factories import City, bidan_of, dinkes_of


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_the_dinkes_runs_a_training_and_a_bidan_confirms_its_skills(city: City) -> None:
    dinkes = _client(dinkes_of(city.kota, username="dinkes"))
    response = dinkes.post(
        reverse("cadres:training_new"),
        {
            "kind": "kader",
            "title": "Pelatihan kader paket A",
            "batch": "3",
            "puskesmas": "",
            "venue": "Aula Puskesmas",
            "facilitators": "Bidan Koordinator\n\nPromkes",
            "days": "03/03/2025 6\n04-03-2025 4",
            "skills": [str(pk) for pk in skill_ids("A")],
        },
    )
    training = Training.objects.get()
    assert response.status_code == 302
    assert (training.batch, training.starts_on, training.ends_on) == (
        3,
        dt.date(2025, 3, 3),
        dt.date(2025, 3, 4),
    )
    assert training.facilitator_names == ["Bidan Koordinator", "Promkes"]
    assert sorted(training.days.values_list("jpl", flat=True)) == [4, 6]
    assert training.skills.count() == 4

    mine = make_kader(city.posyandu_a, name="Kader Melati")
    absent = make_kader(city.posyandu_a, name="Kader Absen")
    for kader in (mine, absent):
        dinkes.post(reverse("cadres:participant_add", args=[training.pk]), {"kader": kader.pk})
    assert TrainingParticipant.objects.filter(training=training).count() == 2
    day_3, day_4 = training.days.order_by("date")
    for kader, hours_day_4 in ((mine, 4), (absent, 1)):
        participant = TrainingParticipant.objects.get(kader=kader)
        response = dinkes.post(
            reverse("cadres:participant_result", args=[participant.pk]),
            {
                f"day_{day_3.pk}": "6",
                f"day_{day_4.pk}": str(hours_day_4),
                "pre_test": "55,5",
                "post_test": "80",
            },
        )
        assert response.status_code == 302
    html = dinkes.get(reverse("cadres:training", args=[training.pk])).content.decode()
    assert "Kader Absen: 7/10 JPL" in html and "kurang 3 JPL" in html

    done = TrainingParticipant.objects.get(kader=mine)
    certificate = dinkes.get(reverse("cadres:participant_certificate", args=[done.pk]))
    text = certificate.content.decode()
    assert "Kader Melati" in text and "Pelatihan kader paket A" in text
    assert "10 JPL" in text and done.certificate_number in text and "55,5" in text
    # No certificate for the one who missed hours.
    missed = TrainingParticipant.objects.get(kader=absent)
    assert (
        dinkes.get(reverse("cadres:participant_certificate", args=[missed.pk])).status_code == 404
    )

    bidan = _client(bidan_of(city.puskesmas_a))
    page = bidan.get(reverse("cadres:training", args=[training.pk])).content.decode()
    assert "1 kader lulus pelatihan ini" in page
    bidan.post(reverse("cadres:training_confirm", args=[training.pk]))
    assert KaderSkill.objects.filter(kader=mine, competent=True).count() == 4
    assert not KaderSkill.objects.filter(kader=absent).exists()


def test_a_day_line_without_hours_is_refused(city: City) -> None:
    dinkes = _client(dinkes_of(city.kota, username="dinkes"))
    response = dinkes.post(
        reverse("cadres:training_new"),
        {"kind": "kader", "title": "X", "batch": "1", "days": "03/03/2025"},
    )
    assert response.status_code == 200
    assert "Baris 1: tulis tanggal lalu JPL" in response.content.decode()
    assert not Training.objects.exists()
