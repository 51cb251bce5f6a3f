"""Forms of the child registry. Every message is Indonesian (gettext) and a bad
value never empties the other fields: the form is re-shown with what was typed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from posyandu.areas.models import Kelurahan, Posyandu
from posyandu.children.models import Child, ChildStatus, Sex
from posyandu.children.nik import normalise_nik
from posyandu.children.services import EDITABLE_FIELDS

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"]
# Birth measurements outside these are typing errors (a 99 kg baby, 5 cm long).
BIRTH_WEIGHT_KG = (Decimal("0.4"), Decimal("6.5"))
BIRTH_LENGTH_CM = (Decimal("25"), Decimal("65"))
# A Posyandu registers balita: 0-59 months.
MAX_AGE_AT_REGISTRATION_DAYS = 5 * 366


class DateDMYField(forms.DateField):
    """A date typed as DD/MM/YYYY (YYYY-MM-DD and DD-MM-YYYY also accepted)."""

    widget = forms.DateInput(
        format="%d/%m/%Y",
        attrs={"placeholder": "DD/MM/YYYY", "autocomplete": "off", "class": "date"},
    )
    default_error_messages = {
        "invalid": _("Tanggal tidak dikenali. Tulis hari/bulan/tahun, misalnya 31/01/2024."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", DATE_INPUT_FORMATS)
        super().__init__(**kwargs)


def _not_in_future(value: dt.date | None, message: Any) -> None:
    if value is not None and value > timezone.localdate():
        raise forms.ValidationError(message)


class MeasureField(forms.DecimalField):
    """A decimal typed with comma or point, with a plain-language error."""

    def __init__(self, *, unit: str, bounds: tuple[Decimal, Decimal], **kwargs: Any) -> None:
        self.unit = unit
        self.bounds = bounds
        kwargs.setdefault("required", False)
        kwargs.setdefault("localize", True)
        kwargs.setdefault(
            "error_messages",
            {
                "invalid": _("Isi dengan angka saja, misalnya %(example)s.")
                % {"example": "3,2" if unit == "kg" else "49,5"},
                "max_digits": _("Angka terlalu panjang."),
                "max_decimal_places": _("Terlalu banyak angka di belakang koma."),
                "max_whole_digits": _("Angka terlalu besar."),
            },
        )
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def validate(self, value: Decimal | None) -> None:
        super().validate(value)  # type: ignore[arg-type]
        low, high = self.bounds
        if value is not None and not (low <= value <= high):
            raise forms.ValidationError(
                _("%(value)s %(unit)s tidak mungkin; isi antara %(low)s dan %(high)s %(unit)s.")
                % {
                    "value": str(value).replace(".", ","),
                    "unit": self.unit,
                    "low": str(low).replace(".", ","),
                    "high": str(high).replace(".", ","),
                }
            )


class NikField(forms.CharField):
    """Spaces and dots are dropped; the shape is checked later as a warning only."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def clean(self, value: Any) -> str:
        raw = super().clean(value)
        nik = normalise_nik(raw)
        if raw and not nik:
            raise forms.ValidationError(_("NIK hanya berisi angka."))
        if len(nik) > 16:
            raise forms.ValidationError(
                _("NIK paling banyak 16 angka (tertulis %(n)d).") % {"n": len(nik)}
            )
        return nik


class ChildForm(forms.ModelForm):  # type: ignore[type-arg]
    birth_date = DateDMYField(label=_("Tanggal lahir"))
    birth_weight_kg = MeasureField(unit="kg", bounds=BIRTH_WEIGHT_KG, label=_("Berat lahir (kg)"))
    birth_length_cm = MeasureField(unit="cm", bounds=BIRTH_LENGTH_CM, label=_("Panjang lahir (cm)"))
    nik = NikField(label=_("NIK anak (boleh kosong)"))
    mother_nik = NikField(label=_("NIK ibu (boleh kosong)"))
    sex = forms.TypedChoiceField(
        label=_("Jenis kelamin"),
        choices=Sex.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Pilih jenis kelamin.")},
    )

    class Meta:
        model = Child
        fields = list(EDITABLE_FIELDS)
        error_messages = {
            "name": {"required": _("Nama anak wajib diisi.")},
            "mother_name": {"required": _("Nama ibu wajib diisi.")},
        }

    def __init__(self, *args: Any, kelurahan: QuerySet[Kelurahan], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["kelurahan"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = kelurahan
        field.required = False
        field.empty_label = str(_("— sama dengan kelurahan posyandu —"))
        self.fields["birth_date"].error_messages["required"] = _("Tanggal lahir wajib diisi.")
        for name in ("rt", "rw"):
            self.fields[name].widget.attrs.update({"inputmode": "numeric", "maxlength": "3"})
        self.fields["phone"].widget.attrs.update({"inputmode": "tel"})

    def clean_birth_date(self) -> dt.date:
        value: dt.date = self.cleaned_data["birth_date"]
        _not_in_future(value, _("Tanggal lahir tidak boleh di masa depan."))
        return value

    def _clean_digits(self, name: str, label: Any) -> str:
        value = (self.cleaned_data.get(name) or "").strip()
        if value and not value.isdigit():
            raise forms.ValidationError(_("%(label)s hanya berisi angka.") % {"label": label})
        return value

    def clean_rt(self) -> str:
        return self._clean_digits("rt", "RT")

    def clean_rw(self) -> str:
        return self._clean_digits("rw", "RW")

    def registry_fields(self) -> dict[str, Any]:
        """The cleaned values in the shape the services take."""
        data = {name: self.cleaned_data.get(name) for name in self.Meta.fields}
        for key in ("father_name", "phone", "address", "rt", "rw", "nik", "mother_nik"):
            data[key] = data[key] or ""
        if data["kelurahan"] is None:
            data.pop("kelurahan")
        return data


class ChildRegisterForm(ChildForm):
    posyandu = forms.ModelChoiceField(
        label=_("Posyandu"),
        queryset=Posyandu.objects.none(),
        error_messages={
            "required": _("Pilih posyandu."),
            "invalid_choice": _("Posyandu ini tidak ada di wilayah Anda."),
        },
    )
    confirm_different = forms.BooleanField(
        label=_("Ini anak yang berbeda, tetap daftarkan"), required=False
    )

    def __init__(
        self, *args: Any, posyandu: QuerySet[Posyandu], fixed_posyandu: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["posyandu"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = posyandu
        if fixed_posyandu:
            field.empty_label = None
        self.order_fields(["name", "sex", "birth_date", "posyandu"])

    def clean_birth_date(self) -> dt.date:
        value = super().clean_birth_date()
        if (timezone.localdate() - value).days > MAX_AGE_AT_REGISTRATION_DAYS:
            raise forms.ValidationError(
                _(
                    "Anak lahir %(date)s sudah lebih dari 5 tahun; posyandu mendaftar balita "
                    "(0-59 bulan). Periksa tahun lahirnya."
                )
                % {"date": value.strftime("%d/%m/%Y")}
            )
        return value


class ChildEditForm(ChildForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ChildStatus.choices)
    on = DateDMYField(label=_("Sejak tanggal"))

    def __init__(self, *args: Any, child: Child, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.child = child

    def clean_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["on"]
        _not_in_future(value, _("Tanggal tidak boleh di masa depan."))
        if value < self.child.birth_date:
            raise forms.ValidationError(_("Tanggal tidak boleh sebelum tanggal lahir anak."))
        return value


def _posyandu_with_kelurahan(posyandu: Posyandu) -> str:
    return f"{posyandu.name} ({posyandu.kelurahan.name})"


class TransferForm(forms.Form):
    to_posyandu = forms.ModelChoiceField(
        label=_("Pindah ke posyandu"),
        queryset=Posyandu.objects.none(),
        error_messages={
            "required": _("Pilih posyandu tujuan."),
            "invalid_choice": _("Posyandu tujuan harus di kota yang sama."),
        },
    )
    on = DateDMYField(label=_("Tanggal pindah"))
    reason = forms.CharField(label=_("Alasan"), max_length=200, required=False)

    def __init__(
        self, *args: Any, child: Child, targets: QuerySet[Posyandu], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.child = child
        field = self.fields["to_posyandu"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = targets
        field.label_from_instance = _posyandu_with_kelurahan  # type: ignore[method-assign,assignment]

    def clean_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["on"]
        _not_in_future(value, _("Tanggal pindah tidak boleh di masa depan."))
        if value < self.child.birth_date:
            raise forms.ValidationError(_("Tanggal pindah tidak boleh sebelum tanggal lahir anak."))
        return value
