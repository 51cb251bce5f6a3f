"""Data-quality policy: the SMART-style rating of a Posyandu's or a kader's measurements.

WHO and UNICEF (2019) list the checks and say that no single score sums them
up; nutrition programmes still rank their teams with SMART's plausibility
check, which gives each check a rating, each rating penalty points, and the
team an overall rating from the sum. These are its bands and points, with
the project's own choices (marked below) for routine Posyandu data.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from typing import Final

WHO_UNICEF_2019_SOURCE: Final = (
    "WHO & UNICEF (2019), Recommendations for data collection, analysis and reporting on "
    "anthropometric indicators in children under 5 years old, ch. 3 (data quality); "
    "SMART Methodology (2017), plausibility check: bands and penalty points"
)


class Rating(enum.IntEnum):
    """Better ratings are smaller numbers (so the worst is ``max``)."""

    EXCELLENT = 0
    GOOD = 1
    ACCEPTABLE = 2
    PROBLEMATIC = 3


@dataclass(frozen=True)
class Check:
    """One rated check: a value's distance from its ideal, in three upper bands.

    The value rated is ``abs(value - ideal)``; ``excellent``, ``good`` and
    ``acceptable`` are the largest distances still rated so (``strict``: the
    distance must be below the bound, not at it). ``points`` are the SMART
    penalty points of excellent, good, acceptable and problematic.
    """

    name: str
    ideal: float
    excellent: float
    good: float
    acceptable: float
    points: tuple[int, int, int, int]
    strict: bool = False

    def rate(self, value: float) -> Rating:
        # Rounded: 1.1 - 1.0 is 0.10000000000000009 in binary, yet on the band's edge.
        distance = round(abs(value - self.ideal), 9)
        for bound, rating in (
            (self.excellent, Rating.EXCELLENT),
            (self.good, Rating.GOOD),
            (self.acceptable, Rating.ACCEPTABLE),
        ):
            if distance < bound or (not self.strict and distance == bound):
                return rating
        return Rating.PROBLEMATIC

    def points_of(self, rating: Rating) -> int:
        return self.points[int(rating)]


@dataclass(frozen=True)
class QualityRules:
    """The checks, their minimum data, and the overall bands."""

    version_id: str
    start_date: date
    source: str
    checks: tuple[Check, ...]
    overall_upper_points: tuple[int, int, int]
    """The most total points still rated excellent, good, acceptable (more: problematic)."""
    min_children: int
    """Fewer children (each counted once) than this: SD, skewness and kurtosis are
    shown but not rated. Their chance error is large in small groups (the SE of an
    SD is about SD/sqrt(2N); of a kurtosis about sqrt(24/N)), and a team must not
    be sent to training for its sample size."""
    min_measurements: int
    """Fewer measurements than this: the flagged share and the position mismatch are
    shown but not rated, and no overall rating is given."""
    min_digit_values: int
    """Fewer weights (lengths) than this: that digit preference score is shown but
    not rated. Chance alone gives a DPS of about 100/sqrt(N): 14 for 50 values,
    10 for 100."""
    flagged_highlight_pct: float
    """WHO-UNICEF 2019: more than this share of flagged z-scores hints at a problem."""
    min_days_between_visits: int
    """Two visits of one child closer than this are one session entered twice."""

    def check(self, name: str) -> Check:
        for found in self.checks:
            if found.name == name:
                return found
        raise ValueError(f"no data-quality check {name!r}")

    def overall(self, points: int) -> Rating:
        for upper, rating in zip(
            self.overall_upper_points,
            (Rating.EXCELLENT, Rating.GOOD, Rating.ACCEPTABLE),
            strict=True,
        ):
            if points <= upper:
                return rating
        return Rating.PROBLEMATIC


def _sd(name: str) -> Check:
    return Check(name, ideal=1.0, excellent=0.1, good=0.15, acceptable=0.2, points=(0, 5, 10, 20))


def _flagged(name: str) -> Check:
    return Check(name, ideal=0.0, excellent=2.5, good=5.0, acceptable=7.5, points=(0, 5, 10, 20))


def _skew(name: str) -> Check:
    return Check(
        name, ideal=0.0, excellent=0.2, good=0.4, acceptable=0.6, points=(0, 1, 3, 5), strict=True
    )


def _kurtosis(name: str) -> Check:
    return Check(
        name, ideal=3.0, excellent=0.2, good=0.4, acceptable=0.6, points=(0, 1, 3, 5), strict=True
    )


def _dps(name: str) -> Check:
    return Check(
        name,
        ideal=0.0,
        excellent=8.0,
        good=12.0,
        acceptable=20.0,
        points=(0, 2, 4, 10),
        strict=True,
    )


QUALITY_SMART_2019: Final = QualityRules(
    version_id="smart-who-unicef-2019",
    start_date=date(2019, 1, 1),
    source=(
        WHO_UNICEF_2019_SOURCE + ". SMART rates weight-for-height only; the same bands and "
        "points for length/height-for-age (the stunting indicator of these reports) are a "
        "project choice, as are the position-mismatch bands (1/3/5%), the minimum data "
        "before rating (100 children for the moments, 50 measurements, 100 values for a "
        "digit preference score), and 15 days between two visits. The "
        "overall bands are SMART's (0-9 excellent, 10-14 good, 15-24 acceptable, 25 or more "
        "problematic)."
    ),
    checks=(
        _flagged("pct_flagged_wflh"),
        _flagged("pct_flagged_lhfa"),
        _sd("sd_wflh"),
        _sd("sd_lhfa"),
        _skew("skew_wflh"),
        _kurtosis("kurtosis_wflh"),
        _skew("skew_lhfa"),
        _kurtosis("kurtosis_lhfa"),
        _dps("dps_weight"),
        _dps("dps_height"),
        Check(
            "pct_position_mismatch",
            ideal=0.0,
            excellent=1.0,
            good=3.0,
            acceptable=5.0,
            points=(0, 2, 4, 10),
        ),
    ),
    overall_upper_points=(9, 14, 24),
    min_children=100,
    min_measurements=50,
    min_digit_values=100,
    flagged_highlight_pct=1.0,
    min_days_between_visits=15,
)

QUALITY_RULES: Final = QUALITY_SMART_2019
"""The data-quality rules in force."""

MOMENT_CHECKS: Final = frozenset(
    {"sd_wflh", "sd_lhfa", "skew_wflh", "kurtosis_wflh", "skew_lhfa", "kurtosis_lhfa"}
)
"""The checks on each child's latest z (rated from ``min_children``); the others are
on measurements (rated from ``min_measurements``)."""
