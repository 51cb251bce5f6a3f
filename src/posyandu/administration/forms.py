from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

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
