from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from posyandu.core.models import AuditAction
from posyandu.core.ui import DateDMYField, query_id, query_text

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


class AuditFilterForm(forms.Form):
    """The audit log's filters (a GET form: the export link carries the same query)."""

    pengguna = forms.CharField(label=_("Pengguna"), required=False, max_length=150)
    anak = forms.CharField(label=_("Nama anak"), required=False, max_length=100)
    aksi = forms.ChoiceField(
        label=_("Aksi"), required=False, choices=[("", _("Semua aksi")), *AuditAction.choices]
    )
    dari = DateDMYField(label=_("Dari tanggal"), required=False)
    sampai = DateDMYField(label=_("Sampai tanggal"), required=False)

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        source = data or {}
        # Set by a "only this child" link and by the old ?jenis= filter; not typed.
        self.child_id = query_id(source.get("anak_id"))
        self.object_type = query_text(source.get("jenis"), max_length=50)

    def clean_pengguna(self) -> str:
        return query_text(self.cleaned_data["pengguna"], max_length=150)

    def clean_anak(self) -> str:
        return query_text(self.cleaned_data["anak"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("dari"), cleaned.get("sampai")
        if start and end and end < start:
            self.add_error("sampai", _("Tanggal akhir sebelum tanggal awal."))
        cleaned["anak_id"] = self.child_id
        cleaned["jenis"] = self.object_type
        return cleaned
