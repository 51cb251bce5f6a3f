"""``posyandu report kader``: one CSV row per kader of an area, for the Puskesmas
planning its next assessment round or training."""

from __future__ import annotations

from django.http import Http404

from posyandu.accounts.scope import Scope
from posyandu.areas.hierarchy import Area
from posyandu.cadres import selectors
from posyandu.cadres.models import SkillPackage

PACKAGES = [p.value for p in SkillPackage]

CSV_COLUMNS = [
    "kader_id",
    "name",
    "posyandu_code",
    "posyandu_name",
    *(f"skills_{p}" for p in PACKAGES),
    "skills_total",
    "pin",
    "eligible_pin",
    "trainings",
    "jpl",
]
"""Skills assessed competent per package (latest assessment), the highest pin held,
the pin the skills reach above it (to award), the trainings attended and their
lesson hours (JPL) attended."""


def csv_rows(scope: Scope, area: Area) -> list[list[object]]:
    """The active kader of ``area``, by Posyandu then name (none for an area
    without Posyandu)."""
    try:
        kader = list(
            selectors.kader_in_area(scope, area)
            .select_related("posyandu")
            .order_by("posyandu__code", "name", "pk")
        )
    except Http404:
        return []
    ids = [k.pk for k in kader]
    profiles = selectors.profiles(ids)
    trainings = selectors.trainings_of_kader(ids)
    rows: list[list[object]] = []
    for k in kader:
        profile = profiles[k.pk]
        attended = trainings.get(k.pk, [])
        assert k.posyandu is not None
        rows.append(
            [
                k.pk,
                k.name,
                k.posyandu.code,
                k.posyandu.name,
                *(profile.competent_in(p) for p in PACKAGES),
                profile.competent_count,
                profile.held.value if profile.held else "",
                profile.eligible.value if profile.eligible else "",
                len(attended),
                sum(jpl for _training, jpl, _completed in attended),
            ]
        )
    return rows
