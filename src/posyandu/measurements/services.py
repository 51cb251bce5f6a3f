"""Writes of visits and Posyandu sessions: validated, atomic, audited.

Saving a visit recomputes its z-scores with the growth engine and the
weight-gain status (N/T/O/B, 2T) of that visit and of the later visits whose
"last month" it is, so a late or corrected entry never leaves stale statuses.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from posyandu.areas.models import Posyandu
from posyandu.children.models import Child
from posyandu.core import audit
from posyandu.core.models import AuditAction
from posyandu.core.settings_store import current_kbm_version
from posyandu.growth.weight_gain import kbm_grams
from posyandu.measurements.assessment import (
    CLASSIFIED,
    STORED_INDICATORS,
    Assessment,
    assess,
    completed_months,
    first_of_month,
    previous_month,
)
from posyandu.measurements.models import PosyanduSession, Visit, WeightGain

VALUE_FIELDS = (
    "measured_on",
    "weight_kg",
    "height_cm",
    "position",
    "head_cm",
    "muac_cm",
    "oedema",
    "vitamin_a",
    "pmt_received",
    "pmt_kg",
    "kpsp",
)

# Hard limits: values outside these are typing errors, never a child.
HARD_LIMITS = {
    "weight_kg": (Decimal("0.5"), Decimal("40")),
    "height_cm": (Decimal("35"), Decimal("130")),
    "head_cm": (Decimal("25"), Decimal("60")),
    "muac_cm": (Decimal("5"), Decimal("30")),
}


class StaleVisit(Exception):
    """The visit was changed by someone else since this form was opened."""


@dataclass
class NeedsConfirmation(Exception):
    """The values look implausible; the kader must correct or confirm them."""

    assessment: Assessment


def validate_values(child: Child, values: dict[str, Any]) -> None:
    """Raise ``ValidationError`` (per field, in Indonesian) for values no child can have.

    Fills in the measuring position from the age when a length is given without one.
    """
    errors: dict[str, str] = {}
    measured_on = values.get("measured_on")
    today = timezone.localdate()
    if measured_on is None:
        errors["measured_on"] = _("Tanggal pengukuran wajib diisi.")
    elif measured_on > today:
        errors["measured_on"] = _("Tanggal pengukuran tidak boleh di masa depan.")
    elif measured_on < child.birth_date:
        errors["measured_on"] = _(
            "Tanggal pengukuran sebelum tanggal lahir anak (%(b)s): periksa tanggal lahir."
        ) % {"b": child.birth_date.strftime("%d/%m/%Y")}
    for name, (low, high) in HARD_LIMITS.items():
        value = values.get(name)
        if value is not None and not (low <= Decimal(value) <= high):
            errors[name] = _("Nilai %(v)s di luar batas wajar (%(lo)s–%(hi)s).") % {
                "v": str(value).replace(".", ","),
                "lo": str(low).replace(".", ","),
                "hi": str(high).replace(".", ","),
            }
    if values.get("height_cm") is not None and not values.get("position"):
        values["position"] = (
            "l" if measured_on and (measured_on - child.birth_date).days < 731 else "h"
        )
    if values.get("weight_kg") is None and values.get("height_cm") is None:
        errors["weight_kg"] = _("Isi minimal berat badan atau panjang/tinggi badan.")
    if errors:
        raise ValidationError(errors)


def _previous_visit(child: Child, period: dt.date, exclude_pk: int | None) -> Visit | None:
    qs = Visit.objects.filter(child=child, period__lt=period)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.order_by("-period").first()


def preview(*, child: Child, values: dict[str, Any], exclude_pk: int | None = None) -> Assessment:
    """What saving these values would show, without saving (for the live form)."""
    measured_on = values["measured_on"]
    previous = _previous_visit(child, first_of_month(measured_on), exclude_pk)
    return assess(
        sex=child.sex,
        birth_date=child.birth_date,
        measured_on=measured_on,
        weight_kg=values.get("weight_kg"),
        height_cm=values.get("height_cm"),
        position=values.get("position") or "",
        oedema=bool(values.get("oedema")),
        head_cm=values.get("head_cm"),
        muac_cm=values.get("muac_cm"),
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
    visit.is_bgm = assessment.z["wfa"] is not None and assessment.z["wfa"] < -3
    visit.warnings = [{"code": w.code, "message": w.message} for w in assessment.warnings]


@dataclass(frozen=True)
class GainResult:
    status: str
    gain_g: int | None
    kbm_g: int | None
    is_2t: bool


def gain_against(
    *,
    child: Child,
    measured_on: dt.date,
    weight_kg: Decimal | None,
    previous: Visit | None,
    weighed_before: bool,
    kbm_version: str,
) -> GainResult:
    """N/T/O/B of a weighing, given last calendar month's visit (``previous``)
    and whether the child was ever weighed before this month."""
    gain_g: int | None = None
    kbm: int | None = None
    if weight_kg is None:
        status = ""
    elif not weighed_before:
        status = WeightGain.BARU
    elif previous is None or previous.weight_kg is None:
        status = WeightGain.TIDAK_DITIMBANG_BULAN_LALU
    else:
        gain_g = int(round((Decimal(weight_kg) - previous.weight_kg) * 1000))
        kbm_value = float(kbm_grams(completed_months(child.birth_date, measured_on), kbm_version))
        if kbm_value != kbm_value:  # NaN: under 1 month or beyond the table
            status = WeightGain.TIDAK_DITIMBANG_BULAN_LALU
        else:
            kbm = int(kbm_value)
            status = WeightGain.NAIK if gain_g >= kbm else WeightGain.TIDAK_NAIK
    is_2t = (
        status == WeightGain.TIDAK_NAIK
        and previous is not None
        and previous.weight_gain == WeightGain.TIDAK_NAIK
    )
    return GainResult(status, gain_g, kbm, is_2t)


def preview_gain(
    *,
    child: Child,
    measured_on: dt.date,
    weight_kg: Decimal | None,
    exclude_pk: int | None = None,
) -> GainResult:
    """The N/T/O/B that saving this weight would give (for the live form)."""
    period = first_of_month(measured_on)
    earlier = Visit.objects.filter(child=child, period__lt=period)
    if exclude_pk:
        earlier = earlier.exclude(pk=exclude_pk)
    previous = earlier.filter(period=previous_month(period)).first()
    return gain_against(
        child=child,
        measured_on=measured_on,
        weight_kg=weight_kg,
        previous=previous,
        weighed_before=earlier.filter(weight_kg__isnull=False).exists(),
        kbm_version=current_kbm_version(),
    )


def refresh_weight_gain(child: Child, *, kbm_version: str | None = None) -> None:
    """Recompute N/T/O/B and 2T for all of a child's visits, in month order.

    A child has at most 60 monthly visits, so recomputing all of them on each
    write is cheap and can never leave a later month stale.
    """
    version = kbm_version or current_kbm_version()
    visits = list(Visit.objects.filter(child=child).order_by("period"))
    by_period = {v.period: v for v in visits}
    weighed_before = False
    for visit in visits:
        old = (visit.weight_gain, visit.weight_gain_g, visit.kbm_g, visit.is_2t)
        result = gain_against(
            child=child,
            measured_on=visit.measured_on,
            weight_kg=visit.weight_kg,
            previous=by_period.get(previous_month(visit.period)),
            weighed_before=weighed_before,
            kbm_version=version,
        )
        new = (result.status, result.gain_g, result.kbm_g, result.is_2t)
        visit.weight_gain, visit.weight_gain_g, visit.kbm_g, visit.is_2t = new
        if visit.weight_kg is not None:
            weighed_before = True
        if new != old:
            Visit.objects.filter(pk=visit.pk).update(
                weight_gain=result.status,
                weight_gain_g=result.gain_g,
                kbm_g=result.kbm_g,
                is_2t=result.is_2t,
            )


def reassess_child(child: Child) -> int:
    """Recompute every visit's age, z-scores, categories and warnings, then N/T.

    For a corrected birth date or sex: what was derived from the old ones is
    wrong everywhere. Visits are redone in month order so that each one's
    plausibility checks compare with the already-corrected previous visit.
    """
    visits = list(Visit.objects.filter(child=child).order_by("period"))
    for visit in visits:
        values = {name: getattr(visit, name) for name in VALUE_FIELDS}
        assessment = preview(child=child, values=values, exclude_pk=visit.pk)
        old_codes = {w.get("code") for w in visit.warnings}
        _apply_assessment(visit, assessment)
        new_codes = {w.code for w in assessment.warnings}
        visit.warnings_confirmed = visit.warnings_confirmed and new_codes <= old_codes
        visit.save()
    refresh_weight_gain(child)
    return len(visits)


def reassess_on_identity_change(sender: Any, *, child: Child, user: Any, **kwargs: Any) -> None:
    count = reassess_child(child)
    if count:
        audit.record(
            user=user, action=AuditAction.UPDATE, obj=child, changes={"visits_reassessed": count}
        )


def _visit_snapshot(visit: Visit) -> dict[str, Any]:
    return audit.snapshot(visit, [*VALUE_FIELDS, "posyandu_id"])


def _retried(existing: Visit, child: Child, values: dict[str, Any]) -> Visit:
    """The visit a retried form already saved, if the retry is the same form.

    A phone on a bad connection resends; that must not duplicate. But the same
    form id with another child, or with changed values (Back, correct, save
    again), must not pass for success while nothing was saved.
    """
    if existing.child_id != child.pk:
        raise ValidationError(
            _("Formulir ini sudah dipakai untuk anak lain. Buka formulir timbang yang baru.")
        )
    if any(getattr(existing, key) != value for key, value in values.items()):
        raise ValidationError(
            _(
                "Kunjungan ini sudah tersimpan sebelumnya (%(d)s). Untuk mengoreksi nilainya, "
                "buka Ubah kunjungan di halaman anak."
            )
            % {"d": existing.measured_on.strftime("%d/%m/%Y")}
        )
    return existing


@transaction.atomic
def record_visit(
    *,
    user: Any,
    child: Child,
    posyandu: Posyandu | None = None,
    session: PosyanduSession | None = None,
    client_id: uuid.UUID | None = None,
    confirm_warnings: bool = False,
    **values: Any,
) -> Visit:
    """Save a child's visit of this month.

    A retry with the same ``client_id`` returns the visit already saved
    instead of creating a second one. Raises :class:`NeedsConfirmation` when
    the values look implausible and ``confirm_warnings`` is false, and
    ``ValidationError`` for bad values or a second visit in the same month.
    """
    values = {k: v for k, v in values.items() if k in VALUE_FIELDS}
    if session is not None and values.get("measured_on") is None:
        values["measured_on"] = session.date
    validate_values(child, values)
    if client_id is not None:
        existing = Visit.objects.filter(client_id=client_id).first()
        if existing is not None:
            return _retried(existing, child, values)
    period = first_of_month(values["measured_on"])
    if session is not None and first_of_month(session.date) != period:
        raise ValidationError(
            {
                "measured_on": _("Tanggal pengukuran harus di bulan hari buka ini (%(d)s).")
                % {"d": session.date.strftime("%d/%m/%Y")}
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
                % {"name": child.name, "d": already.measured_on.strftime("%d/%m/%Y")}
            }
        )
    assessment = preview(child=child, values=values)
    if assessment.warnings and not confirm_warnings:
        raise NeedsConfirmation(assessment)
    visit = Visit(
        child=child,
        posyandu=posyandu or (session.posyandu if session else child.posyandu),
        session=session,
        period=period,
        client_id=client_id,
        recorded_by=user if user and user.is_authenticated else None,
        warnings_confirmed=bool(assessment.warnings),
        **values,
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


@transaction.atomic
def update_visit(
    *, user: Any, visit: Visit, version: int, confirm_warnings: bool = False, **values: Any
) -> Visit:
    """Correct a visit. Refuses with :class:`StaleVisit` if ``version`` is old."""
    # Not select_related("session"): PostgreSQL cannot lock the nullable side
    # of the outer join it would need.
    locked = Visit.objects.select_for_update().select_related("child").get(pk=visit.pk)
    if locked.version != version:
        raise StaleVisit
    child = locked.child
    merged = {name: getattr(locked, name) for name in VALUE_FIELDS}
    merged.update({k: v for k, v in values.items() if k in VALUE_FIELDS})
    validate_values(child, merged)
    period = first_of_month(merged["measured_on"])
    if Visit.objects.filter(child=child, period=period).exclude(pk=locked.pk).exists():
        raise ValidationError(
            {"measured_on": _("Sudah ada kunjungan lain di bulan itu untuk anak ini.")}
        )
    assessment = preview(child=child, values=merged, exclude_pk=locked.pk)
    if assessment.warnings and not confirm_warnings:
        raise NeedsConfirmation(assessment)
    before = _visit_snapshot(locked)
    for key, value in merged.items():
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
def delete_visit(*, user: Any, visit: Visit, version: int) -> None:
    locked = Visit.objects.select_for_update().select_related("child").get(pk=visit.pk)
    if locked.version != version:
        raise StaleVisit
    child = locked.child
    audit.record(
        user=user,
        action=AuditAction.DELETE,
        obj=locked,
        changes=audit.diff(_visit_snapshot(locked), {}),
    )
    locked.delete()
    refresh_weight_gain(child)


def open_session(*, user: Any, posyandu: Posyandu, date: dt.date) -> PosyanduSession:
    """The opening day of ``posyandu`` on ``date``, created on first use."""
    if date > timezone.localdate():
        raise ValidationError({"date": _("Tanggal hari buka tidak boleh di masa depan.")})
    session, created = PosyanduSession.objects.get_or_create(
        posyandu=posyandu,
        date=date,
        defaults={"created_by": user if user and user.is_authenticated else None},
    )
    return session
