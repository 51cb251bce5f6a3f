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
