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

from collections.abc import Sequence
from datetime import date
from functools import cache
from typing import Final

import numpy as np
import numpy.typing as npt

from posyandu.growth.policy import (
    BGM_RULE,
    DEFAULT_KBM_VERSION,
    TWO_T_RULE,
    kbm_version,
)
from posyandu.growth.standards import FloatArray
from posyandu.growth.zscores import round_half_up

BoolArray = npt.NDArray[np.bool_]
StrArray = npt.NDArray[np.str_]

NAIK: Final = "N"
TIDAK_NAIK: Final = "T"
TIDAK_DITIMBANG_BULAN_LALU: Final = "O"
BARU: Final = "B"
NOT_WEIGHED: Final = ""

STATUS_LABELS: Final[dict[str, tuple[str, str]]] = {
    NAIK: ("Naik", "Adequate gain"),
    TIDAK_NAIK: ("Tidak naik", "Inadequate gain"),
    TIDAK_DITIMBANG_BULAN_LALU: ("Tidak ditimbang bulan lalu", "Not weighed last month"),
    BARU: ("Baru pertama kali ditimbang", "First weighing"),
    NOT_WEIGHED: ("", ""),
}
"""(Indonesian, English) label of each status."""


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
) -> StrArray:
    """N / T / O / B of every child this month ("" if not weighed this month).

    ``weight_kg`` this month's weight (NaN: not weighed); ``previous_weight_kg``
    the weight at the child's previous weighing (NaN if none);
    ``previous_was_last_month`` whether that weighing was in the calendar month
    just before this one; ``weighed_before`` whether the child was ever weighed
    before (a known previous weight also counts); ``age_months`` completed
    months at this visit. The gain is compared in whole grams, so 7.4 → 8.2 kg
    is exactly 800 g despite floating point.
    """
    weight = np.asarray(weight_kg, dtype=np.float64)
    previous = np.asarray(previous_weight_kg, dtype=np.float64)
    last_month = np.asarray(previous_was_last_month, dtype=bool)
    before = np.asarray(weighed_before, dtype=bool) | ~np.isnan(previous)
    kbm = kbm_grams(age_months, kbm_version)
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


def weight_gain_status_for_visit(
    *,
    weight_kg: float,
    previous_weight_kg: float | None,
    previous_was_last_month: bool,
    age_months: int,
    weighed_before: bool | None = None,
    kbm_version: str = DEFAULT_KBM_VERSION,
) -> str:
    """N, T, O or B of one visit; ValueError for input that cannot be judged.

    ``weighed_before`` defaults to whether a previous weight is given.
    """
    if not weight_kg > 0:
        raise ValueError(f"weight_kg must be above 0, not {weight_kg!r}")
    if previous_weight_kg is not None and not previous_weight_kg > 0:
        raise ValueError(f"previous_weight_kg must be above 0, not {previous_weight_kg!r}")
    if age_months < 0:
        raise ValueError("age_months is negative: the visit is before the birth date")
    if previous_was_last_month and previous_weight_kg is None:
        raise ValueError("previous_was_last_month is set but previous_weight_kg is missing")
    if weighed_before is None:
        weighed_before = previous_weight_kg is not None
    status = weight_gain_status(
        weight_kg=[weight_kg],
        previous_weight_kg=[np.nan if previous_weight_kg is None else previous_weight_kg],
        previous_was_last_month=[previous_was_last_month],
        weighed_before=[weighed_before],
        age_months=[age_months],
        kbm_version=kbm_version,
    )
    return str(status[0])


def detect_2t(statuses: npt.ArrayLike, child_ids: npt.ArrayLike | None = None) -> BoolArray:
    """True at each month that completes a run of T months (2T: refer).

    ``statuses`` is one child's statuses in date order, or many children's
    rows sorted by child then date with ``child_ids`` saying whose each row
    is, so that runs never join across children. Rows may be one per calendar
    month (with "" for months not weighed) or one per weighing: a T always
    means the previous weighing was last calendar month, so two T rows in a
    row are two consecutive calendar months either way. A third T in a row is
    2T again. The run length comes from :data:`~posyandu.growth.policy.TWO_T_RULE`.
    """
    is_t: BoolArray = np.asarray(statuses, dtype=np.str_) == TIDAK_NAIK
    if is_t.ndim != 1:
        raise ValueError("statuses must be one-dimensional (one row per month or weighing)")
    n = is_t.shape[0]
    if child_ids is None:
        group = np.zeros(n, dtype=np.intp)
    else:
        ids = np.asarray(child_ids)
        if ids.shape != is_t.shape:
            raise ValueError(f"child_ids has shape {ids.shape}, expected {is_t.shape}")
        new_child = np.ones(n, dtype=bool)
        new_child[1:] = ids[1:] != ids[:-1]
        group = np.cumsum(new_child)
    run = is_t.copy()
    for lag in range(1, TWO_T_RULE.consecutive_months):
        earlier_t = np.zeros(n, dtype=bool)
        earlier_t[lag:] = is_t[:-lag] & (group[:-lag] == group[lag:])
        run &= earlier_t
    return run


def is_2t(statuses: Sequence[str]) -> bool:
    """Whether the latest status of one child's sequence completes a 2T."""
    return bool(statuses) and bool(detect_2t(statuses)[-1])


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


def previous_was_last_month(
    visit_date: npt.ArrayLike | date, previous_visit_date: npt.ArrayLike | date
) -> BoolArray:
    """Whether the previous weighing fell in the calendar month before the visit."""
    visit_month = np.asarray(visit_date, dtype="datetime64[D]").astype("datetime64[M]")
    previous_month = np.asarray(previous_visit_date, dtype="datetime64[D]").astype("datetime64[M]")
    result: BoolArray = (visit_month - previous_month) == np.timedelta64(1, "M")
    return result
