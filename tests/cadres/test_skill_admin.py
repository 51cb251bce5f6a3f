"""The 25 skills are reference data an administrator edits in Django's admin:
each change raises the skill's version, which later assessments keep."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse

from posyandu.cadres.models import Skill
from posyandu.cadres.services import record_assessments
from tests.cadres.helpers import make_kader
from tests.factories import City, UserFactory, bidan_of


def test_rewording_a_skill_raises_its_version_and_assessments_keep_it(city: City) -> None:
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    skill = Skill.objects.get(code="A3")
    url = reverse("admin:cadres_skill_change", args=[skill.pk])
    data = {
        "package": "A",
        "code": "A3",
        "label": "Kunjungan rumah (keluarga sasaran)",
        "order": skill.order,
        "curriculum": skill.curriculum,
        "is_active": "on",
    }
    assert client.post(url, data).status_code == 302
    skill.refresh_from_db()
    assert (skill.label, skill.version) == ("Kunjungan rumah (keluarga sasaran)", 2)
    # Saving again without a change keeps the version.
    client.post(url, data)
    skill.refresh_from_db()
    assert skill.version == 2
    kader = make_kader(city.posyandu_a)
    made = record_assessments(
        assessor=bidan_of(city.puskesmas_a),
        kader=kader,
        assessed_on=dt.date(2025, 8, 12),
        method="praktik",
        results={skill.pk: True},
    )
    assert made[0].skill_version == 2
    # Assessments refer to skills: they are retired, never deleted.
    assert client.post(reverse("admin:cadres_skill_delete", args=[skill.pk])).status_code == 403
