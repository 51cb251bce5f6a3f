"""Reads of Operasi Timbang: campaigns in the user's area, live coverage by area,
the children not yet measured, the results beside the previous campaign."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from posyandu.accounts.scope import Scope
from posyandu.areas.hierarchy import (
    Area,
    AreaCounts,
    Tree,
    area_by_key,
    grouped_below,
    rollup,
    tree,
)
from posyandu.campaigns.models import Campaign, CampaignTarget
from posyandu.core import audit


def campaigns_for(scope: Scope) -> QuerySet[Campaign]:
    """Campaigns with at least one target in the user's area."""
    return (
        Campaign.objects.filter(targets__posyandu__in=scope.posyandu()).distinct()
        | Campaign.objects.filter(pk__in=[]).distinct()
    )


def campaign_for(scope: Scope, pk: int) -> Campaign:
    campaign = get_object_or_404(Campaign, pk=pk)
    if not campaign.targets.filter(posyandu_id__in=scope.posyandu_ids).exists():
        raise Http404
    return campaign


def campaign_area(campaign: Campaign) -> Area:
    return area_by_key(f"{campaign.area_level}:{campaign.area_id}")


def campaign_tree(scope: Scope, campaign: Campaign, area: Area | None = None) -> Tree:
    """The campaign's area (or ``area`` inside it) and the areas below, in the user's scope."""
    root = area or campaign_area(campaign)
    found = tree(root, scope.posyandu_ids)
    if not found.parents:
        raise Http404
    return found


RESULT_COUNTS = {
    "target": Q(),
    "measured": Q(measured_on__isnull=False),
    "stunting_denominator": Q(lhfa_counted=True),
    "stunting_numerator": Q(stunted=True),
    "wasting_denominator": Q(wflh_counted=True),
    "wasting_numerator": Q(wasted=True),
    "underweight_denominator": Q(wfa_counted=True),
    "underweight_numerator": Q(underweight=True),
}
"""Per target: counted, measured in the window, and the screening of the latest
measurement in the window (kept on the target, see services.SCREENING)."""

COVERAGE_COUNTS = ("target", "measured")


@dataclass(frozen=True)
class AreaResult(AreaCounts):
    """A campaign's coverage and screening results in one area."""

    @property
    def coverage_pct(self) -> float | None:
        return self.pct("measured", "target")

    @property
    def stunting_pct(self) -> float | None:
        return self.pct("stunting_numerator", "stunting_denominator")

    @property
    def wasting_pct(self) -> float | None:
        return self.pct("wasting_numerator", "wasting_denominator")

    @property
    def underweight_pct(self) -> float | None:
        return self.pct("underweight_numerator", "underweight_denominator")


def results(
    scope: Scope, campaign: Campaign, area: Area | None = None, *, coverage_only: bool = False
) -> tuple[Tree, dict[Area, AreaResult]]:
    """Coverage (and, unless ``coverage_only``, screening results) of every area of
    the campaign's tree, summed per Posyandu in one query."""
    found = campaign_tree(scope, campaign, area)
    names = COVERAGE_COUNTS if coverage_only else tuple(RESULT_COUNTS)
    per_posyandu = {
        row["posyandu_id"]: {name: row[name] for name in names}
        for row in CampaignTarget.objects.filter(
            campaign=campaign, posyandu_id__in=list(found.parents)
        )
        .values("posyandu_id")
        .annotate(**{name: Count("pk", filter=RESULT_COUNTS[name]) for name in names})
    }
    totals = rollup(per_posyandu, found)
    return found, {a: AreaResult(a, totals.get(a, {})) for a in found.areas}


def overview(scope: Scope, campaign: Campaign, area: Area) -> tuple[AreaResult, list[AreaResult]]:
    """Coverage and screening of ``area`` and of the areas one level below it,
    counted in the database (a few GROUP BY queries on the targets)."""
    rows = CampaignTarget.objects.filter(scope.rows_in(area), campaign=campaign)
    counts = {name: Count("pk", filter=q) for name, q in RESULT_COUNTS.items()}
    root = AreaResult(area, {k: int(v or 0) for k, v in rows.aggregate(**counts).items()})
    below = [AreaResult(a, c) for a, c in grouped_below(rows, area, "posyandu", counts)]
    return root, below


def previous_campaign(campaign: Campaign) -> Campaign | None:
    """The campaign over the same area that started before this one."""
    return (
        Campaign.objects.filter(
            area_level=campaign.area_level,
            area_id=campaign.area_id,
            starts_on__lt=campaign.starts_on,
        )
        .order_by("-starts_on")
        .first()
    )


def not_measured(scope: Scope, campaign: Campaign, posyandu_id: int) -> list[CampaignTarget]:
    """The targets of one Posyandu not measured yet, for the home visits (*sweeping*);
    audited as shown."""
    scope.require_read(posyandu_id)
    targets = list(
        CampaignTarget.objects.filter(
            campaign=campaign, posyandu_id=posyandu_id, measured_on__isnull=True
        )
        .select_related("child", "posyandu")
        .order_by("child__rw", "child__rt", "child__name")
    )
    audit.shown(t.child for t in targets)
    return targets


def targets_for_export(
    campaign: Campaign, *, not_measured_only: bool = False
) -> QuerySet[CampaignTarget]:
    qs = CampaignTarget.objects.filter(campaign=campaign).select_related("child", "posyandu")
    if not_measured_only:
        qs = qs.filter(measured_on__isnull=True)
    return qs.order_by("posyandu__code", "child__name", "child_id")
