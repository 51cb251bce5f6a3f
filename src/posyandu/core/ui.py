"""UI plumbing shared by every app: typed dates and decimals, formatting, form errors.

One implementation each: a date typed as DD/MM/YYYY, a decimal typed with a
comma, a number shown with a decimal comma, a service's ``ValidationError``
put on the form's fields. Apps import these; none keeps its own copy.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

EARLIEST_DATE = dt.date(1900, 1, 1)
"""No date the app records lies before this: an earlier year is a typing error."""

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"]


# --- formatting --------------------------------------------------------------


def decimal_comma(value: Decimal | float | int | str | None, places: int | None = None) -> str:
    """A number with a decimal comma: ``10.4`` -> ``"10,4"``; ``places`` fixes the decimals."""
    if value is None or value == "":
        return ""
    text = f"{float(value):.{places}f}" if places is not None else str(value)
    return text.replace(".", ",")


def format_date(value: dt.date | None) -> str:
    """A date as the KIA book writes it: DD/MM/YYYY."""
    return value.strftime("%d/%m/%Y") if value is not None else ""


# --- form fields ---------------------------------------------------------------


def date_text_widget(**attrs: str) -> forms.DateInput:
    """A text box showing DD/MM/YYYY on every phone.

    ``type=date`` follows the phone's language (11/24/2026 on an English
    phone), unlike every other date on the site. The number pad has "-" and
    "." but no "/" on many phones, so 24-11-2026 and 24.11.2026 are accepted
    too, as is ISO 2026-11-24.
    """
    return forms.DateInput(
        format="%d/%m/%Y",
        attrs={"placeholder": "DD/MM/YYYY", "autocomplete": "off", "class": "date", **attrs},
    )


class DateDMYField(forms.DateField):
    """A date typed as DD/MM/YYYY (YYYY-MM-DD, DD-MM-YYYY, DD.MM.YYYY also accepted).

    A year before 1900 is refused here, at parsing, so no page or service ever
    receives year 1 from a typo.
    """

    default_error_messages = {
        "invalid": _("Tanggal tidak dikenali. Tulis hari/bulan/tahun, misalnya 31/01/2024."),
        "too_early": _("Tahun %(year)d tidak masuk akal: periksa tahunnya."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", DATE_INPUT_FORMATS)
        kwargs.setdefault("widget", date_text_widget())
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> dt.date | None:
        day = super().to_python(value)
        if day is not None and day < EARLIEST_DATE:
            raise forms.ValidationError(
                self.error_messages["too_early"], code="too_early", params={"year": day.year}
            )
        return day


class DecimalCommaField(forms.DecimalField):
    """A decimal that accepts "10,4" as well as "10.4", in any UI language.

    Kader write weights with a comma; a thousands separator never occurs in a
    child's weight or length, so a comma is always the decimal mark here.
    ``bounds`` (low, high), if given, refuse a value outside them with the
    range in the message.
    """

    widget = forms.TextInput

    def __init__(
        self,
        *,
        invalid_message: str | _StrPromise,
        bounds: tuple[Decimal, Decimal] | None = None,
        unit: str = "",
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.bounds = bounds
        self.unit = unit
        self.error_messages["invalid"] = invalid_message
        self.error_messages["max_decimal_places"] = _(
            "Paling banyak %(max)s angka di belakang koma."
        )
        self.error_messages["max_digits"] = invalid_message
        self.error_messages["max_whole_digits"] = invalid_message

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        # inputmode gives the phone's number pad with a comma key; type=number
        # would reject the comma in some browsers and lose what was typed.
        attrs.pop("step", None)
        attrs.pop("max", None)
        attrs.pop("min", None)
        attrs.update({"inputmode": "decimal", "autocomplete": "off"})
        return attrs

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        text = str(value).strip().replace(" ", "").replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not number.is_finite():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return number

    def validate(self, value: Decimal | None) -> None:
        super().validate(value)  # type: ignore[arg-type]
        if value is None or self.bounds is None:
            return
        low, high = self.bounds
        if not (low <= value <= high):
            raise forms.ValidationError(out_of_bounds_message(value, low, high, self.unit))


def out_of_bounds_message(value: Decimal | float, low: Decimal, high: Decimal, unit: str) -> str:
    """The one wording of "this number is impossible, type one between low and high"."""
    suffix = f" {unit}" if unit else ""
    return str(
        _("%(value)s%(unit)s tidak mungkin; isi antara %(low)s dan %(high)s%(unit)s.")
        % {
            "value": decimal_comma(value),
            "unit": suffix,
            "low": decimal_comma(low),
            "high": decimal_comma(high),
        }
    )


# --- validation shared by services ------------------------------------------------


def check_date(
    value: dt.date | None,
    *,
    field: str,
    future_message: str | _StrPromise,
    allow_future: bool = False,
) -> None:
    """Refuse (``ValidationError`` on ``field``) a date before 1900 or, unless
    ``allow_future``, after today: the one date-range rule of every service."""
    if value is None:
        return
    if value < EARLIEST_DATE:
        raise ValidationError(
            {field: _("Tahun %(year)d tidak masuk akal: periksa tahunnya.") % {"year": value.year}}
        )
    if not allow_future and value > timezone.localdate():
        raise ValidationError({field: str(future_message)})


# --- form errors ---------------------------------------------------------------


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's ``ValidationError`` on the form: per field where it names one."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# --- query strings -----------------------------------------------------------------

MAX_ID = 2**63 - 1


def query_id(raw: str | None) -> int | None:
    """A database id from a query string, or None when absent or not one.

    Only ASCII digits count ("²".isdigit() is true, ``int("²")`` fails) and
    the number must fit a database id.
    """
    if not raw or not (raw.isascii() and raw.isdigit()):
        return None
    value = int(raw)
    return value if 0 < value <= MAX_ID else None


class IdConverter:
    """``<id:pk>`` in a URL: a database id (1 to 18 digits), so a huge number is a
    404 like any missing record, never an overflow in the database driver."""

    regex = "[1-9][0-9]{0,17}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(int(value))


def query_text(raw: str | None, max_length: int = 100) -> str:
    """A search text from a query string: printable characters only (no NUL, which
    PostgreSQL refuses), spaces collapsed, at most ``max_length`` characters."""
    text = "".join(ch for ch in (raw or "") if ch.isprintable())
    return " ".join(text.split())[:max_length]


# --- months in query strings ---------------------------------------------------------


def month_from_query(raw: str | None, *, this_month: dt.date, default: dt.date) -> dt.date:
    """The month asked for with ``?bulan=YYYY-MM``: ``default`` when absent,
    unreadable or before 1900; never after ``this_month``."""
    try:
        period = dt.datetime.strptime(raw or "", "%Y-%m").date()
    except ValueError:
        return default
    if period < EARLIEST_DATE:
        return default
    return min(period, this_month)


def month_nav(period: dt.date, *, this_month: dt.date) -> dict[str, object]:
    """The month picker's context: this month, the previous and next ones (no next
    beyond ``this_month``)."""
    previous = (period - dt.timedelta(days=1)).replace(day=1)
    following = (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return {
        "period": period,
        "bulan": period.strftime("%Y-%m"),
        "prev_bulan": previous.strftime("%Y-%m"),
        "next_bulan": following.strftime("%Y-%m") if period < this_month else "",
        "max_bulan": this_month.strftime("%Y-%m"),
    }
