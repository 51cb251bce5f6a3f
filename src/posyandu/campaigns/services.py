"""Writes of Operasi Timbang: open a campaign (its target list frozen then), record
a home visit's outcome; and keep each target's "measured" true on every visit write."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from posyandu.accounts.models import User
from posyandu.areas.hierarchy import Area, posyandu_of
from posyandu.campaigns.models import Campaign, CampaignTarget, HomeVisitOutcome
from posyandu.children.history import left_on, posyandu_on, transfers_of
from posyandu.children.models import Child, ChildStatus
from posyandu.children.services import StaleEdit, set_status
from posyandu.core import audit
from posyandu.core.models import AuditAction
from posyandu.core.ui import check_date
from posyandu.growth.classify import screening
from posyandu.measurements.models import Visit
from posyandu.policy import BALITA

BATCH = 5000


def target_children(area: Area, on: dt.date) -> list[tuple[int, int]]:
    """(child, Posyandu) of every target of ``area`` on ``on``: the children whose
    home Posyandu on that date is in the area, born on or before it, under 60
    completed months on it, not moved away or died before it."""
    inside = set(posyandu_of(area).values_list("pk", flat=True))
    candidates = (
        Child.objects.filter(
            Q(posyandu_id__in=inside)
            | Q(transfers__from_posyandu_id__in=inside)
            | Q(transfers__to_posyandu_id__in=inside),
            birth_date__lte=on,
            birth_date__gt=BALITA.last_birth_date_aged_out(on),
        )
        .values_list("pk", "posyandu_id", "status", "status_date")
        .distinct()
    )
    rows = list(candidates)
    targets: list[tuple[int, int]] = []
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        transfers = transfers_of([pk for pk, *_rest in chunk])
        for pk, current, status, status_date in chunk:
            left = left_on(status, status_date)
            if left is not None and left < on:
                continue
            home = posyandu_on(current, transfers.get(pk, []), on)
            if home in inside:
                targets.append((pk, home))
    return targets


SCREENING = (
    "lhfa_counted",
    "stunted",
    "wflh_counted",
    "wasted",
    "wfa_counted",
    "underweight",
)
"""What a target's latest measurement in the window says, WHO's way: a flagged
z-score is left out of its indicator; oedema counts as wasted and
underweight."""

_VISIT_COLUMNS = (
    "pk",
    "child_id",
    "measured_on",
    "oedema",
    "z_lhfa",
    "flag_lhfa",
    "z_wflh",
    "flag_wflh",
    "z_wfa",
    "flag_wfa",
)


@dataclass(frozen=True)
class Measured:
    visit_id: int | None
    measured_on: dt.date | None
    screening: dict[str, bool]


NOT_MEASURED = Measured(None, None, dict.fromkeys(SCREENING, False))


def _screening(row: dict[str, Any]) -> dict[str, bool]:
    def z(indicator: str) -> float:
        value = row[f"z_{indicator}"]
        return float("nan") if value is None else float(value)

    found = screening(
        z_lhfa=z("lhfa"),
        z_wflh=z("wflh"),
        z_wfa=z("wfa"),
        flag_lhfa=row["flag_lhfa"],
        flag_wflh=row["flag_wflh"],
        flag_wfa=row["flag_wfa"],
        oedema=row["oedema"],
    )
    return {name: bool(found[name]) for name in SCREENING}


def _latest_visits(campaign: Campaign, child_ids: Iterable[int]) -> dict[int, Measured]:
    """Each child's latest visit inside the window, with what it screens."""
    latest: dict[int, Measured] = {}
    for values in (
        Visit.objects.filter(
            child_id__in=list(child_ids),
            measured_on__gte=campaign.starts_on,
            measured_on__lte=campaign.ends_on,
        )
        .order_by("child_id", "measured_on")
        .values(*_VISIT_COLUMNS)
    ):
        latest[values["child_id"]] = Measured(
            values["pk"], values["measured_on"], _screening(values)
        )
    return latest


@transaction.atomic
def open_campaign(
    *, user: User | None, name: str, area: Area, starts_on: dt.date, ends_on: dt.date
) -> Campaign:
    """Open an Operasi Timbang over ``area``; its targets are frozen as of ``starts_on``.

    A past window is allowed (a round held before the system): visits already
    recorded in it count as measured.
    """
    name = " ".join((name or "").split())
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Nama kampanye wajib diisi.")
    for field, day in (("starts_on", starts_on), ("ends_on", ends_on)):
        try:
            check_date(day, field=field, future_message="", allow_future=True)
        except ValidationError as exc:
            errors.update({k: str(v[0]) for k, v in exc.message_dict.items()})
    if not errors and ends_on < starts_on:
        errors["ends_on"] = _("Tanggal selesai sebelum tanggal mulai.")
    if errors:
        raise ValidationError(errors)
    campaign = Campaign(
        name=name[:120],
        area_level=area.level,
        area_id=area.pk,
        area_code=area.code,
        area_name=area.name,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=user,
    )
    campaign.full_clean()
    campaign.save()
    targets = target_children(area, starts_on)
    latest = _latest_visits(campaign, [pk for pk, _p in targets])
    rows = []
    for pk, home in targets:
        measured = latest.get(pk, NOT_MEASURED)
        rows.append(
            CampaignTarget(
                campaign=campaign,
                child_id=pk,
                posyandu_id=home,
                visit_id=measured.visit_id,
                measured_on=measured.measured_on,
                **measured.screening,
            )
        )
    for start in range(0, len(rows), BATCH):
        CampaignTarget.objects.bulk_create(rows[start : start + BATCH])
    audit.record(
        user=user,
        action=AuditAction.CREATE,
        obj=campaign,
        changes={"area": area.code, "targets": len(rows), "window": [str(starts_on), str(ends_on)]},
    )
    return campaign


def refresh_measured(child_id: int) -> None:
    """Each of a child's targets: measured on its latest visit inside the window."""
    for target in CampaignTarget.objects.filter(child_id=child_id).select_related("campaign"):
        measured = _latest_visits(target.campaign, [child_id]).get(child_id, NOT_MEASURED)
        stored = (target.visit_id, target.measured_on, {f: getattr(target, f) for f in SCREENING})
        if stored != (measured.visit_id, measured.measured_on, measured.screening):
            CampaignTarget.objects.filter(pk=target.pk).update(
                visit_id=measured.visit_id, measured_on=measured.measured_on, **measured.screening
            )


def follow_child_write(child_id: int | None) -> Callable[[int], None]:
    """A watcher of child writes: after each one, the child's targets follow its visits."""
    return refresh_measured


_STATUS_OF = {HomeVisitOutcome.MOVED: ChildStatus.MOVED, HomeVisitOutcome.DIED: ChildStatus.DIED}


@transaction.atomic
def record_outcome(
    *,
    user: User,
    target: CampaignTarget,
    outcome: HomeVisitOutcome | str,
    on: dt.date,
    note: str = "",
) -> CampaignTarget:
    """The outcome of a home visit to a target not yet measured (*sweeping*).

    Moved and died update the registry through its own service (from ``on``);
    refused and not found are kept on the target. Measured at home is recorded
    as a normal visit (the visit form), which marks the target measured.
    """
    outcome = HomeVisitOutcome(outcome)
    check_date(on, field="on", future_message=gettext_lazy("Tanggal tidak boleh di masa depan."))
    locked = CampaignTarget.objects.select_for_update().select_related("child").get(pk=target.pk)
    if outcome == HomeVisitOutcome.MEASURED_HOME:
        raise ValidationError(
            {"outcome": _("Anak yang diukur di rumah dicatat lewat formulir timbang.")}
        )
    if outcome in _STATUS_OF:
        child = locked.child
        try:
            set_status(
                user=user, child=child, version=child.version, status=_STATUS_OF[outcome], on=on
            )
        except StaleEdit:
            raise ValidationError(_("Data anak ini baru saja diubah; coba lagi.")) from None
    before = {"outcome": locked.outcome, "outcome_on": str(locked.outcome_on or "")}
    locked.outcome, locked.outcome_on, locked.outcome_note = outcome, on, note[:200]
    locked.outcome_by = user
    locked.save(update_fields=["outcome", "outcome_on", "outcome_note", "outcome_by"])
    audit.record(
        user=user,
        action=AuditAction.UPDATE,
        obj=locked,
        changes=audit.diff(before, {"outcome": outcome.value, "outcome_on": str(on)}),
    )
    return locked
