from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from posyandu.core.ui import DateDMYField

MAX_CSV_BYTES = 5 * 1024 * 1024


class AreaCsvForm(forms.Form):
    file = forms.FileField(
        label=_("Berkas CSV"),
        help_text=_(
            "Kolom: level,code,name,parent_code, ditambah kelurahan_codes (puskesmas, "
            "dipisah ;) dan puskesmas_code (posyandu)."
        ),
    )
    dry_run = forms.BooleanField(
        label=_("Periksa saja, jangan simpan"), required=False, initial=False
    )

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError(_("Berkas terlalu besar (paling besar 5 MB)."))
        return upload


class PolicyChoiceForm(forms.Form):
    """Choose a version of a switchable rule from a date."""

    version_id = forms.ChoiceField(label=_("Versi"))
    in_force_from = DateDMYField(label=_("Berlaku untuk kunjungan sejak tanggal"))
    note = forms.CharField(label=_("Catatan (dasar keputusan)"), max_length=200, required=False)

    def __init__(self, *args: Any, versions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["version_id"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = versions
