"""Prevalence as WHO computes it, with a Wilson interval, from additive counts.

A prevalence of a set of children is a sum of what each child's latest
measurement adds (:func:`cells_of_measurements`): 1 to each screening count of
the engine (:func:`posyandu.growth.classify.screening`), and its usable
z-scores in hundredths (WHO rounds z-scores to two decimals) with their
squares, so that mean and SD come from sums too. The counts are kept per sex
and WHO age group, so they can be stored per Posyandu and month
(``reports_prevalencecell``, kept on write like the monthly aggregates) and
summed over any area, or computed from the visits of any period: both ways
give the same numbers because both call this module.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from posyandu.growth.classify import screening
from posyandu.policy import DAYS_PER_MONTH
from posyandu.policy.prevalence import PREVALENCE, Indicator

Z_INDICATORS = ("lhfa", "wfa", "wflh")

SCREENING_COUNTS = (
    "lhfa_counted",
    "stunted",
    "severely_stunted",
    "wflh_counted",
    "wasted",
    "severely_wasted",
    "overweight",
    "wfa_counted",
    "underweight",
    "severely_underweight",
    "lhfa_wflh_counted",
    "stunted_and_wasted",
)
"""The engine's screening counts a prevalence is made of."""

Z_SUMS = tuple(f"{kind}_{z}" for z in Z_INDICATORS for kind in ("zn", "z1", "z2"))
"""Per z-score: how many usable values, their sum and sum of squares (hundredths)."""

CELL_FIELDS = ("measured", *SCREENING_COUNTS, *Z_SUMS)
"""Every count of a cell (one sex, one age group), in storage order."""

SEXES = (1, 2)
AGE_GROUP_CODES = tuple(group.code for group in PREVALENCE.age_groups)
ALL = "all"

Key = tuple[int, str]
"""(sex, age group code)."""


def age_group_index(age_days: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Index into :data:`AGE_GROUP_CODES` of each age, or -1 outside 0-59 months."""
    days = np.asarray(age_days, dtype=np.float64)
    months = np.floor(days / DAYS_PER_MONTH)
    found = np.full(days.shape, -1, dtype=np.int64)
    for index, group in enumerate(PREVALENCE.age_groups):
        found[(months >= group.from_month) & (months <= group.to_month)] = index
    return found


def _hundredths(values: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    # Half away from zero, as WHO's igrowup rounds z-scores to 2 decimals.
    scaled = np.sign(values) * np.floor(np.abs(values) * 100 + 0.5)
    return np.where(np.isnan(values), 0, scaled).astype(np.int64)


def cells_of_measurements(
    *,
    sex: npt.ArrayLike,
    age_days: npt.ArrayLike,
    z: Mapping[str, npt.ArrayLike],
    flags: Mapping[str, npt.ArrayLike],
    oedema: npt.ArrayLike,
) -> list[tuple[Key | None, dict[str, int]]]:
    """What each measurement adds, row by row: its (sex, age group) and counts.

    A measurement outside 0-59 months (WHO's months) adds nothing: its key is
    ``None``.
    """
    sexes = np.asarray(sex, dtype=np.int64)
    groups = age_group_index(age_days)
    z_values = {i: np.asarray(z[i], dtype=np.float64) for i in Z_INDICATORS}
    flag_values = {i: np.asarray(flags[i], dtype=bool) for i in Z_INDICATORS}
    found = screening(
        **{f"z_{i}": z_values[i] for i in Z_INDICATORS},
        **{f"flag_{i}": flag_values[i] for i in Z_INDICATORS},
        oedema=np.asarray(oedema, dtype=bool),
    )
    columns: dict[str, npt.NDArray[np.int64]] = {
        name: found[name].astype(np.int64) for name in SCREENING_COUNTS
    }
    columns["measured"] = np.ones(len(sexes), dtype=np.int64)
    for i in Z_INDICATORS:
        usable = np.where(flag_values[i], np.nan, z_values[i])
        hundredths = _hundredths(usable)
        columns[f"zn_{i}"] = (~np.isnan(usable)).astype(np.int64)
        columns[f"z1_{i}"] = hundredths
        columns[f"z2_{i}"] = hundredths * hundredths
    table = np.column_stack([columns[name] for name in CELL_FIELDS]).tolist()
    rows: list[tuple[Key | None, dict[str, int]]] = []
    for sex_value, group, values in zip(sexes.tolist(), groups.tolist(), table, strict=True):
        if group < 0:
            rows.append((None, {}))
            continue
        rows.append(
            (
                (sex_value, AGE_GROUP_CODES[group]),
                {n: v for n, v in zip(CELL_FIELDS, values, strict=True) if v},
            )
        )
    return rows


def sum_cells(rows: Iterable[tuple[Key | None, Mapping[str, int]]]) -> dict[Key, Counter[str]]:
    totals: dict[Key, Counter[str]] = {}
    for key, counts in rows:
        if key is not None:
            totals.setdefault(key, Counter()).update(counts)
    return totals


# --- estimates --------------------------------------------------------------------------


def wilson_interval(numerator: int, denominator: int) -> tuple[float, float] | None:
    """The Wilson score interval of ``numerator / denominator`` as proportions, at
    :data:`~posyandu.policy.prevalence.PREVALENCE`'s confidence level."""
    if denominator <= 0:
        return None
    z = PREVALENCE.z_critical
    n = denominator
    p = numerator / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Estimate:
    numerator: int
    denominator: int

    @property
    def pct(self) -> float | None:
        return 100 * self.numerator / self.denominator if self.denominator else None

    @property
    def ci_pct(self) -> tuple[float, float] | None:
        found = wilson_interval(self.numerator, self.denominator)
        return None if found is None else (100 * found[0], 100 * found[1])


@dataclass(frozen=True)
class ZStats:
    n: int
    mean: float | None
    sd: float | None
    """Sample SD (N-1)."""


@dataclass
class Prevalence:
    """The summed cells of a set of children, by (sex, age group)."""

    cells: dict[Key, Counter[str]] = field(default_factory=dict)
    _summed: dict[tuple[int | str, str], Counter[str]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def total(self, name: str, sex: int | str = ALL, age_group: str = ALL) -> int:
        return self._sums(sex, age_group).get(name, 0)

    def _sums(self, sex: int | str, age_group: str) -> Counter[str]:
        """The cells of one (sex, age group) breakdown summed, once per breakdown."""
        key = (sex, age_group)
        if key not in self._summed:
            summed: Counter[str] = Counter()
            for (s, g), counts in self.cells.items():
                if (sex == ALL or s == sex) and (age_group == ALL or g == age_group):
                    summed.update(counts)
            self._summed[key] = summed
        return self._summed[key]

    def estimate(
        self, indicator: Indicator, sex: int | str = ALL, age_group: str = ALL
    ) -> Estimate:
        return Estimate(
            self.total(indicator.numerator, sex, age_group),
            self.total(indicator.denominator, sex, age_group),
        )

    def z_stats(self, z: str, sex: int | str = ALL, age_group: str = ALL) -> ZStats:
        n = self.total(f"zn_{z}", sex, age_group)
        s1 = self.total(f"z1_{z}", sex, age_group)
        s2 = self.total(f"z2_{z}", sex, age_group)
        if n == 0:
            return ZStats(0, None, None)
        mean = s1 / n / 100
        if n < 2:
            return ZStats(n, mean, None)
        variance = (s2 - s1 * s1 / n) / (n - 1) / 10000
        return ZStats(n, mean, math.sqrt(max(variance, 0.0)))

    @property
    def measured(self) -> int:
        return self.total("measured")


def breakdowns() -> list[tuple[int | str, str]]:
    """Every (sex, age group) a report lists: all, then by sex, then by age group,
    then each sex by age group."""
    found: list[tuple[int | str, str]] = [(ALL, ALL)]
    found += [(sex, ALL) for sex in SEXES]
    found += [(ALL, group) for group in AGE_GROUP_CODES]
    found += [(sex, group) for sex in SEXES for group in AGE_GROUP_CODES]
    return found
