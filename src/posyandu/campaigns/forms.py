"""Forms of Operasi Timbang."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from posyandu.campaigns.models import HomeVisitOutcome
from posyandu.core.ui import DateDMYField


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Nama"), max_length=120)
    area = forms.ChoiceField(label=_("Wilayah"))
    starts_on = DateDMYField(label=_("Mulai"))
    ends_on = DateDMYField(label=_("Selesai"))

    def __init__(self, *args: Any, areas: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["area"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = areas


OUTCOME_CHOICES = [
    (o.value, o.label) for o in HomeVisitOutcome if o != HomeVisitOutcome.MEASURED_HOME
]


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Hasil kunjungan rumah"), choices=OUTCOME_CHOICES)
    on = DateDMYField(label=_("Tanggal"))
    note = forms.CharField(label=_("Catatan"), max_length=200, required=False)
