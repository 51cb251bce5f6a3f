"""Kader built the way the app builds them (through the services)."""

from __future__ import annotations

import datetime as dt

from posyandu.areas.models import Posyandu
from posyandu.cadres.models import Kader, Skill
from posyandu.cadres.services import KaderData, PostingData, register_kader
from posyandu.children.models import Sex


def make_kader(posyandu: Posyandu, name: str = "Siti Kader", **posting: object) -> Kader:
    return register_kader(
        user=None,
        data=KaderData(name=name, sex=Sex.FEMALE, phone="081234567890"),
        posting=PostingData(
            posyandu=posyandu,
            started_on=posting.pop("started_on", dt.date(2023, 1, 2)),  # type: ignore[arg-type]
            sk_number="SK-001/2023",
            **posting,  # type: ignore[arg-type]
        ),
    )


def skill_ids(*packages: str) -> list[int]:
    """Ids of every active skill of ``packages``."""
    return list(
        Skill.objects.filter(package__in=packages, is_active=True).values_list("pk", flat=True)
    )
