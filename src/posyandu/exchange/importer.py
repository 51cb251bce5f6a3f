"""Import an e-PPGBM by-name file (or a spreadsheet in its layout): all or nothing.

Three steps. **Read** every line into typed values (:mod:`.values`), each bad
cell a reason on its line, into the import's own store on disk
(:mod:`.staging`): memory holds one batch of lines, whatever the size of the
file. **Resolve** every line against the registry: its
Posyandu (by kelurahan and name, in any case and spacing), its child (by a
usable NIK, else by name, birth date and mother's name, within the city; two
lines of one new child are one child), its measurement (already stored, new,
or a conflict with another one of that child in that month). **Write**, only
if no line is bad, in one transaction: the new children, the new visits with
their z-scores, categories, N/T/O/B and 2T from the engine over each child's
whole history, the monthly aggregates and campaign targets of every child
touched, and one audit record for the file. A dry run reads and matches
the same way and writes nothing to the database, so what it reports is what
the import would do.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import hashlib
import itertools
import json
import operator
import re
import sys
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, fields
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
from posyandu.exchange.staging import Store
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
    group_id: int | None = None
    """The file's child this line is (a row of the store's ``child_group``)."""
    outcome: str = ""
    visit_id: int | None = None
    # Read back with the line: its child's id, and whether the import creates it.
    child_pk: int | None = None
    child_created: bool | None = None

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


@dataclass(slots=True)
class _Group:
    """One child of the file: matched to a stored one (``pk``) or to be created."""

    id: int
    pk: int | None
    birth_date: dt.date
    sex: int
    nik: str
    first_line: int
    created: bool


def _name_key(name: str, birth_date: dt.date | None, mother_name: str) -> str:
    """Name, birth date and mother's name as the duplicate rule compares them, as one key."""
    birth = "" if birth_date is None else str(birth_date.toordinal())
    return f"{normalise_name(name)}\x1f{birth}\x1f{normalise_name(mother_name)}"


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
LINE_BATCH: Final = bulk.BATCH
"""Lines worked on at once in each pass over the store."""


# --- lines in the store ------------------------------------------------------------------

_DATES: Final = frozenset({"birth_date", "measured_on"})
_DECIMALS: Final = frozenset(STORED_AS)
_FLAGS: Final = frozenset({"vitamin_a", "kia"})
_LISTS: Final = frozenset({"errors", "notes"})
_READ_BACK: Final = ("child_pk", "child_created")
_STAGED: Final = tuple(f.name for f in fields(Line) if f.name not in _READ_BACK)
"""The columns of a line in the store (``line``): every field of a Line in its
order, but those read back from its child."""
_LINE_SELECT: Final = ", ".join(f"line.{name}" for name in _STAGED) + ", g.pk, g.created"
_LINE_FROM: Final = "FROM line LEFT JOIN child_group g ON g.id = line.group_id"
_HAS_MEASUREMENT: Final = (
    "(line.measured_on IS NOT NULL OR line.weight IS NOT NULL OR line.height IS NOT NULL)"
)
_NEW_VISIT_SQL: Final = "line.outcome IN ('visit_created', 'child_created')"


def _ordinal(day: dt.date | None) -> int | None:
    return None if day is None else day.toordinal()


def _day(ordinal: int | None) -> dt.date | None:
    return None if ordinal is None else dt.date.fromordinal(ordinal)


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _stored_text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _listed(values: list[str]) -> str | None:
    return json.dumps(values, ensure_ascii=False) if values else None


def _unlisted(value: str | None) -> list[str]:
    return json.loads(value) if value else []


def _converters(
    to_store: bool,
) -> tuple[Callable[[Any], Any] | None, ...]:
    """Per staged column, what turns a Line's value into the store's (or back);
    None where they are the same."""
    kinds: list[Callable[[Any], Any] | None] = []
    for name in _STAGED:
        if name in _DATES:
            kinds.append(_ordinal if to_store else _day)
        elif name in _DECIMALS:
            kinds.append(_stored_text if to_store else _decimal)
        elif name in _LISTS:
            kinds.append(_listed if to_store else _unlisted)
        elif name in _FLAGS:
            kinds.append(int if to_store else bool)
        else:
            kinds.append(None)
    return tuple(kinds)


_TO_STORE: Final = _converters(True)
_FROM_STORE: Final = _converters(False)
_STAGED_VALUES: Final = operator.attrgetter(*_STAGED)


def _encode(line: Line) -> tuple[Any, ...]:
    values = _STAGED_VALUES(line)
    return (
        *(v if f is None else f(v) for f, v in zip(_TO_STORE, values, strict=True)),
        _name_key(line.name, line.birth_date, line.mother_name),
    )


def _decode(row: Sequence[Any]) -> Line:
    """A Line from a row of ``_LINE_SELECT`` (its fields are in ``_STAGED``'s order)."""
    values = [v if f is None else f(v) for f, v in zip(_FROM_STORE, row, strict=False)]
    pk, created = row[len(_STAGED)], row[len(_STAGED) + 1]
    values += [pk, None if created is None else bool(created)]  # child_pk, child_created
    return Line(*values)


class StagedLines(Sequence[Line]):
    """The lines of an import read back from its store, in file order, a batch at a time."""

    def __init__(self, store: Store, where: str = "1") -> None:
        self.store = store
        self.where = where

    def __len__(self) -> int:
        return int(self.store.one(f"SELECT count(*) FROM line WHERE {self.where}"))

    def __iter__(self) -> Iterator[Line]:
        for rows in self.store.batches(
            f"SELECT {_LINE_SELECT} {_LINE_FROM} WHERE {self.where} AND {{after}} "
            "ORDER BY line.number",
            size=LINE_BATCH,
        ):
            yield from map(_decode, rows)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return list(self)[index]
        if index < 0:
            index += len(self)
        row = self.store.row(
            f"SELECT {_LINE_SELECT} {_LINE_FROM} WHERE {self.where} "
            "ORDER BY line.number LIMIT 1 OFFSET ?",
            (index,),
        )
        if index < 0 or row is None:
            raise IndexError(index)
        return _decode(row)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


# --- the result ------------------------------------------------------------------------


REPORT_COLUMNS: Final = ("line", "outcome", "child_id", "reason", "child", "visit_id")
"""The report file: one row per line of the file (the named four first, as the CLI promises)."""


@dataclass
class ImportResult:
    """What an import did (or would do): its lines stay in its store until :meth:`close`."""

    file_name: str
    sha256: str
    kind: str
    header_line: int
    dry_run: bool
    store: Store = field(repr=False)
    imported: bool = False

    def __post_init__(self) -> None:
        self._closed = weakref.finalize(self, self.store.close)

    def close(self) -> None:
        """Delete the store (the lines cannot be read after this)."""
        self._closed()

    @property
    def lines(self) -> StagedLines:
        return StagedLines(self.store)

    @property
    def bad_lines(self) -> StagedLines:
        return StagedLines(self.store, "line.errors IS NOT NULL")

    @property
    def noted_lines(self) -> StagedLines:
        """The good lines with a note: a NIK not used, a NIK warning, a repeated line."""
        return StagedLines(self.store, "line.errors IS NULL AND line.notes IS NOT NULL")

    def new_children(self, limit: int) -> list[tuple[str, dt.date, int]]:
        """(name, birth date, Posyandu id) of the first ``limit`` children the good
        lines create, in file order (the Posyandu of the child's latest line)."""
        return [
            (name, dt.date.fromordinal(birth), posyandu_id)
            for name, birth, posyandu_id in self.store.db.execute(
                "SELECT first.name, g.birth_date, (SELECT l.posyandu_id FROM line l "
                "WHERE l.group_id = g.id AND l.errors IS NULL "
                "ORDER BY coalesce(l.measured_on, 0) DESC, l.number DESC LIMIT 1) "
                "FROM child_group g JOIN line first ON first.number = g.first_line "
                "WHERE g.created AND EXISTS (SELECT 1 FROM line WHERE line.group_id = g.id "
                "AND line.errors IS NULL) ORDER BY g.id LIMIT ?",
                (limit,),
            )
        ]

    @property
    def counts(self) -> dict[str, int]:
        """What the good lines do (or would do, once the bad ones are fixed)."""
        one = self.store.one
        good = "line.errors IS NULL AND line.group_id IS NOT NULL"
        children = dict(
            self.store.db.execute(
                "SELECT g.created, count(DISTINCT g.id) FROM line "
                f"JOIN child_group g ON g.id = line.group_id WHERE {good} GROUP BY g.created"
            ).fetchall()
        )
        return {
            "lines": one("SELECT count(*) FROM line"),
            "children_created": children.get(1, 0),
            "children_matched": children.get(0, 0),
            "visits_created": one(
                f"SELECT count(*) FROM line WHERE {good} AND {_NEW_VISIT_SQL} "
                f"AND {_HAS_MEASUREMENT}"
            ),
            "already_present": one(
                f"SELECT count(*) FROM line WHERE {good} AND line.outcome = 'already_present'"
            ),
            "errors": one("SELECT count(*) FROM line WHERE line.errors IS NOT NULL"),
        }

    def report_rows(self) -> Iterator[tuple[Any, ...]]:
        for line in self.lines:
            child_id: int | str = ""
            if line.child_pk is not None and not (self.dry_run and line.child_created):
                child_id = line.child_pk
            reason = "; ".join(line.errors or line.notes)
            if line.child_created is None:
                child = ""
            else:
                child = "created" if line.child_created else "matched"
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
    not a table with an e-PPGBM header. Nothing is written unless every line is good.

    The result's lines are in a store on disk: :meth:`ImportResult.close` it
    once its report is written (it is also deleted when the result is).
    """
    progress = progress or _no_progress
    today = timezone.localdate()
    table = read_table(data)
    header_line, columns, rows = find_header(table)
    places = _Posyandu(scope)
    store = Store()
    try:
        if not _stage_lines(store, rows, columns, places, today, progress):
            raise UnusableFile(_("Berkas hanya berisi judul kolom, tanpa baris data."))
        result = ImportResult(
            file_name=file_name,
            sha256=hashlib.sha256(data).hexdigest(),
            kind=table.kind,
            header_line=header_line,
            dry_run=dry_run,
            store=store,
        )
        if dry_run:
            # Reads only, outside a transaction: on SQLite (IMMEDIATE transactions)
            # even a read-only one would take the write lock from every kader.
            _resolve(store, places, progress)
        else:
            with transaction.atomic():
                _resolve(store, places, progress, lock=True)
                if not result.bad_lines:
                    _write(result, places, user, progress)
                    result.imported = True
        store.db.execute("UPDATE line SET outcome = 'error' WHERE errors IS NOT NULL")
        store.commit()
    except BaseException:
        store.close()
        raise
    return result


def _stage_lines(
    store: Store,
    rows: Iterator[tuple[int, list[Any]]],
    columns: dict[str, int],
    places: _Posyandu,
    today: dt.date,
    progress: Progress,
) -> int:
    """Read every line, find its Posyandu, and put it in the store, a batch at a time."""
    insert = (
        f"INSERT INTO line ({', '.join(_STAGED)}, name_key) "
        f"VALUES ({', '.join(['?'] * (len(_STAGED) + 1))})"
    )
    count = 0
    while batch := list(itertools.islice(rows, LINE_BATCH)):
        staged = []
        for number, cells in batch:
            line = read_line(number, cells, columns, today)
            if line.posyandu_name:
                found = places.find(line)
                if isinstance(found, str):
                    line.errors.append(found)
                else:
                    line.posyandu_id = found
            staged.append(_encode(line))
        store.db.executemany(insert, staged)
        store.commit()
        count += len(batch)
        progress("read", count, 0)
    store.indexed()
    progress("read", count, count)
    return count


OUTSIDE: Final = gettext_lazy(
    "Anak ini sudah terdaftar di Posyandu di luar wilayah Anda: minta Puskesmas-nya "
    "memindahkan anak itu, lalu impor lagi"
)


def _resolve(store: Store, places: _Posyandu, progress: Progress, *, lock: bool = False) -> None:
    """Match every good line to its child and its measurement to what is stored
    (``lock``: the stored children matched are locked until the write is done),
    and note the registry's NIK warnings for each child to be created."""
    kota_ids = {
        places.kota_of[posyandu_id][0]
        for (posyandu_id,) in store.db.execute(
            "SELECT DISTINCT posyandu_id FROM line WHERE errors IS NULL"
        )
    }
    _stage_stored_children(store, kota_ids, lock=lock)
    _group_lines(store, places, progress)
    _stage_stored_visits(store)
    _resolve_measurements(store, places, progress)


_STORED_FIELDS: Final = ("pk", "nik", "name", "birth_date", "mother_name", "sex", "posyandu_id")


def _stage_stored_children(store: Store, kota_ids: set[int], *, lock: bool) -> None:
    """The city's children that lines may be, into the store: by NIK, and by name,
    birth date and mother (only those whose key a line has)."""
    in_city = Child.objects.filter(posyandu__kelurahan__kecamatan__kota_id__in=kota_ids)
    if lock:
        # No visit can be saved for them between this match and the write.
        in_city = in_city.select_for_update(of=("self",))
    db = store.db

    def add(rows: list[tuple[Any, ...]], index: str) -> None:
        db.executemany(
            "INSERT OR IGNORE INTO stored VALUES (?, ?, ?, ?, ?)",
            [(pk, nik, birth.toordinal(), sex, p) for pk, nik, _n, birth, _m, sex, p in rows],
        )
        if index == "nik":
            db.executemany(
                "INSERT OR IGNORE INTO stored_by_nik VALUES (?, ?)", [(r[1], r[0]) for r in rows]
            )
        else:
            db.executemany(
                "INSERT OR IGNORE INTO stored_by_name VALUES (?, ?)",
                [(_name_key(r[2], r[3], r[4]), r[0]) for r in rows],
            )

    for niks in store.batches(
        "SELECT DISTINCT nik FROM line WHERE errors IS NULL AND nik != '' AND {after} ORDER BY nik",
        size=CHUNK,
    ):
        add(list(in_city.filter(nik__in=[n for (n,) in niks]).values_list(*_STORED_FIELDS)), "nik")
    for births in store.batches(
        "SELECT DISTINCT birth_date FROM line WHERE errors IS NULL AND birth_date IS NOT NULL "
        "AND {after} ORDER BY birth_date",
        size=CHUNK,
    ):
        found = (
            in_city.filter(birth_date__in=[dt.date.fromordinal(b) for (b,) in births])
            .values_list(*_STORED_FIELDS)
            .iterator(chunk_size=CHUNK)
        )
        while rows := list(itertools.islice(found, CHUNK)):
            keys = {_name_key(r[2], r[3], r[4]) for r in rows}
            wanted = {
                key
                for (key,) in db.execute(
                    "SELECT DISTINCT name_key FROM line WHERE errors IS NULL AND name_key IN "
                    f"({', '.join(['?'] * len(keys))})",
                    list(keys),
                )
            }
            add([r for r in rows if _name_key(r[2], r[3], r[4]) in wanted], "name")
    store.commit()


@dataclass(slots=True)
class _Stored:
    pk: int
    nik: str
    birth_date: dt.date
    sex: int
    posyandu_id: int


class _Groups:
    """The children of the file so far, and the stored children lines may be."""

    GROUP: Final = "SELECT g.id, g.pk, g.birth_date, g.sex, g.nik, g.first_line, g.created"

    def __init__(self, store: Store) -> None:
        self.db = store.db

    def _group(self, sql: str, key: Any) -> _Group | None:
        row = self.db.execute(f"{self.GROUP} FROM child_group g {sql}", (key,)).fetchone()
        if row is None:
            return None
        gid, pk, birth, sex, nik, first_line, created = row
        return _Group(gid, pk, dt.date.fromordinal(birth), sex, nik, first_line, bool(created))

    def by_nik(self, nik: str) -> _Group | None:
        return self._group("JOIN group_by_nik n ON n.group_id = g.id WHERE n.key = ?", nik)

    def by_name(self, key: str) -> _Group | None:
        return self._group("JOIN group_by_name n ON n.group_id = g.id WHERE n.key = ?", key)

    def by_pk(self, pk: int) -> _Group | None:
        return self._group("WHERE g.pk = ?", pk)

    def stored(self, by: str, key: str) -> _Stored | None:
        """The stored child with this NIK (``by`` "nik") or name key ("name")."""
        row = self.db.execute(
            f"SELECT s.pk, s.nik, s.birth_date, s.sex, s.posyandu_id FROM stored_by_{by} k "
            "JOIN stored s ON s.pk = k.pk WHERE k.key = ?",
            (key,),
        ).fetchone()
        if row is None:
            return None
        pk, nik, birth, sex, posyandu_id = row
        return _Stored(pk, nik, dt.date.fromordinal(birth), sex, posyandu_id)

    def new(
        self, pk: int | None, birth_date: dt.date, sex: int, nik: str, line: int, created: bool
    ) -> _Group:
        cursor = self.db.execute(
            "INSERT INTO child_group (pk, birth_date, sex, nik, first_line, created) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (pk, birth_date.toordinal(), sex, nik, line, int(created)),
        )
        assert cursor.lastrowid is not None
        return _Group(cursor.lastrowid, pk, birth_date, sex, nik, line, created)

    def of_stored(self, stored: _Stored, line: int) -> _Group:
        found = self.by_pk(stored.pk)
        if found is None:
            found = self.new(stored.pk, stored.birth_date, stored.sex, stored.nik, line, False)
        return found

    def save(self, group: _Group) -> None:
        self.db.execute(
            "UPDATE child_group SET pk = ?, birth_date = ?, sex = ?, nik = ?, created = ? "
            "WHERE id = ?",
            (
                group.pk,
                group.birth_date.toordinal(),
                group.sex,
                group.nik,
                int(group.created),
                group.id,
            ),
        )

    def remember(self, group: _Group, nik: str, name_key: str) -> None:
        """The first child of the file with this NIK, and with this name key, is it."""
        if nik:
            self.db.execute("INSERT OR IGNORE INTO group_by_nik VALUES (?, ?)", (nik, group.id))
        self.db.execute("INSERT OR IGNORE INTO group_by_name VALUES (?, ?)", (name_key, group.id))


def _group_lines(store: Store, places: _Posyandu, progress: Progress) -> None:
    """Each good line's child, in file order (two lines of one new child are one child)."""
    groups = _Groups(store)
    total = store.one("SELECT count(*) FROM line WHERE errors IS NULL")
    done = 0
    for rows in store.batches(
        "SELECT number, nik, name_key, birth_date, sex FROM line "
        "WHERE errors IS NULL AND {after} ORDER BY number",
        size=LINE_BATCH,
    ):
        updates: list[tuple[str | None, int | None, int]] = []
        for number, nik, name_key, birth, sex in rows:
            found = _group_for(groups, places, number, nik, name_key, _day(birth), sex)
            if isinstance(found, str):
                updates.append((_listed([found]), None, number))
            else:
                updates.append((None, found, number))
        store.db.executemany("UPDATE line SET errors = ?, group_id = ? WHERE number = ?", updates)
        store.commit()
        done += len(rows)
        progress("match", done, total)


def _group_for(
    groups: _Groups,
    places: _Posyandu,
    number: int,
    nik: str,
    name_key: str,
    birth_date: dt.date | None,
    sex: int,
) -> int | str:
    """The id of the line's child in the file, or why the line cannot be that child."""
    assert birth_date is not None  # a good line has one
    group = groups.by_nik(nik) if nik else None
    stored = groups.stored("nik", nik) if nik and group is None else None
    if stored is not None:
        if stored.posyandu_id not in places.allowed:
            return str(OUTSIDE)
        group = groups.by_pk(stored.pk)
        earlier = groups.by_name(name_key)
        if group is None and earlier is not None and earlier.created and not earlier.nik:
            # An earlier line of this child, without its NIK, started a new
            # child: it is this stored one.
            earlier.pk, earlier.created, earlier.nik = stored.pk, False, stored.nik
            earlier.birth_date, earlier.sex = stored.birth_date, stored.sex
            groups.save(earlier)
            group = earlier
        elif group is None:
            group = groups.of_stored(stored, number)
    if group is None:
        group = groups.by_name(name_key)
        if group is not None and nik and group.nik and group.nik != nik:
            return _("Nama, tanggal lahir dan ibu sama dengan baris %(n)d, tetapi NIK berbeda") % {
                "n": group.first_line
            }
    if group is None:
        stored = groups.stored("name", name_key)
        if stored is not None and stored.posyandu_id not in places.allowed:
            return str(OUTSIDE)
        if stored is not None and nik and stored.nik and stored.nik != nik:
            return _(
                "Anak dengan nama, tanggal lahir dan ibu yang sama sudah terdaftar dengan NIK lain"
            )
        if stored is not None:
            group = groups.of_stored(stored, number)
        else:
            group = groups.new(None, birth_date, sex, nik, number, True)
    if group.birth_date != birth_date or group.sex != sex:
        where = (
            _("baris %(n)d") % {"n": group.first_line}
            if group.created
            else _("anak yang sudah terdaftar")
        )
        return _(
            "NIK atau nama sama dengan %(where)s, tetapi tanggal lahir atau jenis kelamin berbeda"
        ) % {"where": where}
    if nik and not group.nik:
        group.nik = nik
        groups.save(group)
    groups.remember(group, nik, name_key)
    return group.id


def _stage_stored_visits(store: Store) -> None:
    """The stored measurements of every stored child the file names, by month."""
    for pks in store.batches(
        "SELECT pk FROM child_group WHERE pk IS NOT NULL AND {after} ORDER BY pk", size=CHUNK
    ):
        store.db.executemany(
            "INSERT OR REPLACE INTO stored_visit VALUES (?, ?, ?, ?, ?)",
            [
                (child_id, period.toordinal(), on.toordinal(), _stored_text(w), _stored_text(h))
                for child_id, period, on, w, h in Visit.objects.filter(
                    child_id__in=[pk for (pk,) in pks]
                ).values_list("child_id", "period", "measured_on", "weight_kg", "height_cm")
            ],
        )
    store.commit()


def _same(a_on: dt.date, a_w: Decimal | None, a_h: Decimal | None, b: tuple[Any, ...]) -> bool:
    """The same measurement: same date, and the same weight and length where the
    file gives them (a file without the Tinggi column still matches)."""
    b_on, b_w, b_h = b

    step = Decimal(1).scaleb(-STORED_AS["weight"].decimal_places)

    def q(value: Any) -> Decimal | None:
        return None if value is None else Decimal(value).quantize(step)

    return a_on == b_on and (a_w is None or q(a_w) == q(b_w)) and (a_h is None or q(a_h) == q(b_h))


def _resolve_measurements(store: Store, places: _Posyandu, progress: Progress) -> None:
    """Each good line's measurement: new, already stored (or earlier in the file),
    or a conflict; and the NIK warnings on the first line of each new child."""
    db = store.db
    for rows in store.batches(
        "SELECT number, group_id, measured_on, weight, height, posyandu_id, notes FROM line "
        "WHERE errors IS NULL AND group_id IS NOT NULL AND {after} ORDER BY number",
        size=LINE_BATCH,
    ):
        ids = sorted({row[1] for row in rows})
        groups: dict[int, _Group] = {}
        for gid, pk, birth, sex, nik, first_line, created in db.execute(
            f"{_Groups.GROUP} FROM child_group g WHERE g.id IN ({', '.join(['?'] * len(ids))})",
            ids,
        ):
            groups[gid] = _Group(
                gid, pk, dt.date.fromordinal(birth), sex, nik, first_line, bool(created)
            )
        updates = []
        for number, gid, on, weight, height, posyandu_id, noted in rows:
            group = groups[gid]
            notes: list[str] = json.loads(noted) if noted else []
            outcome, error = _measurement(
                db, group, number, _day(on), _decimal(weight), _decimal(height), notes
            )
            if not error and group.created and group.first_line == number:
                kota_code = places.kota_of[posyandu_id][1]
                notes.extend(
                    nik_warnings(
                        group.nik, birth_date=group.birth_date, sex=group.sex, kota_code=kota_code
                    )
                )
            updates.append((_listed([error] if error else []), _listed(notes), outcome, number))
        db.executemany(
            "UPDATE line SET errors = ?, notes = ?, outcome = ? WHERE number = ?", updates
        )
        store.commit()


def _measurement(
    db: Any,
    group: _Group,
    number: int,
    on: dt.date | None,
    weight: Decimal | None,
    height: Decimal | None,
    notes: list[str],
) -> tuple[str, str]:
    """(outcome, "") or ("", why the line is bad), for one good line of ``group``."""
    is_first = group.created and group.first_line == number
    if on is None and weight is None and height is None:
        return ("child_created" if is_first else "child_matched"), ""
    assert on is not None
    if on < group.birth_date:
        return "", _("Tanggal Pengukuran %(m)s sebelum tanggal lahir anak %(b)s") % {
            "m": format_date(on),
            "b": format_date(group.birth_date),
        }
    period = on.replace(day=1).toordinal()
    before = (
        db.execute(
            "SELECT measured_on, weight, height FROM stored_visit WHERE pk = ? AND period = ?",
            (group.pk, period),
        ).fetchone()
        if group.pk is not None
        else None
    )
    if before is not None:
        stored = (dt.date.fromordinal(before[0]), _decimal(before[1]), _decimal(before[2]))
        if _same(on, weight, height, stored):
            return "already_present", ""
        return "", _(
            "Anak ini sudah punya pengukuran lain bulan itu "
            "(%(d)s, BB %(w)s, TB %(h)s): satu pengukuran per bulan"
        ) % {
            "d": format_date(stored[0]),
            "w": read.text(stored[1]) or "-",
            "h": read.text(stored[2]) or "-",
        }
    earlier = db.execute(
        "SELECT number, measured_on, weight, height FROM seen WHERE group_id = ? AND period = ?",
        (group.id, period),
    ).fetchone()
    if earlier is not None:
        if _same(
            on,
            weight,
            height,
            (dt.date.fromordinal(earlier[1]), _decimal(earlier[2]), _decimal(earlier[3])),
        ):
            notes.append(_("sama dengan baris %(n)d") % {"n": earlier[0]})
            return "already_present", ""
        return "", _("Pengukuran lain anak ini di bulan yang sama ada di baris %(n)d") % {
            "n": earlier[0]
        }
    db.execute(
        "INSERT INTO seen VALUES (?, ?, ?, ?, ?, ?)",
        (group.id, period, number, on.toordinal(), _stored_text(weight), _stored_text(height)),
    )
    return ("child_created" if is_first else "visit_created"), ""


# --- writing ---------------------------------------------------------------------------

_IN_FILE: Final = "EXISTS (SELECT 1 FROM line WHERE line.group_id = g.id)"


def _write(result: ImportResult, places: _Posyandu, user: User | None, progress: Progress) -> None:
    store = result.store
    # Only stored children given a new visit change (matched ones without one do not).
    existing = [
        pk
        for (pk,) in store.db.execute(
            "SELECT DISTINCT g.pk FROM line JOIN child_group g ON g.id = line.group_id "
            "WHERE line.outcome = 'visit_created' AND NOT g.created ORDER BY g.pk"
        )
    ]
    new_children = store.one(f"SELECT count(*) FROM child_group g WHERE g.created AND {_IN_FILE}")
    today = timezone.localdate()
    actor = user if user is not None and user.is_authenticated else None
    if new_children or existing:
        with children_write(existing) as write:
            created = _create_children(store, new_children, places, actor, today, progress)
            _write_visits(store, actor, progress)
            refresh_weight_gains(existing)
            write.child_ids = sorted({*existing, *created})
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
    store: Store,
    total: int,
    places: _Posyandu,
    actor: User | None,
    today: dt.date,
    progress: Progress,
) -> list[int]:
    """Insert the new children in bulk, a batch at a time; each group gets its child's id."""
    created: list[int] = []
    for groups in _whole_children(
        store,
        "SELECT g.id, g.birth_date, g.sex, g.nik, g.first_line, "
        "(SELECT count(*) FROM line WHERE line.group_id = g.id) FROM child_group g "
        f"WHERE g.created AND {_IN_FILE} AND {{after}} ORDER BY g.id",
    ):
        ids = [g[0] for g in groups]
        pks = _insert_children(groups, _lines_in(store, "line.group_id", ids), places, actor, today)
        store.db.executemany(
            "UPDATE child_group SET pk = ? WHERE id = ?", list(zip(pks, ids, strict=True))
        )
        store.commit()
        created.extend(pks)
        progress("children", len(created), total)
    return created


def _lines_in(store: Store, column: str, keys: list[Any]) -> list[Line]:
    """The lines whose ``column`` is one of ``keys`` (one batch), in file order."""
    return [
        _decode(row)
        for row in store.db.execute(
            f"SELECT {_LINE_SELECT} {_LINE_FROM} WHERE {column} IN "
            f"({', '.join(['?'] * len(keys))}) ORDER BY line.number",
            keys,
        )
    ]


def _whole_children(store: Store, sql: str) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of ``sql`` (one per child, its number of lines last) in batches of
    whole children of at most ``LINE_BATCH`` lines (a child with more: alone)."""
    batch: list[tuple[Any, ...]] = []
    lines = 0
    for rows in store.batches(sql, size=LINE_BATCH):
        for row in rows:
            if batch and lines + row[-1] > LINE_BATCH:
                yield batch
                batch, lines = [], 0
            batch.append(row)
            lines += row[-1]
    if batch:
        yield batch


def _insert_children(
    groups: list[tuple[Any, ...]],
    batch: list[Line],
    places: _Posyandu,
    actor: User | None,
    today: dt.date,
) -> list[int]:
    """Insert one batch of new children (``batch``: their lines); their ids, in order."""
    lines: dict[int | None, list[Line]] = defaultdict(list)
    for line in batch:
        lines[line.group_id].append(line)
    columns: dict[str, list[Any]] = defaultdict(list)
    for gid, birth, sex, nik, first_line, _lines in groups:
        birth_date = dt.date.fromordinal(birth)
        own = lines[gid]
        latest = max(own, key=lambda ln: (ln.measured_on or dt.date.min, ln.number))
        first = next(ln for ln in own if ln.number == first_line)
        aged_out = completed_months(birth_date, today) >= BALITA.max_completed_months
        values = {
            "local_id": new_local_id(),
            "name": " ".join(first.name.split()),
            "sex": sex,
            "birth_date": birth_date,
            "birth_weight_kg": _first(own, "birth_weight"),
            "birth_length_cm": _first(own, "birth_length"),
            "nik": nik,
            "mother_name": " ".join(first.mother_name.split()),
            "address": latest.address or first.address,
            "rt": latest.rt,
            "rw": latest.rw,
            "kelurahan_id": places.kelurahan_of[latest.posyandu_id],
            "posyandu_id": latest.posyandu_id,
            "has_kia_book": latest.kia,
            "status": str(ChildStatus.AGED_OUT if aged_out else ChildStatus.ACTIVE),
            "status_date": BALITA.aged_out_on(birth_date) if aged_out else None,
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
    return [ids[local_id] for local_id in local_ids]


def _first(lines: list[Line], name: str) -> Decimal | None:
    for line in lines:
        value = getattr(line, name)
        if value is not None:
            return Decimal(value)
    return None


def _write_visits(store: Store, actor: User | None, progress: Progress) -> None:
    """Insert the new visits with everything derived from them, computed over
    each child's whole history (stored visits and new ones, in date order),
    a batch of lines at a time: memory stays that of one batch."""
    new = f"{_NEW_VISIT_SQL} AND {_HAS_MEASUREMENT}"
    total = store.one(f"SELECT count(*) FROM line WHERE {new}")
    if not total:
        return
    policies = PoliciesInForce.load()
    done = 0
    progress("visits", 0, total)
    for children in _whole_children(
        store,
        "SELECT g.pk, g.sex, g.birth_date, g.created, count(*) FROM line "
        f"JOIN child_group g ON g.id = line.group_id WHERE {new} AND {{after}} "
        "GROUP BY g.pk ORDER BY g.pk",
    ):
        people = {pk: (sex, dt.date.fromordinal(birth)) for pk, sex, birth, _c, _n in children}
        stored = [pk for pk, _s, _b, created, _n in children if not created]
        visit_ids = _write_visit_batch(
            _lines_in(store, f"{new} AND g.pk", list(people)), people, stored, actor, policies
        )
        store.db.executemany("UPDATE line SET visit_id = ? WHERE number = ?", visit_ids)
        store.commit()
        done += len(visit_ids)
        progress("visits", done, total)


def _write_visit_batch(
    new: list[Line],
    people: dict[int, tuple[int, dt.date]],
    existing: list[int],
    actor: User | None,
    policies: PoliciesInForce,
) -> list[tuple[int | None, int]]:
    """Insert one batch's visits; (visit id, line number) of each."""
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
        assert line.child_pk is not None and line.measured_on is not None
        position = line.position
        if line.height is not None and not position:
            birth = people[line.child_pk][1]
            position = position_for_age((line.measured_on - birth).days)
        rows.append(
            (
                line.child_pk,
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
    for chunk in bulk.batched(sorted(people), CHUNK):
        for pk, child_id, measured_on in Visit.objects.filter(child_id__in=chunk).values_list(
            "pk", "child_id", "measured_on"
        ):
            ids[(child_id, measured_on)] = pk
    return [
        (ids.get((line.child_pk, line.measured_on)), line.number)
        for line in added
        if line.child_pk is not None and line.measured_on is not None
    ]


def _f(value: Decimal | float | None) -> float:
    return np.nan if value is None else float(value)
