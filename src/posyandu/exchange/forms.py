from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from posyandu.core.ui import DateDMYField


class EppgbmExportForm(forms.Form):
    area = forms.ChoiceField(label=_("Wilayah"))
    date_from = DateDMYField(label=_("Dari tanggal"))
    date_to = DateDMYField(label=_("Sampai tanggal"))
    file_format = forms.ChoiceField(
        label=_("Format"), choices=[("xlsx", "Excel (.xlsx)"), ("csv", "CSV (;)")]
    )
    mask_nik = forms.BooleanField(
        label=_("Samarkan NIK (untuk dibagikan di luar dinas kesehatan)"), required=False
    )

    def __init__(self, *args: Any, areas: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["area"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = areas


class EppgbmImportForm(forms.Form):
    file = forms.FileField(
        label=_("Berkas e-PPGBM (.xlsx, .xls atau .csv)"),
        help_text=_(
            "Unduhan e-PPGBM (Daftar Anak Berdasarkan Status Gizi) atau lembar kerja dengan "
            "kolom yang sama. Baris judul kolom: No, NIK, Nama, JK, Tgl Lahir, ..."
        ),
    )

    def __init__(self, *args: Any, max_bytes: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size == 0:
            raise forms.ValidationError(_("Berkas kosong."))
        if upload.size > self.max_bytes:
            raise forms.ValidationError(
                _("Berkas %(mb).1f MB; paling besar %(limit)d MB. Bagi menjadi beberapa berkas.")
                % {"mb": upload.size / 1e6, "limit": self.max_bytes // 1_000_000}
            )
        return upload
