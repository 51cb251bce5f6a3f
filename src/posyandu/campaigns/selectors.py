"""Reads of Operasi Timbang: campaigns in the user's area, live coverage by area,
the children not yet measured, the results beside the previous campaign."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404

from posyandu.accounts.scope import Scope
from posyandu.areas.hierarchy import (
    Area,
    AreaCounts,
    Level,
    Tree,
    area_by_key,
    area_q,
    grouped_below,
    rollup,
    tree,
)
from posyandu.campaigns.models import Campaign, CampaignCount, CampaignTarget
from posyandu.core import audit


def campaigns_for(scope: Scope) -> QuerySet[Campaign]:
    """Campaigns with at least one target in the user's area."""
    return Campaign.objects.filter(
        pk__in=CampaignCount.objects.filter(scope.posyandu_q("posyandu__")).values("campaign_id")
    )


def campaign_for(scope: Scope, pk: int) -> Campaign:
    campaign = get_object_or_404(Campaign, pk=pk)
    if not CampaignCount.objects.filter(scope.posyandu_q("posyandu__"), campaign=campaign).exists():
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
    "target": "target",
    "measured": "measured",
    "stunting_denominator": "lhfa_counted",
    "stunting_numerator": "stunted",
    "wasting_denominator": "wflh_counted",
    "wasting_numerator": "wasted",
    "underweight_denominator": "wfa_counted",
    "underweight_numerator": "underweight",
}
"""Each result -> the column of :class:`~posyandu.campaigns.models.CampaignCount`
it sums: targets, measured in the window, and the screening of the latest
measurement in the window."""

COVERAGE_COUNTS = ("target", "measured")


def _sums(names: Iterable[str] = tuple(RESULT_COUNTS)) -> dict[str, Sum]:
    return {name: Sum(RESULT_COUNTS[name]) for name in names}


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
    the campaign's tree, from the per-Posyandu counts (one query)."""
    root = area or campaign_area(campaign)
    found = campaign_tree(scope, campaign, root)
    names = COVERAGE_COUNTS if coverage_only else tuple(RESULT_COUNTS)
    per_posyandu = {
        row["posyandu_id"]: {name: int(row[name] or 0) for name in names}
        for row in CampaignCount.objects.filter(
            area_q(root, "posyandu__") & scope.posyandu_q("posyandu__"), campaign=campaign
        )
        .values("posyandu_id")
        .annotate(**_sums(names))
    }
    totals = rollup(per_posyandu, found)
    return found, {a: AreaResult(a, totals.get(a, {})) for a in found.areas}


def overview(scope: Scope, campaign: Campaign, area: Area) -> tuple[AreaResult, list[AreaResult]]:
    """Coverage and screening of ``area`` and of the areas one level below it,
    summed in the database from the per-Posyandu counts (a few small GROUP BYs)."""
    rows = CampaignCount.objects.filter(scope.rows_in(area), campaign=campaign)
    sums = _sums()
    root = AreaResult(area, {k: int(v or 0) for k, v in rows.aggregate(**sums).items()})
    below = [AreaResult(a, c) for a, c in grouped_below(rows, area, "posyandu", sums)]
    return root, below


def overview_of_campaigns(scope: Scope, campaigns: Iterable[Campaign]) -> list[AreaResult]:
    """Coverage of each campaign, as far as the user sees it (its part of the
    campaign's area), in one query: the rows of the campaign list."""
    campaigns = list(campaigns)
    totals = {
        row["campaign_id"]: row
        for row in CampaignCount.objects.filter(
            scope.posyandu_q("posyandu__"), campaign__in=campaigns
        )
        .values("campaign_id")
        .annotate(**_sums())
    }
    return [
        AreaResult(
            _stored_area(c),
            {name: int(totals.get(c.pk, {}).get(name) or 0) for name in RESULT_COUNTS},
        )
        for c in campaigns
    ]


def _stored_area(campaign: Campaign) -> Area:
    """The campaign's area as it was named when the campaign was opened."""
    return Area(
        Level(campaign.area_level), campaign.area_id, campaign.area_code, campaign.area_name
    )


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
