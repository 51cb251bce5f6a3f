"""Read a table from the files Puskesmas really hold: .xlsx, .xls, HTML-as-.xls, .csv.

The kind of file is told by its first bytes, not by its name: e-PPGBM saves
HTML tables with an ``.xls`` name, and a CSV may be called anything. Every
row comes with its line number as Excel shows it (the first row of the sheet
is line 1), whatever empty rows or title lines stand above the header.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from django.utils.translation import gettext as _

Cell = Any
"""A cell as the file holds it: str, float, int, bool, date or datetime; '' when empty."""


class UnusableFile(Exception):
    """The file is not a table this import can read (told in one line)."""


@dataclass
class Table:
    kind: str
    """xlsx, xls, html or csv."""
    rows: Iterator[tuple[int, list[Cell]]]
    """(line number as Excel shows it, cells), every non-empty row in order."""


ZIP = b"PK\x03\x04"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read_table(data: bytes) -> Table:
    """The rows of the first sheet (or table) of a file given as bytes.

    Text files are decoded and read as the rows are taken, never held whole
    as text: a large CSV costs its bytes, not its bytes again as a string.
    """
    if not data.strip():
        raise UnusableFile(_("Berkas kosong."))
    if data.startswith(ZIP):
        return Table("xlsx", _workbook_rows(data, "xlsx"))
    if data.startswith(OLE2):
        return Table("xls", _workbook_rows(data, "xls"))
    encoding, has_nul = _encoding(data)
    stream = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    head = stream.read(65536)
    stream.seek(0)
    start = head.lstrip().lower()
    if start.startswith("<") and "<table" in start:
        return Table("html", _html_rows(stream))
    if has_nul:
        raise UnusableFile(_("Berkas ini bukan tabel (Excel, CSV atau HTML)."))
    return Table("csv", _csv_rows(head, stream))


def _workbook_rows(data: bytes, kind: str) -> Iterator[tuple[int, list[Cell]]]:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = book.get_sheet_by_index(0)
    except (CalamineError, ValueError, OSError) as exc:
        raise UnusableFile(
            _("Berkas %(kind)s tidak dapat dibaca (%(error)s).")
            % {"kind": kind, "error": str(exc).splitlines()[0][:120] if str(exc) else "?"}
        ) from None
    # iter_rows() starts at the sheet's first row (empty rows above the data
    # included) but at the first used column: put the empty columns back.
    _first_row, first_col = sheet.start or (0, 0)

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        for offset, row in enumerate(sheet.iter_rows()):
            cells = [""] * first_col + list(row)
            if any(c != "" and c is not None for c in cells):
                yield offset + 1, cells

    return rows()


# --- text files ----------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _encoding(data: bytes) -> tuple[str, bool]:
    """(the encoding a Windows PC wrote the text in, whether the text has a NUL):
    UTF-8 (with or without a BOM), UTF-16 (Excel's "Unicode text"), else
    Windows-1252."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            checked = _scan(data, encoding)
            if checked is not None:
                return encoding, checked
            break
    for encoding in ("utf-8", "cp1252"):
        checked = _scan(data, encoding)
        if checked is not None:
            return encoding, checked
    # cp1252 leaves five bytes undefined; latin-1 reads any byte.
    return "latin-1", b"\x00" in data


SCAN_BYTES = 1 << 20


def _scan(data: bytes, encoding: str) -> bool | None:
    """Whether the decoded text has a NUL, or None if it is not in ``encoding``;
    a slice at a time, keeping none of the text."""
    decoder = codecs.getincrementaldecoder(encoding)()
    view = memoryview(data)
    has_nul = False
    try:
        for start in range(0, len(data), SCAN_BYTES):
            has_nul = "\x00" in decoder.decode(view[start : start + SCAN_BYTES]) or has_nul
        has_nul = "\x00" in decoder.decode(b"", final=True) or has_nul
    except UnicodeDecodeError:
        return None
    return has_nul


def _csv_rows(head: str, stream: io.TextIOWrapper) -> Iterator[tuple[int, list[Cell]]]:
    first_lines = head[:20000].splitlines()[:30]
    delimiter = max((";", ",", "\t"), key=lambda d: sum(line.count(d) for line in first_lines))
    if first_lines and first_lines[0].lower().startswith("sep=") and len(first_lines[0]) == 5:
        # Excel's "sep=;" line names the separator and is not shown as a row.
        delimiter = first_lines[0][4]
        _skip_first_line(stream)
    reader = csv.reader(stream, delimiter=delimiter)

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        # Excel shows each record as one row, blank ones included.
        number = 0
        try:
            for number, row in enumerate(reader, start=1):  # noqa: B007 - read after the loop
                if any(c.strip() for c in row):
                    yield number, row
        except csv.Error as exc:
            raise UnusableFile(
                _("CSV rusak di baris %(line)d: %(error)s") % {"line": number + 1, "error": exc}
            ) from None

    return rows()


_BLOCKS = frozenset(
    {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "br", "li", "pre", "center", "caption"}
)
"""Tags that end a line of text: Excel opens each line of text above a table as a row."""
_UNSHOWN = frozenset({"head", "title", "style", "script"})


class _TableParser(HTMLParser):
    """The cells of the first <table>, each row a list of text (colspan repeated as
    blanks), and ``above``: the rows Excel shows above it (a title, a caption)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self.above = 0
        self._text_above = False
        self._started = False
        self._unshown = 0
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._span = 1
        self._tables = 0
        self._done = False

    def _end_text_above(self) -> None:
        if self._text_above:
            self.above += 1
            self._text_above = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._done:
            return
        if tag in _UNSHOWN:
            self._unshown += 1
        elif tag in _BLOCKS and self._row is None:
            self._end_text_above()
        if tag == "table":
            self._end_text_above()
            self._tables += 1
        elif tag == "tr" and self._tables == 1:
            self._end_text_above()
            self._started = True
            self._finish_row()
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._finish_cell()
            self._cell = []
            span = dict(attrs).get("colspan") or "1"
            self._span = (
                int(span) if span.isascii() and span.isdigit() and 0 < int(span) < 100 else 1
            )
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if self._done:
            return
        if tag in _UNSHOWN:
            self._unshown = max(0, self._unshown - 1)
        elif tag in _BLOCKS and self._row is None:
            self._end_text_above()
        if tag in ("td", "th"):
            self._finish_cell()
        elif tag == "tr":
            self._finish_row()
        elif tag == "table":
            self._finish_row()
            self._tables -= 1
            if self._tables == 0:
                self._done = True

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        elif not self._started and not self._unshown and data.strip():
            # Text before the table's first row: a title line (or the caption).
            self._text_above = True

    def _finish_cell(self) -> None:
        if self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._row.extend([""] * (self._span - 1))
        self._cell = None
        self._span = 1

    def _finish_row(self) -> None:
        self._finish_cell()
        if self._row is not None:
            self.rows.append(self._row)
        self._row = None


def _skip_first_line(stream: io.TextIOWrapper) -> None:
    """Past the first line ended by a line feed (as ``split("\\n", 1)`` would cut)."""
    while (char := stream.read(1)) and char != "\n":
        pass


HTML_CHUNK = 1 << 16


def _html_rows(stream: io.TextIOWrapper) -> Iterator[tuple[int, list[Cell]]]:
    """The rows of the first table, as the text is read (a chunk at a time)."""
    parser = _TableParser()
    number = None
    while True:
        chunk = stream.read(HTML_CHUNK)
        if chunk:
            parser.feed(chunk)
        else:
            parser.close()
            parser._finish_row()
        # Excel opens an HTML table with one sheet row per <tr>, below a row
        # for each line of text above it.
        for row in parser.rows:
            number = parser.above + 1 if number is None else number + 1
            if any(c.strip() for c in row):
                yield number, row
        parser.rows.clear()
        if not chunk:
            return
