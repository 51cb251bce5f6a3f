"""The values of an e-PPGBM file or spreadsheet, as real files write them.

Each reader takes a cell as the file holds it (text, a number, a date cell)
and returns the value, or raises :class:`BadValue` with the reason a user
can act on. Decimal commas, weights in grams, NIKs stored as numbers (whose
last digits Excel may have dropped) or masked with ``*``, ``L``/``P`` or
``Laki-laki``/``Perempuan``, ``Berdiri``/``Terlentang``/``Telentang`` in any
case and spacing, and dates as ``DD-MM-YYYY``, ``DD/MM/YYYY``, ISO, Excel
serial numbers or date cells are all read.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, Final

from django.utils.translation import gettext as _

from posyandu.children.models import Sex
from posyandu.children.nik import normalise_nik
from posyandu.children.selectors import normalise_name
from posyandu.measurements.models import Kpsp, Position
from posyandu.policy import EPPGBM_IMPORT


class BadValue(ValueError):
    """A cell that cannot be read; the message says why."""


EXCEL_EPOCH: Final = dt.date(1899, 12, 30)
"""Day 0 of Excel's (Windows, 1900) date serial numbers."""
LAST_EXCEL_SERIAL: Final = 2958465
"""31/12/9999, Excel's last date."""


def text(cell: Any) -> str:
    """A cell as text: numbers without a spurious ``.0``, spaces collapsed."""
    if cell.__class__ is str:
        return " ".join(cell.split())
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime):
        cell = cell.date()
    if isinstance(cell, dt.date):
        return cell.strftime("%d-%m-%Y")
    return " ".join(str(cell).split())


_DATE_FORMS: Final = (
    re.compile(r"(?P<d>\d{1,2})[-/.](?P<m>\d{1,2})[-/.](?P<y>\d{4})"),
    re.compile(r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?:[ T][\d:.]+)?"),
)


@lru_cache(maxsize=65536)
def _date_text(raw: str) -> dt.date:
    if raw.isascii() and raw.isdigit():
        return _serial(float(raw))
    for form in _DATE_FORMS:
        found = form.fullmatch(raw)
        if found:
            try:
                return dt.date(int(found["y"]), int(found["m"]), int(found["d"]))
            except ValueError:
                raise BadValue(_("tanggal %(v)s tidak ada di kalender") % {"v": raw}) from None
    raise BadValue(
        _("%(v)s bukan tanggal (tulis DD-MM-YYYY, misalnya 05-03-2024)") % {"v": raw[:40]}
    )


def _serial(number: float) -> dt.date:
    if not (1 <= number <= LAST_EXCEL_SERIAL) or not float(number).is_integer():
        raise BadValue(_("%(v)s bukan tanggal") % {"v": text(number)})
    return EXCEL_EPOCH + dt.timedelta(days=int(number))


def date(cell: Any) -> dt.date | None:
    """A date cell, an Excel serial number, or text in one of the usual forms."""
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    if isinstance(cell, bool):
        raise BadValue(_("%(v)s bukan tanggal") % {"v": cell})
    if isinstance(cell, int | float):
        return _serial(float(cell))
    raw = text(cell)
    return _date_text(raw) if raw else None


def number(cell: Any) -> Decimal | None:
    """A number with a decimal comma or point (``8,5``, ``8.5``, ``1.234,5``)."""
    if isinstance(cell, bool):
        raise BadValue(_("%(v)s bukan angka") % {"v": cell})
    if isinstance(cell, int | float):
        if cell != cell or cell in (float("inf"), float("-inf")):
            raise BadValue(_("bukan angka"))
        return Decimal(repr(cell)) if isinstance(cell, float) else Decimal(cell)
    raw = text(cell).replace(" ", "")
    if not raw or raw == "-":
        return None
    if "," in raw and "." in raw:
        # The later one is the decimal separator, the other groups thousands.
        thousands = "." if raw.rfind(",") > raw.rfind(".") else ","
        raw = raw.replace(thousands, "")
    raw = raw.replace(",", ".")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise BadValue(_("%(v)s bukan angka") % {"v": text(cell)[:40]}) from None
    if not value.is_finite():
        raise BadValue(_("%(v)s bukan angka") % {"v": text(cell)[:40]})
    return value


def weight_kg(cell: Any) -> Decimal | None:
    """A weight in kilograms; a value over the policy's limit was written in grams."""
    value = number(cell)
    if value is not None and value > EPPGBM_IMPORT.grams_above:
        value = value / 1000
    return value


_SEX: Final = {
    "l": Sex.MALE,
    "lk": Sex.MALE,
    "lakilaki": Sex.MALE,
    "laki": Sex.MALE,
    "pria": Sex.MALE,
    "p": Sex.FEMALE,
    "pr": Sex.FEMALE,
    "perempuan": Sex.FEMALE,
    "wanita": Sex.FEMALE,
}


def sex(cell: Any) -> int:
    raw = re.sub(r"[^a-z]", "", text(cell).lower())
    if raw in _SEX:
        return int(_SEX[raw])
    raise BadValue(
        _("jenis kelamin %(v)s tidak dikenal (tulis L atau P)") % {"v": text(cell)[:20] or "-"}
    )


_POSITION: Final = {
    "berdiri": Position.STANDING,
    "tinggibadan": Position.STANDING,
    "tb": Position.STANDING,
    "terlentang": Position.LYING,
    "telentang": Position.LYING,
    "tidur": Position.LYING,
    "panjangbadan": Position.LYING,
    "pb": Position.LYING,
}


def position(cell: Any) -> str:
    """``"h"`` (standing), ``"l"`` (lying) or ``""`` (not given: from the age)."""
    raw = re.sub(r"[^a-z]", "", text(cell).lower())
    if not raw:
        return ""
    for word, code in _POSITION.items():
        if raw == word or raw.startswith(word):
            return str(code)
    raise BadValue(
        _("cara ukur %(v)s tidak dikenal (tulis Berdiri atau Terlentang)") % {"v": text(cell)[:30]}
    )


_KPSP: Final = {k.label.lower(): str(k.value) for k in Kpsp} | {
    str(k.value): str(k.value) for k in Kpsp
}


def kpsp(cell: Any) -> str:
    raw = normalise_name(text(cell))
    if not raw or raw == "-":
        return ""
    if raw in _KPSP:
        return _KPSP[raw]
    raise BadValue(_("KPSP %(v)s tidak dikenal") % {"v": text(cell)[:30]})


def yes_no(cell: Any, *, default: bool) -> bool:
    raw = normalise_name(text(cell))
    if not raw or raw == "-":
        return default
    if raw in ("ya", "y", "ada", "punya", "1", "true", "yes"):
        return True
    if raw in ("tidak", "t", "tidak ada", "tdk", "0", "false", "no", "belum"):
        return False
    raise BadValue(_("%(v)s bukan Ya atau Tidak") % {"v": text(cell)[:20]})


def count(cell: Any) -> int:
    value = number(cell)
    if value is None:
        return 0
    if value < 0 or value != value.to_integral_value():
        raise BadValue(_("%(v)s bukan jumlah") % {"v": text(cell)[:20]})
    return int(value)


def nik(cell: Any) -> tuple[str, str]:
    """(the NIK if usable else ``""``, why it is not usable or ``""``).

    A NIK saved by Excel as a number keeps only 15 significant digits: one
    that ends in a zero past them may have lost its last digits, and one in
    scientific notation has; a NIK masked with ``*`` identifies no one.
    """
    if isinstance(cell, bool):
        return "", _("NIK tidak terbaca")
    if isinstance(cell, int | float):
        if isinstance(cell, float) and not cell.is_integer():
            return "", _("NIK tersimpan sebagai angka desimal (digit hilang)")
        digits = str(int(cell))
        if (
            len(digits) > EPPGBM_IMPORT.excel_digits
            and digits[EPPGBM_IMPORT.excel_digits :].strip("0") == ""
        ):
            return "", _(
                "NIK tersimpan sebagai angka di Excel: digit terakhirnya mungkin hilang (%(v)s)"
            ) % {"v": digits}
        return _checked(digits)
    raw = text(cell)
    if not raw or raw == "-":
        return "", ""
    if re.fullmatch(r"[\d.,]+[eE][+]?\d+", raw.replace(" ", "")):
        return "", _("NIK dalam notasi ilmiah (%(v)s): digitnya hilang") % {"v": raw[:30]}
    if re.search(r"[*xX]", raw):
        return "", _("NIK disamarkan (%(v)s): tidak dapat dipakai") % {"v": raw[:30]}
    return _checked(normalise_nik(raw))


def _checked(digits: str) -> tuple[str, str]:
    if len(digits) != 16:
        return "", _("NIK %(n)d angka, bukan 16: tidak dipakai") % {"n": len(digits)}
    return digits, ""
