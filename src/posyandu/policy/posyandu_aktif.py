"""Posyandu aktif, the older strata, the kader incentive and the kader-of-the-year score.

Pure data and pure functions (standard library only), like the rest of
:mod:`posyandu.policy`: each rule is a frozen dataclass with a version id, the
date from which it applies and its source, and the functions below judge
plain numbers handed to them by the apps. They answer with reason *codes*
(stable strings); the apps turn a code into words on screen.

The life stages are named by codes too; the cadres app's ``LifeStage``
choices use exactly these codes (a test checks it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from posyandu.policy.schedule import Schedule

# --- Life stages served at a Posyandu day (ILP, 2023) ---------------------------

BALITA_STAGE: Final = "balita"
PREGNANT_STAGE: Final = "ibu_hamil"
SCHOOL_AGE_STAGE: Final = "usia_sekolah_remaja"
PRODUCTIVE_AGE_STAGE: Final = "usia_produktif"
ELDERLY_STAGE: Final = "lansia"

LIFE_STAGES: Final = (
    BALITA_STAGE,
    PREGNANT_STAGE,
    SCHOOL_AGE_STAGE,
    PRODUCTIVE_AGE_STAGE,
    ELDERLY_STAGE,
)
"""Integrasi Layanan Primer (Kemenkes 2023): a Posyandu serves babies and
balita; pregnant and breastfeeding women; school-age children and
adolescents; adults of productive age; the elderly. In this order on screen."""


# --- Posyandu aktif (Permenkes 13/2022) -----------------------------------------

NOT_OPEN_THIS_MONTH: Final = "not_open_this_month"
TOO_FEW_OPENINGS: Final = "too_few_openings"
NO_CORE_SERVICE: Final = "no_core_service"
TOO_FEW_KADER: Final = "too_few_kader"


@dataclass(frozen=True)
class AktifRule:
    """When a Posyandu counts as *aktif*, per month and per year."""

    version_id: str
    start_date: date
    source: str
    min_openings_per_year: int
    """Opening days (at most one counted per month) needed in a calendar year."""
    core_life_stages: frozenset[str]
    """It must serve at least ``min_core_stages_served`` of these."""
    min_core_stages_served: int
    min_kader: int
    """Kader posted at the Posyandu (by SK) needed."""

    def __post_init__(self) -> None:
        unknown = self.core_life_stages - set(LIFE_STAGES)
        if unknown:
            raise ValueError(f"{self.version_id}: unknown life stages {sorted(unknown)}")
        if not 0 < self.min_core_stages_served <= len(self.core_life_stages):
            raise ValueError(f"{self.version_id}: min_core_stages_served out of range")

    def core_stages_served(self, stages_served: frozenset[str] | set[str]) -> int:
        return len(self.core_life_stages & set(stages_served))

    def month_reasons(
        self, *, opened: bool, stages_served: frozenset[str] | set[str], kader: int
    ) -> list[str]:
        """Why a Posyandu is not aktif in one month (empty: it is aktif)."""
        if not opened:
            return [NOT_OPEN_THIS_MONTH]
        reasons = []
        if self.core_stages_served(stages_served) < self.min_core_stages_served:
            reasons.append(NO_CORE_SERVICE)
        if kader < self.min_kader:
            reasons.append(TOO_FEW_KADER)
        return reasons

    def year_reasons(
        self, *, months_open: int, stages_served: frozenset[str] | set[str], kader: int
    ) -> list[str]:
        """Why a Posyandu is not aktif in a year (empty: it is aktif).

        ``months_open`` counts the months with at least one opening day;
        ``stages_served`` every life stage served on any day of the year;
        ``kader`` the kader posted at the end of the year (or today).
        """
        reasons = []
        if months_open < self.min_openings_per_year:
            reasons.append(TOO_FEW_OPENINGS)
        if self.core_stages_served(stages_served) < self.min_core_stages_served:
            reasons.append(NO_CORE_SERVICE)
        if kader < self.min_kader:
            reasons.append(TOO_FEW_KADER)
        return reasons


AKTIF_ILP_2022: Final = AktifRule(
    version_id="permenkes-13-2022",
    start_date=date(2022, 1, 1),
    source=(
        "Permenkes 13/2022 (Renstra Kemenkes 2020-2024, indicator definition): a Posyandu is "
        "aktif when it opens once a month and at least 8 times a year, serves at least "
        "pregnant women and/or balita and/or adolescents, and has at least 5 kader. "
        "Permendagri 13/2024 may raise the kader minimum (15, unconfirmed): change min_kader "
        "in a new version when it is confirmed."
    ),
    min_openings_per_year=8,
    core_life_stages=frozenset({BALITA_STAGE, PREGNANT_STAGE, SCHOOL_AGE_STAGE}),
    min_core_stages_served=1,
    min_kader=5,
)

AKTIF_SCHEDULE: Final = Schedule("posyandu_aktif", (AKTIF_ILP_2022,))
"""The Posyandu-aktif rules shipped, each in force from its start date."""


@dataclass(frozen=True)
class AktifTargets:
    """The share of Posyandu aktif a city aims at, and the national line."""

    version_id: str
    start_date: date
    source: str
    city_target_ratio: float
    city_baseline_ratio: float
    city_baseline_year: int
    national_line_ratio: float
    """A kabupaten/kota counts in the national indicator when at least this share of
    its Posyandu is aktif."""


AKTIF_TARGETS: Final = AktifTargets(
    version_id="bontang-2025",
    start_date=date(2025, 1, 1),
    source=(
        "Gerakan Posyandu Aktif, Dinkes Kota Bontang: 99.17% of Posyandu aktif in 2024 (one "
        "not aktif), target 100%. National line: Renstra Kemenkes (Permenkes 13/2022), the "
        "share of kabupaten/kota with at least 80% of their Posyandu aktif."
    ),
    city_target_ratio=1.0,
    city_baseline_ratio=0.9917,
    city_baseline_year=2024,
    national_line_ratio=0.80,
)


# --- The older strata: Pratama, Madya, Purnama, Mandiri -------------------------

PRATAMA: Final = "pratama"
MADYA: Final = "madya"
PURNAMA: Final = "purnama"
MANDIRI: Final = "mandiri"
STRATA: Final = (PRATAMA, MADYA, PURNAMA, MANDIRI)
"""From lowest to highest."""

STRATA_TOO_FEW_OPENINGS: Final = "strata_too_few_openings"
STRATA_TOO_FEW_KADER_ON_DUTY: Final = "strata_too_few_kader_on_duty"
STRATA_LOW_DS: Final = "strata_low_ds"
STRATA_LOW_KIA: Final = "strata_low_kia"
STRATA_LOW_KB: Final = "strata_low_kb"
STRATA_LOW_IMMUNISATION: Final = "strata_low_immunisation"
STRATA_NO_EXTRA_PROGRAMME: Final = "strata_no_extra_programme"
STRATA_LOW_HEALTH_FUND: Final = "strata_low_health_fund"
STRATA_NOT_RECORDED: Final = "strata_not_recorded"
"""Suffix ``:<what>``: the figure a stratum needs is not recorded."""


@dataclass(frozen=True)
class StrataInputs:
    """A Posyandu's year in the figures the strata use; None: not recorded."""

    openings: int
    mean_kader_on_duty: float | None
    ds_ratio: float | None
    kia_coverage: float | None = None
    kb_coverage: float | None = None
    immunisation_coverage: float | None = None
    extra_programmes: bool | None = None
    health_fund_coverage: float | None = None


@dataclass(frozen=True)
class StrataResult:
    stratum: str
    reasons_not_higher: list[str]
    """Why the Posyandu is not one stratum higher (empty at Mandiri)."""


@dataclass(frozen=True)
class StrataRule:
    """The four strata of the *Pedoman Umum Pengelolaan Posyandu*.

    Madya needs the openings and the kader on duty; Purnama adds D/S, the
    cumulative KIA, KB and immunisation coverage and extra programmes;
    Mandiri adds the health-fund coverage. Below Madya a Posyandu is Pratama.
    """

    version_id: str
    start_date: date
    source: str
    min_openings_per_year: int
    min_mean_kader_on_duty: float
    min_ds_ratio: float
    min_cumulative_coverage: float
    """For each of KIA, KB and immunisation."""
    min_health_fund_coverage: float

    def _madya_gaps(self, x: StrataInputs) -> list[str]:
        gaps = []
        if x.openings < self.min_openings_per_year:
            gaps.append(STRATA_TOO_FEW_OPENINGS)
        if x.mean_kader_on_duty is None:
            gaps.append(f"{STRATA_NOT_RECORDED}:kader_on_duty")
        elif x.mean_kader_on_duty < self.min_mean_kader_on_duty:
            gaps.append(STRATA_TOO_FEW_KADER_ON_DUTY)
        return gaps

    def _purnama_gaps(self, x: StrataInputs) -> list[str]:
        gaps = []
        ratios = (
            ("ds", x.ds_ratio, self.min_ds_ratio, STRATA_LOW_DS),
            ("kia", x.kia_coverage, self.min_cumulative_coverage, STRATA_LOW_KIA),
            ("kb", x.kb_coverage, self.min_cumulative_coverage, STRATA_LOW_KB),
            (
                "immunisation",
                x.immunisation_coverage,
                self.min_cumulative_coverage,
                STRATA_LOW_IMMUNISATION,
            ),
        )
        for what, value, minimum, low in ratios:
            if value is None:
                gaps.append(f"{STRATA_NOT_RECORDED}:{what}")
            elif value < minimum:
                gaps.append(low)
        if x.extra_programmes is None:
            gaps.append(f"{STRATA_NOT_RECORDED}:extra_programmes")
        elif not x.extra_programmes:
            gaps.append(STRATA_NO_EXTRA_PROGRAMME)
        return gaps

    def _mandiri_gaps(self, x: StrataInputs) -> list[str]:
        if x.health_fund_coverage is None:
            return [f"{STRATA_NOT_RECORDED}:health_fund"]
        if x.health_fund_coverage < self.min_health_fund_coverage:
            return [STRATA_LOW_HEALTH_FUND]
        return []

    def classify(self, inputs: StrataInputs) -> StrataResult:
        """The highest stratum whose every condition holds, and what the next one lacks."""
        for stratum, gaps in (
            (PRATAMA, self._madya_gaps(inputs)),
            (MADYA, self._purnama_gaps(inputs)),
            (PURNAMA, self._mandiri_gaps(inputs)),
        ):
            if gaps:
                return StrataResult(stratum, gaps)
        return StrataResult(MANDIRI, [])


STRATA_2011: Final = StrataRule(
    version_id="pedoman-posyandu-2011",
    start_date=date(2011, 1, 1),
    source=(
        "Kemenkes RI, Pedoman Umum Pengelolaan Posyandu (2011), Telaah kemandirian Posyandu: "
        "Pratama (openings < 8 a year, kader on duty < 5), Madya (>= 8, >= 5, D/S < 50%), "
        "Purnama (D/S and cumulative KIA, KB and immunisation coverage >= 50%, extra "
        "programmes, health fund < 50%), Mandiri (health fund >= 50%)"
    ),
    min_openings_per_year=8,
    min_mean_kader_on_duty=5.0,
    min_ds_ratio=0.50,
    min_cumulative_coverage=0.50,
    min_health_fund_coverage=0.50,
)

STRATA_SCHEDULE: Final = Schedule("posyandu_strata", (STRATA_2011,))
"""The strata rule sets shipped: the alternative to :data:`AKTIF_SCHEDULE`."""


# --- Kader incentive ------------------------------------------------------------

NO_POSTING: Final = "no_posting"
NOT_INCENTIVE_ELIGIBLE: Final = "not_incentive_eligible"
NO_SK: Final = "no_sk"
SK_AFTER_DAY: Final = "sk_after_day"
SK_EXPIRED: Final = "sk_expired"
NO_POSYANDU_DAY: Final = "no_posyandu_day"
ABSENT: Final = "absent"
DATA_NOT_ENTERED: Final = "data_not_entered"


@dataclass(frozen=True)
class IncentiveRule:
    """Who is paid the monthly kader incentive for a month."""

    version_id: str
    start_date: date
    source: str
    requires_sk: bool
    """A posting under a decree (SK number and date) dated on or before the day."""
    sk_valid_months: int | None
    """An SK older than this many months at the Posyandu day has lapsed (None: never)."""
    requires_presence: bool
    """Present at the month's Posyandu day."""
    requires_data_entered: bool
    """The month's Posyandu day has its weighing and its services recorded."""

    def reasons(
        self,
        *,
        posted: bool,
        incentive_eligible: bool,
        sk_number: str,
        sk_date: date | None,
        posyandu_day: date | None,
        present: bool,
        data_entered: bool,
    ) -> list[str]:
        """Why a kader is left out of a month's roster (empty: paid)."""
        if not posted:
            return [NO_POSTING]
        reasons = []
        if not incentive_eligible:
            reasons.append(NOT_INCENTIVE_ELIGIBLE)
        if self.requires_sk:
            if not sk_number.strip() or sk_date is None:
                reasons.append(NO_SK)
            elif posyandu_day is not None and sk_date > posyandu_day:
                reasons.append(SK_AFTER_DAY)
            elif (
                posyandu_day is not None
                and self.sk_valid_months is not None
                and _months_between(sk_date, posyandu_day) >= self.sk_valid_months
            ):
                reasons.append(SK_EXPIRED)
        if posyandu_day is None:
            reasons.append(NO_POSYANDU_DAY)
            return reasons
        if self.requires_presence and not present:
            reasons.append(ABSENT)
        if self.requires_data_entered and not data_entered:
            reasons.append(DATA_NOT_ENTERED)
        return reasons


def _months_between(earlier: date, later: date) -> int:
    """Completed calendar months from ``earlier`` to ``later``."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - 1 if later.day < earlier.day else months


INCENTIVE_BONTANG: Final = IncentiveRule(
    version_id="bontang-2024",
    start_date=date(2024, 1, 1),
    source=(
        "Issue 13 (the city's reading of its kader incentive): a kader posted by a valid SK "
        "of the Lurah, present at the month's Posyandu day, whose day has its data entered. "
        "An SK stays valid while its posting lasts: no lapse period was found in a public "
        "source (set sk_valid_months in a new version if the city's Perwali has one)."
    ),
    requires_sk=True,
    sk_valid_months=None,
    requires_presence=True,
    requires_data_entered=True,
)

INCENTIVE_SCHEDULE: Final = Schedule("kader_incentive", (INCENTIVE_BONTANG,))


# --- Kader of the year ----------------------------------------------------------


@dataclass(frozen=True)
class KaderScoreWeights:
    """The weights of the kader-of-the-year score; each component is 0..1."""

    version_id: str
    start_date: date
    source: str
    attendance: float
    """Share of their Posyandu's days (while posted) the kader was present."""
    data: float
    """Completeness of the measurements of the days they worked, with the data-quality
    rating of the visits they recorded when they have one (see :meth:`data_component`)."""
    skills: float
    """Share of the 25 basic skills assessed competent."""
    home_visits: float
    home_visits_for_full_marks: int
    """Home visits in the year that earn the whole home-visit component."""
    quality_by_rating: tuple[float, float, float, float]
    """The value of a data-quality rating (excellent, good, acceptable, problematic:
    :class:`posyandu.policy.quality.Rating` order) in the data component."""

    def __post_init__(self) -> None:
        weights = (self.attendance, self.data, self.skills, self.home_visits)
        if min(weights) < 0 or sum(weights) <= 0:
            raise ValueError(f"{self.version_id}: weights must be >= 0 and not all zero")
        if self.home_visits_for_full_marks <= 0:
            raise ValueError(f"{self.version_id}: home_visits_for_full_marks must be positive")

    def data_component(self, completeness: float, rating: int | None) -> float:
        """Completeness alone, or its mean with the value of the kader's data-quality
        rating (``Rating`` as an int) when the visits they recorded were rated."""
        if rating is None:
            return completeness
        return (completeness + self.quality_by_rating[rating]) / 2

    @property
    def total_weight(self) -> float:
        return self.attendance + self.data + self.skills + self.home_visits

    def home_visit_component(self, home_visits: int) -> float:
        return min(1.0, home_visits / self.home_visits_for_full_marks)

    def score(
        self, *, attendance: float, data: float, skills: float, home_visit_count: int
    ) -> float:
        """The score out of 100: the weighted mean of the four components."""
        for name, value in (("attendance", attendance), ("data", data), ("skills", skills)):
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must lie in 0..1, got {value}")
        weighted = (
            self.attendance * attendance
            + self.data * data
            + self.skills * skills
            + self.home_visits * self.home_visit_component(home_visit_count)
        )
        return 100.0 * weighted / self.total_weight


KADER_SCORE_2025: Final = KaderScoreWeights(
    version_id="bontang-2025",
    start_date=date(2025, 1, 1),
    source=(
        "Project choice for Bontang's kader of the year (issue 13): attendance 35%, data "
        "30%, skills 20%, home visits 15%; 12 home visits a year (one a month) earn the "
        "whole home-visit part; the data part is completeness, averaged with the SMART "
        "data-quality rating of the visits the kader recorded (excellent 1, good 0.75, "
        "acceptable 0.5, problematic 0) when they were rated. No official weighting "
        "exists; the Dinkes may set its own."
    ),
    attendance=0.35,
    data=0.30,
    skills=0.20,
    home_visits=0.15,
    home_visits_for_full_marks=12,
    quality_by_rating=(1.0, 0.75, 0.5, 0.0),
)

KADER_SCORE_SCHEDULE: Final = Schedule("kader_score", (KADER_SCORE_2025,))
