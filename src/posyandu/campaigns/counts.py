"""The per-(campaign, Posyandu) counts: what each target adds, kept true on write.

A target adds 1 to its Posyandu's ``target``, 1 to ``measured`` once it has a
visit in the window, and 1 to each screening count its latest measurement in
the window gives (:data:`~posyandu.campaigns.models.COUNTED`). A write that
changes a target applies the difference between what it added before and after,
in the write's own transaction (:func:`apply`); opening a campaign and
:func:`rebuild` count the rows from the targets (:func:`recounted`), which is
also what the tests compare the stored rows with.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.db import transaction
from django.db.models import Count, F, Q

from posyandu.campaigns.models import COUNTED, SCREENING, CampaignCount, CampaignTarget

Key = tuple[int, int]
"""(campaign id, Posyandu id)."""

BATCH = 5000

_COUNTS = {
    "target": Count("pk"),
    "measured": Count("pk", filter=Q(measured_on__isnull=False)),
    **{name: Count("pk", filter=Q(**{name: True})) for name in SCREENING},
}


def added_by(measured_on: dt.date | None, screening: Mapping[str, bool]) -> dict[str, int]:
    """What one target adds to its Posyandu's row."""
    return {
        "target": 1,
        "measured": int(measured_on is not None),
        **{name: int(bool(screening[name])) for name in SCREENING},
    }


def apply(
    campaign_id: int, posyandu_id: int, before: Mapping[str, int], after: Mapping[str, int]
) -> None:
    """A target of this row went from adding ``before`` to adding ``after``."""
    delta = {name: after[name] - before[name] for name in COUNTED if after[name] != before[name]}
    if not delta:
        return
    updated = CampaignCount.objects.filter(campaign_id=campaign_id, posyandu_id=posyandu_id).update(
        **{name: F(name) + change for name, change in delta.items()}
    )
    if not updated:
        # No row yet (counts never built for this campaign): count it from the
        # targets, which already hold this write.
        _store(recounted([campaign_id], posyandu_ids=[posyandu_id]))


def recounted(
    campaign_ids: Iterable[int] | None = None, *, posyandu_ids: Iterable[int] | None = None
) -> dict[Key, dict[str, int]]:
    """The rows as the targets say they are (one GROUP BY), without storing them."""
    targets = CampaignTarget.objects.all()
    if campaign_ids is not None:
        targets = targets.filter(campaign_id__in=list(campaign_ids))
    if posyandu_ids is not None:
        targets = targets.filter(posyandu_id__in=list(posyandu_ids))
    return {
        (row["campaign_id"], row["posyandu_id"]): {name: int(row[name]) for name in COUNTED}
        for row in targets.values("campaign_id", "posyandu_id").annotate(**_COUNTS).order_by()
    }


def stored(campaign_ids: Iterable[int] | None = None) -> dict[Key, dict[str, int]]:
    """The stored rows in the shape of :func:`recounted` (for checks and tests)."""
    rows = CampaignCount.objects.all()
    if campaign_ids is not None:
        rows = rows.filter(campaign_id__in=list(campaign_ids))
    return {(row.campaign_id, row.posyandu_id): row.counts() for row in rows}


def _store(rows: Mapping[Key, Mapping[str, int]]) -> int:
    objects = [
        CampaignCount(campaign_id=campaign_id, posyandu_id=posyandu_id, **counts)
        for (campaign_id, posyandu_id), counts in rows.items()
    ]
    for start in range(0, len(objects), BATCH):
        CampaignCount.objects.bulk_create(objects[start : start + BATCH])
    return len(objects)


def count_new_campaign(campaign_id: int) -> int:
    """The rows of a campaign just opened, from its targets."""
    return _store(recounted([campaign_id]))


def rebuild(campaign_ids: Iterable[int] | None = None) -> int:
    """Count the rows again from the targets: of every campaign, or of these.
    Returns the number of rows written."""
    only = list(campaign_ids) if campaign_ids is not None else None
    with transaction.atomic():
        rows = CampaignCount.objects.all()
        if only is not None:
            rows = rows.filter(campaign_id__in=only)
        rows.delete()
        return _store(recounted(only))
