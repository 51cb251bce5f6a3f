"""WHO 2006 z-scores, computed exactly as WHO's igrowup macro and anthro do.

Array in, array out: every input is an equal-length array (or a sequence, or
a scalar that is broadcast); every output is a float64 array with NaN where
no z-score exists. Nothing here raises on bad values in bulk: a bad value
gives NaN and a bit in ``problems`` that says why (see :class:`Problem`).

The rules, numbered as in ``data/PROVENANCE.md``:

1. age in days is a whole number (halves round up);
2. a standing measure under 731 days gets +0.7 cm, a lying one from 731 days
   −0.7 cm; a missing position is assumed right for the age;
3. weight-for-length under 731 days, weight-for-height from 731 days, on the
   adjusted value, inside 45–110 cm / 65–120 cm;
4. lengths with more than one decimal: z at the 0.1 cm rows either side,
   interpolated linearly;
5. the "restricted" indicators are re-scaled beyond ±3 SD;
6. BMI on the adjusted length;
7. nothing beyond 1856 days;
8. oedema: no weight-based z-score;
9. rounding to 2 decimals, halves up (toward +infinity);
10. flags on the rounded z.
"""

from __future__ import annotations

import enum
from functools import cache
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from posyandu.growth.standards import (
    LENGTH_HEIGHT_SWITCH_DAYS,
    LYING_STANDING_DIFF_CM,
    MAX_AGE_DAYS,
    FloatArray,
    LmsTable,
    table,
)
from posyandu.policy.growth import WHO_MEASURING

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

INDICATORS: Final = ("wfa", "lhfa", "wflh", "bfa", "hcfa", "acfa", "tsfa", "ssfa")
"""The eight WHO indicators, in WHO's order of presentation."""

RESTRICTED: Final = frozenset({"wfa", "wflh", "bfa", "acfa", "tsfa", "ssfa"})
"""Indicators whose z beyond ±3 SD is re-scaled on the 2–3 SD distance."""

FLAG_LIMITS: Final[dict[str, tuple[float, float]]] = {
    "wfa": (-6.0, 5.0),
    "lhfa": (-6.0, 6.0),
    "wflh": (-5.0, 5.0),
    "bfa": (-5.0, 5.0),
    "hcfa": (-5.0, 5.0),
    "acfa": (-5.0, 5.0),
    "tsfa": (-5.0, 5.0),
    "ssfa": (-5.0, 5.0),
}
"""WHO's limits for biologically implausible z-scores (on the rounded z)."""

WFL_RANGE_CM: Final = (45.0, 110.0)
WFH_RANGE_CM: Final = (65.0, 120.0)
UNKNOWN_AGE_LENGTH_CUTOFF_CM: Final = 87.0
"""With neither age nor position known, under 87 cm counts as a length."""

LMS_AGE_START_DAYS: Final[dict[str, int]] = {"acfa": 91, "tsfa": 91, "ssfa": 91}

WFLH_LENGTH: Final = 1
WFLH_HEIGHT: Final = 2


class Problem(enum.IntFlag):
    """Why a z-score could not be computed. Several can hold for one row."""

    SEX_INVALID = enum.auto()
    AGE_MISSING = enum.auto()
    AGE_NEGATIVE = enum.auto()
    AGE_OVER_MAX = enum.auto()
    AGE_UNDER_91_DAYS = enum.auto()
    OEDEMA = enum.auto()
    MEASURE_INVALID = enum.auto()
    WEIGHT_NOT_POSITIVE = enum.auto()
    HEIGHT_NOT_POSITIVE = enum.auto()
    LENGTH_OUT_OF_RANGE = enum.auto()
    HEIGHT_OUT_OF_RANGE = enum.auto()
    HEAD_NOT_POSITIVE = enum.auto()
    MUAC_NOT_POSITIVE = enum.auto()
    TRICEPS_NOT_POSITIVE = enum.auto()
    SUBSCAPULAR_NOT_POSITIVE = enum.auto()


PROBLEM_TEXT: Final[dict[Problem, str]] = {
    Problem.SEX_INVALID: "sex missing or not 1/2",
    Problem.AGE_MISSING: "age unknown",
    Problem.AGE_NEGATIVE: "age negative (measured before birth)",
    Problem.AGE_OVER_MAX: f"age over {MAX_AGE_DAYS} days",
    Problem.AGE_UNDER_91_DAYS: "age under 91 days (no arm circumference or skinfold standard)",
    Problem.OEDEMA: "oedema",
    Problem.MEASURE_INVALID: "measure not l/h (position assumed from age)",
    Problem.WEIGHT_NOT_POSITIVE: "weight not above 0",
    Problem.HEIGHT_NOT_POSITIVE: "length/height not above 0",
    Problem.LENGTH_OUT_OF_RANGE: "length outside 45-110 cm",
    Problem.HEIGHT_OUT_OF_RANGE: "height outside 65-120 cm",
    Problem.HEAD_NOT_POSITIVE: "head circumference not above 0",
    Problem.MUAC_NOT_POSITIVE: "arm circumference not above 0",
    Problem.TRICEPS_NOT_POSITIVE: "triceps skinfold not above 0",
    Problem.SUBSCAPULAR_NOT_POSITIVE: "subscapular skinfold not above 0",
}


@cache
def describe_problems(mask: int) -> str:
    """The problems in ``mask`` as text, separated by ``"; "`` ("" for none)."""
    return "; ".join(text for flag, text in PROBLEM_TEXT.items() if mask & flag)


def round_half_up(values: FloatArray, decimals: int = 0) -> FloatArray:
    """Round halves toward +infinity, as Stata's ``round`` and WHO do."""
    factor = 10.0**decimals
    return np.floor(values * factor + 0.5) / factor


def months_to_days(age_months: Any) -> FloatArray:
    """WHO's conversion: days = round half up of months × 30.4375."""
    months = np.asarray(age_months, dtype=np.float64)
    return round_half_up(months * WHO_MEASURING.days_per_month)


def lms_z(y: FloatArray, L: FloatArray, M: FloatArray, S: FloatArray) -> FloatArray:
    """Box-Cox z-score ``((y/M)^L − 1) / (S·L)`` (no WHO table has L = 0)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        result: FloatArray = ((y / M) ** L - 1.0) / (S * L)
    return result


def lms_value(z: Any, L: Any, M: Any, S: Any) -> FloatArray:
    """The measurement at SD ``z``: ``M·(1 + L·S·z)^(1/L)``."""
    with np.errstate(invalid="ignore", divide="ignore"):
        result: FloatArray = np.asarray(M * (1.0 + L * S * z) ** (1.0 / L), dtype=np.float64)
    return result


def restrict_beyond_3sd(
    z: FloatArray, y: FloatArray, L: FloatArray, M: FloatArray, S: FloatArray
) -> FloatArray:
    """Re-scale z beyond ±3 on the distance between the 2 and 3 SD measurements."""
    z = z.copy()
    above = z > 3.0
    if above.any():
        l_, m_, s_, y_ = L[above], M[above], S[above], y[above]
        sd3 = lms_value(3.0, l_, m_, s_)
        sd2 = lms_value(2.0, l_, m_, s_)
        z[above] = 3.0 + (y_ - sd3) / (sd3 - sd2)
    below = z < -3.0
    if below.any():
        l_, m_, s_, y_ = L[below], M[below], S[below], y[below]
        sd3 = lms_value(-3.0, l_, m_, s_)
        sd2 = lms_value(-2.0, l_, m_, s_)
        z[below] = -3.0 - (sd3 - y_) / (sd2 - sd3)
    return z


def _lookup(
    tab: LmsTable, sex_row: IntArray, row: IntArray, ok: BoolArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """L, M, S at (sex, row); NaN where ``ok`` is false or the row is unpublished."""
    flat = np.where(ok, sex_row * tab.n_rows + row, 0)
    L = tab.L.ravel().take(flat)
    M = tab.M.ravel().take(flat)
    S = tab.S.ravel().take(flat)
    L[~ok] = np.nan
    return L, M, S


def _z_at(
    tab: LmsTable, sex_row: IntArray, row: IntArray, ok: BoolArray, y: FloatArray, restricted: bool
) -> FloatArray:
    L, M, S = _lookup(tab, sex_row, row, ok)
    z = lms_z(y, L, M, S)
    if restricted:
        z = restrict_beyond_3sd(z, y, L, M, S)
    return z


def _as_float(values: Any, n: int) -> FloatArray:
    if values is None:
        return np.full(n, np.nan)
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim == 0:
        return np.full(n, float(arr))
    return arr


def _normalise_measure(measure: Any, n: int) -> tuple[BoolArray, BoolArray, BoolArray]:
    """(lying, standing, invalid) masks from strings l/h/"" (any case, spaces ignored).

    NaN or None counts as blank (position unknown), like an empty cell.
    """
    none = np.zeros(n, dtype=bool)
    if measure is None:
        return none, none.copy(), none.copy()
    arr = np.asarray(measure)
    if arr.ndim == 0:
        arr = np.full(n, arr.item(), dtype=object)
    if arr.dtype.kind == "f":
        # A numeric column can only be all-blank (NaN); any number is not l/h.
        return none, none.copy(), ~np.isnan(arr)
    if arr.dtype.kind not in "UO":
        arr = arr.astype(str)
    lying = (arr == "l") | (arr == "L")
    standing = (arr == "h") | (arr == "H")
    blank = arr == ""
    if arr.dtype.kind == "O":
        blank |= np.equal(arr, np.array(None, dtype=object))
    odd = ~(lying | standing | blank)
    if odd.any():
        # Slow path only for the few cells that need cleaning (" L ", nan).
        cleaned = np.array([_clean_position(v) for v in arr[odd]], dtype=object)
        lying[odd] = cleaned == "l"
        standing[odd] = cleaned == "h"
        blank[odd] = cleaned == ""
    invalid = ~(lying | standing | blank)
    return lying, standing, invalid


def _clean_position(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    text = str(value).strip().lower()
    return "" if text in ("", "nan") else text


SEX_CODES: Final[dict[str, float]] = {
    "1": 1.0,
    "M": 1.0,
    "L": 1.0,
    "MALE": 1.0,
    "LAKI-LAKI": 1.0,
    "2": 2.0,
    "F": 2.0,
    "P": 2.0,
    "FEMALE": 2.0,
    "PEREMPUAN": 2.0,
}
"""Sex as files write it (upper-cased): 1/2, M/F, L/P (laki-laki/perempuan), in full too."""


def _normalise_sex(sex: Any) -> FloatArray:
    """1.0 / 2.0 per row, NaN when not recognised; accepts the codes of :data:`SEX_CODES`."""
    arr = np.asarray(sex)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.dtype.kind in "UO":
        return np.array(
            [SEX_CODES.get(str(v).strip().upper(), np.nan) for v in arr], dtype=np.float64
        )
    return arr.astype(np.float64)


# An object array, so that True and 1 in an object-dtype input match too.
_OEDEMA_YES: Final = np.array(["y", "Y", "1", "yes", "true", "True", True, 1], dtype=object)


def _normalise_oedema(oedema: Any, n: int) -> BoolArray:
    if oedema is None:
        return np.zeros(n, dtype=bool)
    arr = np.asarray(oedema)
    if arr.ndim == 0:
        arr = np.full(n, arr.item())
    if arr.dtype.kind in "UO":
        return np.isin(arr, _OEDEMA_YES)
    if arr.dtype.kind == "b":
        return arr
    # WHO codes oedema 1 = yes, 2 = no, and treats anything else, missing
    # included, as no oedema; astype(bool) would read NaN and 2 as oedema.
    with np.errstate(invalid="ignore"):
        coded_yes: BoolArray = arr.astype(np.float64) == 1.0
    return coded_yes


def compute_zscores(
    *,
    sex: Any,
    age_days: Any,
    weight_kg: Any = None,
    height_cm: Any = None,
    measure: Any = None,
    oedema: Any = None,
    head_cm: Any = None,
    muac_cm: Any = None,
    triceps_mm: Any = None,
    subscapular_mm: Any = None,
) -> dict[str, npt.NDArray[Any]]:
    """WHO 2006 z-scores for many children at once.

    ``sex`` 1 = male, 2 = female; ``age_days`` float, NaN if unknown (rounded
    half up to whole days); ``measure`` ``"l"`` lying, ``"h"`` standing or
    ``""``; ``oedema`` booleans. Returns float64 arrays ``z_<indicator>`` (NaN
    = no z-score) and ``flag_<indicator>`` (1.0/0.0, NaN where no z) for each
    of :data:`INDICATORS`, plus ``age_days`` (whole days), ``height_adj_cm``,
    ``bmi``, ``wflh_table`` (1 = weight-for-length, 2 = weight-for-height,
    0 = none) and ``problems`` (a :class:`Problem` bit mask per row).
    """
    sex_f = _normalise_sex(sex)
    n = sex_f.shape[0]
    age_raw = _as_float(age_days, n)
    weight = _as_float(weight_kg, n)
    height = _as_float(height_cm, n)
    lying, standing, measure_invalid = _normalise_measure(measure, n)
    has_oedema = _normalise_oedema(oedema, n)
    extra = {
        "hcfa": _as_float(head_cm, n),
        "acfa": _as_float(muac_cm, n),
        "tsfa": _as_float(triceps_mm, n),
        "ssfa": _as_float(subscapular_mm, n),
    }
    for name, arr in [("age_days", age_raw), ("weight_kg", weight), ("height_cm", height)] + [
        (k, v) for k, v in extra.items()
    ]:
        if arr.shape != (n,):
            raise ValueError(f"{name} has shape {arr.shape}, expected ({n},) like sex")

    problems = np.zeros(n, dtype=np.uint32)

    def note(mask: BoolArray, problem: Problem) -> None:
        problems[mask] |= np.uint32(problem)

    sex_ok = (sex_f == 1.0) | (sex_f == 2.0)
    note(~sex_ok, Problem.SEX_INVALID)
    sex_row = np.where(sex_ok, sex_f - 1.0, 0.0).astype(np.int64)

    age = round_half_up(age_raw)
    age_known = ~np.isnan(age)
    note(~age_known, Problem.AGE_MISSING)
    negative = age_known & (age < 0)
    note(negative, Problem.AGE_NEGATIVE)
    age[negative] = np.nan
    age_known &= ~negative
    over = age_known & (age > MAX_AGE_DAYS)
    note(over, Problem.AGE_OVER_MAX)
    age_ok = age_known & ~over & sex_ok
    age_row = np.where(age_ok, age, 0.0).astype(np.int64)
    note(measure_invalid, Problem.MEASURE_INVALID)

    note(weight <= 0, Problem.WEIGHT_NOT_POSITIVE)
    weight = np.where(weight > 0, weight, np.nan)
    note(height <= 0, Problem.HEIGHT_NOT_POSITIVE)
    height = np.where(height > 0, height, np.nan)
    note(has_oedema & ~np.isnan(weight), Problem.OEDEMA)
    weight_ok = np.where(has_oedema, np.nan, weight)

    # Rule 2: bring every measure to the position WHO expects for the age.
    young = age_known & (age < LENGTH_HEIGHT_SWITCH_DAYS)
    old = age_known & (age >= LENGTH_HEIGHT_SWITCH_DAYS)
    height_adj = height.copy()
    height_adj[young & standing] += LYING_STANDING_DIFF_CM
    height_adj[old & lying] -= LYING_STANDING_DIFF_CM

    with np.errstate(invalid="ignore", divide="ignore"):
        bmi = weight * 10000.0 / (height_adj * height_adj)

    result: dict[str, npt.NDArray[Any]] = {
        "age_days": np.where(age_known, age, np.nan),
        "height_adj_cm": height_adj,
        "bmi": bmi,
    }

    by_age: dict[str, FloatArray] = {
        "wfa": weight_ok,
        "lhfa": height_adj,
        "bfa": np.where(has_oedema, np.nan, bmi),
        **extra,
    }
    too_young = np.zeros(n, dtype=bool)
    for indicator, y in by_age.items():
        tab = table(indicator)
        ok = age_ok & ~np.isnan(y)
        z = _z_at(tab, sex_row, age_row, ok, y, indicator in RESTRICTED)
        start = LMS_AGE_START_DAYS.get(indicator)
        if start is not None:
            too_young |= ok & (age < start)
        result[f"z_{indicator}"] = z

    note(too_young, Problem.AGE_UNDER_91_DAYS)
    for indicator, problem in [
        ("hcfa", Problem.HEAD_NOT_POSITIVE),
        ("acfa", Problem.MUAC_NOT_POSITIVE),
        ("tsfa", Problem.TRICEPS_NOT_POSITIVE),
        ("ssfa", Problem.SUBSCAPULAR_NOT_POSITIVE),
    ]:
        note(extra[indicator] <= 0, problem)
        result[f"z_{indicator}"][extra[indicator] <= 0] = np.nan

    z_wflh, wflh_table = _weight_for_length_height(
        sex_row=sex_row,
        sex_ok=sex_ok,
        age=age,
        age_known=age_known,
        over=over,
        lying=lying,
        standing=standing,
        height_adj=height_adj,
        weight=weight_ok,
        note=note,
    )
    result["z_wflh"] = z_wflh
    result["wflh_table"] = wflh_table

    for indicator in INDICATORS:
        z = round_half_up(result[f"z_{indicator}"], 2)
        low, high = FLAG_LIMITS[indicator]
        flag = np.where(np.isnan(z), np.nan, ((z < low) | (z > high)).astype(np.float64))
        result[f"z_{indicator}"] = z
        result[f"flag_{indicator}"] = flag
    result["problems"] = problems
    return result


def _weight_for_length_height(
    *,
    sex_row: IntArray,
    sex_ok: BoolArray,
    age: FloatArray,
    age_known: BoolArray,
    over: BoolArray,
    lying: BoolArray,
    standing: BoolArray,
    height_adj: FloatArray,
    weight: FloatArray,
    note: Any,
) -> tuple[FloatArray, npt.NDArray[np.int8]]:
    n = height_adj.shape[0]
    no_age = ~age_known
    no_position = ~(lying | standing)
    use_length = (
        (age_known & (age < LENGTH_HEIGHT_SWITCH_DAYS))
        | (no_age & lying)
        | (no_age & no_position & (height_adj < UNKNOWN_AGE_LENGTH_CUTOFF_CM))
    )
    use_height = (
        (age_known & (age >= LENGTH_HEIGHT_SWITCH_DAYS))
        | (no_age & standing)
        | (no_age & no_position & (height_adj >= UNKNOWN_AGE_LENGTH_CUTOFF_CM))
    )
    measured = ~np.isnan(height_adj)
    in_wfl = (height_adj >= WFL_RANGE_CM[0]) & (height_adj <= WFL_RANGE_CM[1])
    in_wfh = (height_adj >= WFH_RANGE_CM[0]) & (height_adj <= WFH_RANGE_CM[1])
    note(use_length & measured & ~in_wfl, Problem.LENGTH_OUT_OF_RANGE)
    note(use_height & measured & ~in_wfh & ~over, Problem.HEIGHT_OUT_OF_RANGE)

    z = np.full(n, np.nan)
    table_used = np.zeros(n, dtype=np.int8)
    base_ok = sex_ok & ~over & measured & ~np.isnan(weight)
    for tab_name, use, in_range, code in [
        ("wfl", use_length, in_wfl, WFLH_LENGTH),
        ("wfh", use_height, in_wfh, WFLH_HEIGHT),
    ]:
        ok = base_ok & use & in_range
        table_used[use & ~over & sex_ok] = code
        if not ok.any():
            continue
        tab = table(tab_name)
        # Work only on the rows that use this table: each child uses one.
        rows = np.flatnonzero(ok)
        h = height_adj[rows]
        w = weight[rows]
        sex_sub = sex_row[rows]
        all_rows = np.ones(rows.shape[0], dtype=bool)
        tenths = np.floor(h * 10.0 + 0.5)
        # Rule 4: more than one decimal means interpolating between rows.
        interpolate = np.abs(h - tenths / 10.0) > 0.001
        low_tenths = np.where(interpolate, np.floor(h * 10.0), tenths)
        first_tenths = int(round(tab.first_index * 10))
        low_row = (low_tenths - first_tenths).astype(np.int64)
        z_here = _z_at(tab, sex_sub, low_row, all_rows, w, restricted=True)
        if interpolate.any():
            high_row = np.minimum(low_row + 1, tab.n_rows - 1)
            z_high = _z_at(tab, sex_sub, high_row, interpolate, w, restricted=True)
            ratio = (h - low_tenths / 10.0) / 0.1
            z_here = np.where(interpolate, z_here - (z_here - z_high) * ratio, z_here)
        z[rows] = z_here
    return z, table_used


def zscores_for_child(
    *,
    sex: int | str,
    age_days: float | None,
    weight_kg: float | None = None,
    height_cm: float | None = None,
    measure: str = "",
    oedema: bool = False,
    head_cm: float | None = None,
    muac_cm: float | None = None,
    triceps_mm: float | None = None,
    subscapular_mm: float | None = None,
) -> dict[str, float | str | None]:
    """Z-scores of one child at one visit, with clear errors for bad input.

    Returns ``{"z_wfa": -1.23 or None, "flag_wfa": 1.0, 0.0 or None, ...,
    "age_days": ..., "height_adj_cm": ..., "bmi": ..., "problems": "..."}``.
    Raises :class:`ValueError` for a value that cannot be used at all.
    """
    sex_code = _scalar_sex(sex)
    checked: dict[str, float] = {}
    for name, value in [
        ("age_days", age_days),
        ("weight_kg", weight_kg),
        ("height_cm", height_cm),
        ("head_cm", head_cm),
        ("muac_cm", muac_cm),
        ("triceps_mm", triceps_mm),
        ("subscapular_mm", subscapular_mm),
    ]:
        checked[name] = _scalar_number(name, value)
    if checked["age_days"] < 0:
        raise ValueError("age_days is negative: the visit is before the birth date")
    position = (measure or "").strip().lower()
    if position not in ("", "l", "h"):
        raise ValueError(f"measure must be 'l' (lying), 'h' (standing) or '', not {measure!r}")
    res = compute_zscores(
        sex=[sex_code],
        age_days=[checked["age_days"]],
        weight_kg=[checked["weight_kg"]],
        height_cm=[checked["height_cm"]],
        measure=[position],
        oedema=[bool(oedema)],
        head_cm=[checked["head_cm"]],
        muac_cm=[checked["muac_cm"]],
        triceps_mm=[checked["triceps_mm"]],
        subscapular_mm=[checked["subscapular_mm"]],
    )
    out: dict[str, float | str | None] = {}
    for key, arr in res.items():
        if key == "problems":
            out[key] = describe_problems(int(arr[0]))
        elif key == "wflh_table":
            out[key] = {WFLH_LENGTH: "wfl", WFLH_HEIGHT: "wfh"}.get(int(arr[0]))
        else:
            value = float(arr[0])
            out[key] = None if np.isnan(value) else value
    return out


def _scalar_sex(sex: int | str) -> int:
    code = SEX_CODES.get(str(sex).strip().upper())
    if code is None:
        raise ValueError(f"sex must be 1/M/L (male) or 2/F/P (female), not {sex!r}")
    return int(code)


def _scalar_number(name: str, value: float | None) -> float:
    if value is None:
        return float("nan")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number, not {value!r}")
    number = float(value)
    if np.isinf(number):
        raise ValueError(f"{name} must be finite")
    if name != "age_days" and not np.isnan(number) and number <= 0:
        raise ValueError(f"{name} must be above 0, not {value!r}")
    return number
