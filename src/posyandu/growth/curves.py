"""Measurements at given z-scores: SD lines for charts, values for synthetic data.

:func:`measurement_at_z` is the exact inverse of
:func:`~posyandu.growth.zscores.compute_zscores`: feeding its result back
gives the same z (before rounding, up to floating point). That includes the
re-scaling of the restricted indicators beyond ±3 SD, which is linear there:

- above +3: ``y = SD3 + (z − 3)·(SD3 − SD2)``;
- below −3: ``y = SD3neg − (−3 − z)·(SD2neg − SD3neg)``.

At exactly ±3 both formulas give the plain LMS value, so the SD lines of a
chart are LMS values for every indicator.

Indicators are named after the WHO tables, because a chart draws one table:
``wfa, lhfa, bfa, hcfa, acfa, tsfa, ssfa`` (index: age in whole days, halves
rounded up as the engine does) and ``wfl`` (45–110 cm, lying) / ``wfh``
(65–120 cm, standing) (index: length or height in cm, already adjusted for
the measuring position). ``lhfa`` gives length under 731 days and height
from 731 days, because that is what its rows hold.

Weight-for-length/height at lengths with more than one decimal: the engine
interpolates the *z-score* between the 0.1 cm rows either side, not the LMS
parameters. Interpolating L, M and S would give a slightly different weight,
so the inverse solves the engine's own equation instead, by bisection between
the weights at that z on the two rows, which always bracket the answer
because z rises with weight on both rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

import numpy as np
import numpy.typing as npt

from posyandu.growth.standards import FloatArray, LmsTable, table
from posyandu.growth.zscores import (
    RESTRICTED,
    WFH_RANGE_CM,
    WFL_RANGE_CM,
    lms_value,
    lms_z,
    restrict_beyond_3sd,
    round_half_up,
)

IntArray = npt.NDArray[np.intp]

AGE_INDICATORS: Final = ("wfa", "lhfa", "bfa", "hcfa", "acfa", "tsfa", "ssfa")
LENGTH_INDICATORS: Final = ("wfl", "wfh")
CURVE_INDICATORS: Final = AGE_INDICATORS + LENGTH_INDICATORS
"""Every indicator a chart can draw, named after its WHO table."""

RESTRICTED_CURVES: Final = frozenset(RESTRICTED | {"wfl", "wfh"})
"""Tables whose z beyond ±3 SD is re-scaled (wfl and wfh make up ``wflh``)."""

SD_LINE_Z: Final = (-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0)
"""The SD lines printed on WHO and KMS charts."""

_LENGTH_RANGES: Final = {"wfl": WFL_RANGE_CM, "wfh": WFH_RANGE_CM}

# The engine treats a length within this much of a 0.1 cm row as on the row.
_ON_ROW_TOLERANCE_CM: Final = 0.001

# Bisection halves the bracket (under 1.5 kg wide between neighbouring rows)
# this many times: 1.5 kg / 2**50 is far below floating-point resolution of z.
_BISECTION_STEPS: Final = 50


def _check_indicator(indicator: str) -> None:
    if indicator not in CURVE_INDICATORS:
        raise ValueError(
            f"unknown chart indicator {indicator!r}; expected one of {CURVE_INDICATORS}"
        )


def chart_x(indicator: str) -> FloatArray:
    """The default x values of a chart: every published row of the table.

    Ages in days (0–1856; 91–1856 for arm circumference and skinfolds) or
    lengths/heights in cm in 0.1 cm steps.
    """
    _check_indicator(indicator)
    tab = table(indicator)
    x = tab.index_values()
    published = ~np.isnan(tab.L).all(axis=0)
    result: FloatArray = x[published]
    return result


def _rows(
    tab: LmsTable, sex: FloatArray, index: FloatArray, indicator: str
) -> tuple[IntArray, IntArray, FloatArray, npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """(sex row, low row, fraction to the next row, usable, interpolate) per value.

    Mirrors how the engine picks rows: whole days for age tables; the nearest
    0.1 cm row for lengths on a row, else the row below and the fraction of the
    step up to the next row.
    """
    sex_ok = (sex == 1.0) | (sex == 2.0)
    sex_row = np.where(sex_ok, sex - 1.0, 0.0).astype(np.intp)
    if indicator in AGE_INDICATORS:
        age = round_half_up(index)
        usable = sex_ok & (age >= 0) & (age <= tab.last_index)
        row = np.where(usable, age, 0.0).astype(np.intp)
        no_fraction = np.zeros(index.shape)
        return sex_row, row, no_fraction, usable, np.zeros(index.shape, dtype=bool)
    low_cm, high_cm = _LENGTH_RANGES[indicator]
    usable = sex_ok & (index >= low_cm) & (index <= high_cm)
    cm = np.where(usable, index, tab.first_index)
    tenths = np.floor(cm * 10.0 + 0.5)
    interpolate = usable & (np.abs(cm - tenths / 10.0) > _ON_ROW_TOLERANCE_CM)
    low_tenths = np.where(interpolate, np.floor(cm * 10.0), tenths)
    first_tenths = round(tab.first_index * 10)
    row = np.clip(low_tenths - first_tenths, 0, tab.n_rows - 1).astype(np.intp)
    fraction = np.where(interpolate, (cm - low_tenths / 10.0) / 0.1, 0.0)
    return sex_row, row, fraction, usable, interpolate


def _lms(tab: LmsTable, sex_row: IntArray, row: IntArray) -> tuple[FloatArray, ...]:
    flat = sex_row * tab.n_rows + row
    return tab.L.ravel().take(flat), tab.M.ravel().take(flat), tab.S.ravel().take(flat)


def _value_at_z(
    z: FloatArray, L: FloatArray, M: FloatArray, S: FloatArray, restricted: bool
) -> FloatArray:
    """The measurement at ``z`` on one LMS row, with the ±3 SD re-scaling."""
    y = lms_value(z, L, M, S)
    if restricted:
        sd3_pos = lms_value(3.0, L, M, S)
        sd2_pos = lms_value(2.0, L, M, S)
        sd3_neg = lms_value(-3.0, L, M, S)
        sd2_neg = lms_value(-2.0, L, M, S)
        y = np.where(z > 3.0, sd3_pos + (z - 3.0) * (sd3_pos - sd2_pos), y)
        y = np.where(z < -3.0, sd3_neg - (-3.0 - z) * (sd2_neg - sd3_neg), y)
    return y


def _z_of(
    y: FloatArray, L: FloatArray, M: FloatArray, S: FloatArray, restricted: bool
) -> FloatArray:
    """The engine's forward z (unrounded) of ``y`` on one LMS row."""
    z = lms_z(y, L, M, S)
    return restrict_beyond_3sd(z, y, L, M, S) if restricted else z


def measurement_at_z(
    indicator: str, sex: npt.ArrayLike, index: npt.ArrayLike, z: npt.ArrayLike
) -> FloatArray:
    """The measurement whose z-score is ``z``, vectorised (arguments broadcast).

    ``indicator`` one of :data:`CURVE_INDICATORS`; ``sex`` 1 or 2; ``index``
    age in days or length/height in cm. Units: kg (wfa, wfl, wfh), cm (lhfa,
    hcfa, acfa), kg/m² (bfa), mm (tsfa, ssfa). NaN where there is no standard
    (bad sex, age or length outside the table, acfa/tsfa/ssfa under 91 days,
    NaN z) or where the formula gives no positive measurement.
    """
    _check_indicator(indicator)
    tab = table(indicator)
    restricted = indicator in RESTRICTED_CURVES
    sex_a, index_a, z_a = np.broadcast_arrays(
        np.asarray(sex, dtype=np.float64),
        np.asarray(index, dtype=np.float64),
        np.asarray(z, dtype=np.float64),
    )
    shape = z_a.shape
    sex_f, index_f, z_f = sex_a.ravel(), index_a.ravel(), z_a.ravel()
    sex_row, row, fraction, usable, interpolate = _rows(tab, sex_f, index_f, indicator)

    L, M, S = _lms(tab, sex_row, row)
    with np.errstate(invalid="ignore", divide="ignore"):
        y = _value_at_z(z_f, L, M, S, restricted)
        if interpolate.any():
            y[interpolate] = _solve_interpolated(
                tab,
                sex_row[interpolate],
                row[interpolate],
                fraction[interpolate],
                z_f[interpolate],
                y[interpolate],
                restricted,
            )
    y = np.where(usable & (y > 0), y, np.nan)
    result: FloatArray = y.reshape(shape)
    return result


def _solve_interpolated(
    tab: LmsTable,
    sex_row: IntArray,
    row: IntArray,
    fraction: FloatArray,
    z: FloatArray,
    y_low: FloatArray,
    restricted: bool,
) -> FloatArray:
    """The weight whose z, interpolated between two rows, is ``z``.

    The engine's z is ``(1 − f)·z_low(y) + f·z_high(y)``, rising with ``y``;
    at the weight that has ``z`` on the lower row it is at most ``z`` and at the
    weight that has ``z`` on the upper row at least ``z`` (or the other way
    round), so those two weights bracket the root.
    """
    L_low, M_low, S_low = _lms(tab, sex_row, row)
    high_row = np.minimum(row + 1, tab.n_rows - 1)
    L_high, M_high, S_high = _lms(tab, sex_row, high_row)
    y_high = _value_at_z(z, L_high, M_high, S_high, restricted)
    below = np.minimum(y_low, y_high)
    above = np.maximum(y_low, y_high)
    for _ in range(_BISECTION_STEPS):
        middle = (below + above) / 2.0
        z_middle = (1.0 - fraction) * _z_of(middle, L_low, M_low, S_low, restricted) + (
            fraction * _z_of(middle, L_high, M_high, S_high, restricted)
        )
        too_light = z_middle < z
        below = np.where(too_light, middle, below)
        above = np.where(too_light, above, middle)
    result: FloatArray = (below + above) / 2.0
    return result


def sd_lines(
    indicator: str,
    sex: int,
    x_values: Sequence[float] | npt.ArrayLike | None = None,
    z_values: Sequence[float] = SD_LINE_Z,
) -> Mapping[float, FloatArray]:
    """The SD lines of a chart: ``{z: measurement at z over x}``, z from −3 to +3.

    ``x_values`` default to :func:`chart_x` (every published row). Keys are
    floats, so ``lines[-2]`` and ``lines[-2.0]`` both work. Raises ValueError
    for an unknown indicator or a sex other than 1 or 2.
    """
    _check_indicator(indicator)
    if sex not in (1, 2):
        raise ValueError(f"sex must be 1 (male) or 2 (female), not {sex!r}")
    x = chart_x(indicator) if x_values is None else np.asarray(x_values, dtype=np.float64)
    return {float(k): measurement_at_z(indicator, sex, x, k) for k in z_values}
