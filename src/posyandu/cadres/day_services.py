"""What a Posyandu day gave: the life stages served and the kader present.

The write (:func:`record_day`) follows the house style of services: keyword
only, validated, in one transaction, audited. The form offers the kader
posted at the day's Posyandu on that date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from posyandu.accounts.models import User
from posyandu.cadres.models import Kader, LifeStage, SessionAttendance, SessionService
from posyandu.core import audit
from posyandu.core.models import AuditAction
from posyandu.measurements.models import PosyanduSession


def stage_choices() -> list[tuple[str, str]]:
    return [(str(value), str(label)) for value, label in LifeStage.choices]


def kader_posted(posyandu_id: int, on: dt.date) -> QuerySet[Kader]:
    """Kader with a posting at the Posyandu covering ``on``."""
    return (
        Kader.objects.filter(
            postings__posyandu_id=posyandu_id,
            postings__started_on__lte=on,
        )
        .filter(Q(postings__ended_on__isnull=True) | Q(postings__ended_on__gte=on))
        .distinct()
        .order_by("name", "pk")
    )


@transaction.atomic
def record_day(
    *,
    user: User | None,
    session: PosyanduSession,
    stages: Mapping[str, int | None],
    kader_ids: Collection[int],
) -> None:
    """Replace the day's services (stage -> people served, None: not counted) and the
    kader present with these."""
    locked = PosyanduSession.objects.select_for_update().get(pk=session.pk)
    unknown = set(stages) - set(LifeStage.values)
    if unknown:
        raise ValidationError(_("Sasaran layanan tidak dikenal: %(s)s") % {"s": sorted(unknown)})
    allowed = set(kader_posted(locked.posyandu_id, locked.date).values_list("pk", flat=True))
    if set(kader_ids) - allowed:
        raise ValidationError(_("Hanya kader yang bertugas di posyandu ini pada hari itu."))

    before_services = dict(
        SessionService.objects.filter(session=locked).values_list("life_stage", "people_served")
    )
    before_kader = set(
        SessionAttendance.objects.filter(session=locked).values_list("kader_id", flat=True)
    )
    SessionService.objects.filter(session=locked).exclude(life_stage__in=list(stages)).delete()
    for stage, people in stages.items():
        row = SessionService.objects.filter(session=locked, life_stage=stage).first()
        row = row or SessionService(session=locked, life_stage=stage)
        row.people_served = people
        row.full_clean()
        row.save()
    SessionAttendance.objects.filter(session=locked).exclude(kader_id__in=list(kader_ids)).delete()
    new = [
        SessionAttendance(session=locked, kader_id=pk)
        for pk in sorted(set(kader_ids) - before_kader)
    ]
    for attendance in new:
        attendance.full_clean()
    SessionAttendance.objects.bulk_create(new)

    after_services = {stage: people for stage, people in stages.items()}
    changes: dict[str, Any] = {}
    if before_services != after_services:
        changes["services"] = [before_services, after_services]
    if before_kader != set(kader_ids):
        changes["kader_present"] = [sorted(before_kader), sorted(kader_ids)]
    if changes:
        audit.record(user=user, action=AuditAction.UPDATE, obj=locked, changes=changes)


class DayServicesForm(forms.Form):
    """A tick and an optional count per life stage; a tick per kader posted that day."""

    def __init__(self, *args: Any, session: PosyanduSession, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stored = dict(
            SessionService.objects.filter(session=session).values_list(
                "life_stage", "people_served"
            )
        )
        for value, label in stage_choices():
            self.fields[f"stage_{value}"] = forms.BooleanField(
                label=label, required=False, initial=value in stored
            )
            self.fields[f"people_{value}"] = forms.IntegerField(
                label=gettext_lazy("Jumlah dilayani"),
                required=False,
                min_value=0,
                max_value=9999,
                initial=stored.get(value),
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
        self.fields["kader"] = forms.ModelMultipleChoiceField(
            label=gettext_lazy("Kader hadir"),
            queryset=kader_posted(session.posyandu_id, session.date),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            initial=list(
                SessionAttendance.objects.filter(session=session).values_list("kader_id", flat=True)
            ),
        )

    def stage_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"stage_{v}"], self[f"people_{v}"]) for v, _label in stage_choices()]

    def stages(self) -> dict[str, int | None]:
        data = self.cleaned_data
        return {
            v: data.get(f"people_{v}") for v, _label in stage_choices() if data.get(f"stage_{v}")
        }


def save_day(*, user: User, session: PosyanduSession, form: DayServicesForm) -> None:
    record_day(
        user=user,
        session=session,
        stages=form.stages(),
        kader_ids=[k.pk for k in form.cleaned_data["kader"]],
    )
