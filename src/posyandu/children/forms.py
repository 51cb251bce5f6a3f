"""Forms of the child registry. Every message is Indonesian (gettext) and a bad
value never empties the other fields: the form is re-shown with what was typed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from posyandu.areas.models import Kelurahan, Posyandu
from posyandu.children.models import Child, ChildStatus, Sex
from posyandu.children.nik import normalise_nik
from posyandu.children.services import EDITABLE_FIELDS, ChildData
from posyandu.core.ui import DateDMYField, DecimalCommaField
from posyandu.policy import HARD_LIMITS


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
    birth_weight_kg = DecimalCommaField(
        unit="kg",
        bounds=HARD_LIMITS.birth_weight_kg,
        max_digits=4,
        decimal_places=2,
        label=_("Berat lahir (kg)"),
        invalid_message=_("Isi dengan angka saja, misalnya %(example)s.") % {"example": "3,2"},
    )
    birth_length_cm = DecimalCommaField(
        unit="cm",
        bounds=HARD_LIMITS.birth_length_cm,
        max_digits=4,
        decimal_places=1,
        label=_("Panjang lahir (cm)"),
        invalid_message=_("Isi dengan angka saja, misalnya %(example)s.") % {"example": "49,5"},
    )
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

    def _clean_digits(self, name: str, label: Any) -> str:
        value = (self.cleaned_data.get(name) or "").strip()
        if value and not (value.isascii() and value.isdigit()):
            raise forms.ValidationError(_("%(label)s hanya berisi angka.") % {"label": label})
        return value

    def clean_rt(self) -> str:
        return self._clean_digits("rt", "RT")

    def clean_rw(self) -> str:
        return self._clean_digits("rw", "RW")

    def child_data(self) -> ChildData:
        """The cleaned values in the shape the services take."""
        data = {name: self.cleaned_data.get(name) for name in EDITABLE_FIELDS}
        for key in ("father_name", "phone", "address", "rt", "rw", "nik", "mother_nik"):
            data[key] = data[key] or ""
        return ChildData(**data)  # type: ignore[arg-type]


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
    client_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

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


class ChildEditForm(ChildForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ChildStatus.choices)
    on = DateDMYField(label=_("Sejak tanggal"))
    version = forms.IntegerField(widget=forms.HiddenInput)


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
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, targets: QuerySet[Posyandu], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_posyandu"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = targets
        field.label_from_instance = _posyandu_with_kelurahan  # type: ignore[method-assign,assignment]
