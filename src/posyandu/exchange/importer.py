"""Import an e-PPGBM by-name file (or a spreadsheet in its layout): all or nothing.

Three steps. **Read** every line into typed values (:mod:`.values`), each bad
cell a reason on its line. **Resolve** every line against the registry: its
Posyandu (by kelurahan and name, in any case and spacing), its child (by a
usable NIK, else by name, birth date and mother's name, within the city; two
lines of one new child are one child), its measurement (already stored, new,
or a conflict with another one of that child in that month). **Write**, only
if no line is bad, in one transaction: the new children, the new visits with
their z-scores, categories, N/T/O/B and 2T from the engine over each child's
whole history, the monthly aggregates and campaign targets of every child
touched, and one audit record for the file. A dry run does all of it and
rolls back, so what it reports is exactly what the import would do.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import hashlib
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import IO, Any, Final

import numpy as np
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from posyandu.accounts.models import User
from posyandu.accounts.scope import Scope
from posyandu.areas.models import Posyandu
from posyandu.children.models import Child, ChildStatus, new_local_id
from posyandu.children.nik import nik_warnings
from posyandu.children.selectors import normalise_name
from posyandu.children.signals import children_write
from posyandu.core import audit
from posyandu.core.models import AuditAction
from posyandu.core.policy_in_force import PoliciesInForce
from posyandu.core.ui import EARLIEST_DATE, format_date, out_of_bounds_message
from posyandu.exchange import values as read
from posyandu.exchange.tables import Table, UnusableFile, read_table
from posyandu.growth.weight_gain import completed_months
from posyandu.measurements import bulk
from posyandu.measurements.assessment import position_for_age
from posyandu.measurements.models import Visit
from posyandu.measurements.services import refresh_weight_gains
from posyandu.policy import BALITA, HARD_LIMITS

# --- the header ----------------------------------------------------------------------

HEADERS: Final = {
    "nik": ("nik", "nik anak", "nik balita"),
    "name": ("nama", "nama anak", "nama balita"),
    "sex": ("jk", "jenis kelamin", "l/p", "kelamin"),
    "birth_date": ("tgl lahir", "tanggal lahir", "tgl lhr"),
    "birth_weight": ("bb lahir", "berat lahir", "berat badan lahir"),
    "birth_length": ("tb lahir", "pb lahir", "panjang lahir", "panjang badan lahir"),
    "mother_name": ("nama ortu", "nama orang tua", "nama ibu", "nama ibu kandung", "ortu"),
    "kota": ("kab/kota", "kabupaten/kota", "kota", "kab"),
    "kecamatan": ("kec", "kecamatan"),
    "puskesmas": ("pukesmas", "puskesmas", "pkm"),
    "kelurahan": ("desa/kel", "desa/kelurahan", "kelurahan", "desa", "kel/desa"),
    "posyandu": ("posyandu", "nama posyandu"),
    "rt": ("rt",),
    "rw": ("rw",),
    "address": ("alamat",),
    "measured_on": (
        "tanggal pengukuran",
        "tgl pengukuran",
        "tanggal ukur",
        "tgl ukur",
        "tanggal penimbangan",
        "tgl penimbangan",
    ),
    "weight": ("berat", "bb", "berat badan", "bb ukur", "berat ukur"),
    "height": (
        "tinggi",
        "tb",
        "pb",
        "tinggi badan",
        "panjang badan",
        "panjang/tinggi badan",
        "panjang/tinggi",
        "tb/pb",
        "pb/tb",
    ),
    "position": ("cara ukur", "cara pengukuran", "posisi"),
    "muac": ("lila",),
    "pmt_kg": ("pmt diterima", "pmt"),
    "vitamin_a": ("jml vit a", "vit a", "vitamin a", "jumlah vit a"),
    "kpsp": ("kpsp",),
    "kia": ("kia", "buku kia"),
}
"""Our field: the header names that mean it (normalised: lower case, single spaces)."""

REQUIRED: Final = ("name", "sex", "birth_date", "mother_name", "posyandu")
HEADER_SEARCH_ROWS: Final = 30


def _header_key(cell: Any) -> str:
    raw = read.text(cell).lower().replace("\u00a0", " ").rstrip(":. ")
    # Units in brackets do not change the column: "Berat Badan (kg)" is "berat badan".
    raw = re.sub(r"\s*\((kg|cm|gram|gr|g)\)\s*$", "", raw)
    raw = raw.replace(".", " ").replace(" / ", "/").replace("/ ", "/").replace(" /", "/")
    return " ".join(raw.split())


_ALIASES: Final = {alias: name for name, aliases in HEADERS.items() for alias in aliases}


def _columns(cells: list[Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = _ALIASES.get(_header_key(cell))
        if name is not None and name not in found:
            found[name] = index
    return found


def find_header(table: Table) -> tuple[int, dict[str, int], Iterator[tuple[int, list[Any]]]]:
    """The header line, its columns, and the rows after it; :class:`UnusableFile` if
    none of the first lines names the required columns."""
    rows = iter(table.rows)
    best: dict[str, int] = {}
    for seen, (line, cells) in enumerate(rows):
        columns = _columns(cells)
        if all(name in columns for name in REQUIRED):
            _refuse_unknown_measurements(cells, columns)
            return line, columns, rows
        if len(columns) > len(best):
            best = columns
        if seen >= HEADER_SEARCH_ROWS:
            break
    wanted = ", ".join(COLUMN_TITLES[name] for name in REQUIRED if name not in best)
    raise UnusableFile(
        _("Tidak ada baris judul kolom e-PPGBM (kolom yang tidak ditemukan: %(cols)s).")
        % {"cols": wanted or "-"}
    )


NOT_IMPORTED: Final = frozenset(
    {
        "no",
        "prov",
        "provinsi",
        "usia saat ukur",
        "usia",
        "umur",
        "bb/u",
        "zs bb/u",
        "tb/u",
        "zs tb/u",
        "pb/u",
        "zs pb/u",
        "bb/tb",
        "zs bb/tb",
        "bb/pb",
        "zs bb/pb",
        "naik berat badan",
        "kelas ibu balita",
        "mbg",
        "detail",
    }
)
"""e-PPGBM columns read on purpose as nothing: the engine derives them again."""
MEASUREMENT_WORDS: Final = (
    "berat",
    "tinggi",
    "panjang",
    "tanggal",
    "tgl",
    "lila",
    "bb",
    "tb",
    "pb",
)


def _refuse_unknown_measurements(cells: list[Any], columns: dict[str, int]) -> None:
    """A column that looks like a measurement but is none we know would be lost
    without a word: refuse the file and name it."""
    used = set(columns.values())
    for index, cell in enumerate(cells):
        name = _header_key(cell)
        if index in used or not name or name in NOT_IMPORTED:
            continue
        if any(word in name.replace("/", " ").split() for word in MEASUREMENT_WORDS):
            raise UnusableFile(
                _(
                    "Kolom %(col)s tidak dikenal, dan nilainya akan hilang: ganti judulnya "
                    "(misalnya Berat, Tinggi, Tanggal Pengukuran) atau hapus kolomnya."
                )
                % {"col": read.text(cell)[:40]}
            )


# --- one line ------------------------------------------------------------------------


@dataclass(slots=True)
class Line:
    """One line of the file, read; ``errors`` empty when it can be used."""

    number: int
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    nik: str = ""
    name: str = ""
    sex: int = 0
    birth_date: dt.date | None = None
    birth_weight: Decimal | None = None
    birth_length: Decimal | None = None
    mother_name: str = ""
    kota: str = ""
    kelurahan: str = ""
    posyandu_name: str = ""
    rt: str = ""
    rw: str = ""
    address: str = ""
    measured_on: dt.date | None = None
    weight: Decimal | None = None
    height: Decimal | None = None
    position: str = ""
    muac: Decimal | None = None
    pmt_kg: Decimal | None = None
    vitamin_a: bool = False
    kpsp: str = ""
    kia: bool = True
    # Resolved against the registry.
    posyandu_id: int = 0
    child: _ChildGroup | None = None
    outcome: str = ""
    visit_id: int | None = None

    @property
    def has_measurement(self) -> bool:
        return self.measured_on is not None or self.weight is not None or self.height is not None


TEXT_LIMITS: Final = {"name": 100, "mother_name": 100, "address": 200, "rt": 3, "rw": 3}
"""The registry's field lengths (``Child``)."""
LIMIT_LABELS: Final = {
    "weight": ("weight_kg", "kg"),
    "height": ("height_cm", "cm"),
    "muac": ("muac_cm", "cm"),
    "birth_weight": ("birth_weight_kg", "kg"),
    "birth_length": ("birth_length_cm", "cm"),
}
COLUMN_TITLES: Final = {
    "nik": "NIK",
    "name": "Nama",
    "sex": "JK",
    "birth_date": "Tgl Lahir",
    "birth_weight": "BB Lahir",
    "birth_length": "TB Lahir",
    "mother_name": "Nama Ortu",
    "posyandu": "Posyandu",
    "measured_on": "Tanggal Pengukuran",
    "weight": "Berat",
    "height": "Tinggi",
    "position": "Cara Ukur",
    "muac": "LiLA",
    "pmt_kg": "PMT Diterima (kg)",
    "vitamin_a": "Jml Vit A",
    "kpsp": "KPSP",
    "kia": "KIA",
}


def read_line(number: int, cells: list[Any], columns: dict[str, int], today: dt.date) -> Line:
    """Every value of one line; each cell that cannot be read is an error on it."""
    line = Line(number)

    def cell(name: str) -> Any:
        index = columns.get(name)
        return cells[index] if index is not None and index < len(cells) else ""

    def parse(name: str, reader: Callable[[Any], Any]) -> Any:
        try:
            return reader(cell(name))
        except read.BadValue as exc:
            line.errors.append(f"{COLUMN_TITLES.get(name, name)}: {exc}")
            return None

    line.nik, why = parse("nik", read.nik) or ("", "")
    if why:
        line.notes.append(why)
    for name in ("name", "mother_name", "rt", "rw", "address"):
        setattr(line, name, read.text(cell(name)))
    # Place names repeat on every line: one string each, not one per line.
    line.kota = sys.intern(read.text(cell("kota")))
    line.kelurahan = sys.intern(read.text(cell("kelurahan")))
    line.posyandu_name = sys.intern(read.text(cell("posyandu")))
    for name, limit in TEXT_LIMITS.items():
        if len(getattr(line, name)) > limit:
            line.errors.append(
                _("%(col)s lebih dari %(n)d huruf")
                % {"col": COLUMN_TITLES.get(name, name), "n": limit}
            )
    for name in ("name", "mother_name"):
        if not getattr(line, name):
            line.errors.append(_("%(col)s kosong") % {"col": COLUMN_TITLES[name]})
    if not line.posyandu_name:
        line.errors.append(_("Posyandu kosong"))
    line.sex = parse("sex", read.sex) or 0
    line.birth_date = parse("birth_date", read.date)
    if line.birth_date is None and not any("Tgl Lahir" in e for e in line.errors):
        line.errors.append(_("Tgl Lahir kosong"))
    line.birth_weight = parse("birth_weight", read.weight_kg)
    line.birth_length = parse("birth_length", read.number)
    line.measured_on = parse("measured_on", read.date)
    line.weight = parse("weight", read.weight_kg)
    line.height = parse("height", read.number)
    line.position = parse("position", read.position) or ""
    line.muac = parse("muac", read.number)
    line.pmt_kg = parse("pmt_kg", read.number)
    line.vitamin_a = (parse("vitamin_a", read.count) or 0) > 0
    line.kpsp = parse("kpsp", read.kpsp) or ""
    kia = parse("kia", lambda c: read.yes_no(c, default=True))
    line.kia = True if kia is None else kia
    _fit_to_fields(line)
    _check_line(line, today)
    return line


STORED_AS: Final = {
    "weight": Visit._meta.get_field("weight_kg"),
    "height": Visit._meta.get_field("height_cm"),
    "muac": Visit._meta.get_field("muac_cm"),
    "pmt_kg": Visit._meta.get_field("pmt_kg"),
    "birth_weight": Child._meta.get_field("birth_weight_kg"),
    "birth_length": Child._meta.get_field("birth_length_cm"),
}
"""The field each number is stored in: read values are rounded to its decimals
(half up, once, so that a re-import compares what was stored) and must fit it."""


def _fit_to_fields(line: Line) -> None:
    for name, model_field in STORED_AS.items():
        value = getattr(line, name)
        if value is None:
            continue
        places = model_field.decimal_places
        largest = Decimal(10) ** (model_field.max_digits - places)
        rounded = (
            value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
            if 0 <= value < largest
            else None
        )
        if rounded is None or rounded >= largest:
            line.errors.append(
                _("%(col)s: %(v)s tidak mungkin")
                % {"col": COLUMN_TITLES[name], "v": read.text(str(value))[:20]}
            )
        setattr(line, name, rounded if rounded is not None and rounded < largest else None)


def _check_line(line: Line, today: dt.date) -> None:
    for name, day in (("Tgl Lahir", line.birth_date), ("Tanggal Pengukuran", line.measured_on)):
        if day is not None and day < EARLIEST_DATE:
            line.errors.append(
                _("%(col)s %(d)s: tahun tidak masuk akal") % {"col": name, "d": format_date(day)}
            )
        elif day is not None and day > today:
            line.errors.append(
                _("%(col)s %(d)s di masa depan") % {"col": name, "d": format_date(day)}
            )
    if line.birth_date and line.measured_on and line.measured_on < line.birth_date:
        line.errors.append(
            _("Tanggal Pengukuran %(m)s sebelum tanggal lahir %(b)s")
            % {"m": format_date(line.measured_on), "b": format_date(line.birth_date)}
        )
    limits = HARD_LIMITS.visit_limits() | {
        "birth_weight_kg": HARD_LIMITS.birth_weight_kg,
        "birth_length_cm": HARD_LIMITS.birth_length_cm,
    }
    for name, (field_name, unit) in LIMIT_LABELS.items():
        value = getattr(line, name)
        low, high = limits[field_name]
        if value is not None and not (low <= value <= high):
            line.errors.append(
                f"{COLUMN_TITLES[name]}: {out_of_bounds_message(value, low, high, unit)}"
            )
    if line.has_measurement:
        if line.measured_on is None and not any("Tanggal Pengukuran" in e for e in line.errors):
            line.errors.append(_("Tanggal Pengukuran kosong, padahal ada berat atau tinggi"))
        if line.weight is None and line.height is None and line.measured_on is not None:
            line.errors.append(_("Berat dan Tinggi kosong: isi minimal salah satu"))


# --- the registry -------------------------------------------------------------------


@dataclass(eq=False)
class _ChildGroup:
    """One child of the file: matched to a stored one (``pk``) or to be created."""

    pk: int | None
    birth_date: dt.date
    sex: int
    nik: str
    first_line: int
    lines: list[Line] = field(default_factory=list)
    created: bool = False


def _name_key(line: Line) -> tuple[str, dt.date | None, str]:
    return (normalise_name(line.name), line.birth_date, normalise_name(line.mother_name))


class _Posyandu:
    """Every Posyandu of the user's city, found by kelurahan and name."""

    def __init__(self, scope: Scope) -> None:
        kota_ids = list(scope.kota().values_list("pk", flat=True))
        allowed = set(scope.posyandu().values_list("pk", flat=True))
        self.by_kelurahan: dict[str, dict[str, list[tuple[int, str]]]] = defaultdict(dict)
        self.by_name: dict[str, list[int]] = defaultdict(list)
        self.allowed = allowed
        self.kota_of: dict[int, tuple[int, str]] = {}
        self.kelurahan_of: dict[int, int] = {}
        for pk, name, kelurahan_id, kelurahan, kota_id, kota_code in Posyandu.objects.filter(
            kelurahan__kecamatan__kota_id__in=kota_ids
        ).values_list(
            "pk",
            "name",
            "kelurahan_id",
            "kelurahan__name",
            "kelurahan__kecamatan__kota_id",
            "kelurahan__kecamatan__kota__code",
        ):
            names = self.by_kelurahan[_place(kelurahan)]
            names.setdefault(_place(name), []).append((pk, name))
            self.by_name[_place(name)].append(pk)
            self.kota_of[pk] = (kota_id, kota_code)
            self.kelurahan_of[pk] = kelurahan_id
        self.kelurahan_names = {
            _place(k): k
            for k in scope.kota().values_list("kecamatan_set__kelurahan_set__name", flat=True)
            if k
        }

    def find(self, line: Line) -> int | str:
        """The Posyandu's id, or why it was not found."""
        name = _place(line.posyandu_name)
        if line.kelurahan:
            in_kelurahan = self.by_kelurahan.get(_place(line.kelurahan))
            if in_kelurahan is None:
                close = difflib.get_close_matches(
                    _place(line.kelurahan), list(self.kelurahan_names), n=3, cutoff=0.6
                )
                hint = ", ".join(self.kelurahan_names[c] for c in close)
                return _("Desa/Kel %(k)s tidak dikenal di kota ini%(hint)s") % {
                    "k": line.kelurahan,
                    "hint": _(" (mungkin: %(names)s)") % {"names": hint} if hint else "",
                }
            found = in_kelurahan.get(name)
            if found is None:
                close = difflib.get_close_matches(name, list(in_kelurahan), n=3, cutoff=0.5)
                names = [in_kelurahan[c][0][1] for c in close] or sorted(
                    n for entries in in_kelurahan.values() for _pk, n in entries
                )[:5]
                return _("%(p)s tidak ada di %(k)s (yang ada: %(names)s)") % {
                    "p": _posyandu_label(line.posyandu_name),
                    "k": line.kelurahan,
                    "names": ", ".join(names),
                }
            pks = [pk for pk, _name in found]
        else:
            pks = self.by_name.get(name, [])
            if not pks:
                close = difflib.get_close_matches(name, list(self.by_name), n=3, cutoff=0.6)
                return _("%(p)s tidak dikenal%(hint)s (isi juga kolom Desa/Kel)") % {
                    "p": _posyandu_label(line.posyandu_name),
                    "hint": _(" (mungkin: %(names)s)") % {"names": ", ".join(close)}
                    if close
                    else "",
                }
        if len(pks) > 1:
            return _("Ada %(n)d Posyandu bernama %(p)s: isi kolom Desa/Kel") % {
                "n": len(pks),
                "p": line.posyandu_name,
            }
        if pks[0] not in self.allowed:
            return _("%(p)s di luar wilayah Anda") % {"p": _posyandu_label(line.posyandu_name)}
        return pks[0]


def _posyandu_label(name: str) -> str:
    return name if name.lower().startswith("posyandu") else f"Posyandu {name}"


def _place(name: str) -> str:
    """A Posyandu or kelurahan name without case, spacing or the word "Posyandu"."""
    words = name.lower().replace("\u00a0", " ").split()
    if words and words[0] in ("posyandu", "psy", "kelurahan", "kel", "kel.", "desa"):
        words = words[1:]
    return " ".join(words)


CHUNK: Final = 500
"""Values per ``IN (...)`` of a lookup."""


@dataclass
class _Stored:
    pk: int
    nik: str
    name: str
    birth_date: dt.date
    mother_name: str
    sex: int
    posyandu_id: int


def _stored_children(
    lines: list[Line], kota_ids: set[int], *, lock: bool = False
) -> tuple[dict[str, _Stored], dict[tuple[str, dt.date | None, str], _Stored]]:
    """The city's children that lines may be: by NIK, and by name, birth date and mother."""
    fields = ("pk", "nik", "name", "birth_date", "mother_name", "sex", "posyandu_id")
    in_city = Child.objects.filter(posyandu__kelurahan__kecamatan__kota_id__in=kota_ids)
    if lock:
        # No visit can be saved for them between this match and the write.
        in_city = in_city.select_for_update(of=("self",))
    by_nik: dict[str, _Stored] = {}
    niks = sorted({line.nik for line in lines if line.nik})
    for chunk in bulk.batched(niks, CHUNK):
        for row in in_city.filter(nik__in=chunk).values_list(*fields):
            by_nik.setdefault(row[1], _Stored(*row))
    by_name: dict[tuple[str, dt.date | None, str], _Stored] = {}
    wanted = {_name_key(line) for line in lines}
    births = sorted({line.birth_date for line in lines if line.birth_date})
    for chunk in bulk.batched(births, CHUNK):
        for row in in_city.filter(birth_date__in=chunk).values_list(*fields):
            stored = _Stored(*row)
            name_key = (
                normalise_name(stored.name),
                stored.birth_date,
                normalise_name(stored.mother_name),
            )
            if name_key in wanted:
                by_name.setdefault(name_key, stored)
    return by_nik, by_name


# --- the result ------------------------------------------------------------------------


REPORT_COLUMNS: Final = ("line", "outcome", "child_id", "reason", "child", "visit_id")
"""The report file: one row per line of the file (the named four first, as the CLI promises)."""


@dataclass
class ImportResult:
    file_name: str
    sha256: str
    kind: str
    header_line: int
    lines: list[Line]
    dry_run: bool
    imported: bool = False

    @property
    def bad_lines(self) -> list[Line]:
        return [line for line in self.lines if line.errors]

    @property
    def counts(self) -> dict[str, int]:
        """What the good lines do (or would do, once the bad ones are fixed)."""
        good = [line for line in self.lines if not line.errors and line.child is not None]
        groups = {id(line.child): line.child for line in good}
        return {
            "lines": len(self.lines),
            "children_created": sum(1 for g in groups.values() if g and g.created),
            "children_matched": sum(1 for g in groups.values() if g and not g.created),
            "visits_created": sum(
                1 for line in good if line.outcome in NEW_VISIT and line.has_measurement
            ),
            "already_present": sum(1 for line in good if line.outcome == "already_present"),
            "errors": len(self.bad_lines),
        }

    def report_rows(self) -> Iterator[tuple[Any, ...]]:
        for line in self.lines:
            group = line.child
            child_id: int | str = ""
            if group is not None and group.pk is not None and not (self.dry_run and group.created):
                child_id = group.pk
            reason = "; ".join(line.errors or line.notes)
            child = "" if group is None else ("created" if group.created else "matched")
            visit = "" if self.dry_run or line.visit_id is None else line.visit_id
            yield (line.number, line.outcome, child_id, reason, child, visit)

    def write_report(self, out: IO[str]) -> None:
        writer = csv.writer(out)
        writer.writerow(REPORT_COLUMNS)
        writer.writerows(self.report_rows())


NEW_VISIT: Final = ("visit_created", "child_created")


Progress = Callable[[str, int, int], None]


def _no_progress(_stage: str, _done: int, _total: int) -> None:
    return None


# --- the import ------------------------------------------------------------------------


def import_eppgbm(
    *,
    data: bytes,
    file_name: str,
    scope: Scope,
    user: User | None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Import (or check, with ``dry_run``) one file; :class:`UnusableFile` if it is
    not a table with an e-PPGBM header. Nothing is written unless every line is good."""
    progress = progress or _no_progress
    today = timezone.localdate()
    table = read_table(data)
    header_line, columns, rows = find_header(table)
    lines: list[Line] = []
    for number, cells in rows:
        lines.append(read_line(number, cells, columns, today))
        if len(lines) % 5000 == 0:
            progress("read", len(lines), 0)
    if not lines:
        raise UnusableFile(_("Berkas hanya berisi judul kolom, tanpa baris data."))
    result = ImportResult(
        file_name=file_name,
        sha256=hashlib.sha256(data).hexdigest(),
        kind=table.kind,
        header_line=header_line,
        lines=lines,
        dry_run=dry_run,
    )
    progress("read", len(lines), len(lines))
    places = _Posyandu(scope)
    for line in lines:
        if line.posyandu_name:
            found = places.find(line)
            if isinstance(found, str):
                line.errors.append(found)
            else:
                line.posyandu_id = found
    if dry_run:
        # Reads only, outside a transaction: on SQLite (IMMEDIATE transactions)
        # even a read-only one would take the write lock from every kader.
        _resolve(result, places)
        _note_nik_warnings(result, places)
    else:
        with transaction.atomic():
            _resolve(result, places, lock=True)
            _note_nik_warnings(result, places)
            if not result.bad_lines:
                _write(result, places, user, progress)
                result.imported = True
    for line in lines:
        if line.errors:
            line.outcome = "error"
    return result


def _note_nik_warnings(result: ImportResult, places: _Posyandu) -> None:
    """The registry's NIK warnings for each child to be created, on its first line."""
    for line in result.lines:
        group = line.child
        if line.errors or group is None or not group.created or group.first_line != line.number:
            continue
        kota_code = places.kota_of[line.posyandu_id][1]
        line.notes.extend(
            nik_warnings(group.nik, birth_date=group.birth_date, sex=group.sex, kota_code=kota_code)
        )


OUTSIDE: Final = gettext_lazy(
    "Anak ini sudah terdaftar di Posyandu di luar wilayah Anda: minta Puskesmas-nya "
    "memindahkan anak itu, lalu impor lagi"
)


def _resolve(result: ImportResult, places: _Posyandu, *, lock: bool = False) -> None:
    """Match every good line to its child and its measurement to what is stored
    (``lock``: the stored children matched are locked until the write is done)."""
    lines = [line for line in result.lines if not line.errors]
    kota_ids = {places.kota_of[line.posyandu_id][0] for line in lines}
    by_nik, by_name = _stored_children(lines, kota_ids, lock=lock)
    groups_by_nik: dict[str, _ChildGroup] = {}
    groups_by_name: dict[tuple[str, dt.date | None, str], _ChildGroup] = {}
    groups_by_pk: dict[int, _ChildGroup] = {}

    def stored_group(stored: _Stored, line: Line) -> _ChildGroup:
        group = groups_by_pk.get(stored.pk)
        if group is None:
            group = _ChildGroup(stored.pk, stored.birth_date, stored.sex, stored.nik, line.number)
            groups_by_pk[stored.pk] = group
        return group

    def group_for(line: Line) -> _ChildGroup | str:
        name_key = _name_key(line)
        group = groups_by_nik.get(line.nik) if line.nik else None
        stored = by_nik.get(line.nik) if line.nik and group is None else None
        if stored is not None:
            if stored.posyandu_id not in places.allowed:
                return str(OUTSIDE)
            group = groups_by_pk.get(stored.pk)
            earlier = groups_by_name.get(name_key)
            if group is None and earlier is not None and earlier.created and not earlier.nik:
                # An earlier line of this child, without its NIK, started a new
                # child: it is this stored one.
                earlier.pk, earlier.created, earlier.nik = stored.pk, False, stored.nik
                earlier.birth_date, earlier.sex = stored.birth_date, stored.sex
                groups_by_pk[stored.pk] = earlier
                group = earlier
            elif group is None:
                group = stored_group(stored, line)
        if group is None:
            group = groups_by_name.get(name_key)
            if group is not None and line.nik and group.nik and group.nik != line.nik:
                return _(
                    "Nama, tanggal lahir dan ibu sama dengan baris %(n)d, tetapi NIK berbeda"
                ) % {"n": group.first_line}
        if group is None:
            stored = by_name.get(name_key)
            if stored is not None and stored.posyandu_id not in places.allowed:
                return str(OUTSIDE)
            if stored is not None and line.nik and stored.nik and stored.nik != line.nik:
                return _(
                    "Anak dengan nama, tanggal lahir dan ibu yang sama sudah terdaftar "
                    "dengan NIK lain"
                )
            if stored is not None:
                group = stored_group(stored, line)
            else:
                assert line.birth_date is not None
                group = _ChildGroup(None, line.birth_date, line.sex, line.nik, line.number)
                group.created = True
        if group.birth_date != line.birth_date or group.sex != line.sex:
            where = (
                _("baris %(n)d") % {"n": group.first_line}
                if group.created
                else _("anak yang sudah terdaftar")
            )
            return _(
                "NIK atau nama sama dengan %(where)s, tetapi tanggal lahir atau jenis kelamin "
                "berbeda"
            ) % {"where": where}
        if line.nik:
            groups_by_nik.setdefault(line.nik, group)
            if not group.nik:
                group.nik = line.nik
        groups_by_name.setdefault(name_key, group)
        return group

    for line in lines:
        found = group_for(line)
        if isinstance(found, str):
            line.errors.append(found)
            continue
        line.child = found
        found.lines.append(line)
    _resolve_measurements(result, list(groups_by_pk.values()))


def _same(a_on: dt.date, a_w: Decimal | None, a_h: Decimal | None, b: tuple[Any, ...]) -> bool:
    """The same measurement: same date, and the same weight and length where the
    file gives them (a file without the Tinggi column still matches)."""
    b_on, b_w, b_h = b

    step = Decimal(1).scaleb(-STORED_AS["weight"].decimal_places)

    def q(value: Any) -> Decimal | None:
        return None if value is None else Decimal(value).quantize(step)

    return a_on == b_on and (a_w is None or q(a_w) == q(b_w)) and (a_h is None or q(a_h) == q(b_h))


def _resolve_measurements(result: ImportResult, stored_groups: list[_ChildGroup]) -> None:
    stored: dict[int, dict[dt.date, tuple[Any, ...]]] = defaultdict(dict)
    for chunk in bulk.batched([g.pk for g in stored_groups if g.pk is not None], CHUNK):
        for child_id, period, measured_on, weight, height in Visit.objects.filter(
            child_id__in=chunk
        ).values_list("child_id", "period", "measured_on", "weight_kg", "height_cm"):
            stored[child_id][period] = (measured_on, weight, height)
    seen: dict[tuple[int, dt.date], Line] = {}
    for line in result.lines:
        group = line.child
        if line.errors or group is None:
            continue
        if not line.has_measurement:
            line.outcome = (
                "child_matched"
                if not group.created or group.first_line != line.number
                else "child_created"
            )
            continue
        assert line.measured_on is not None
        if line.measured_on < group.birth_date:
            line.errors.append(
                _("Tanggal Pengukuran %(m)s sebelum tanggal lahir anak %(b)s")
                % {"m": format_date(line.measured_on), "b": format_date(group.birth_date)}
            )
            continue
        period = line.measured_on.replace(day=1)
        before = stored.get(group.pk, {}).get(period) if group.pk is not None else None
        if before is not None:
            if _same(line.measured_on, line.weight, line.height, before):
                line.outcome = "already_present"
            else:
                line.errors.append(
                    _(
                        "Anak ini sudah punya pengukuran lain bulan itu "
                        "(%(d)s, BB %(w)s, TB %(h)s): satu pengukuran per bulan"
                    )
                    % {
                        "d": format_date(before[0]),
                        "w": read.text(before[1]) or "-",
                        "h": read.text(before[2]) or "-",
                    }
                )
            continue
        earlier = seen.get((id(group), period))
        if earlier is not None:
            if _same(
                line.measured_on,
                line.weight,
                line.height,
                (earlier.measured_on, earlier.weight, earlier.height),
            ):
                line.outcome = "already_present"
                line.notes.append(_("sama dengan baris %(n)d") % {"n": earlier.number})
            else:
                line.errors.append(
                    _("Pengukuran lain anak ini di bulan yang sama ada di baris %(n)d")
                    % {"n": earlier.number}
                )
            continue
        seen[(id(group), period)] = line
        line.outcome = (
            "child_created"
            if group.created and group.first_line == line.number
            else "visit_created"
        )


# --- writing ---------------------------------------------------------------------------


def _write(result: ImportResult, places: _Posyandu, user: User | None, progress: Progress) -> None:
    groups: dict[int, _ChildGroup] = {}
    for line in result.lines:
        if line.child is not None:
            groups.setdefault(id(line.child), line.child)
    matched = {g.pk for g in groups.values() if g.pk is not None}
    new_groups = [g for g in groups.values() if g.created]
    # Only children given a new visit change (matched ones without one do not).
    existing = sorted(
        {
            line.child.pk
            for line in result.lines
            if line.outcome == "visit_created" and line.child and line.child.pk in matched
        }
    )
    today = timezone.localdate()
    actor = user if user is not None and user.is_authenticated else None
    if new_groups or existing:
        with children_write(existing) as write:
            _create_children(new_groups, places, actor, today, progress)
            _write_visits(result, groups, existing, actor, progress)
            refresh_weight_gains(existing)
            write.child_ids = sorted({*existing, *(g.pk for g in new_groups if g.pk)})
            progress("aggregates", 0, len(write.child_ids))
    audit.record(
        user=user,
        action=AuditAction.IMPORT,
        object_type="exchange.eppgbm",
        object_repr=f"e-PPGBM {result.file_name}"[:200],
        changes={
            "file": result.file_name,
            "sha256": result.sha256,
            "kind": result.kind,
            **result.counts,
        },
    )


def _create_children(
    groups: list[_ChildGroup],
    places: _Posyandu,
    actor: User | None,
    today: dt.date,
    progress: Progress,
) -> None:
    """Insert the new children in bulk; each group gets its child's id."""
    if not groups:
        return
    columns: dict[str, list[Any]] = defaultdict(list)
    for group in groups:
        latest = max(group.lines, key=lambda ln: (ln.measured_on or dt.date.min, ln.number))
        first = next(ln for ln in group.lines if ln.number == group.first_line)
        aged_out = completed_months(group.birth_date, today) >= BALITA.max_completed_months
        values = {
            "local_id": new_local_id(),
            "name": " ".join(first.name.split()),
            "sex": group.sex,
            "birth_date": group.birth_date,
            "birth_weight_kg": _first(group.lines, "birth_weight"),
            "birth_length_cm": _first(group.lines, "birth_length"),
            "nik": group.nik,
            "mother_name": " ".join(first.mother_name.split()),
            "address": latest.address or first.address,
            "rt": latest.rt,
            "rw": latest.rw,
            "kelurahan_id": places.kelurahan_of[latest.posyandu_id],
            "posyandu_id": latest.posyandu_id,
            "has_kia_book": latest.kia,
            "status": str(ChildStatus.AGED_OUT if aged_out else ChildStatus.ACTIVE),
            "status_date": BALITA.aged_out_on(group.birth_date) if aged_out else None,
        }
        for name, value in values.items():
            columns[name].append(value)
    k = len(groups)
    for name in ("birth_date", "status_date"):
        columns[name] = [
            None if d is None else connection.ops.adapt_datefield_value(d) for d in columns[name]
        ]
    for name, places_ in (("birth_weight_kg", 2), ("birth_length_cm", 1)):
        columns[name] = bulk.decimals(
            np.array([_f(v) for v in columns[name]], dtype=np.float64), places_
        )
    now = bulk.adapted_now()
    constants = {
        "mother_nik": "",
        "father_name": "",
        "phone": "",
        "version": 1,
        "client_token": None,
        "created_at": now,
        "updated_at": now,
        "created_by_id": actor.pk if actor is not None else None,
    }
    bulk.insert_rows(Child, k, columns, constants)
    ids: dict[str, int] = {}
    local_ids = columns["local_id"]
    for chunk in bulk.batched(local_ids):
        ids.update(Child.objects.filter(local_id__in=chunk).values_list("local_id", "pk"))
    for group, local_id in zip(groups, local_ids, strict=True):
        group.pk = ids[local_id]
    progress("children", k, k)


def _first(lines: Iterable[Line], name: str) -> Decimal | None:
    for line in lines:
        value = getattr(line, name)
        if value is not None:
            return Decimal(value)
    return None


def _write_visits(
    result: ImportResult,
    groups: dict[int, _ChildGroup],
    existing: list[int],
    actor: User | None,
    progress: Progress,
) -> None:
    """Insert the new visits with everything derived from them, computed over
    each child's whole history (stored visits and new ones, in date order)."""
    new = [line for line in result.lines if line.outcome in NEW_VISIT and line.has_measurement]
    if not new:
        return
    by_child: dict[int, list[Line]] = defaultdict(list)
    for line in new:
        assert line.child is not None and line.child.pk is not None
        by_child[line.child.pk].append(line)
    stored = set(existing)
    people = {g.pk: (g.sex, g.birth_date) for g in groups.values() if g.pk is not None}
    policies = PoliciesInForce.load()
    done = 0
    progress("visits", 0, len(new))
    # A few thousand children at a time: memory stays that of one batch.
    for chunk in bulk.batched(sorted(by_child)):
        lines = [line for child_id in chunk for line in by_child[child_id]]
        _write_visit_batch(lines, people, [c for c in chunk if c in stored], actor, policies)
        done += len(lines)
        progress("visits", done, len(new))


def _write_visit_batch(
    new: list[Line],
    people: dict[int, tuple[int, dt.date]],
    existing: list[int],
    actor: User | None,
    policies: PoliciesInForce,
) -> None:
    rows: list[tuple[int, dt.date, float, float, str, bool, float, float, Line | None]] = []
    for chunk in bulk.batched(existing, CHUNK):
        for (
            child_id,
            measured_on,
            weight,
            height,
            position,
            oedema,
            head,
            muac,
        ) in Visit.objects.filter(child_id__in=chunk).values_list(
            "child_id",
            "measured_on",
            "weight_kg",
            "height_cm",
            "position",
            "oedema",
            "head_cm",
            "muac_cm",
        ):
            rows.append(
                (
                    child_id,
                    measured_on,
                    _f(weight),
                    _f(height),
                    position,
                    oedema,
                    _f(head),
                    _f(muac),
                    None,
                )
            )
    for line in new:
        assert line.child is not None and line.child.pk is not None and line.measured_on is not None
        position = line.position
        if line.height is not None and not position:
            position = position_for_age((line.measured_on - line.child.birth_date).days)
        rows.append(
            (
                line.child.pk,
                line.measured_on,
                _f(line.weight),
                _f(line.height),
                position,
                False,
                np.nan,
                _f(line.muac),
                line,
            )
        )
    rows.sort(key=lambda r: (r[0], r[1]))
    child = np.array([r[0] for r in rows], dtype=np.int64)
    v = bulk.VisitRows(
        child=child,
        sex=np.array([people[c][0] for c in child.tolist()], dtype=np.int64),
        birth=np.array([people[c][1] for c in child.tolist()], dtype="datetime64[D]"),
        measured_on=np.array([r[1] for r in rows], dtype="datetime64[D]"),
        weight_kg=np.array([r[2] for r in rows], dtype=np.float64),
        height_cm=np.array([r[3] for r in rows], dtype=np.float64),
        position=np.array([r[4] for r in rows], dtype="<U1"),
        oedema=np.array([r[5] for r in rows], dtype=bool),
        head_cm=np.array([r[6] for r in rows], dtype=np.float64),
        muac_cm=np.array([r[7] for r in rows], dtype=np.float64),
    )
    derived = bulk.derive(v, policies)
    keep = np.array([r[8] is not None for r in rows], dtype=bool)
    added: list[Line] = [r[8] for r in rows if r[8] is not None]
    k = len(added)
    measured = v.measured_on[keep]
    columns: dict[str, list[Any]] = {
        "child_id": child[keep].tolist(),
        "posyandu_id": [line.posyandu_id for line in added],
        "measured_on": bulk.adapt_dates(measured),
        "period": bulk.adapt_dates(measured.astype("datetime64[M]").astype("datetime64[D]")),
        "age_days": v.age_days[keep].tolist(),
        "weight_kg": bulk.decimals(v.weight_kg[keep], 2),
        "height_cm": bulk.decimals(v.height_cm[keep], 2),
        "position": v.position[keep].tolist(),
        "muac_cm": bulk.decimals(v.muac_cm[keep], 1),
        "vitamin_a": [line.vitamin_a for line in added],
        "pmt_received": [bool(line.pmt_kg) for line in added],
        "pmt_kg": bulk.decimals(np.array([_f(line.pmt_kg) for line in added], dtype=np.float64), 2),
        "kpsp": [line.kpsp for line in added],
        **bulk.derived_columns(derived, keep),
    }
    now = bulk.adapted_now()
    constants = {
        "session_id": None,
        "head_cm": None,
        "oedema": False,
        "version": 1,
        "client_id": None,
        "recorded_by_id": actor.pk if actor is not None else None,
        "created_at": now,
        "updated_at": now,
    }
    bulk.insert_rows(Visit, k, columns, constants)
    ids: dict[tuple[int, dt.date], int] = {}
    for chunk in bulk.batched(
        sorted({line.child.pk for line in added if line.child and line.child.pk}), CHUNK
    ):
        for pk, child_id, measured_on in Visit.objects.filter(child_id__in=chunk).values_list(
            "pk", "child_id", "measured_on"
        ):
            ids[(child_id, measured_on)] = pk
    for line in added:
        assert line.child is not None and line.child.pk is not None and line.measured_on is not None
        line.visit_id = ids.get((line.child.pk, line.measured_on))


def _f(value: Decimal | float | None) -> float:
    return np.nan if value is None else float(value)
