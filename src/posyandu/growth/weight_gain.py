"""Monthly weight gain on the KMS: N / T / O / B, 2T and BGM, vectorised.

The statuses, for a child weighed this month:

- ``B`` (*baru*): first weighing ever;
- ``O``: weighed before, but not last calendar month, so there is nothing to
  compare with;
- ``N`` (*naik*): weighed last calendar month and gained at least the KBM
  (*kenaikan berat badan minimal*) for the age;
- ``T`` (*tidak naik*): weighed last calendar month and gained less than the
  KBM, nothing, or lost weight.

A child not weighed this month gets ``""``. Every weighed child gets exactly
one of N, T, O, B, so the SKDN identity D = N + T + O + B holds.

Which age: the child's age in **completed calendar months on the day of this
month's weighing** (see :func:`completed_months`), the reading of the KMS and
KIA tables, whose "1 bulan: 800 g" is the gain over the first month of life,
judged at the visit when the child is 1 month old.

Age 0 months: the tables start at 1 month, so there is no KBM. A child still
under one month old whose previous weighing (usually at birth) fell in last
calendar month gets ``O``: the interval is under a month and contains the
normal weight loss of the first days of life, so a ``T`` would be a false
alarm that could start a 2T referral, while ``O`` keeps the child counted in D
without judging the gain. The same holds for any age the chosen KBM table does
not cover (over 60 months, unknown age).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Final

import numpy as np
import numpy.typing as npt

from posyandu.growth.standards import FloatArray
from posyandu.growth.zscores import round_half_up
from posyandu.policy.growth import (
    BGM_RULE,
    DEFAULT_KBM_VERSION,
    TWO_T_RULE,
    kbm_version,
)

BoolArray = npt.NDArray[np.bool_]
StrArray = npt.NDArray[np.str_]

NAIK: Final = "N"
TIDAK_NAIK: Final = "T"
TIDAK_DITIMBANG_BULAN_LALU: Final = "O"
BARU: Final = "B"
NOT_WEIGHED: Final = ""


@cache
def _kbm_by_month(version_id: str) -> FloatArray:
    """KBM grams indexed by completed month, NaN where the table gives none."""
    version = kbm_version(version_id)
    grams = np.full(version.last_month + 1, np.nan)
    for band in version.bands:
        grams[band.first_month : band.last_month + 1] = band.grams
    grams.setflags(write=False)
    return grams


def kbm_grams(age_months: npt.ArrayLike, version: str = DEFAULT_KBM_VERSION) -> FloatArray:
    """Minimum monthly gain in grams at ``age_months`` completed months.

    NaN where the table has no KBM: 0 months, beyond its last month (60),
    negative or unknown ages. A fractional age is floored to completed months.
    Raises ValueError for an unknown version.
    """
    table = _kbm_by_month(version)
    months = np.floor(np.asarray(age_months, dtype=np.float64))
    covered = (months >= 0) & (months < table.shape[0])
    index = np.where(covered, months, 0).astype(np.intp)
    result: FloatArray = np.where(covered, table.take(index), np.nan)
    return result


def weight_gain_status(
    *,
    weight_kg: npt.ArrayLike,
    previous_weight_kg: npt.ArrayLike,
    previous_was_last_month: npt.ArrayLike,
    weighed_before: npt.ArrayLike,
    age_months: npt.ArrayLike,
    kbm_version: str = DEFAULT_KBM_VERSION,
    kbm_g: npt.ArrayLike | None = None,
) -> StrArray:
    """N / T / O / B of every child this month ("" if not weighed this month).

    ``weight_kg`` this month's weight (NaN: not weighed); ``previous_weight_kg``
    the weight at the child's previous weighing (NaN if none);
    ``previous_was_last_month`` whether that weighing was in the calendar month
    just before this one; ``weighed_before`` whether the child was ever weighed
    before (a known previous weight also counts); ``age_months`` completed
    months at this visit. The gain is compared in whole grams, so 7.4 → 8.2 kg
    is exactly 800 g despite floating point. ``kbm_g``, when given, is the KBM
    of each row already looked up (rows judged by different tables); otherwise
    it comes from ``kbm_version`` and the age.
    """
    weight = np.asarray(weight_kg, dtype=np.float64)
    previous = np.asarray(previous_weight_kg, dtype=np.float64)
    last_month = np.asarray(previous_was_last_month, dtype=bool)
    before = np.asarray(weighed_before, dtype=bool) | ~np.isnan(previous)
    kbm = (
        kbm_grams(age_months, kbm_version) if kbm_g is None else np.asarray(kbm_g, dtype=np.float64)
    )
    weight, previous, last_month, before, kbm = np.broadcast_arrays(
        weight, previous, last_month, before, kbm
    )

    weighed = weight > 0
    with np.errstate(invalid="ignore"):
        gain_grams = np.rint((weight - previous) * 1000.0)
    comparable = weighed & before & last_month & ~np.isnan(previous) & ~np.isnan(kbm)
    status: StrArray = np.select(
        [
            comparable & (gain_grams >= kbm),
            comparable,
            weighed & before,
            weighed,
        ],
        [NAIK, TIDAK_NAIK, TIDAK_DITIMBANG_BULAN_LALU, BARU],
        default=NOT_WEIGHED,
    ).astype("<U1")
    return status


def detect_2t(
    statuses: npt.ArrayLike,
    child_ids: npt.ArrayLike | None = None,
    *,
    consecutive_months: npt.ArrayLike | None = None,
) -> BoolArray:
    """True at each month that completes a run of T months (2T: refer).

    ``statuses`` is one child's statuses in date order, or many children's
    rows sorted by child then date with ``child_ids`` saying whose each row
    is, so that runs never join across children. Rows may be one per calendar
    month (with "" for months not weighed) or one per weighing: a T always
    means the previous weighing was last calendar month, so two T rows in a
    row are two consecutive calendar months either way. A longer run is 2T
    again at each further T. The run length is ``consecutive_months`` (one
    number, or one per row: the rule in force on that row's date), by default
    that of :data:`~posyandu.policy.growth.TWO_T_RULE`.
    """
    is_t: BoolArray = np.asarray(statuses, dtype=np.str_) == TIDAK_NAIK
    if is_t.ndim != 1:
        raise ValueError("statuses must be one-dimensional (one row per month or weighing)")
    n = is_t.shape[0]
    if child_ids is None:
        new_child = np.zeros(n, dtype=bool)
        if n:
            new_child[0] = True
    else:
        ids = np.asarray(child_ids)
        if ids.shape != is_t.shape:
            raise ValueError(f"child_ids has shape {ids.shape}, expected {is_t.shape}")
        new_child = np.ones(n, dtype=bool)
        new_child[1:] = ids[1:] != ids[:-1]
    needed = np.broadcast_to(
        np.asarray(
            TWO_T_RULE.consecutive_months if consecutive_months is None else consecutive_months,
            dtype=np.int64,
        ),
        (n,),
    )
    # Length of the run of T ending at each row: a running count that restarts
    # at every row that is not T and at every new child.
    index = np.arange(n)
    breaks = ~is_t | new_child
    last_break = np.maximum.accumulate(np.where(breaks, index, 0))
    # At a break that is itself a T (a child's first row), the run is 1.
    run = np.where(is_t, index - last_break + is_t[last_break], 0)
    result: BoolArray = is_t & (run >= needed)
    return result


def is_bgm(z_wfa: npt.ArrayLike) -> BoolArray:
    """*Bawah garis merah*: weight-for-age below −3 SD (rounded z); False for NaN."""
    z = round_half_up(np.asarray(z_wfa, dtype=np.float64), 2)
    result: BoolArray = z < BGM_RULE.wfa_z_below
    return result


def completed_months(
    birth_date: npt.ArrayLike | date, visit_date: npt.ArrayLike | date
) -> FloatArray:
    """Age in completed calendar months on ``visit_date`` (NaN if unknown).

    A month is completed on the same day of the month as the birth day, or on
    the last day of a shorter month: born 31 January, a child is 1 month old
    on 29 February 2024 but not on 28 February. Dates are ``datetime.date``
    or anything ``np.asarray(..., dtype="datetime64[D]")`` accepts; NaT or a
    visit before birth gives NaN.
    """
    birth = np.asarray(birth_date, dtype="datetime64[D]")
    visit = np.asarray(visit_date, dtype="datetime64[D]")
    birth_month = birth.astype("datetime64[M]")
    visit_month = visit.astype("datetime64[M]")
    months = (visit_month - birth_month).astype(np.float64)
    birth_day = (birth - birth_month.astype("datetime64[D]")).astype(np.float64) + 1
    visit_day = (visit - visit_month.astype("datetime64[D]")).astype(np.float64) + 1
    days_in_visit_month = (
        (visit_month + 1).astype("datetime64[D]") - visit_month.astype("datetime64[D]")
    ).astype(np.float64)
    anniversary_day = np.minimum(birth_day, days_in_visit_month)
    months = months - (visit_day < anniversary_day)
    unknown = np.isnat(birth) | np.isnat(visit) | (visit < birth)
    result: FloatArray = np.where(unknown, np.nan, months)
    return result


@dataclass(frozen=True)
class WeightGainSeries:
    """N/T/O/B and what they rest on, one entry per visit row."""

    status: StrArray
    """N, T, O, B, or "" where the visit has no weight."""
    gain_g: FloatArray
    """Grams gained since last calendar month's weighing; NaN when not compared."""
    kbm_g: FloatArray
    """The KBM the gain was judged against; NaN when not judged."""
    is_2t: BoolArray


def weight_gain_series(
    *,
    child_ids: npt.ArrayLike,
    birth_date: npt.ArrayLike,
    measured_on: npt.ArrayLike,
    weight_kg: npt.ArrayLike,
    kbm_version: str | npt.ArrayLike = DEFAULT_KBM_VERSION,
    two_t_months: int | npt.ArrayLike | None = None,
) -> WeightGainSeries:
    """N/T/O/B, gain, KBM and 2T of every visit of one or many children.

    Rows are sorted by child, then date, with at most one visit per child per
    calendar month (the KMS has one box a month). ``weight_kg`` NaN is a visit
    without a weighing. ``kbm_version`` and ``two_t_months`` are one value or
    one per row: the rules in force on that row's date. This is the one
    implementation of the KMS rule: the visit service calls it for one child,
    the demo for a whole city.
    """
    ids = np.asarray(child_ids)
    born = np.asarray(birth_date, dtype="datetime64[D]")
    visit = np.asarray(measured_on, dtype="datetime64[D]")
    weight = np.asarray(weight_kg, dtype=np.float64)
    n = ids.shape[0]
    if not (born.shape == visit.shape == weight.shape == (n,)):
        raise ValueError(
            "child_ids, birth_date, measured_on and weight_kg must be 1-d, same length"
        )
    if n == 0:
        empty = np.zeros(0)
        return WeightGainSeries(np.zeros(0, dtype="<U1"), empty, empty, np.zeros(0, dtype=bool))
    month = visit.astype("datetime64[M]").astype(np.int64)
    same_child = np.zeros(n, dtype=bool)
    same_child[1:] = ids[1:] == ids[:-1]
    if np.any(same_child[1:] & (month[1:] <= month[:-1])):
        raise ValueError("rows must be sorted by child then month, one visit per month")

    weighed = ~np.isnan(weight)
    # Weighed at an earlier row of the same child: weighings counted per child.
    count_before = np.cumsum(weighed) - weighed
    first_row = np.maximum.accumulate(np.where(~same_child, np.arange(n), 0))
    weighed_before = count_before > count_before[first_row]
    # Last calendar month's visit is the previous row when it is one month back.
    last_month = np.zeros(n, dtype=bool)
    last_month[1:] = same_child[1:] & (month[1:] - month[:-1] == 1)
    previous = np.full(n, np.nan)
    previous[1:] = np.where(last_month[1:], weight[:-1], np.nan)

    months = completed_months(born, visit)
    versions = np.broadcast_to(np.asarray(kbm_version, dtype=np.str_), (n,))
    kbm = np.full(n, np.nan)
    for version in np.unique(versions).tolist():
        rows = versions == version
        kbm[rows] = kbm_grams(months[rows], version)

    status = weight_gain_status(
        weight_kg=weight,
        previous_weight_kg=previous,
        previous_was_last_month=last_month,
        weighed_before=weighed_before,
        age_months=months,
        kbm_g=kbm,
    )
    compared = weighed & ~np.isnan(previous)
    with np.errstate(invalid="ignore"):
        gain = np.where(compared, np.rint((weight - previous) * 1000.0), np.nan)
    judged = (status == NAIK) | (status == TIDAK_NAIK)
    return WeightGainSeries(
        status=status,
        gain_g=gain,
        kbm_g=np.where(judged, kbm, np.nan),
        is_2t=detect_2t(status, ids, consecutive_months=two_t_months),
    )
