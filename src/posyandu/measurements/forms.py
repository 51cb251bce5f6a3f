"""Forms of the weighing table: numbers typed on a phone, with a decimal comma."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from posyandu.areas.models import Posyandu
from posyandu.children.forms import DateDMYField
from posyandu.measurements.models import Kpsp, Position

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise


class DecimalCommaField(forms.DecimalField):
    """A decimal that accepts "10,4" as well as "10.4", in any UI language.

    Kader write weights with a comma; a thousands separator never occurs in a
    child's weight or length, so a comma is always the decimal mark here.
    """

    widget = forms.TextInput

    def __init__(self, *, invalid_message: str | _StrPromise, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.error_messages["invalid"] = invalid_message
        self.error_messages["max_decimal_places"] = _(
            "Paling banyak %(max)s angka di belakang koma."
        )
        self.error_messages["max_digits"] = invalid_message
        self.error_messages["max_whole_digits"] = invalid_message

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        # inputmode gives the phone's number pad with a comma key; type=number
        # would reject the comma in some browsers and lose what was typed.
        attrs.pop("step", None)
        attrs.pop("max", None)
        attrs.pop("min", None)
        attrs.update({"inputmode": "decimal", "autocomplete": "off"})
        return attrs

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        text = str(value).strip().replace(" ", "").replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not number.is_finite():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return number


def _date_typed() -> forms.DateInput:
    """A text box showing DD/MM/YYYY on every phone.

    ``type=date`` follows the phone's language (11/24/2026 on an English
    phone), unlike every other date on the site. The number pad has "-" and
    "." but no "/" on many phones, so 24-11-2026 and 24.11.2026 are accepted
    too (``DateDMYField``), as is ISO 2026-11-24.
    """
    return forms.DateInput(
        format="%d/%m/%Y",
        attrs={
            "placeholder": "DD/MM/YYYY",
            "inputmode": "numeric",
            "autocomplete": "off",
            "class": "date",
        },
    )


class VisitForm(forms.Form):
    measured_on = DateDMYField(
        label=_("Tanggal pengukuran"),
        widget=_date_typed(),
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

    def __init__(self, *args: Any, birth_date: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.birth_date = birth_date

    def clean_measured_on(self) -> dt.date:
        measured_on: dt.date = self.cleaned_data["measured_on"]
        if measured_on > timezone.localdate():
            raise forms.ValidationError(_("Tanggal pengukuran tidak boleh di masa depan."))
        if measured_on < self.birth_date:
            raise forms.ValidationError(
                _("Tanggal pengukuran sebelum tanggal lahir anak (%(b)s): periksa tanggal lahir.")
                % {"b": self.birth_date.strftime("%d/%m/%Y")}
            )
        return measured_on

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        pmt_kg = data.get("pmt_kg")
        if pmt_kg is not None and pmt_kg > 0:
            data["pmt_received"] = True
        return data

    def values(self) -> dict[str, Any]:
        """The visit values for the service (no form bookkeeping fields)."""
        skip = {"confirm_warnings", "client_id", "version"}
        return {k: v for k, v in self.cleaned_data.items() if k not in skip}


def default_position(birth_date: dt.date, on: dt.date) -> str:
    """Lying under 2 years (731 days), standing from then, as WHO measures."""
    return Position.LYING if (on - birth_date).days < 731 else Position.STANDING


def new_visit_initial(birth_date: dt.date, on: dt.date) -> dict[str, Any]:
    return {
        "measured_on": on,
        "position": default_position(birth_date, on),
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
        widget=_date_typed(),
        error_messages={
            "required": _("Tanggal wajib diisi."),
            "invalid": _("Tanggal tidak dikenali: tulis seperti 15/03/2025."),
        },
    )

    def __init__(self, *args: Any, posyandu_queryset: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["posyandu"].queryset = posyandu_queryset  # type: ignore[attr-defined]

    def clean_date(self) -> dt.date:
        date: dt.date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("Tanggal hari buka tidak boleh di masa depan."))
        return date
