"""Writes of Operasi Timbang: open a campaign (its target list frozen then), record
a home visit's outcome; and keep each target's "measured" true on every visit write."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from posyandu.accounts.models import User
from posyandu.areas.hierarchy import Area, posyandu_of
from posyandu.campaigns import counts
from posyandu.campaigns.models import SCREENING, Campaign, CampaignTarget, HomeVisitOutcome
from posyandu.children.history import left_on, posyandu_on, transfers_of
from posyandu.children.models import Child, ChildStatus
from posyandu.children.services import StaleEdit, set_status
from posyandu.core import audit
from posyandu.core.models import AuditAction
from posyandu.core.ui import check_date
from posyandu.growth.classify import screening
from posyandu.measurements import bulk
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


def _screening(rows: list[tuple[Any, ...]]) -> list[dict[str, bool]]:
    """What each visit row (:data:`_VISIT_COLUMNS`) screens, all rows at once."""
    if not rows:
        return []
    columns = dict(zip(_VISIT_COLUMNS, zip(*rows, strict=True), strict=True))

    def z(name: str) -> npt.NDArray[np.float64]:
        return np.array([np.nan if v is None else v for v in columns[name]], dtype=np.float64)

    def yes(name: str) -> npt.NDArray[np.bool_]:
        return np.array(columns[name], dtype=bool)

    found = screening(
        z_lhfa=z("z_lhfa"),
        z_wflh=z("z_wflh"),
        z_wfa=z("z_wfa"),
        flag_lhfa=yes("flag_lhfa"),
        flag_wflh=yes("flag_wflh"),
        flag_wfa=yes("flag_wfa"),
        oedema=yes("oedema"),
    )
    table = np.column_stack([found[name] for name in SCREENING]).tolist()
    return [dict(zip(SCREENING, row, strict=True)) for row in table]


def _latest_visits(campaign: Campaign, child_ids: Iterable[int]) -> dict[int, Measured]:
    """Each child's latest visit inside the window, with what it screens."""
    ids = list(child_ids)
    latest: dict[int, tuple[Any, ...]] = {}
    for start in range(0, len(ids), BATCH):
        for row in (
            Visit.objects.filter(
                child_id__in=ids[start : start + BATCH],
                measured_on__gte=campaign.starts_on,
                measured_on__lte=campaign.ends_on,
            )
            .order_by("child_id", "measured_on")
            .values_list(*_VISIT_COLUMNS)
        ):
            latest[row[1]] = row
    rows = list(latest.values())
    return {
        row[1]: Measured(row[0], row[2], found)
        for row, found in zip(rows, _screening(rows), strict=True)
    }


def _insert_targets(rows: list[dict[str, Any]]) -> None:
    """Store a target list (attribute name -> value per target, the other fields
    at their defaults) with :func:`posyandu.measurements.bulk.insert_rows`: COPY
    on PostgreSQL, where ``bulk_create`` spent most of a minute preparing the
    model instances of a city's 800,000 targets."""
    if not rows:
        return
    fields = [f for f in CampaignTarget._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: f.get_default() for f in fields}
    unknown = set(rows[0]) - set(defaults)
    if unknown:
        raise TypeError(f"CampaignTarget has no field {sorted(unknown)}")
    columns = {f.column: [row.get(f.attname, defaults[f.attname]) for row in rows] for f in fields}
    bulk.insert_rows(CampaignTarget, len(rows), columns, {})


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
            {
                "campaign_id": campaign.pk,
                "child_id": pk,
                "posyandu_id": home,
                "visit_id": measured.visit_id,
                "measured_on": measured.measured_on,
                **measured.screening,
            }
        )
    _insert_targets(rows)
    counts.count_new_campaign(campaign.pk)
    audit.record(
        user=user,
        action=AuditAction.CREATE,
        obj=campaign,
        changes={"area": area.code, "targets": len(rows), "window": [str(starts_on), str(ends_on)]},
    )
    return campaign


@transaction.atomic
def refresh_measured(child_id: int) -> None:
    """Each of a child's targets: measured on its latest visit inside the window;
    its Posyandu's counts follow. The targets are locked first, so that two
    writes to one child apply their differences one after the other."""
    targets = (
        CampaignTarget.objects.filter(child_id=child_id)
        .select_related("campaign")
        .select_for_update(of=("self",))
        .order_by("campaign_id")
    )
    for target in targets:
        measured = _latest_visits(target.campaign, [child_id]).get(child_id, NOT_MEASURED)
        screened = {f: getattr(target, f) for f in SCREENING}
        if (target.visit_id, target.measured_on, screened) == (
            measured.visit_id,
            measured.measured_on,
            measured.screening,
        ):
            continue
        CampaignTarget.objects.filter(pk=target.pk).update(
            visit_id=measured.visit_id, measured_on=measured.measured_on, **measured.screening
        )
        counts.apply(
            target.campaign_id,
            target.posyandu_id,
            counts.added_by(target.measured_on, screened),
            counts.added_by(measured.measured_on, measured.screening),
        )


def follow_child_write(child_id: int | None) -> Callable[[int], None]:
    """A watcher of child writes: after each one, the child's targets follow its visits."""
    return refresh_measured


def follow_children_write(child_ids: list[int]) -> Callable[[list[int]], None]:
    """The same for a write to many children at once (an import): only the
    children that are a campaign's targets have anything to follow."""

    def after(written: list[int]) -> None:
        ids = sorted(set(written))
        for start in range(0, len(ids), 2000):
            targeted = (
                CampaignTarget.objects.filter(child_id__in=ids[start : start + 2000])
                .values_list("child_id", flat=True)
                .distinct()
            )
            for child_id in sorted(set(targeted)):
                refresh_measured(child_id)

    return after


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
