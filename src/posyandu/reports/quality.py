"""Data quality of routine measurements: the WHO-UNICEF 2019 checks, rated SMART-style.

Two halves. :func:`score` is pure numpy: the measurements of a period as
arrays (:class:`Measurements`) and a group key per measurement (a Posyandu,
the user who recorded it, a month) in, one :class:`QualityStats` per group
out, with every count, moment, digit preference score and rating, computed
for all groups at once. The selectors below it read the visits of one
period within the user's scope (a Puskesmas's quarter is a few thousand
rows; a city's month some ten thousand) and call it.

Definitions (the ``posyandu report data-quality`` contract):

- A group's **measurements** are the visits made there (or recorded by that
  user, or in that month) in the period. Completeness, flagged shares, digit
  preference, heaping, position mismatch and the longitudinal checks count
  measurements.
- For the **z-score statistics** each child counts once, with its latest
  measurement in the period, in the group of that measurement (so a child
  weighed at two Posyandu counts at the later one). A flagged or missing z
  is left out of that indicator (WHO's rule, as for prevalence). SD uses
  N-1; skewness is m3/m2^1.5 and kurtosis m4/m2^2 (normal = 3, not excess),
  with m_k the k-th central moment (divided by N). ``children`` counts the
  children whose latest measurement is in the group.
- **Digit preference score** on the first decimal digit of every weight and
  length/height: DPS = 100·√(χ²/(N·9)), χ² against ten equal shares; 0 when
  every digit is equally common, 100 when all values share one digit.
- **Position mismatch**: lying at or after the WHO switch age, standing
  before it, among measurements with a position.
- **Longitudinal**: the length/height (adjusted for position) falls by more
  than ``VISIT_PLAUSIBILITY.max_length_shrink_cm`` since the child's previous
  visit; the weight rises or falls more than the visit form's plausibility
  rule allows for the interval; two visits of one child less than
  ``min_days_between_visits`` apart. The database keeps one visit per child
  and calendar month (``one_visit_per_child_per_month``), so two visits in
  one month cannot be stored at all; what the check can still find is the
  same session entered in two months (31/01 and 02/02).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import OuterRef, Q, Subquery
from django.http import Http404

from posyandu.accounts.models import User
from posyandu.accounts.scope import Scope
from posyandu.areas.hierarchy import Area, area_q
from posyandu.areas.models import Posyandu
from posyandu.children.models import Sex
from posyandu.core import audit
from posyandu.measurements.models import Position, Visit
from posyandu.policy.growth import DAYS_PER_MONTH, LENGTH_HEIGHT_SWITCH_DAYS, VISIT_PLAUSIBILITY
from posyandu.policy.quality import MOMENT_CHECKS, QUALITY_RULES, QualityRules, Rating

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
DateArray = npt.NDArray[np.datetime64]

INDICATORS: Final = ("lhfa", "wfa", "wflh")
AGE_YEARS: Final = 5
"""Completed years of a balita: 0 to 4."""
HEAPED_BIRTH_DAYS: Final = (1, 15)
"""Days of the month a guessed birth date falls on (age heaping in a register)."""

FINDINGS: Final = (
    "flagged_lhfa",
    "flagged_wfa",
    "flagged_wflh",
    "missing_weight",
    "missing_height",
    "missing_position",
    "position_mismatch",
    "length_shrinks",
    "weight_implausible",
    "visits_too_close",
)
"""What a single measurement can be found to have (the evidence list)."""


@dataclass(frozen=True)
class Measurements:
    """Visits as arrays, one element per visit (any order).

    ``prev_*`` describe the child's visit before this one (any date, NaN/NaT
    when none); ``recorder_id`` is 0 when nobody is recorded (an import).
    """

    visit_id: IntArray
    child_id: IntArray
    posyandu_id: IntArray
    recorder_id: IntArray
    measured_on: DateArray
    birth_date: DateArray
    sex: IntArray
    age_days: IntArray
    weight_kg: FloatArray
    height_cm: FloatArray
    height_adj_cm: FloatArray
    position: npt.NDArray[np.str_]
    z: dict[str, FloatArray]
    flag: dict[str, BoolArray]
    prev_measured_on: DateArray
    prev_weight_kg: FloatArray
    prev_height_adj_cm: FloatArray

    def __len__(self) -> int:
        return int(self.visit_id.shape[0])

    @property
    def month(self) -> IntArray:
        """Months since 1970-01 (``datetime64[M]`` as integers)."""
        return self.measured_on.astype("datetime64[M]").astype(np.int64)


def first_decimal(values: FloatArray) -> IntArray:
    """The first decimal digit of each value (8.25 -> 2; NaN -> -1).

    Values are stored with two decimals: hundredths are rounded to whole
    numbers before taking the digit, so binary fractions never shift it.
    """
    hundredths = np.round(np.nan_to_num(values, nan=-1.0) * 100).astype(np.int64)
    return np.where(np.isnan(values), -1, (hundredths // 10) % 10)


def findings(m: Measurements, rules: QualityRules = QUALITY_RULES) -> dict[str, BoolArray]:
    """Each check a measurement fails, as one boolean array per finding."""
    has_weight = ~np.isnan(m.weight_kg)
    has_height = ~np.isnan(m.height_cm)
    young = m.age_days < LENGTH_HEIGHT_SWITCH_DAYS
    lying = m.position == Position.LYING
    standing = m.position == Position.STANDING
    plausible = VISIT_PLAUSIBILITY
    interval_days = (m.measured_on - m.prev_measured_on).astype("timedelta64[D]").astype(float)
    interval_days[np.isnat(m.prev_measured_on)] = np.nan
    with np.errstate(invalid="ignore"):
        change = m.weight_kg - m.prev_weight_kg
        months = np.maximum(np.maximum(interval_days, 1.0) / DAYS_PER_MONTH, 1.0)
        found = {f"flagged_{i}": m.flag[i] & ~np.isnan(m.z[i]) for i in INDICATORS} | {
            "missing_weight": ~has_weight,
            "missing_height": ~has_height,
            "missing_position": has_height & ~(lying | standing),
            "position_mismatch": (lying & ~young) | (standing & young),
            "length_shrinks": m.height_adj_cm
            < m.prev_height_adj_cm - plausible.max_length_shrink_cm,
            "weight_implausible": (change > plausible.max_gain_kg_per_month * months)
            | (-change > plausible.max_loss_fraction * m.prev_weight_kg),
            "visits_too_close": interval_days < rules.min_days_between_visits,
        }
    return found


def latest_per_child(m: Measurements, bucket: IntArray | None = None) -> IntArray:
    """Indices of each child's latest measurement (per ``bucket`` value, if given)."""
    if not len(m):
        return np.zeros(0, dtype=np.int64)
    buckets = np.zeros(len(m), dtype=np.int64) if bucket is None else bucket
    order = np.lexsort((m.measured_on, m.child_id, buckets))
    child, bucket_sorted = m.child_id[order], buckets[order]
    last = np.ones(len(order), dtype=bool)
    last[:-1] = (child[1:] != child[:-1]) | (bucket_sorted[1:] != bucket_sorted[:-1])
    return order[last].astype(np.int64)


@dataclass(frozen=True)
class ZStats:
    """One indicator's distribution over the children counted once."""

    n: int
    mean: float | None
    sd: float | None
    skew: float | None
    kurtosis: float | None


@dataclass
class QualityStats:
    """Every check of one group (a Posyandu, a recorder, a month)."""

    key: int
    children: int
    measurements: int
    z: dict[str, ZStats]
    flagged: dict[str, int]
    """Flagged z-scores per indicator, among the measurements."""
    computed: dict[str, int]
    """Measurements with a z-score (flagged or not) per indicator."""
    missing_birth_date: int
    missing_weight: int
    missing_height: int
    missing_position: int
    weights: int
    heights: int
    weight_digits: tuple[int, ...]
    height_digits: tuple[int, ...]
    dps_weight: float | None
    dps_height: float | None
    with_position: int
    position_mismatch: int
    boys: int
    girls: int
    birth_day_heaped: int
    age_years: tuple[int, ...]
    """Children by completed years of age (0-4) at their latest measurement."""
    birth_months: tuple[int, ...]
    """Children by calendar month of birth (January first): a register of guessed
    birth dates piles them on one month."""
    length_shrinks: int
    weight_implausible: int
    visits_too_close: int
    ratings: dict[str, Rating | None] = field(default_factory=dict)
    points: int = 0
    rating: Rating | None = None

    def pct_flagged(self, indicator: str) -> float | None:
        return _pct(self.flagged[indicator], self.computed[indicator])

    @property
    def pct_position_mismatch(self) -> float | None:
        return _pct(self.position_mismatch, self.with_position)

    @property
    def pct_weight_whole(self) -> float | None:
        """Weights ending in .0 (a tenth of them if no digit is preferred)."""
        return _pct(self.weight_digits[0], self.weights)

    @property
    def pct_weight_half(self) -> float | None:
        return _pct(self.weight_digits[5], self.weights)

    @property
    def pct_height_whole(self) -> float | None:
        return _pct(self.height_digits[0], self.heights)

    @property
    def pct_height_half(self) -> float | None:
        return _pct(self.height_digits[5], self.heights)

    @property
    def sex_ratio(self) -> float | None:
        """Boys per girl among the children counted once (about 1.05 at birth)."""
        return self.boys / self.girls if self.girls else None

    @property
    def pct_birth_day_heaped(self) -> float | None:
        """Children born on the 1st or the 15th (about 6.6% without heaping)."""
        return _pct(self.birth_day_heaped, self.boys + self.girls)

    def value(self, check: str) -> float | None:
        """The value a rated check reads (its name in :mod:`posyandu.policy.quality`)."""
        kind, _sep, indicator = check.partition("_")
        if check.startswith("pct_flagged_"):
            return self.pct_flagged(check.removeprefix("pct_flagged_"))
        if kind in ("sd", "skew", "kurtosis"):
            return getattr(self.z[indicator], kind)  # type: ignore[no-any-return]
        return getattr(self, check)  # type: ignore[no-any-return]

    def highlighted(self, indicator: str, rules: QualityRules = QUALITY_RULES) -> bool:
        """More flagged z-scores than WHO-UNICEF's 1% (worth a look)."""
        pct = self.pct_flagged(indicator)
        return pct is not None and pct > rules.flagged_highlight_pct


def _pct(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None


def _dps(counts: npt.NDArray[np.int64]) -> FloatArray:
    """Digit preference score of each row of digit counts (NaN for an empty row)."""
    total = counts.sum(axis=1).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = total / 10.0
        chi2 = (((counts - expected[:, None]) ** 2) / expected[:, None]).sum(axis=1)
        return np.where(total > 0, 100.0 * np.sqrt(chi2 / (total * 9.0)), np.nan)


def _moments(
    group: IntArray, values: FloatArray, n_groups: int
) -> tuple[IntArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """(n, mean, SD with N-1, m3/m2^1.5, m4/m2^2) per group, NaN where undefined."""
    n = np.bincount(group, minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(group, values, minlength=n_groups) / n
        dev = values - mean[group]
        m2, m3, m4 = (np.bincount(group, dev**k, minlength=n_groups) / n for k in (2, 3, 4))
        sd = np.where(n >= 2, np.sqrt(m2 * n / (n - 1)), np.nan)
        spread = (n >= 2) & (m2 > 0)
        skew = np.where(spread, m3 / m2**1.5, np.nan)
        kurtosis = np.where(spread, m4 / m2**2, np.nan)
    return n, mean, sd, skew, kurtosis


def _opt(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def score(
    m: Measurements,
    key: IntArray,
    *,
    bucket: IntArray | None = None,
    rules: QualityRules = QUALITY_RULES,
) -> dict[int, QualityStats]:
    """The checks of every group, rated: ``key`` names each measurement's group.

    A child counts once per ``bucket`` value (once in the whole period when
    None; pass the month to count a child once in each month).
    """
    if not len(m):
        return {}
    keys, group = np.unique(key, return_inverse=True)
    g = group.astype(np.int64)
    n_groups = len(keys)

    def per_group(mask: BoolArray) -> IntArray:
        return np.bincount(g[mask], minlength=n_groups)

    found = findings(m, rules)
    measurements = np.bincount(g, minlength=n_groups)
    latest = latest_per_child(m, bucket)
    lg = g[latest]
    children = np.bincount(lg, minlength=n_groups)
    z_stats: dict[str, list[ZStats]] = {}
    flagged: dict[str, IntArray] = {}
    computed: dict[str, IntArray] = {}
    for ind in INDICATORS:
        z_latest, flag_latest = m.z[ind][latest], m.flag[ind][latest]
        kept = ~np.isnan(z_latest) & ~flag_latest
        n, mean, sd, skew, kurt = _moments(lg[kept], z_latest[kept], n_groups)
        z_stats[ind] = [
            ZStats(int(n[k]), _opt(mean[k]), _opt(sd[k]), _opt(skew[k]), _opt(kurt[k]))
            for k in range(n_groups)
        ]
        flagged[ind] = per_group(found[f"flagged_{ind}"])
        computed[ind] = per_group(~np.isnan(m.z[ind]))
    digits = {}
    for name, values in (("weight", m.weight_kg), ("height", m.height_cm)):
        d = first_decimal(values)
        has = d >= 0
        digits[name] = np.bincount(g[has] * 10 + d[has], minlength=n_groups * 10).reshape(
            n_groups, 10
        )
    dps = {name: _dps(counts) for name, counts in digits.items()}
    sex_latest = m.sex[latest]
    birth = m.birth_date[latest]
    birth_day = (birth - birth.astype("datetime64[M]")).astype("timedelta64[D]").astype(np.int64)
    heaped = np.isin(birth_day + 1, HEAPED_BIRTH_DAYS) & ~np.isnat(birth)
    counted = {name: per_group(found[name]) for name in FINDINGS}
    boys = np.bincount(lg[sex_latest == Sex.MALE], minlength=n_groups)
    girls = np.bincount(lg[sex_latest == Sex.FEMALE], minlength=n_groups)
    with_position = per_group(np.isin(m.position, (Position.LYING, Position.STANDING)))
    no_birth = per_group(np.isnat(m.birth_date))
    birth_heaped = np.bincount(lg[heaped], minlength=n_groups)
    years = np.clip(
        np.floor(m.age_days[latest] / (12 * DAYS_PER_MONTH)).astype(np.int64), 0, AGE_YEARS - 1
    )
    by_year = np.bincount(lg * AGE_YEARS + years, minlength=n_groups * AGE_YEARS)
    by_year = by_year.reshape(n_groups, AGE_YEARS)
    known = ~np.isnat(birth)
    month_of_birth = (birth[known].astype("datetime64[M]").astype(np.int64) % 12).astype(np.int64)
    by_month = np.bincount(lg[known] * 12 + month_of_birth, minlength=n_groups * 12)
    by_month = by_month.reshape(n_groups, 12)
    result: dict[int, QualityStats] = {}
    for k in range(n_groups):
        stats = QualityStats(
            key=int(keys[k]),
            children=int(children[k]),
            measurements=int(measurements[k]),
            z={ind: z_stats[ind][k] for ind in INDICATORS},
            flagged={ind: int(flagged[ind][k]) for ind in INDICATORS},
            computed={ind: int(computed[ind][k]) for ind in INDICATORS},
            missing_birth_date=int(no_birth[k]),
            missing_weight=int(counted["missing_weight"][k]),
            missing_height=int(counted["missing_height"][k]),
            missing_position=int(counted["missing_position"][k]),
            weights=int(digits["weight"][k].sum()),
            heights=int(digits["height"][k].sum()),
            weight_digits=tuple(int(x) for x in digits["weight"][k]),
            height_digits=tuple(int(x) for x in digits["height"][k]),
            dps_weight=_opt(dps["weight"][k]),
            dps_height=_opt(dps["height"][k]),
            with_position=int(with_position[k]),
            position_mismatch=int(counted["position_mismatch"][k]),
            boys=int(boys[k]),
            girls=int(girls[k]),
            birth_day_heaped=int(birth_heaped[k]),
            age_years=tuple(int(x) for x in by_year[k]),
            birth_months=tuple(int(x) for x in by_month[k]),
            length_shrinks=int(counted["length_shrinks"][k]),
            weight_implausible=int(counted["weight_implausible"][k]),
            visits_too_close=int(counted["visits_too_close"][k]),
        )
        rate(stats, rules)
        result[stats.key] = stats
    return result


_DIGIT_VALUES: Final = {"dps_weight": "weights", "dps_height": "heights"}
"""The count each digit preference score is computed over."""


def rate(stats: QualityStats, rules: QualityRules = QUALITY_RULES) -> None:
    """Rate each check with enough data, add up SMART's points, rate the group.

    A check without enough data (fewer children or measurements than the
    rules' minimum, or no value) is shown unrated and adds no points; a group
    with fewer measurements than the minimum gets no overall rating.
    """
    stats.ratings = {}
    points = 0
    for check in rules.checks:
        value = stats.value(check.name)
        if check.name in MOMENT_CHECKS:
            enough = stats.children >= rules.min_children
        elif check.name in _DIGIT_VALUES:
            enough = getattr(stats, _DIGIT_VALUES[check.name]) >= rules.min_digit_values
        else:
            enough = stats.measurements >= rules.min_measurements
        if value is None or not enough:
            stats.ratings[check.name] = None
            continue
        rating = check.rate(value)
        stats.ratings[check.name] = rating
        points += check.points_of(rating)
    stats.points = points
    stats.rating = rules.overall(points) if stats.measurements >= rules.min_measurements else None


def empty_stats(key: int, rules: QualityRules = QUALITY_RULES) -> QualityStats:
    """The stats of a group without a measurement in the period."""
    stats = QualityStats(
        key=key,
        children=0,
        measurements=0,
        z={ind: ZStats(0, None, None, None, None) for ind in INDICATORS},
        flagged=dict.fromkeys(INDICATORS, 0),
        computed=dict.fromkeys(INDICATORS, 0),
        missing_birth_date=0,
        missing_weight=0,
        missing_height=0,
        missing_position=0,
        weights=0,
        heights=0,
        weight_digits=(0,) * 10,
        height_digits=(0,) * 10,
        dps_weight=None,
        dps_height=None,
        with_position=0,
        position_mismatch=0,
        boys=0,
        girls=0,
        birth_day_heaped=0,
        age_years=(0,) * AGE_YEARS,
        birth_months=(0,) * 12,
        length_shrinks=0,
        weight_implausible=0,
        visits_too_close=0,
    )
    rate(stats, rules)
    return stats


# --- reading the visits of a period ----------------------------------------------------

_COLUMNS: Final = (
    "pk",
    "child_id",
    "posyandu_id",
    "recorded_by_id",
    "measured_on",
    "child__birth_date",
    "child__sex",
    "age_days",
    "weight_kg",
    "height_cm",
    "height_adj_cm",
    "position",
    *(f"z_{i}" for i in INDICATORS),
    *(f"flag_{i}" for i in INDICATORS),
    "prev_measured_on",
    "prev_weight_kg",
    "prev_height_adj_cm",
)


def _floats(values: Sequence[Any]) -> FloatArray:
    # numpy turns None into NaN and a Decimal into its float.
    return np.array(values, dtype=np.float64)


def _dates(values: Sequence[Any]) -> DateArray:
    # ISO text (SQLite) or dates (PostgreSQL); None becomes NaT.
    return np.array(values, dtype="datetime64[D]")


def _ints(values: Sequence[Any]) -> IntArray:
    return np.array([v or 0 for v in values], dtype=np.int64)


def measurements_of(visits: Any) -> Measurements:
    """The visits of a queryset as :class:`Measurements`, one query.

    Each visit brings its child's previous visit (by month, any date before
    the period too, at any Posyandu) through the (child, period) index. The
    rows are read with the database cursor and turned into arrays column by
    column: Django's per-value converters took as long as the query itself.
    """
    previous = Visit.objects.filter(child_id=OuterRef("child_id"), period__lt=OuterRef("period"))
    previous = previous.order_by("-period")
    query = visits.annotate(
        prev_measured_on=Subquery(previous.values("measured_on")[:1]),
        prev_weight_kg=Subquery(previous.values("weight_kg")[:1]),
        prev_height_adj_cm=Subquery(previous.values("height_adj_cm")[:1]),
    ).values_list(*_COLUMNS)
    try:
        sql, params = query.query.sql_with_params()
    except EmptyResultSet:  # a condition no row can meet (``pk__in=[]``)
        rows = []
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(_COLUMNS)
    at = dict(zip(_COLUMNS, columns, strict=True))
    return Measurements(
        visit_id=_ints(at["pk"]),
        child_id=_ints(at["child_id"]),
        posyandu_id=_ints(at["posyandu_id"]),
        recorder_id=_ints(at["recorded_by_id"]),
        measured_on=_dates(at["measured_on"]),
        birth_date=_dates(at["child__birth_date"]),
        sex=_ints(at["child__sex"]),
        age_days=_ints(at["age_days"]),
        weight_kg=_floats(at["weight_kg"]),
        height_cm=_floats(at["height_cm"]),
        height_adj_cm=_floats(at["height_adj_cm"]),
        position=np.array(at["position"], dtype="<U1"),
        z={i: _floats(at[f"z_{i}"]) for i in INDICATORS},
        flag={i: np.array(at[f"flag_{i}"], dtype=bool) for i in INDICATORS},
        prev_measured_on=_dates(at["prev_measured_on"]),
        prev_weight_kg=_floats(at["prev_weight_kg"]),
        prev_height_adj_cm=_floats(at["prev_height_adj_cm"]),
    )


def _period(date_from: dt.date, date_to: dt.date) -> Q:
    return Q(measured_on__gte=date_from, measured_on__lte=date_to)


# --- selectors ------------------------------------------------------------------------


@dataclass(frozen=True)
class PosyanduQuality:
    posyandu_id: int
    code: str
    name: str
    stats: QualityStats


@dataclass(frozen=True)
class RecorderQuality:
    """A user who recorded visits (``user_id`` 0: visits without a recorder)."""

    user_id: int
    name: str
    posyandu_name: str
    stats: QualityStats


@dataclass(frozen=True)
class MonthQuality:
    period: dt.date
    stats: QualityStats


@dataclass
class QualityReport:
    """The scorecard of an area and period: the whole, per Posyandu, per recorder,
    per month."""

    area: Area
    date_from: dt.date
    date_to: dt.date
    total: QualityStats
    posyandu: list[PosyanduQuality]
    recorders: list[RecorderQuality]
    months: list[MonthQuality]


def _posyandu_rows(
    posyandu: Sequence[tuple[int, str, str]], m: Measurements, rules: QualityRules
) -> list[PosyanduQuality]:
    stats = score(m, m.posyandu_id, rules=rules)
    return [
        PosyanduQuality(pk, code, name, stats.get(pk) or empty_stats(pk, rules))
        for pk, code, name in posyandu
    ]


def _visible_posyandu(scope: Scope, area: Area) -> list[tuple[int, str, str]]:
    return list(
        Posyandu.objects.filter(area_q(area) & scope.posyandu_q())
        .order_by("code")
        .values_list("pk", "code", "name")
    )


def quality_by_posyandu(
    scope: Scope,
    area: Area,
    date_from: dt.date,
    date_to: dt.date,
    rules: QualityRules = QUALITY_RULES,
) -> list[PosyanduQuality]:
    """One row per Posyandu of ``area`` that the user may see (in code order, those
    without a measurement in the period too), with its checks and rating; 404 when
    the user sees no Posyandu of the area. The dashboard's "worst data quality"
    block sorts these by :func:`worst_first`."""
    visits = Visit.objects.filter(scope.rows_in(area), _period(date_from, date_to))
    return _posyandu_rows(_visible_posyandu(scope, area), measurements_of(visits), rules)


def worst_first(rows: Iterable[PosyanduQuality]) -> list[PosyanduQuality]:
    """Rated rows, the most SMART points first (unrated ones last)."""
    return sorted(
        rows, key=lambda r: (r.stats.rating is None, -r.stats.points, -r.stats.measurements)
    )


def _recorder_names(ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    found = {}
    for pk, username, first, last, posyandu in User.objects.filter(pk__in=list(ids)).values_list(
        "pk", "username", "first_name", "last_name", "posyandu__name"
    ):
        name = f"{first} {last}".strip()
        found[pk] = (f"{name} ({username})" if name else username, posyandu or "")
    return found


def _months(date_from: dt.date, date_to: dt.date) -> list[dt.date]:
    months, period = [], date_from.replace(day=1)
    while period <= date_to:
        months.append(period)
        period = (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return months


def _month_rows(
    m: Measurements, date_from: dt.date, date_to: dt.date, rules: QualityRules
) -> list[MonthQuality]:
    stats = score(m, m.month, bucket=m.month, rules=rules)
    rows = []
    for period in _months(date_from, date_to):
        key = int(np.datetime64(period, "M").astype(np.int64))
        rows.append(MonthQuality(period, stats.get(key) or empty_stats(key, rules)))
    return rows


def _recorder_rows(m: Measurements, rules: QualityRules) -> list[RecorderQuality]:
    stats = score(m, m.recorder_id, rules=rules)
    names = _recorder_names(k for k in stats if k)
    return [
        RecorderQuality(key, *names.get(key, ("", "")), stats=found) for key, found in stats.items()
    ]


def quality_report(
    scope: Scope,
    area: Area,
    date_from: dt.date,
    date_to: dt.date,
    rules: QualityRules = QUALITY_RULES,
) -> QualityReport:
    """The scorecard of ``area`` from ``date_from`` to ``date_to`` (both included),
    from one read of its visits; 404 when the user sees no Posyandu of the area."""
    visits = Visit.objects.filter(scope.rows_in(area), _period(date_from, date_to))
    m = measurements_of(visits)
    whole = score(m, np.zeros(len(m), dtype=np.int64), rules=rules)
    return QualityReport(
        area=area,
        date_from=date_from,
        date_to=date_to,
        total=whole.get(0) or empty_stats(0, rules),
        posyandu=_posyandu_rows(_visible_posyandu(scope, area), m, rules),
        recorders=_recorder_rows(m, rules),
        months=_month_rows(m, date_from, date_to, rules),
    )


# --- the evidence behind a rating -------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """A measurement that failed at least one check, with its child."""

    visit: Visit
    found: tuple[str, ...]


@dataclass
class Evidence:
    """One Posyandu's or one recorder's period: its checks, its months, its
    recorders (or Posyandu), and every measurement that failed a check."""

    title: str
    stats: QualityStats
    months: list[MonthQuality]
    recorders: list[RecorderQuality]
    findings: list[Finding]
    elsewhere: int
    """Failing measurements of children now registered outside the user's area."""


def _findings(scope: Scope, m: Measurements, rules: QualityRules) -> tuple[list[Finding], int]:
    """The measurements that failed a check, of children registered in the user's
    area, and how many more belong to children registered elsewhere now (moved
    away: counted, not shown, as the SKDN's lists do)."""
    found = findings(m, rules)
    table = np.column_stack([found[name] for name in FINDINGS]) if len(m) else np.zeros((0, 0))
    failing = {
        int(m.visit_id[i]): tuple(name for name, on in zip(FINDINGS, row, strict=True) if on)
        for i, row in enumerate(table.tolist())
        if any(row)
    }
    visits = Visit.objects.filter(
        scope.posyandu_q("child__posyandu__"), pk__in=list(failing)
    ).select_related("child", "posyandu", "recorded_by")
    listed = [Finding(v, failing[v.pk]) for v in visits]
    listed.sort(key=lambda f: (f.visit.measured_on, f.visit.child.name), reverse=True)
    audit.shown([f.visit.child for f in listed])
    return listed, len(failing) - len(listed)


def _evidence(
    scope: Scope,
    title: str,
    visits: Any,
    date_from: dt.date,
    date_to: dt.date,
    rules: QualityRules,
) -> Evidence:
    m = measurements_of(visits.filter(_period(date_from, date_to)))
    whole = score(m, np.zeros(len(m), dtype=np.int64), rules=rules)
    listed, elsewhere = _findings(scope, m, rules)
    return Evidence(
        title=title,
        stats=whole.get(0) or empty_stats(0, rules),
        months=_month_rows(m, date_from, date_to, rules),
        recorders=_recorder_rows(m, rules),
        findings=listed,
        elsewhere=elsewhere,
    )


def posyandu_evidence(
    scope: Scope,
    posyandu_id: int,
    date_from: dt.date,
    date_to: dt.date,
    rules: QualityRules = QUALITY_RULES,
) -> Evidence:
    """The evidence of one Posyandu (404 outside the user's area); the children
    listed are audited as shown."""
    scope.require_read(posyandu_id)
    posyandu = Posyandu.objects.get(pk=posyandu_id)
    visits = Visit.objects.filter(posyandu_id=posyandu_id)
    return _evidence(scope, posyandu.name, visits, date_from, date_to, rules)


def recorder_evidence(
    scope: Scope,
    user_id: int,
    date_from: dt.date,
    date_to: dt.date,
    rules: QualityRules = QUALITY_RULES,
) -> Evidence:
    """The evidence of one recorder's visits at the Posyandu the user may see: 404
    unless the recorder is a kader there or recorded a visit there."""
    visits = Visit.objects.filter(scope.posyandu_q("posyandu__"), recorded_by_id=user_id)
    recorder = User.objects.filter(pk=user_id).first()
    if recorder is None or not (scope.may_read_posyandu(recorder.posyandu_id) or visits.exists()):
        raise Http404
    name = _recorder_names([user_id])[user_id][0]
    return _evidence(scope, name, visits, date_from, date_to, rules)
