"""The audit trail in words: field labels and values as the app shows them.

:mod:`posyandu.core.audit` stores changes as ``{field: [old, new]}`` with
database values (``"height_cm": [None, "78.90"]``, ``"posyandu_id": [3, 7]``).
A privacy officer reads "Tinggi/panjang badan (cm): — → 78,90" and
"Posyandu: Melati → Kenanga": :class:`AuditDescriber` turns the stored
values into those words through the audited model's own field labels and
choices, looking up the names of referenced records in one query per model
for a whole page of entries. It knows no app: models come from Django's
registry by the label the trail stores.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from posyandu.core.models import AuditLog
from posyandu.core.ui import decimal_comma, format_date

NO_VALUE = "—"

KEY_LABELS = {
    "children": gettext_lazy("Anak yang ditampilkan"),
    "path": gettext_lazy("Halaman"),
    "status": gettext_lazy("Jawaban"),
    "failed_logins": gettext_lazy("Percobaan masuk yang gagal"),
    "password": gettext_lazy("Sandi"),
    "transfer": gettext_lazy("Alasan pindah"),
    "visits_reassessed": gettext_lazy("Kunjungan dinilai ulang"),
    "duplicate_check": gettext_lazy("Pemeriksaan data ganda"),
    "area": gettext_lazy("Wilayah"),
    "from": gettext_lazy("Dari tanggal"),
    "to": gettext_lazy("Sampai tanggal"),
    "rows": gettext_lazy("Jumlah baris"),
    "format": gettext_lazy("Format berkas"),
    "nik_masked": gettext_lazy("NIK disamarkan"),
    "file": gettext_lazy("Berkas"),
    "sha256": gettext_lazy("Sidik berkas (SHA-256)"),
    "kind": gettext_lazy("Jenis berkas"),
    "targets": gettext_lazy("Jumlah sasaran"),
    "window": gettext_lazy("Jangka waktu"),
    "policy": gettext_lazy("Aturan"),
    "version_id": gettext_lazy("Versi"),
    "in_force_from": gettext_lazy("Berlaku sejak"),
    "filters": gettext_lazy("Saringan"),
    "not_measured_only": gettext_lazy("Hanya yang belum diukur"),
    "outcome_on": gettext_lazy("Tanggal hasil"),
}
"""Labels of the keys services store beside model fields."""

VALUE_WORDS = {
    ("password", "first"): gettext_lazy("sandi pertama dibuat, diganti pemiliknya saat masuk"),
    ("password", "reset"): gettext_lazy("direset, diganti pemiliknya saat masuk"),
    ("password", "changed"): gettext_lazy("diganti oleh pemiliknya"),
    ("status", 404): gettext_lazy("tidak ditemukan atau di luar wilayah (404)"),
    ("status", 403): gettext_lazy("tidak berhak mengubah (403)"),
    ("duplicate_check", "nik"): gettext_lazy("NIK sama"),
    ("duplicate_check", "name"): gettext_lazy("nama, tanggal lahir dan nama ibu sama"),
}

DATE_KEYS = frozenset({"from", "to", "in_force_from", "outcome_on", "window"})

HIDDEN_KEYS = frozenset({"children"})
"""Shown in the "which child" column, not as a change."""


@dataclass(frozen=True)
class Change:
    """One line of "what changed": ``old`` is None for a plain value (no before/after)."""

    label: str
    new: str
    old: str | None = None

    def __str__(self) -> str:
        if self.old is None:
            return f"{self.label}: {self.new}"
        return f"{self.label}: {self.old} → {self.new}"


def model_of(object_type: str) -> type[models.Model] | None:
    """The model an audit row's ``object_type`` (``app.model``) names, if it still exists."""
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def object_label(object_type: str) -> str:
    """ "Anak", "Kunjungan", "Pengguna"... for ``children.child`` and the like."""
    model = model_of(object_type)
    return capfirst(str(model._meta.verbose_name)) if model is not None else object_type


def field_of(model: type[models.Model] | None, key: str) -> models.Field[Any, Any] | None:
    """The model field a stored key names (``posyandu_id`` is the ``posyandu`` field)."""
    if model is None:
        return None
    for name in (key, key.removesuffix("_id")):
        try:
            found = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if isinstance(found, models.Field):
            return found
    return None


def _date_text(value: Any) -> str:
    try:
        return format_date(dt.date.fromisoformat(str(value)[:10]))
    except ValueError:
        return str(value)


def _datetime_text(value: Any) -> str:
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%d/%m/%Y %H:%M")


def _plain(value: Any) -> str:
    if value is None or value == "":
        return NO_VALUE
    if isinstance(value, bool):
        return str(_("ya") if value else _("tidak"))
    if isinstance(value, float):
        return decimal_comma(value)
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_plain(v)}" for k, v in value.items())
    return str(value)


class AuditDescriber:
    """Describes the entries of one page; referenced names are fetched once, in bulk."""

    def __init__(self, entries: Sequence[AuditLog]) -> None:
        wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
        for entry in entries:
            model = model_of(entry.object_type)
            for key, value in _field_changes(entry):
                field = field_of(model, key)
                if isinstance(field, models.ForeignKey):
                    pair = value if isinstance(value, list) else [value]
                    wanted[field.related_model].update(  # type: ignore[index]
                        v for v in pair if isinstance(v, int | str) and str(v).isdigit()
                    )
        self._names: dict[type[models.Model], dict[str, str]] = {
            model: {str(pk): str(obj) for pk, obj in model._default_manager.in_bulk(ids).items()}
            for model, ids in wanted.items()
        }

    def value(self, field: models.Field[Any, Any] | None, key: str, value: Any) -> str:
        """A stored value as the app shows it."""
        if isinstance(value, str | int) and (key, value) in VALUE_WORDS:
            return str(VALUE_WORDS[(key, value)])
        if value is None or value == "":
            return NO_VALUE
        if field is None:
            if key in DATE_KEYS:
                return (
                    " – ".join(_date_text(v) for v in value)
                    if isinstance(value, list)
                    else _date_text(value)
                )
            return _plain(value)
        if isinstance(field, models.ForeignKey):
            names = self._names.get(field.related_model, {})  # type: ignore[arg-type]
            return names.get(str(value), f"#{value}")
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(field, models.BooleanField):
            return _plain(bool(value))
        if isinstance(field, models.DecimalField | models.FloatField):
            return decimal_comma(value)
        if isinstance(field, models.DateTimeField):
            return _datetime_text(value)
        if isinstance(field, models.DateField):
            return _date_text(value)
        return _plain(value)

    def changes(self, entry: AuditLog) -> list[Change]:
        """What changed, in words, one :class:`Change` per stored key."""
        model = model_of(entry.object_type)
        described = []
        for key, value in _field_changes(entry):
            field = field_of(model, key)
            label = capfirst(str(field.verbose_name)) if field is not None else None
            if label is None:
                label = str(KEY_LABELS.get(key) or capfirst(key.replace("_", " ")))
            if _is_before_after(value) and key not in DATE_KEYS:
                old, new = value
                described.append(
                    Change(
                        label=label,
                        old=self.value(field, key, old),
                        new=self.value(field, key, new),
                    )
                )
            else:
                described.append(Change(label=label, new=self.value(field, key, value)))
        return described


def _is_before_after(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2


def _field_changes(entry: AuditLog) -> Iterable[tuple[str, Any]]:
    """The stored keys in the model's own field order (as its forms show them; the
    trail stores them sorted by name), other keys after them."""
    changes = entry.changes if isinstance(entry.changes, dict) else {}
    model = model_of(entry.object_type)
    order = {f.name: i for i, f in enumerate(model._meta.fields)} if model is not None else {}

    def position(key: str) -> int:
        found = field_of(model, key)
        return order.get(found.name, len(order)) if found is not None else len(order)

    keys = sorted((k for k in changes if k not in HIDDEN_KEYS), key=position)
    return ((k, changes[k]) for k in keys)


def child_ids_named(entry: AuditLog, child_type: str) -> list[int]:
    """The children an entry names directly: its object, or those a page showed."""
    ids = []
    if entry.object_type == child_type and entry.object_id.isascii() and entry.object_id.isdigit():
        ids.append(int(entry.object_id))
    shown = entry.changes.get("children") if isinstance(entry.changes, dict) else None
    if isinstance(shown, list):
        ids.extend(int(v) for v in shown if isinstance(v, int))
    return list(dict.fromkeys(ids))
