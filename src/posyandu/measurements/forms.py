"""Forms of the weighing table: numbers typed on a phone, with a decimal comma."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from posyandu.areas.models import Posyandu
from posyandu.core.ui import DateDMYField, DecimalCommaField
from posyandu.measurements.assessment import position_for_age
from posyandu.measurements.models import Kpsp, Position
from posyandu.measurements.services import VALUE_FIELDS, VisitValues


def _date_picker() -> forms.DateInput:
    """The phone's own calendar: nothing to type. A text box with the number pad
    (inputmode=numeric) left kader without "/" on many Android keyboards; the
    picker sends ISO dates, which :class:`DateDMYField` reads like DD/MM/YYYY."""
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "class": "date"})


class VisitForm(forms.Form):
    measured_on = DateDMYField(
        label=_("Tanggal pengukuran"),
        widget=_date_picker(),
        error_messages={
            "required": _("Tanggal pengukuran wajib diisi."),
            "invalid": _("Tanggal tidak dikenali: tulis seperti 15/03/2025."),
        },
    )
    weight_kg = DecimalCommaField(
        label=_("Berat badan (kg)"),
        max_digits=5,
        decimal_places=2,
        invalid_message=_("Berat badan harus berupa angka, misalnya 10,4."),
    )
    height_cm = DecimalCommaField(
        label=_("Panjang/tinggi badan (cm)"),
        max_digits=5,
        decimal_places=2,
        invalid_message=_("Panjang/tinggi badan harus berupa angka, misalnya 78,5."),
    )
    position = forms.ChoiceField(
        label=_("Cara ukur"),
        choices=[(Position.LYING, _("Terlentang")), (Position.STANDING, _("Berdiri"))],
        widget=forms.RadioSelect,
        required=False,
    )
    head_cm = DecimalCommaField(
        label=_("Lingkar kepala (cm)"),
        max_digits=4,
        decimal_places=1,
        invalid_message=_("Lingkar kepala harus berupa angka, misalnya 45,2."),
    )
    muac_cm = DecimalCommaField(
        label=_("LiLA (cm)"),
        max_digits=4,
        decimal_places=1,
        invalid_message=_("LiLA harus berupa angka, misalnya 14,5."),
    )
    oedema = forms.BooleanField(label=_("Edema (bengkak kedua punggung kaki)"), required=False)
    vitamin_a = forms.BooleanField(label=_("Vitamin A diberikan"), required=False)
    pmt_received = forms.BooleanField(label=_("PMT diterima"), required=False)
    pmt_kg = DecimalCommaField(
        label=_("PMT (kg)"),
        max_digits=5,
        decimal_places=2,
        invalid_message=_("Jumlah PMT harus berupa angka, misalnya 1,5."),
    )
    kpsp = forms.ChoiceField(
        label=_("Hasil KPSP"),
        choices=[("", _("— tidak diperiksa —")), *Kpsp.choices],
        required=False,
    )
    confirm_warnings = forms.BooleanField(
        label=_("Nilai sudah saya periksa dan benar"), required=False
    )
    client_id = forms.UUIDField(widget=forms.HiddenInput, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        pmt_kg = data.get("pmt_kg")
        if pmt_kg is not None and pmt_kg > 0:
            data["pmt_received"] = True
        return data

    def values(self) -> VisitValues:
        """The visit values for the service (no form bookkeeping fields); a field
        that did not validate is left out (the live preview works on the rest)."""
        data = self.cleaned_data
        present = {name: data[name] for name in VALUE_FIELDS if name in data}
        present.setdefault("measured_on", None)
        return VisitValues(**present)


def new_visit_initial(birth_date: dt.date, on: dt.date) -> dict[str, Any]:
    return {
        "measured_on": on,
        "position": position_for_age((on - birth_date).days),
        "client_id": uuid.uuid4(),
    }


class SessionPickForm(forms.Form):
    posyandu: forms.ModelChoiceField[Posyandu] = forms.ModelChoiceField(
        label=_("Posyandu"),
        queryset=Posyandu.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Pilih Posyandu dari daftar.")},
    )
    date = DateDMYField(
        label=_("Tanggal hari buka"),
        widget=_date_picker(),
        error_messages={
            "required": _("Tanggal wajib diisi."),
            "invalid": _("Tanggal tidak dikenali: tulis seperti 15/03/2025."),
        },
    )

    def __init__(self, *args: Any, posyandu_queryset: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["posyandu"].queryset = posyandu_queryset  # type: ignore[attr-defined]
