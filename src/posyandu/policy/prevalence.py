"""How a prevalence is reported: WHO's age groups, the indicators, the interval.

Pure data, like the rest of :mod:`posyandu.policy`. The cut-offs themselves
are :data:`posyandu.policy.growth.REPORT_CUTOFFS`; which measurement of a
child counts and how flags and oedema are handled is the engine's
``growth.classify.screening``. What is here is the reporting convention on
top of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final


@dataclass(frozen=True)
class AgeGroup:
    """Children aged ``from_month`` to ``to_month`` months (both included).

    Months are age in days / 30.4375 rounded down, as WHO Anthro's survey
    analyser groups them (``posyandu.policy.DAYS_PER_MONTH``).
    """

    code: str
    from_month: int
    to_month: int


@dataclass(frozen=True)
class Indicator:
    """One prevalence: ``numerator`` among ``denominator``, both names of the
    engine's screening counts; ``z`` is the z-score whose mean and SD go beside it."""

    code: str
    label_id: str
    label_en: str
    numerator: str
    denominator: str
    z: str


@dataclass(frozen=True)
class PrevalenceConvention:
    version_id: str
    start_date: date
    source: str
    age_groups: tuple[AgeGroup, ...]
    indicators: tuple[Indicator, ...]
    confidence: float
    z_critical: float
    """The normal quantile of the two-sided ``confidence`` level."""
    interval_method_id: str
    interval_method_en: str


WHO_AGE_GROUPS: Final = (
    AgeGroup("0-5", 0, 5),
    AgeGroup("6-11", 6, 11),
    AgeGroup("12-23", 12, 23),
    AgeGroup("24-35", 24, 35),
    AgeGroup("36-47", 36, 47),
    AgeGroup("48-59", 48, 59),
)

PREVALENCE: Final = PrevalenceConvention(
    version_id="who-anthro-2019-wilson",
    start_date=date(2020, 1, 1),
    source=(
        "WHO Anthro Survey Analyser and WHO-UNICEF (2019) Recommendations for data "
        "collection, analysis and reporting on anthropometric indicators in children "
        "under 5 years old: age groups, one measurement per child, flagged z-scores "
        "excluded, oedema as severe wasting and underweight; Wilson (1927) score "
        "interval for a census without clusters or weights"
    ),
    age_groups=WHO_AGE_GROUPS,
    indicators=(
        Indicator(
            "stunting",
            "Stunting (PB/U-TB/U < −2 SD)",
            "Stunting (HAZ < −2)",
            "stunted",
            "lhfa_counted",
            "lhfa",
        ),
        Indicator(
            "severe_stunting",
            "Stunting berat (PB/U-TB/U < −3 SD)",
            "Severe stunting (HAZ < −3)",
            "severely_stunted",
            "lhfa_counted",
            "lhfa",
        ),
        Indicator(
            "wasting",
            "Wasting (BB/PB-BB/TB < −2 SD)",
            "Wasting (WHZ < −2)",
            "wasted",
            "wflh_counted",
            "wflh",
        ),
        Indicator(
            "severe_wasting",
            "Wasting berat (BB/PB-BB/TB < −3 SD)",
            "Severe wasting (WHZ < −3)",
            "severely_wasted",
            "wflh_counted",
            "wflh",
        ),
        Indicator(
            "underweight",
            "Underweight (BB/U < −2 SD)",
            "Underweight (WAZ < −2)",
            "underweight",
            "wfa_counted",
            "wfa",
        ),
        Indicator(
            "severe_underweight",
            "Underweight berat (BB/U < −3 SD)",
            "Severe underweight (WAZ < −3)",
            "severely_underweight",
            "wfa_counted",
            "wfa",
        ),
        Indicator(
            "overweight",
            "Gizi lebih (BB/PB-BB/TB > +2 SD)",
            "Overweight (WHZ > +2)",
            "overweight",
            "wflh_counted",
            "wflh",
        ),
        Indicator(
            "stunting_and_wasting",
            "Stunting dan wasting sekaligus",
            "Stunted and wasted",
            "stunted_and_wasted",
            "lhfa_wflh_counted",
            "lhfa",
        ),
    ),
    confidence=0.95,
    z_critical=1.959963984540054,
    interval_method_id=(
        "Selang kepercayaan 95% Wilson (skor) untuk proporsi; setiap anak sekali, dengan "
        "pengukuran terakhirnya dalam periode; z-score yang ditandai (flag WHO) tidak "
        "dihitung pada indikatornya; anak dengan edema dihitung sebagai wasting berat dan "
        "underweight berat, tidak pernah gizi lebih."
    ),
    interval_method_en=(
        "95% Wilson score interval for a proportion; each child once, with its latest "
        "measurement in the period; flagged z-scores (WHO flags) left out of their "
        "indicator; a child with oedema counts as severely wasted and severely "
        "underweight, never as overweight."
    ),
)
