"""``posyandu zscore INPUT.csv -o OUTPUT.csv``: WHO 2006 z-scores for a CSV file.

The input needs a header row with a ``sex`` column and an age: ``age_days``,
``age_months`` or ``birth_date`` with ``measure_date`` (tried in that order
for each row; a blank cell falls through to the next source, a cell that
cannot be read does not). Every other recognised column is optional:
``weight_kg, height_cm, measure, oedema, head_cm, muac_cm, triceps_mm,
subscapular_mm``. Column names are matched without regard to case or
surrounding spaces; the columns may come in any order.

The output is the input, every cell passed through in place, followed by
:data:`OUTPUT_COLUMNS`. Choices worth knowing:

* An input column already named like an output column (``age_days`` is
  both, and a file that went through this command once has them all) is
  kept as it is; the computed column gets the suffix ``_calc``.
* ``cat_*`` is blank where the z-score is flagged as implausible: WHO leaves
  flagged values out of prevalence, so a category there would count a
  measurement error as a sick child.
* A bad row never stops the run: its reasons go to ``problems``. A row with
  too few cells is read with the missing cells blank; a row with extra
  non-blank cells (usually an unquoted decimal comma that shifted every
  value after it) gets no z-score at all, and the extra cells are quoted in
  ``problems`` so that nothing is lost.
* The delimiter is ``,`` unless the header only makes sense split on ``;``
  or a tab (spreadsheets in a decimal-comma locale write ``;``); the output
  uses the input's delimiter.
* Bytes that are not UTF-8 pass through unchanged (surrogateescape), so an
  old spreadsheet export in another encoding still round-trips.

A file that cannot be used at all exits with status 2 and one line on
stderr. The file is processed in chunks of :data:`CHUNK_ROWS` rows, so
memory stays flat however long it is; a named output file is written to a
temporary file beside it and renamed at the end, so a failed run never
leaves half a file behind (and reading and writing the same file is safe).
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import gc
import io
import math
import os
import re
import stat
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import cache
from itertools import chain, islice, repeat
from operator import contains, itemgetter
from typing import Final, Literal, TextIO

import numpy as np
import numpy.typing as npt

from posyandu.growth import INDICATORS, Problem, compute_zscores, describe_problems, months_to_days
from posyandu.growth.classify import CLASSIFIED_INDICATORS, classify_codes
from posyandu.growth.zscores import SEX_CODES

FloatArray = npt.NDArray[np.float64]

CHUNK_ROWS: Final = 50_000
"""Rows per chunk: large enough that numpy's per-call overhead vanishes,
small enough that memory stays under 200 MB (measured: 190 MB for one
million rows and for five million alike)."""

CLASSIFIED: Final = CLASSIFIED_INDICATORS
"""Indicators with a Permenkes 2/2020 category."""

OUTPUT_COLUMNS: Final = (
    "age_days",
    "height_adj_cm",
    "bmi",
    *(f"z_{i}" for i in INDICATORS),
    *(f"flag_{i}" for i in INDICATORS),
    *(f"cat_{i}" for i in CLASSIFIED),
    "problems",
)

CLASH_SUFFIX: Final = "_calc"

NUMBER_COLUMNS: Final = {
    # column -> what the problem text calls it (the engine's own words)
    "age_days": "age_days",
    "age_months": "age_months",
    "weight_kg": "weight",
    "height_cm": "height",
    "head_cm": "head circumference",
    "muac_cm": "arm circumference",
    "triceps_mm": "triceps skinfold",
    "subscapular_mm": "subscapular skinfold",
}
MEASUREMENT_COLUMNS: Final = ("head_cm", "muac_cm", "triceps_mm", "subscapular_mm")
KNOWN_COLUMNS: Final = frozenset(
    {"sex", "measure", "oedema", "birth_date", "measure_date", *NUMBER_COLUMNS}
)

MEASURE_BLANK, MEASURE_LYING, MEASURE_STANDING, MEASURE_BAD = 0, 1, 2, 3
MEASURE_FOR_ENGINE: Final = np.array(["", "l", "h", ""])
MEASURE_CODES: Final = {
    "": MEASURE_BLANK,
    "l": MEASURE_LYING,
    "lying": MEASURE_LYING,
    "terlentang": MEASURE_LYING,
    "telentang": MEASURE_LYING,
    "h": MEASURE_STANDING,
    "standing": MEASURE_STANDING,
    "berdiri": MEASURE_STANDING,
}
OEDEMA_NO, OEDEMA_YES, OEDEMA_BAD = 0, 1, 2
OEDEMA_CODES: Final = {
    "": OEDEMA_NO,
    "n": OEDEMA_NO,
    "no": OEDEMA_NO,
    "tidak": OEDEMA_NO,
    "0": OEDEMA_NO,
    "false": OEDEMA_NO,
    "y": OEDEMA_YES,
    "yes": OEDEMA_YES,
    "ya": OEDEMA_YES,
    "1": OEDEMA_YES,
    "true": OEDEMA_YES,
}
ISO_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")

# Parsed cells are floats so that one memo type serves every column:
# NaN = blank, +inf = present but unusable (a real measurement is finite).
BLANK: Final = math.nan
BAD: Final = math.inf

MEMO_MAX_ENTRIES: Final = 200_000


class CsvProblem(enum.IntFlag):
    """Why a cell could not be read; the engine's :class:`Problem` says the rest."""

    SEX = enum.auto()
    AGE_DAYS = enum.auto()
    AGE_MONTHS = enum.auto()
    BIRTH_DATE = enum.auto()
    MEASURE_DATE = enum.auto()
    WEIGHT = enum.auto()
    HEIGHT = enum.auto()
    MEASURE = enum.auto()
    OEDEMA = enum.auto()
    HEAD = enum.auto()
    MUAC = enum.auto()
    TRICEPS = enum.auto()
    SUBSCAPULAR = enum.auto()


NUMBER_PROBLEM: Final = {
    "age_days": CsvProblem.AGE_DAYS,
    "age_months": CsvProblem.AGE_MONTHS,
    "weight_kg": CsvProblem.WEIGHT,
    "height_cm": CsvProblem.HEIGHT,
    "head_cm": CsvProblem.HEAD,
    "muac_cm": CsvProblem.MUAC,
    "triceps_mm": CsvProblem.TRICEPS,
    "subscapular_mm": CsvProblem.SUBSCAPULAR,
}

CSV_PROBLEM_TEXT: Final[dict[CsvProblem, str]] = {
    CsvProblem.SEX: "sex not recognised (1/M/L or 2/F/P)",
    **{NUMBER_PROBLEM[c]: f"{NUMBER_COLUMNS[c]} not a number" for c in NUMBER_PROBLEM},
    CsvProblem.BIRTH_DATE: "birth_date not a date (YYYY-MM-DD)",
    CsvProblem.MEASURE_DATE: "measure_date not a date (YYYY-MM-DD)",
    CsvProblem.MEASURE: "measure not recognised (position assumed from age)",
    CsvProblem.OEDEMA: "oedema not recognised (y/n): no weight-based z-score",
}
AGE_PROBLEMS: Final = (
    CsvProblem.AGE_DAYS | CsvProblem.AGE_MONTHS | CsvProblem.BIRTH_DATE | CsvProblem.MEASURE_DATE
)


class UnusableInput(Exception):
    """The file as a whole cannot be used; the message is shown to the user."""


def run(input_path: str, output_path: str) -> int:
    """Read ``input_path``, write ``output_path`` (``-`` = stdin/stdout); the exit status."""
    # Every row is a fresh list, so a chunk triggers many garbage collections
    # that each walk all the rows still alive: a third of the run time for
    # nothing, as no reference cycle is ever made here.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _run(input_path, output_path)
    finally:
        if collecting:
            gc.enable()


def _run(input_path: str, output_path: str) -> int:
    try:
        with _open_input(input_path) as source:
            input_name = "standard input" if input_path == "-" else input_path
            layout, header_lines = _read_header(source, input_name)
            chunks = _ChunkReader(source, layout.delimiter, input_name, header_lines)
            with _open_output(output_path) as target:
                target.write(_render(layout.output_header, layout.delimiter) + "\n")
                memos = _Memos()
                for chunk in chunks:
                    computed = _zscore_cells(chunk, layout, memos)
                    _write_chunk(target, chunk, computed, layout.delimiter)
    except UnusableInput as error:
        print(f"posyandu zscore: error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # `posyandu zscore big.csv | head`: the reader has all it wants.
        _silence_stdout()
        return 1
    return 0


@dataclass(frozen=True)
class Layout:
    """Where the recognised columns are, and what the output header is."""

    delimiter: str
    width: int
    index: dict[str, int]
    output_header: list[str]


def _read_header(source: TextIO, input_name: str) -> tuple[Layout, int]:
    """The layout, and how many lines it took (blank lines before the header)."""
    line = source.readline()
    lines_read = 1
    while line and not line.strip():
        line = source.readline()
        lines_read += 1
    if not line:
        raise UnusableInput(f"{input_name} is empty (no header row)")
    header: list[str] = []
    names: list[str] = []
    delimiter = ","
    # Prefer the comma; try the others only when the comma gives no `sex`.
    for candidate in (",", ";", "\t"):
        cells = next(csv.reader([line], delimiter=candidate))
        normalised = [cell.strip().lower() for cell in cells]
        if candidate == "," or "sex" in normalised:
            header, names, delimiter = cells, normalised, candidate
        if "sex" in normalised:
            break
    index: dict[str, int] = {}
    for position, name in enumerate(names):
        if name not in KNOWN_COLUMNS:
            continue
        if name in index:
            raise UnusableInput(
                f"{input_name}: column {name!r} appears twice "
                f"(columns {index[name] + 1} and {position + 1})"
            )
        index[name] = position
    if "sex" not in index:
        shown = ", ".join(h.strip() for h in header)
        raise UnusableInput(f"{input_name} has no sex column (columns: {shown})")
    has_dates = "birth_date" in index and "measure_date" in index
    if "age_days" not in index and "age_months" not in index and not has_dates:
        lone = [d for d in ("birth_date", "measure_date") if d in index]
        hint = f" ({lone[0]} alone is not enough)" if lone else ""
        raise UnusableInput(
            f"{input_name} has no age column: need age_days, age_months, "
            f"or birth_date with measure_date{hint}"
        )
    if not has_dates:
        index.pop("birth_date", None)
        index.pop("measure_date", None)
    taken = set(names)
    output_names = []
    for name in OUTPUT_COLUMNS:
        while name in taken:
            name += CLASH_SUFFIX
        taken.add(name)
        output_names.append(name)
    layout = Layout(
        delimiter=delimiter,
        width=len(header),
        index=index,
        output_header=[*header, *output_names],
    )
    return layout, lines_read


@dataclass
class Chunk:
    """Up to :data:`CHUNK_ROWS` rows, as cells and, when they had no quotes,
    as their text (which is then also their output text, saving a re-join)."""

    rows: list[list[str]]
    texts: list[str] | None
    changed: list[int] = field(default_factory=list)
    """Rows whose cells were padded or trimmed, so their text no longer fits."""


class _ChunkReader:
    """The data rows in chunks, parsed by ``str.split`` where that is exact.

    A chunk without a single quote character is plain delimited text: each
    line is one row and splitting on the delimiter gives exactly what the csv
    module would, several times faster. A chunk with quotes goes through
    ``csv.reader``, which reads whole records, so a quoted cell with line
    breaks that runs past the chunk's last line is read to its end and the
    next chunk starts on a record boundary again.
    """

    def __init__(self, source: TextIO, delimiter: str, input_name: str, lines_read: int) -> None:
        self._lines = iter(source)
        self._delimiter = delimiter
        self._input_name = input_name
        self._lines_read = lines_read

    def __iter__(self) -> Iterator[Chunk]:
        while True:
            lines = list(islice(self._lines, CHUNK_ROWS))
            if not lines:
                return
            if '"' in "".join(lines):
                chunk = self._parse_quoted(lines)
            else:
                self._lines_read += len(lines)
                texts = list(map(str.rstrip, lines, repeat("\r\n")))
                if "" in texts:
                    texts = [text for text in texts if text]  # blank lines carry no child
                chunk = Chunk(list(map(str.split, texts, repeat(self._delimiter))), texts)
            if chunk.rows:
                yield chunk

    def _parse_quoted(self, lines: list[str]) -> Chunk:
        reader = csv.reader(chain(lines, self._lines), delimiter=self._delimiter)
        rows = []
        record_start = 1
        try:
            for row in reader:
                if row:  # blank lines carry no child
                    rows.append(row)
                if reader.line_num >= len(lines):
                    break
                record_start = reader.line_num + 1
        except csv.Error as error:
            # Only a broken file gets here, in practice a quote that is never
            # closed swallowing the rest of the file into one cell until the
            # csv module's size limit stops it: no row after it can be trusted.
            line = self._lines_read + record_start
            raise UnusableInput(
                f"{self._input_name}: the row starting on line {line} cannot be read "
                f"({error}; a quote that is never closed?)"
            ) from None
        self._lines_read += reader.line_num
        return Chunk(rows, None)


# --- reading cells --------------------------------------------------------


class _Memo(dict[str, float]):
    """Raw cell -> parsed value. Cells repeat a great deal (weights to 0.1 kg,
    one posyandu day's date, two sexes), so parsing each distinct spelling once
    and looking the rest up is several times faster than numpy's own string
    to float conversion and handles decimal commas and bad cells for free."""

    def __init__(self, parse: Callable[[str], float]) -> None:
        super().__init__()
        self._parse = parse

    def __missing__(self, raw: str) -> float:
        value = self._parse(raw)
        if len(self) < MEMO_MAX_ENTRIES:
            self[raw] = value
        return value


def _parse_number(raw: str) -> float:
    text = raw.strip()
    if not text:
        return BLANK
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return BAD
    return value if math.isfinite(value) else BAD


def _parse_date(raw: str) -> float:
    """Day number of an ISO date; ``fromisoformat`` alone would also take 20240131."""
    text = raw.strip()
    if not text:
        return BLANK
    if not ISO_DATE.fullmatch(text):
        return BAD
    try:
        return float(dt.date.fromisoformat(text).toordinal())
    except ValueError:
        return BAD


def _parse_sex(raw: str) -> float:
    text = raw.strip().upper()
    return SEX_CODES.get(text, BAD) if text else BLANK


def _parse_measure(raw: str) -> float:
    return float(MEASURE_CODES.get(raw.strip().lower(), MEASURE_BAD))


def _parse_oedema(raw: str) -> float:
    return float(OEDEMA_CODES.get(raw.strip().lower(), OEDEMA_BAD))


class _Memos:
    """One memo per kind of cell, kept across chunks of one run."""

    def __init__(self) -> None:
        self.number = _Memo(_parse_number)
        self.date = _Memo(_parse_date)
        self.sex = _Memo(_parse_sex)
        self.measure = _Memo(_parse_measure)
        self.oedema = _Memo(_parse_oedema)


class _Columns:
    """The recognised columns of a chunk, each parsed straight from the rows
    (two C-level maps, no intermediate list of cells)."""

    def __init__(self, rows: list[list[str]], index: dict[str, int]) -> None:
        self._rows = rows
        self._index = index

    def __contains__(self, name: str) -> bool:
        return name in self._index

    def parse(self, name: str, memo: _Memo) -> FloatArray:
        cells = map(itemgetter(self._index[name]), self._rows)
        return np.fromiter(map(memo.__getitem__, cells), dtype=np.float64, count=len(self._rows))


# --- one chunk ------------------------------------------------------------


def _zscore_cells(chunk: Chunk, layout: Layout, memos: _Memos) -> list[list[str]]:
    """The output columns of one chunk (short rows padded, long ones trimmed)."""
    rows = chunk.rows
    n = len(rows)
    notes, void = _fix_row_lengths(chunk, layout.width, layout.delimiter)
    cells = _Columns(rows, layout.index)
    csv_problems = np.zeros(n, dtype=np.uint32)

    def note(mask: npt.NDArray[np.bool_], problem: CsvProblem) -> None:
        csv_problems[mask] |= np.uint32(problem)

    def number(column: str) -> FloatArray | None:
        if column not in cells:
            return None
        values = cells.parse(column, memos.number)
        bad = np.isinf(values)
        note(bad, NUMBER_PROBLEM[column])
        values[bad] = np.nan
        return values

    sex = cells.parse("sex", memos.sex)
    sex_bad = np.isinf(sex)
    note(sex_bad, CsvProblem.SEX)
    sex[sex_bad] = np.nan

    age_days = _age_days(cells, memos, note, n)

    weight = number("weight_kg")
    measure = np.full(n, "")
    if "measure" in cells:
        measure_code = cells.parse("measure", memos.measure).astype(np.intp)
        note(measure_code == MEASURE_BAD, CsvProblem.MEASURE)
        # An unrecognised position is passed on as blank: the engine then
        # assumes the right one for the age, which the problem text says.
        measure = MEASURE_FOR_ENGINE[measure_code]
    oedema = np.zeros(n, dtype=bool)
    if "oedema" in cells:
        oedema_code = cells.parse("oedema", memos.oedema)
        oedema = oedema_code == OEDEMA_YES
        oedema_bad = oedema_code == OEDEMA_BAD
        note(oedema_bad, CsvProblem.OEDEMA)
        if weight is not None:
            weight[oedema_bad] = np.nan

    result = compute_zscores(
        sex=sex,
        age_days=age_days,
        weight_kg=weight,
        height_cm=number("height_cm"),
        measure=measure,
        oedema=oedema,
        **{column: number(column) for column in MEASUREMENT_COLUMNS},
    )

    engine_problems = result["problems"].astype(np.uint64)
    # A cell we could not read already explains the engine's "sex missing" or
    # "age unknown"; saying both would only be noise.
    engine_problems[sex_bad] &= ~np.uint64(Problem.SEX_INVALID)
    engine_problems[(csv_problems & np.uint32(AGE_PROBLEMS)) != 0] &= ~np.uint64(
        Problem.AGE_MISSING
    )
    if void.any():
        for values in result.values():
            if values.dtype.kind == "f":
                values[void] = np.nan
        engine_problems[void] = 0
        csv_problems[void] = 0

    computed: list[list[str]] = [
        _fixed(result["age_days"], 0),
        _fixed(result["height_adj_cm"], 2),
        _fixed(result["bmi"], 2),
    ]
    computed += [_fixed(result[f"z_{i}"], 2) for i in INDICATORS]
    computed.append(_flags([result[f"flag_{i}"] for i in INDICATORS], layout.delimiter))
    for indicator in CLASSIFIED:
        plausible = np.where(result[f"flag_{indicator}"] == 1.0, np.nan, result[f"z_{indicator}"])
        computed.append(np.asarray(classify_codes(indicator, plausible)).tolist())
    computed.append(_problem_texts(csv_problems, engine_problems, notes, layout.delimiter))
    return computed


def _fix_row_lengths(
    chunk: Chunk, width: int, delimiter: str
) -> tuple[dict[int, str], npt.NDArray[np.bool_]]:
    """Pad short rows, trim long ones; say so in ``problems``.

    Returns the notes per row index and a mask of rows whose values cannot be
    trusted (extra non-blank cells: something shifted them).
    """
    rows = chunk.rows
    notes: dict[int, str] = {}
    void = np.zeros(len(rows), dtype=bool)
    if set(map(len, rows)) == {width}:
        return notes, void
    for i, row in enumerate(rows):
        count = len(row)
        if count != width:
            chunk.changed.append(i)
        if count < width:
            row.extend([""] * (width - count))
            notes[i] = f"row has {count} cells, header has {width}: missing cells read as blank"
        elif count > width:
            extra = row[width:]
            del row[width:]
            if any(cell.strip() for cell in extra):
                void[i] = True
                notes[i] = (
                    f"row has {count} cells, header has {width} (an unquoted decimal comma?): "
                    f"no z-score computed; extra cells: {delimiter.join(extra)}"
                )
    return notes, void


def _age_days(
    cells: _Columns,
    memos: _Memos,
    note: Callable[[npt.NDArray[np.bool_], CsvProblem], None],
    n: int,
) -> FloatArray:
    """Age in days from the first source with a cell in each row."""
    age = np.full(n, np.nan)
    undecided = np.ones(n, dtype=bool)
    for column in ("age_days", "age_months"):
        if column not in cells:
            continue
        values = cells.parse(column, memos.number)
        given = undecided & ~np.isnan(values)
        bad = given & np.isinf(values)
        usable = given & ~bad
        note(bad, NUMBER_PROBLEM[column])
        if column == "age_months":
            age[usable] = months_to_days(values[usable])
        else:
            age[usable] = values[usable]
        undecided &= ~given
    if "birth_date" in cells:
        born = cells.parse("birth_date", memos.date)
        measured = cells.parse("measure_date", memos.date)
        given = undecided & ~(np.isnan(born) & np.isnan(measured))
        note(given & np.isinf(born), CsvProblem.BIRTH_DATE)
        note(given & np.isinf(measured), CsvProblem.MEASURE_DATE)
        usable = given & np.isfinite(born) & np.isfinite(measured)
        age[usable] = measured[usable] - born[usable]
    return age


# --- writing cells --------------------------------------------------------

TABLE_LIMIT: Final = 50_000
"""Lookup tables cover ±50,000 units of the last decimal (z to ±500.00,
heights to 500.00 cm, ages to 50,000 days); rarer values are formatted one
by one."""


@cache
def _format_table(decimals: int) -> npt.NDArray[np.object_]:
    """Every value from -TABLE_LIMIT to +TABLE_LIMIT units, then "" (for NaN)."""
    pattern = f"%.{decimals}f"
    scale = 10.0**decimals
    texts = [pattern % (k / scale) for k in range(-TABLE_LIMIT, TABLE_LIMIT + 1)]
    return np.array([*texts, ""], dtype=object)


def _fixed(values: FloatArray, decimals: int) -> list[str]:
    """``"%.<decimals>f"`` of every value, "" for NaN, never ``-0.00``.

    Formatting millions of floats one by one would cost more than the z-scores
    themselves; instead each value becomes an integer count of its last decimal
    and is looked up in a table of pre-formatted strings. A value within a
    millionth of a rounding half (where the multiplication could tip the
    result) goes the slow, exact way.
    """
    table = _format_table(decimals)
    scaled = values * 10.0**decimals
    with np.errstate(invalid="ignore"):
        units = np.rint(scaled)
        fast = (np.abs(scaled - units) < 0.499999) & (np.abs(units) <= TABLE_LIMIT)
    index = np.where(fast, units + TABLE_LIMIT, len(table) - 1).astype(np.intp)
    texts: list[str] = table.take(index).tolist()
    pattern = f"%.{decimals}f"
    for i in np.flatnonzero(~fast & np.isfinite(values)).tolist():
        text = pattern % values[i]
        texts[i] = text[1:] if text.startswith("-") and not text.strip("-0.") else text
    return texts


@cache
def _flag_table(delimiter: str) -> npt.NDArray[np.object_]:
    """All 3**8 combinations of the eight flag cells ("0", "1", ""), joined."""
    cells = ("0", "1", "")
    combos = [
        delimiter.join(cells[(code // 3**k) % 3] for k in range(len(INDICATORS)))
        for code in range(3 ** len(INDICATORS))
    ]
    return np.array(combos, dtype=object)


def _flags(flags: list[FloatArray], delimiter: str) -> list[str]:
    """The eight flag cells of each row as one pre-joined piece of text."""
    code = np.zeros(flags[0].shape, dtype=np.intp)
    for k, flag in enumerate(flags):
        code += np.where(np.isnan(flag), 2, flag).astype(np.intp) * 3**k
    texts: list[str] = _flag_table(delimiter)[code].tolist()
    return texts


@cache
def _problem_text(key: int) -> str:
    csv_mask, engine_mask = key >> 32, key & 0xFFFFFFFF
    parts = [text for flag, text in CSV_PROBLEM_TEXT.items() if csv_mask & flag]
    engine_text = describe_problems(engine_mask)
    if engine_text:
        parts.append(engine_text)
    return "; ".join(parts)


def _problem_texts(
    csv_problems: npt.NDArray[np.uint32],
    engine_problems: npt.NDArray[np.uint64],
    notes: dict[int, str],
    delimiter: str,
) -> list[str]:
    """The ``problems`` cell of each row, quoted for CSV where it must be."""
    keys = (csv_problems.astype(np.uint64) << np.uint64(32)) | engine_problems
    texts = [""] * len(keys)
    with_problems = np.flatnonzero(keys)
    for i, key in zip(with_problems.tolist(), keys[with_problems].tolist(), strict=True):
        texts[i] = _quoted_problem_text(key, delimiter)
    for i, text in notes.items():
        raw = _problem_text(int(keys[i])) if keys[i] else ""
        texts[i] = _quote(f"{text}; {raw}" if raw else text, delimiter)
    return texts


@cache
def _quoted_problem_text(key: int, delimiter: str) -> str:
    return _quote(_problem_text(key), delimiter)


def _write_chunk(target: TextIO, chunk: Chunk, computed: list[list[str]], delimiter: str) -> None:
    """Write a chunk's rows followed by their computed cells, as valid CSV.

    Every computed cell is safe to join as it is (numbers, codes, and a
    ``problems`` text already quoted where needed), and so is the text of an
    unchanged row from a chunk without quotes; only the rows parsed by the
    csv module are checked, and quoted where a cell needs it.
    """
    join = delimiter.join
    if chunk.texts is not None:
        texts = chunk.texts
        for i in chunk.changed:
            texts[i] = join(chunk.rows[i])  # cells without quotes or delimiters
    else:
        texts = list(map(join, chunk.rows))
        for i in _needing_quotes(texts, len(chunk.rows[0]), delimiter).tolist():
            texts[i] = _render(chunk.rows[i], delimiter)
    suffixes = map(join, zip(*computed, strict=True))
    target.write("\n".join(map(join, zip(texts, suffixes, strict=True))))
    target.write("\n")


def _needing_quotes(texts: list[str], width: int, delimiter: str) -> npt.NDArray[np.intp]:
    """Rows whose joined cells hold a quote, a line break or an extra delimiter."""
    n = len(texts)
    special = np.fromiter(map(str.count, texts, repeat(delimiter)), np.intp, n) != width - 1
    for char in ('"', "\n", "\r"):
        special |= np.fromiter(map(contains, texts, repeat(char)), bool, n)
    return np.flatnonzero(special)


def _quote(cell: str, delimiter: str) -> str:
    """A cell as CSV text: quoted, with quotes doubled, if it needs it.

    ``csv.writer`` would leave a lone carriage return unquoted (with a
    ``\\n`` line end), which breaks the row on reading back; this does not.
    """
    if delimiter in cell or '"' in cell or "\n" in cell or "\r" in cell:
        return '"' + cell.replace('"', '""') + '"'
    return cell


def _render(cells: list[str], delimiter: str) -> str:
    return delimiter.join(_quote(cell, delimiter) for cell in cells)


# --- streams --------------------------------------------------------------

ENCODING: Final = "utf-8"
ERRORS: Final = "surrogateescape"


@contextmanager
def _open_input(path: str) -> Iterator[TextIO]:
    if path == "-":
        if not hasattr(sys.stdin, "buffer"):
            yield sys.stdin
            return
        # A fresh wrapper so that the BOM of a spreadsheet export is dropped
        # and newline="" lets the csv module see quoted line breaks.
        stream = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", errors=ERRORS, newline="")
        try:
            yield stream
        finally:
            stream.detach()
        return
    try:
        handle = open(path, encoding="utf-8-sig", errors=ERRORS, newline="")  # noqa: SIM115
    except FileNotFoundError:
        raise UnusableInput(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UnusableInput(f"{path} is a directory, not a CSV file") from None
    except OSError as error:
        raise UnusableInput(f"cannot read {path}: {error.strerror}") from None
    with handle:
        yield handle


@contextmanager
def _open_output(path: str) -> Iterator[TextIO]:
    if path == "-":
        if not hasattr(sys.stdout, "buffer"):
            yield sys.stdout
            return
        sys.stdout.flush()
        stream = io.TextIOWrapper(sys.stdout.buffer, encoding=ENCODING, errors=ERRORS, newline="")
        try:
            yield stream
        finally:
            stream.flush()
            stream.detach()
        return
    try:
        existing: os.stat_result | None = os.stat(path)
    except FileNotFoundError:
        existing = None
    except OSError as error:
        raise UnusableInput(f"cannot write {path}: {error.strerror}") from None
    if existing is not None and stat.S_ISDIR(existing.st_mode):
        raise UnusableInput(f"cannot write {path}: it is a directory")
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        # /dev/null, a named pipe, /dev/stdout: write straight through; a
        # rename would put a regular file in the device's place.
        with _open_for_writing(path, "w", path) as handle:
            yield handle
        return
    real_path = os.path.realpath(path)  # replace a symlink's target, not the link
    temporary = f"{real_path}.{os.getpid()}.tmp"
    with _open_for_writing(temporary, "x", path) as handle:
        try:
            if existing is not None:
                os.chmod(temporary, stat.S_IMODE(existing.st_mode))
            yield handle
        except BaseException:
            handle.close()
            with suppress(OSError):
                os.unlink(temporary)
            raise
    try:
        os.replace(temporary, real_path)
    except OSError as error:
        with suppress(OSError):
            os.unlink(temporary)
        raise UnusableInput(f"cannot write {path}: {error.strerror}") from None


def _open_for_writing(path: str, mode: Literal["w", "x"], shown_path: str) -> TextIO:
    try:
        return open(path, mode, encoding=ENCODING, errors=ERRORS, newline="")
    except OSError as error:
        raise UnusableInput(f"cannot write {shown_path}: {error.strerror}") from None


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that Python's exit-time flush stays quiet."""
    with suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
