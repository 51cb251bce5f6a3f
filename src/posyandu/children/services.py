"""Writes to the child registry: keyword-only, typed, validated, atomic, audited.

Each write takes its data as a frozen dataclass (an unknown field is a
``TypeError`` where it is built, never silently dropped), checks the stored
``version`` (a second writer is told, not overwritten), runs ``full_clean()``
inside the transaction and writes the audit record in that same transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, fields
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from posyandu.accounts.models import User
from posyandu.areas.models import Kelurahan, Posyandu
from posyandu.children.models import Child, ChildStatus, ChildTransfer
from posyandu.children.nik import normalise_nik
from posyandu.children.signals import child_identity_changed, child_write
from posyandu.core import audit
from posyandu.core.models import AuditAction
from posyandu.core.ui import check_date, format_date
from posyandu.growth.weight_gain import completed_months
from posyandu.policy import BALITA


@dataclass(frozen=True, kw_only=True)
class ChildData:
    """A child's registry data, as typed on the registration or edit form."""

    name: str
    sex: int
    birth_date: dt.date
    mother_name: str
    birth_weight_kg: Decimal | None = None
    birth_length_cm: Decimal | None = None
    nik: str = ""
    mother_nik: str = ""
    father_name: str = ""
    phone: str = ""
    address: str = ""
    rt: str = ""
    rw: str = ""
    kelurahan: Kelurahan | None = None
    """The home kelurahan; None means the Posyandu's."""
    has_kia_book: bool = True

    @classmethod
    def of(cls, child: Child) -> ChildData:
        """The registry data stored on ``child`` (to change a few fields with ``replace``)."""
        return cls(**{f.name: getattr(child, f.name) for f in fields(cls)})

    def cleaned(self) -> dict[str, object]:
        """The values to store: names without extra spaces, NIKs as digits."""
        values: dict[str, object] = {f.name: getattr(self, f.name) for f in fields(self)}
        for key in ("name", "mother_name", "father_name"):
            values[key] = " ".join(str(values[key] or "").split())
        for key in ("nik", "mother_nik"):
            values[key] = normalise_nik(str(values[key] or ""))
        return values


EDITABLE_FIELDS = tuple(f.name for f in fields(ChildData))
"""The fields a form may change, in form order (one list for the form and the conflict view)."""

AUDITED_FIELDS = [f if f != "kelurahan" else "kelurahan_id" for f in EDITABLE_FIELDS]


class StaleEdit(Exception):
    """Someone else saved this record since it was opened (version mismatch)."""


def _actor(user: User | None) -> User | None:
    return user if user is not None and user.is_authenticated else None


def _check_birth_date(birth_date: dt.date, *, registering: bool) -> None:
    check_date(
        birth_date,
        field="birth_date",
        future_message=gettext_lazy("Tanggal lahir tidak boleh di masa depan."),
    )
    today = timezone.localdate()
    if registering and completed_months(birth_date, today) >= BALITA.max_completed_months:
        raise ValidationError(
            {
                "birth_date": _(
                    "Anak lahir %(date)s sudah %(m)d bulan atau lebih; posyandu mendaftar "
                    "balita (0-%(last)d bulan). Periksa tahun lahirnya."
                )
                % {
                    "date": format_date(birth_date),
                    "m": BALITA.max_completed_months,
                    "last": BALITA.max_completed_months - 1,
                }
            }
        )


def _check_event_date(child: Child, on: dt.date, *, future_message: str) -> None:
    check_date(on, field="on", future_message=future_message)
    if on < child.birth_date:
        raise ValidationError({"on": _("Tanggal tidak boleh sebelum tanggal lahir anak.")})


def _locked(child: Child, version: int) -> Child:
    locked = Child.objects.select_for_update().filter(pk=child.pk).first()
    if locked is None or locked.version != version:
        raise StaleEdit
    return locked


def _save_change(locked: Child, *, user: User, changes: Mapping[str, object]) -> Child:
    """Store a change to a locked child: a new version, validated, audited."""
    locked.version += 1
    locked.full_clean(exclude=["client_token"])
    locked.save()
    audit.record(user=user, action=AuditAction.UPDATE, obj=locked, changes=changes)
    return locked


@transaction.atomic
def register_child(
    *,
    user: User,
    posyandu: Posyandu,
    data: ChildData,
    client_token: uuid.UUID | None = None,
) -> Child:
    """Add a child to ``posyandu``'s register.

    A retry of the same form (same ``client_token``: a double tap, a resend on
    a bad connection) returns the child it already created.
    """
    if client_token is not None:
        existing = Child.objects.filter(client_token=client_token).first()
        if existing is not None:
            return existing
    values = data.cleaned()
    _check_birth_date(data.birth_date, registering=True)
    child = Child(posyandu=posyandu, created_by=_actor(user), client_token=client_token, **values)
    if child.kelurahan_id is None:
        child.kelurahan = posyandu.kelurahan
    child.full_clean(exclude=["client_token"])
    with child_write(None) as write:
        try:
            with transaction.atomic():
                child.save()
        except IntegrityError:
            # The same form saved at the same moment by a second request.
            existing = (
                Child.objects.filter(client_token=client_token).first() if client_token else None
            )
            if existing is None:
                raise
            write.child_id = existing.pk
            return existing
        write.child_id = child.pk
        audit.record(
            user=user,
            action=AuditAction.CREATE,
            obj=child,
            changes=audit.diff({}, audit.snapshot(child, [*AUDITED_FIELDS, "posyandu_id"])),
        )
    return child


@transaction.atomic
def update_child(*, user: User, child: Child, version: int, data: ChildData) -> Child:
    """Change a child's registry data; :class:`StaleEdit` if ``version`` is not the stored one."""
    locked = _locked(child, version)
    with child_write(child.pk):
        values = data.cleaned()
        _check_birth_date(data.birth_date, registering=False)
        if data.birth_date != locked.birth_date:
            first = (
                locked.visits.order_by("measured_on").values_list("measured_on", flat=True).first()
            )
            if first is not None and data.birth_date > first:
                raise ValidationError(
                    {
                        "birth_date": _(
                            "Tanggal lahir tidak boleh sesudah penimbangan pertama (%(d)s)."
                        )
                        % {"d": format_date(first)}
                    }
                )
        if values["kelurahan"] is None:
            values["kelurahan"] = locked.kelurahan
        before = audit.snapshot(locked, AUDITED_FIELDS)
        for key, value in values.items():
            setattr(locked, key, value)
        changes = audit.diff(before, audit.snapshot(locked, AUDITED_FIELDS))
        _save_change(locked, user=user, changes=changes)
        if "birth_date" in changes or "sex" in changes:
            child_identity_changed.send(sender=Child, child=locked, user=user)
    return locked


@transaction.atomic
def set_status(
    *, user: User, child: Child, version: int, status: ChildStatus | str, on: dt.date
) -> Child:
    """Mark a child active, moved away, died or aged out, from ``on``."""
    locked = _locked(child, version)
    with child_write(child.pk):
        _check_event_date(locked, on, future_message=_("Tanggal tidak boleh di masa depan."))
        before = {"status": locked.status, "status_date": locked.status_date}
        locked.status = ChildStatus(status)
        locked.status_date = on
        after = {"status": locked.status, "status_date": locked.status_date}
        return _save_change(locked, user=user, changes=audit.diff(before, after))


@transaction.atomic
def transfer_child(
    *,
    user: User,
    child: Child,
    version: int,
    to_posyandu: Posyandu,
    on: dt.date,
    reason: str = "",
) -> ChildTransfer:
    """Move a child to another Posyandu; past visits stay attached to the child."""
    locked = _locked(child, version)
    with child_write(child.pk):
        if locked.posyandu_id == to_posyandu.pk:
            raise ValidationError({"to_posyandu": _("Anak sudah terdaftar di posyandu ini.")})
        _check_event_date(locked, on, future_message=_("Tanggal pindah tidak boleh di masa depan."))
        transfer = ChildTransfer(
            child=locked,
            from_posyandu_id=locked.posyandu_id,
            to_posyandu=to_posyandu,
            transferred_on=on,
            reason=reason,
            by=_actor(user),
        )
        transfer.full_clean()
        transfer.save()
        before = {"posyandu_id": locked.posyandu_id}
        locked.posyandu = to_posyandu
        changes = {**audit.diff(before, {"posyandu_id": to_posyandu.pk}), "transfer": reason}
        _save_change(locked, user=user, changes=changes)
    return transfer
