"""Writes to the child registry: keyword-only, validated, atomic, audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from posyandu.areas.models import Posyandu
from posyandu.children.models import Child, ChildStatus, ChildTransfer
from posyandu.children.nik import normalise_nik
from posyandu.children.signals import child_identity_changed
from posyandu.core import audit
from posyandu.core.models import AuditAction

EDITABLE_FIELDS = (
    "name",
    "sex",
    "birth_date",
    "birth_weight_kg",
    "birth_length_cm",
    "nik",
    "mother_name",
    "mother_nik",
    "father_name",
    "phone",
    "address",
    "rt",
    "rw",
    "kelurahan",
    "has_kia_book",
)


AUDITED_FIELDS = [f if f != "kelurahan" else "kelurahan_id" for f in EDITABLE_FIELDS]


class StaleEdit(Exception):
    """Someone else saved this record since it was opened (version mismatch)."""


def _clean_names(data: dict[str, Any]) -> dict[str, Any]:
    for key in ("name", "mother_name", "father_name"):
        if key in data and isinstance(data[key], str):
            data[key] = " ".join(data[key].split())
    for key in ("nik", "mother_nik"):
        if key in data:
            data[key] = normalise_nik(data[key] or "")
    return data


def _check_birth_date(birth_date: dt.date | None) -> None:
    if birth_date is not None and birth_date > timezone.localdate():
        raise ValidationError({"birth_date": _("Tanggal lahir tidak boleh di masa depan.")})


@transaction.atomic
def register_child(*, user: Any, posyandu: Posyandu, **fields: Any) -> Child:
    """Add a child to ``posyandu``'s register."""
    data = _clean_names({k: v for k, v in fields.items() if k in EDITABLE_FIELDS})
    _check_birth_date(data.get("birth_date"))
    child = Child(
        posyandu=posyandu, created_by=user if user and user.is_authenticated else None, **data
    )
    if not data.get("kelurahan"):
        child.kelurahan = posyandu.kelurahan
    child.full_clean()
    child.save()
    audit.record(
        user=user,
        action=AuditAction.CREATE,
        obj=child,
        changes=audit.diff({}, audit.snapshot(child, [*AUDITED_FIELDS, "posyandu_id"])),
    )
    return child


@transaction.atomic
def update_child(*, user: Any, child: Child, version: int, **fields: Any) -> Child:
    """Change a child's registry data; refuses if ``version`` is not the stored one."""
    locked = Child.objects.select_for_update().get(pk=child.pk)
    if locked.version != version:
        raise StaleEdit
    data = _clean_names({k: v for k, v in fields.items() if k in EDITABLE_FIELDS})
    _check_birth_date(data.get("birth_date"))
    new_birth_date = data.get("birth_date")
    if new_birth_date is not None and new_birth_date != locked.birth_date:
        first_visit = locked.visits.order_by("measured_on").values_list("measured_on", flat=True)
        first = first_visit.first()
        if first is not None and new_birth_date > first:
            raise ValidationError(
                {
                    "birth_date": _(
                        "Tanggal lahir tidak boleh sesudah penimbangan pertama (%(d)s)."
                    )
                    % {"d": first.strftime("%d/%m/%Y")}
                }
            )
    before = audit.snapshot(locked)
    for key, value in data.items():
        setattr(locked, key, value)
    locked.version += 1
    locked.full_clean()
    locked.save()
    changes = audit.diff(before, audit.snapshot(locked))
    changes.pop("updated_at", None)
    changes.pop("version", None)
    audit.record(user=user, action=AuditAction.UPDATE, obj=locked, changes=changes)
    if "birth_date" in changes or "sex" in changes:
        child_identity_changed.send(sender=Child, child=locked, user=user)
    return locked


@transaction.atomic
def set_status(
    *, user: Any, child: Child, status: ChildStatus | str, on: dt.date | None = None
) -> Child:
    locked = Child.objects.select_for_update().get(pk=child.pk)
    before = {"status": locked.status, "status_date": locked.status_date}
    locked.status = ChildStatus(status)
    locked.status_date = on or timezone.localdate()
    locked.version += 1
    locked.full_clean()
    locked.save()
    audit.record(
        user=user,
        action=AuditAction.UPDATE,
        obj=locked,
        changes=audit.diff(before, {"status": locked.status, "status_date": locked.status_date}),
    )
    return locked


@transaction.atomic
def transfer_child(
    *, user: Any, child: Child, to_posyandu: Posyandu, on: dt.date | None = None, reason: str = ""
) -> ChildTransfer:
    """Move a child to another Posyandu; past visits stay attached to the child."""
    locked = Child.objects.select_for_update().get(pk=child.pk)
    if locked.posyandu_id == to_posyandu.pk:
        raise ValidationError({"to_posyandu": _("Anak sudah terdaftar di posyandu ini.")})
    transfer = ChildTransfer(
        child=locked,
        from_posyandu_id=locked.posyandu_id,
        to_posyandu=to_posyandu,
        transferred_on=on or timezone.localdate(),
        reason=reason,
        by=user if user and user.is_authenticated else None,
    )
    transfer.full_clean()
    transfer.save()
    before = {"posyandu_id": locked.posyandu_id}
    locked.posyandu = to_posyandu
    locked.kelurahan = to_posyandu.kelurahan if locked.kelurahan_id is None else locked.kelurahan
    locked.version += 1
    locked.save()
    audit.record(
        user=user,
        action=AuditAction.UPDATE,
        obj=locked,
        changes={**audit.diff(before, {"posyandu_id": to_posyandu.pk}), "transfer": reason},
    )
    return transfer
