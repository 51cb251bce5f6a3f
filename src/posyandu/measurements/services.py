"""Writes of visits and Posyandu sessions: typed, validated, atomic, audited.

Saving a visit recomputes its z-scores with the growth engine and the
weight-gain status (N/T/O/B, 2T) of every visit of the child with the
engine's one implementation of the KMS rule
(:func:`posyandu.growth.weight_gain.weight_gain_series`), each visit judged by
the rules in force on its own date, so a late or corrected entry never leaves
stale statuses.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from decimal import Decimal
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from posyandu.accounts.models import User
from posyandu.areas.models import Posyandu
from posyandu.children.models import Child
from posyandu.children.signals import child_write, visits_recomputed
from posyandu.core import audit
from posyandu.core.models import AuditAction
from posyandu.core.policy_in_force import PoliciesInForce
from posyandu.core.ui import check_date, format_date, out_of_bounds_message
from posyandu.growth.weight_gain import is_bgm, weight_gain_series
from posyandu.measurements.assessment import (
    CLASSIFIED,
    STORED_INDICATORS,
    Assessment,
    assess,
    first_of_month,
    position_for_age,
)
from posyandu.measurements.models import PosyanduSession, Visit
from posyandu.policy import HARD_LIMITS


@dataclass(frozen=True, kw_only=True)
class VisitValues:
    """What the kader types for one visit (everything else is derived)."""

    measured_on: dt.date | None
    weight_kg: Decimal | None = None
    height_cm: Decimal | None = None
    position: str = ""
    head_cm: Decimal | None = None
    muac_cm: Decimal | None = None
    oedema: bool = False
    vitamin_a: bool = False
    pmt_received: bool = False
    pmt_kg: Decimal | None = None
    kpsp: str = ""

    @classmethod
    def of(cls, visit: Visit) -> VisitValues:
        """The values stored on ``visit``."""
        return cls(**{name: getattr(visit, name) for name in VALUE_FIELDS})

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in VALUE_FIELDS}


VALUE_FIELDS = tuple(f.name for f in fields(VisitValues))


class StaleVisit(Exception):
    """The visit was changed by someone else since this form was opened."""


class VisitGone(Exception):
    """The visit was deleted by someone else since this form was opened."""


@dataclass
class NeedsConfirmation(Exception):
    """The values look implausible; the kader must correct or confirm them."""

    assessment: Assessment


def validate_values(child: Child, values: VisitValues) -> VisitValues:
    """The values with the measuring position filled in from the age when a length
    is given without one; ``ValidationError`` (per field) for values no child can have."""
    errors: dict[str, str] = {}
    measured_on = values.measured_on
    if measured_on is None:
        errors["measured_on"] = _("Tanggal pengukuran wajib diisi.")
    else:
        try:
            check_date(
                measured_on,
                field="measured_on",
                future_message=gettext_lazy("Tanggal pengukuran tidak boleh di masa depan."),
            )
        except ValidationError as exc:
            errors.update({k: str(v[0]) for k, v in exc.message_dict.items()})
        else:
            if measured_on < child.birth_date:
                errors["measured_on"] = _(
                    "Tanggal pengukuran sebelum tanggal lahir anak (%(b)s): periksa tanggal lahir."
                ) % {"b": format_date(child.birth_date)}
    for name, (low, high) in HARD_LIMITS.visit_limits().items():
        value = getattr(values, name)
        if value is not None and not (low <= Decimal(value) <= high):
            errors[name] = out_of_bounds_message(value, low, high, "")
    if values.weight_kg is None and values.height_cm is None:
        errors["weight_kg"] = _("Isi minimal berat badan atau panjang/tinggi badan.")
    if errors:
        raise ValidationError(errors)
    if values.height_cm is not None and not values.position and measured_on is not None:
        values = replace(values, position=position_for_age((measured_on - child.birth_date).days))
    return values


def _previous_visit(child: Child, period: dt.date, exclude_pk: int | None) -> Visit | None:
    qs = Visit.objects.filter(child=child, period__lt=period)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.order_by("-period").first()


def preview(*, child: Child, values: VisitValues, exclude_pk: int | None = None) -> Assessment:
    """What saving these values would show, without saving (for the live form)."""
    if values.measured_on is None:
        raise ValueError("preview needs a measuring date")
    previous = _previous_visit(child, first_of_month(values.measured_on), exclude_pk)
    return assess(
        sex=child.sex,
        birth_date=child.birth_date,
        measured_on=values.measured_on,
        weight_kg=values.weight_kg,
        height_cm=values.height_cm,
        position=values.position,
        oedema=values.oedema,
        head_cm=values.head_cm,
        muac_cm=values.muac_cm,
        previous_height_adj_cm=previous.height_adj_cm if previous else None,
        previous_weight_kg=previous.weight_kg if previous else None,
        previous_measured_on=previous.measured_on if previous else None,
    )


def _apply_assessment(visit: Visit, assessment: Assessment) -> None:
    visit.age_days = assessment.age_days
    visit.height_adj_cm = assessment.height_adj_cm
    for ind in STORED_INDICATORS:
        setattr(visit, f"z_{ind}", assessment.z[ind])
        setattr(visit, f"flag_{ind}", assessment.flags[ind])
    for ind in CLASSIFIED:
        setattr(visit, f"cat_{ind}", assessment.categories[ind])
    z_wfa = assessment.z["wfa"]
    visit.is_bgm = bool(is_bgm(np.nan if z_wfa is None else z_wfa))
    visit.warnings = [{"code": w.code, "message": w.message} for w in assessment.warnings]


# --- weight gain ------------------------------------------------------------------


@dataclass(frozen=True)
class GainResult:
    status: str
    gain_g: int | None
    kbm_g: int | None
    is_2t: bool


@dataclass(frozen=True)
class _GainRow:
    pk: int | None
    child_id: int
    birth_date: dt.date
    measured_on: dt.date
    weight_kg: Decimal | float | None


def _gains(rows: list[_GainRow], policies: PoliciesInForce) -> list[GainResult]:
    """N/T/O/B, gain, KBM and 2T of rows sorted by child then month, by the engine."""
    if not rows:
        return []
    dates = np.array([r.measured_on for r in rows], dtype="datetime64[D]")
    series = weight_gain_series(
        child_ids=[r.child_id for r in rows],
        birth_date=np.array([r.birth_date for r in rows], dtype="datetime64[D]"),
        measured_on=dates,
        weight_kg=[np.nan if r.weight_kg is None else float(r.weight_kg) for r in rows],
        kbm_version=policies.kbm_version_ids(dates),
        two_t_months=policies.two_t_months(dates),
    )

    def whole(value: float) -> int | None:
        return None if value != value else int(value)

    return [
        GainResult(str(status), whole(gain), whole(kbm), bool(two_t))
        for status, gain, kbm, two_t in zip(
            series.status.tolist(),
            series.gain_g.tolist(),
            series.kbm_g.tolist(),
            series.is_2t.tolist(),
            strict=True,
        )
    ]


def _stored_rows(child: Child, exclude_pk: int | None = None) -> list[_GainRow]:
    qs = Visit.objects.filter(child=child).order_by("period")
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return [
        _GainRow(pk, child.pk, child.birth_date, measured_on, weight)
        for pk, measured_on, weight in qs.values_list("pk", "measured_on", "weight_kg")
    ]


def preview_gain(
    *,
    child: Child,
    measured_on: dt.date,
    weight_kg: Decimal | None,
    exclude_pk: int | None = None,
) -> GainResult:
    """The N/T/O/B that saving this weight would give (for the live form)."""
    period = first_of_month(measured_on)
    earlier = [r for r in _stored_rows(child, exclude_pk) if first_of_month(r.measured_on) < period]
    rows = [*earlier, _GainRow(None, child.pk, child.birth_date, measured_on, weight_kg)]
    return _gains(rows, PoliciesInForce.load())[-1]


def refresh_weight_gain(child: Child, *, policies: PoliciesInForce | None = None) -> int:
    """Recompute N/T/O/B and 2T of all of a child's visits; the number changed.

    A child has at most 60 monthly visits, so recomputing all of them on each
    write is cheap and can never leave a later month stale.
    """
    return _store_gains(_stored_rows(child), policies or PoliciesInForce.load())


def _store_gains(rows: list[_GainRow], policies: PoliciesInForce) -> int:
    results = _gains(rows, policies)
    pks = [r.pk for r in rows if r.pk is not None]
    stored = {
        pk: (status, gain, kbm, two_t)
        for pk, status, gain, kbm, two_t in Visit.objects.filter(pk__in=pks).values_list(
            "pk", "weight_gain", "weight_gain_g", "kbm_g", "is_2t"
        )
    }
    changed = 0
    for row, result in zip(rows, results, strict=True):
        new = (result.status, result.gain_g, result.kbm_g, result.is_2t)
        if row.pk is not None and stored.get(row.pk) != new:
            Visit.objects.filter(pk=row.pk).update(
                weight_gain=result.status,
                weight_gain_g=result.gain_g,
                kbm_g=result.kbm_g,
                is_2t=result.is_2t,
            )
            changed += 1
    return changed


def recompute_weight_gain(
    *, since: dt.date | None = None, child_ids: Iterable[int] | None = None, batch: int = 2000
) -> int:
    """Recompute N/T/O/B and 2T of every child with a visit on or after ``since``
    (all children when None), with the rules in force on each visit's date.
    Returns how many visits changed. For a rule change and ``recompute_weight_gain``.
    """
    policies = PoliciesInForce.load()
    children = Visit.objects.all()
    if since is not None:
        children = children.filter(measured_on__gte=since)
    if child_ids is not None:
        children = children.filter(child_id__in=list(child_ids))
    ids = sorted(set(children.values_list("child_id", flat=True)))
    changed = refresh_weight_gains(ids, policies=policies, batch=batch)
    if changed:
        visits_recomputed.send(
            sender=Visit, child_ids=None if child_ids is None and since is None else ids
        )
    return changed


def refresh_weight_gains(
    child_ids: Iterable[int], *, policies: PoliciesInForce | None = None, batch: int = 2000
) -> int:
    """Recompute N/T/O/B and 2T of all visits of these children (in batches);
    the number of visits changed. The caller keeps the derived tables true."""
    policies = policies or PoliciesInForce.load()
    ids = sorted(set(child_ids))
    changed = 0
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        rows = [
            _GainRow(pk, child_id, birth, measured_on, weight)
            for pk, child_id, birth, measured_on, weight in Visit.objects.filter(child_id__in=chunk)
            .order_by("child_id", "period")
            .values_list("pk", "child_id", "child__birth_date", "measured_on", "weight_kg")
        ]
        changed += _store_gains(rows, policies)
    return changed


def reassess_child(child: Child) -> int:
    """Recompute every visit's age, z-scores, categories and warnings, then N/T.

    For a corrected birth date or sex: what was derived from the old ones is
    wrong everywhere. Visits are redone in month order so that each one's
    plausibility checks compare with the already-corrected previous visit.
    """
    visits = list(Visit.objects.filter(child=child).order_by("period"))
    for visit in visits:
        assessment = preview(child=child, values=VisitValues.of(visit), exclude_pk=visit.pk)
        old_codes = {w.get("code") for w in visit.warnings}
        _apply_assessment(visit, assessment)
        new_codes = {w.code for w in assessment.warnings}
        visit.warnings_confirmed = visit.warnings_confirmed and new_codes <= old_codes
        visit.save()
    refresh_weight_gain(child)
    return len(visits)


def reassess_on_identity_change(sender: Any, *, child: Child, user: User, **kwargs: Any) -> None:
    count = reassess_child(child)
    if count:
        audit.record(
            user=user, action=AuditAction.UPDATE, obj=child, changes={"visits_reassessed": count}
        )


# --- visits -----------------------------------------------------------------------


def _visit_snapshot(visit: Visit) -> dict[str, Any]:
    return audit.snapshot(visit, [*VALUE_FIELDS, "posyandu_id"])


def _actor(user: User | None) -> User | None:
    return user if user is not None and user.is_authenticated else None


def _retried(existing: Visit, child: Child, values: VisitValues) -> Visit:
    """The visit a retried form already saved, if the retry is the same form.

    A phone on a bad connection resends; that must not duplicate. But the same
    form id with another child, or with changed values (Back, correct, save
    again), must not pass for success while nothing was saved.
    """
    if existing.child_id != child.pk:
        raise ValidationError(
            _("Formulir ini sudah dipakai untuk anak lain. Buka formulir timbang yang baru.")
        )
    if VisitValues.of(existing) != values:
        raise ValidationError(
            _(
                "Kunjungan ini sudah tersimpan sebelumnya (%(d)s). Untuk mengoreksi nilainya, "
                "buka Ubah kunjungan di halaman anak."
            )
            % {"d": format_date(existing.measured_on)}
        )
    return existing


@transaction.atomic
def record_visit(
    *,
    user: User,
    child: Child,
    values: VisitValues,
    posyandu: Posyandu | None = None,
    session: PosyanduSession | None = None,
    client_id: uuid.UUID | None = None,
    confirm_warnings: bool = False,
) -> Visit:
    """Save a child's visit of this month.

    A retry with the same ``client_id`` returns the visit already saved
    instead of creating a second one. Raises :class:`NeedsConfirmation` when
    the values look implausible and ``confirm_warnings`` is false, and
    ``ValidationError`` for bad values or a second visit in the same month.
    """
    if session is not None and values.measured_on is None:
        values = replace(values, measured_on=session.date)
    values = validate_values(child, values)
    assert values.measured_on is not None
    if client_id is not None:
        existing = Visit.objects.filter(client_id=client_id).first()
        if existing is not None:
            return _retried(existing, child, values)
    period = first_of_month(values.measured_on)
    if session is not None and first_of_month(session.date) != period:
        raise ValidationError(
            {
                "measured_on": _("Tanggal pengukuran harus di bulan hari buka ini (%(d)s).")
                % {"d": format_date(session.date)}
            }
        )
    already = Visit.objects.filter(child=child, period=period).first()
    if already is not None:
        raise ValidationError(
            {
                "measured_on": _(
                    "%(name)s sudah ditimbang bulan ini (%(d)s). "
                    "Ubah kunjungan itu, jangan buat baru."
                )
                % {"name": child.name, "d": format_date(already.measured_on)}
            }
        )
    _lock_child(child.pk)
    with child_write(child.pk):
        assessment = preview(child=child, values=values)
        if assessment.warnings and not confirm_warnings:
            raise NeedsConfirmation(assessment)
        visit = Visit(
            child=child,
            posyandu=posyandu or (session.posyandu if session else child.posyandu),
            session=session,
            period=period,
            client_id=client_id,
            recorded_by=_actor(user),
            warnings_confirmed=bool(assessment.warnings),
            **values.as_dict(),
        )
        _apply_assessment(visit, assessment)
        visit.full_clean(exclude=["client_id"])
        try:
            with transaction.atomic():
                visit.save()
        except IntegrityError as exc:
            # Two phones saving the same child at once: the constraint decides.
            raise ValidationError(
                {"measured_on": _("%(name)s sudah ditimbang bulan ini.") % {"name": child.name}}
            ) from exc
        refresh_weight_gain(child)
        visit.refresh_from_db()
        audit.record(
            user=user,
            action=AuditAction.CREATE,
            obj=visit,
            changes=audit.diff({}, _visit_snapshot(visit)),
        )
    return visit


def _lock_child(child_id: int) -> None:
    """Serialise writes to one child's visits: each one's derived rows (N/T of
    the later months, the monthly aggregates) start from the one before."""
    list(Child.objects.select_for_update().filter(pk=child_id).values_list("pk", flat=True))


def _lock(visit: Visit, version: int) -> Visit:
    # Not select_related("session"): PostgreSQL cannot lock the nullable side
    # of the outer join it would need.
    locked = Visit.objects.select_for_update().select_related("child").filter(pk=visit.pk).first()
    if locked is None:
        raise VisitGone
    if locked.version != version:
        raise StaleVisit
    return locked


@transaction.atomic
def update_visit(
    *,
    user: User,
    visit: Visit,
    version: int,
    values: VisitValues,
    confirm_warnings: bool = False,
) -> Visit:
    """Correct a visit. :class:`StaleVisit` if ``version`` is old, :class:`VisitGone`
    if it was deleted meanwhile."""
    locked = _lock(visit, version)
    _lock_child(locked.child_id)
    with child_write(locked.child_id):
        child = locked.child
        values = validate_values(child, values)
        assert values.measured_on is not None
        period = first_of_month(values.measured_on)
        if Visit.objects.filter(child=child, period=period).exclude(pk=locked.pk).exists():
            raise ValidationError(
                {"measured_on": _("Sudah ada kunjungan lain di bulan itu untuk anak ini.")}
            )
        assessment = preview(child=child, values=values, exclude_pk=locked.pk)
        if assessment.warnings and not confirm_warnings:
            raise NeedsConfirmation(assessment)
        before = _visit_snapshot(locked)
        for key, value in values.as_dict().items():
            setattr(locked, key, value)
        if locked.session is not None and first_of_month(locked.session.date) != period:
            # Moved to another month: it no longer belongs to that opening day.
            locked.session = None
        locked.period = period
        locked.warnings_confirmed = bool(assessment.warnings)
        _apply_assessment(locked, assessment)
        locked.version += 1
        locked.full_clean(exclude=["client_id"])
        locked.save()
        refresh_weight_gain(child)
        locked.refresh_from_db()
        audit.record(
            user=user,
            action=AuditAction.UPDATE,
            obj=locked,
            changes=audit.diff(before, _visit_snapshot(locked)),
        )
    return locked


@transaction.atomic
def delete_visit(*, user: User, visit: Visit, version: int) -> None:
    """Delete a visit entered by mistake; later months' N/T follow."""
    locked = _lock(visit, version)
    _lock_child(locked.child_id)
    with child_write(locked.child_id):
        child = locked.child
        audit.record(
            user=user,
            action=AuditAction.DELETE,
            obj=locked,
            changes=audit.diff(_visit_snapshot(locked), {}),
        )
        locked.delete()
        refresh_weight_gain(child)


@transaction.atomic
def open_session(*, user: User, posyandu: Posyandu, date: dt.date) -> PosyanduSession:
    """The opening day of ``posyandu`` on ``date``, created (and audited) on first use."""
    check_date(
        date,
        field="date",
        future_message=gettext_lazy("Tanggal hari buka tidak boleh di masa depan."),
    )
    existing = PosyanduSession.objects.filter(posyandu=posyandu, date=date).first()
    if existing is not None:
        return existing
    session = PosyanduSession(posyandu=posyandu, date=date, created_by=_actor(user))
    session.full_clean()
    try:
        with transaction.atomic():
            session.save()
    except IntegrityError:
        # Two kader opening the same day at once: both get the one session.
        return PosyanduSession.objects.get(posyandu=posyandu, date=date)
    audit.record(
        user=user,
        action=AuditAction.CREATE,
        obj=session,
        changes={"posyandu_id": [None, posyandu.pk], "date": [None, date.isoformat()]},
    )
    return session
