"""Import of areas and health facilities from CSV: all or nothing, every bad line reported.

Columns: ``level,code,name,parent_code`` plus, for Puskesmas, an optional
``kelurahan_codes`` (``;``-separated) and, for Posyandu, ``puskesmas_code``.
``parent_code`` is the kota of a kecamatan or Puskesmas, the kecamatan of a
kelurahan and the kelurahan of a Posyandu. Rows are matched by code, so a
second run of the same file changes nothing.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from posyandu.areas.models import Kecamatan, Kelurahan, Kota, Posyandu, Puskesmas

# Parents are imported before their children whatever the order of the lines.
LEVELS: dict[str, type[models.Model]] = {
    "kota": Kota,
    "kecamatan": Kecamatan,
    "kelurahan": Kelurahan,
    "puskesmas": Puskesmas,
    "posyandu": Posyandu,
}
REQUIRED_COLUMNS = ("level", "code", "name", "parent_code")
# Kemendagri codes grow by one segment per level: 64.74 / 64.74.01 / 64.74.01.1001.
CODE_SEGMENTS = {"kota": 2, "kecamatan": 3, "kelurahan": 4}


@dataclass
class LineError:
    line: int
    message: str

    def __str__(self) -> str:
        return _("baris %(line)d: %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class ImportReport:
    errors: list[LineError] = field(default_factory=list)
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        parts = []
        for level in LEVELS:
            if self.created[level] or self.updated[level] or self.unchanged[level]:
                parts.append(
                    _("%(level)s: %(c)d baru, %(u)d diubah, %(s)d tetap")
                    % {
                        "level": level,
                        "c": self.created[level],
                        "u": self.updated[level],
                        "s": self.unchanged[level],
                    }
                )
        return "; ".join(parts) or _("Tidak ada baris data.")


class _Rollback(Exception):
    pass


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items()
        )
    return " ".join(exc.messages)


class UnreadableCsv(Exception):
    """The file cannot be read as CSV at all; the message says why, in one line."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _not_text() -> UnreadableCsv:
    return UnreadableCsv(
        1,
        _(
            "berkas ini bukan teks CSV (mungkin berkas Excel atau biner); "
            "simpan ulang sebagai CSV UTF-8"
        ),
    )


def decode_csv(data: bytes | str) -> str:
    """The text of an uploaded CSV (UTF-8 with or without BOM, UTF-16, cp1252), or
    ``UnreadableCsv`` for a file that is not text (shared by every CSV upload)."""
    if isinstance(data, str):
        text = data.lstrip("\ufeff")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text" export.
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise _not_text() from None
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            # Spreadsheets saved on Windows in Indonesia are usually cp1252.
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                raise _not_text() from None
    # Text files have no NUL; xlsx, zip, images and UTF-16 without a BOM do.
    if "\x00" in text:
        raise _not_text()
    return text


def csv_problem(exc: csv.Error, line: int) -> UnreadableCsv:
    if "field larger than field limit" in str(exc):
        message = _(
            'ada isian lebih dari %(kb)d KB; periksa tanda kutip (") yang tidak ditutup'
        ) % {"kb": csv.field_size_limit() // 1024}
    else:
        message = _("berkas CSV rusak dan tidak bisa dibaca (%(error)s)") % {"error": exc}
    return UnreadableCsv(max(line, 1), message)


def _read_rows(text: str, report: ImportReport) -> list[tuple[int, dict[str, str]]] | None:
    """The data lines as ``(line number, values)``; None if required columns are missing.

    Line-level problems go to ``report``; a file the csv module cannot parse
    raises ``UnreadableCsv``.
    """
    sample = text[:2048]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    try:
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise csv_problem(exc, reader.line_num) from None
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        report.errors.append(
            LineError(1, _("kolom wajib tidak ada: %(cols)s") % {"cols": ", ".join(missing)})
        )
        return None
    reader.fieldnames = header

    rows: list[tuple[int, dict[str, str]]] = []
    seen: dict[tuple[str, str], int] = {}
    try:
        for row in reader:
            line = reader.line_num
            values = {k: (v or "").strip() for k, v in row.items() if k is not None}
            if not any(values.values()):
                continue
            level = values.get("level", "").lower()
            if level not in LEVELS:
                report.errors.append(
                    LineError(
                        line,
                        _("level '%(level)s' tidak dikenal (pilih: %(levels)s)")
                        % {"level": values.get("level", ""), "levels": ", ".join(LEVELS)},
                    )
                )
                continue
            code = values.get("code", "")
            if (level, code) in seen and code:
                report.errors.append(
                    LineError(
                        line,
                        _("kode %(code)s sudah ada di baris %(other)d")
                        % {"code": code, "other": seen[(level, code)]},
                    )
                )
                continue
            seen[(level, code)] = line
            values["level"] = level
            rows.append((line, values))
    except csv.Error as exc:
        raise csv_problem(exc, reader.line_num) from None
    return rows


def import_areas(data: bytes | str, *, dry_run: bool = False) -> ImportReport:
    """Create or update areas from CSV text; nothing is saved if any line is bad."""
    report = ImportReport()
    try:
        rows = _read_rows(decode_csv(data), report)
    except UnreadableCsv as exc:
        # A file that cannot be read at all gets one error, not a line report.
        report.errors = [LineError(exc.line, exc.message)]
        return report
    if rows is None:
        return report

    order = list(LEVELS)
    rows.sort(key=lambda item: (order.index(item[1]["level"]), item[0]))
    try:
        with transaction.atomic():
            for line, values in rows:
                try:
                    _import_row(values, report)
                except ValidationError as exc:
                    report.errors.append(LineError(line, _messages(exc)))
            if report.errors or dry_run:
                raise _Rollback
    except _Rollback:
        pass
    report.errors.sort(key=lambda e: e.line)
    return report


def _parent(model: type[models.Model], code: str, what: str) -> Any:
    if not code:
        raise ValidationError(_("kode %(what)s (parent_code) wajib diisi") % {"what": what})
    found = model._default_manager.filter(code=code).first()
    if found is None:
        raise ValidationError(
            _("%(what)s dengan kode %(code)s tidak ditemukan") % {"what": what, "code": code}
        )
    return found


def _check_code(level: str, code: str, parent_code: str | None) -> None:
    segments = CODE_SEGMENTS.get(level)
    if segments is None:
        return
    if code.count(".") + 1 != segments:
        raise ValidationError(
            _("kode %(level)s %(code)s harus terdiri dari %(n)d bagian (mis. %(example)s)")
            % {
                "level": level,
                "code": code,
                "n": segments,
                "example": {2: "64.74", 3: "64.74.01", 4: "64.74.01.1001"}[segments],
            }
        )
    if parent_code and not code.startswith(parent_code + "."):
        raise ValidationError(
            _("kode %(code)s tidak diawali kode induknya %(parent)s")
            % {"code": code, "parent": parent_code}
        )


def _import_row(values: dict[str, str], report: ImportReport) -> None:
    level = values["level"]
    code = values["code"]
    name = values["name"]
    parent_code = values.get("parent_code", "")
    if not code:
        raise ValidationError(_("kode wajib diisi"))
    if not name:
        raise ValidationError(_("nama wajib diisi"))
    model = LEVELS[level]
    fields: dict[str, Any] = {"name": name}
    kelurahan: list[Kelurahan] | None = None
    if level == "kota":
        _check_code(level, code, None)
    elif level == "kecamatan":
        _check_code(level, code, parent_code)
        fields["kota"] = _parent(Kota, parent_code, "kota")
    elif level == "kelurahan":
        _check_code(level, code, parent_code)
        fields["kecamatan"] = _parent(Kecamatan, parent_code, "kecamatan")
    elif level == "puskesmas":
        fields["kota"] = _parent(Kota, parent_code, "kota")
        codes = [c.strip() for c in values.get("kelurahan_codes", "").split(";") if c.strip()]
        found = {k.code: k for k in Kelurahan.objects.filter(code__in=codes)}
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise ValidationError(
                _("kelurahan tidak ditemukan: %(codes)s") % {"codes": ", ".join(unknown)}
            )
        kelurahan = [found[c] for c in codes] if codes else None
        outside = [k.code for k in kelurahan or [] if k.kecamatan.kota_id != fields["kota"].pk]
        if outside:
            raise ValidationError(
                _("kelurahan %(codes)s bukan bagian kota %(kota)s")
                % {"codes": ", ".join(outside), "kota": parent_code}
            )
    else:
        fields["kelurahan"] = _parent(Kelurahan, parent_code, "kelurahan")
        pkm_code = values.get("puskesmas_code", "")
        if not pkm_code:
            raise ValidationError(_("puskesmas_code wajib diisi untuk posyandu"))
        fields["puskesmas"] = _parent(Puskesmas, pkm_code, "puskesmas")
        if fields["puskesmas"].kota_id != fields["kelurahan"].kecamatan.kota_id:
            raise ValidationError(
                _("puskesmas %(pkm)s berada di kota lain dari kelurahan %(kel)s")
                % {"pkm": pkm_code, "kel": parent_code}
            )

    instance = model._default_manager.filter(code=code).first()
    created = instance is None
    if instance is None:
        instance = model(code=code)
    changed = created
    for key, value in fields.items():
        attname = f"{key}_id" if isinstance(value, models.Model) else key
        stored = getattr(instance, attname)
        wanted = value.pk if isinstance(value, models.Model) else value
        if stored != wanted:
            setattr(instance, key, value)
            changed = True
    instance.full_clean()
    if changed:
        instance.save()
    if kelurahan is not None:
        assert isinstance(instance, Puskesmas)
        current = set(instance.kelurahan.values_list("pk", flat=True)) if not created else set()
        wanted = {k.pk for k in kelurahan}
        if current != wanted:
            instance.kelurahan.set(kelurahan)
            changed = True
    if created:
        report.created[level] += 1
    elif changed:
        report.updated[level] += 1
    else:
        report.unchanged[level] += 1
