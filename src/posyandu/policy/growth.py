"""Growth policy: WHO's measuring rules, Permenkes categories, KMS rules, KBM.

Everything here is a policy choice that a ministry can change (a cut-off, a
minimum weight gain) or a rule of the WHO standard that app code must not
restate (the length/height switch, the days in a month), so it is data, not
code: frozen dataclasses with a version id, the date from which the version
applies and the document it comes from. Code elsewhere reads these objects and
never repeats a number.

Start dates are the first day of the year of the source document: no rule
here depends on the exact day of enactment, and a year-level date is all the
sources below state reliably.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Final

from posyandu.policy.schedule import Schedule

# --- WHO Child Growth Standards 2006: measuring rules ------------------------

WHO_2006_SOURCE: Final = (
    "WHO Multicentre Growth Reference Study Group (2006), WHO Child Growth Standards: "
    "Methods and development; igrowup/anthro conventions"
)


@dataclass(frozen=True)
class WhoMeasuringRules:
    """Rules of the WHO standard that app code uses to choose what to show."""

    version_id: str
    start_date: date
    source: str
    length_height_switch_days: int
    """Lying (length) below this age, standing (height) from it: 731 days, 24 months."""
    lying_standing_diff_cm: float
    """Standing is this much shorter than lying; the engine adjusts by it."""
    max_age_days: int
    """Age-based z-scores stop after this many days (just under 61 months)."""
    days_per_month: float
    """WHO's mean month, for turning months into days and back."""


WHO_MEASURING: Final = WhoMeasuringRules(
    version_id="who-2006",
    start_date=date(2006, 4, 27),
    source=WHO_2006_SOURCE,
    length_height_switch_days=731,
    lying_standing_diff_cm=0.7,
    max_age_days=1856,
    days_per_month=30.4375,
)

LENGTH_HEIGHT_SWITCH_DAYS: Final = WHO_MEASURING.length_height_switch_days
DAYS_PER_MONTH: Final = WHO_MEASURING.days_per_month

# --- Permenkes 2/2020: anthropometric categories ---------------------------

PERMENKES_2_2020_SOURCE: Final = (
    "Peraturan Menteri Kesehatan RI Nomor 2 Tahun 2020 tentang Standar Antropometri "
    "Anak, Lampiran: Kategori dan Ambang Batas Status Gizi Anak"
)


@dataclass(frozen=True)
class Category:
    """One band of z-scores and its name.

    Bands are listed from low to high; a band holds every z above the previous
    band's upper bound and up to its own: ``z < upper_z`` when
    ``upper_inclusive`` is false, ``z <= upper_z`` when it is true. The
    regulation mixes both (``−3 ≤ z < −2`` but ``−2 ≤ z ≤ +1``), which is why
    the flag is per band.
    """

    code: str
    upper_z: float
    upper_inclusive: bool
    label_id: str
    label_en: str


@dataclass(frozen=True)
class IndicatorCategories:
    """The categories of one indicator, with its Indonesian and English names."""

    indicator: str
    name_id: str
    name_en: str
    categories: tuple[Category, ...]

    def __post_init__(self) -> None:
        uppers = [c.upper_z for c in self.categories]
        if uppers != sorted(uppers) or len(set(uppers)) != len(uppers):
            raise ValueError(f"{self.indicator}: category bounds must rise strictly")
        if not math.isinf(uppers[-1]):
            raise ValueError(f"{self.indicator}: the last category must be open-ended")
        codes = [c.code for c in self.categories]
        if len(set(codes)) != len(codes) or "" in codes:
            raise ValueError(f"{self.indicator}: category codes must be unique and non-empty")


@dataclass(frozen=True)
class CategoryStandard:
    """A versioned set of categories for the four nutrition indicators."""

    version_id: str
    start_date: date
    source: str
    indicators: tuple[IndicatorCategories, ...]

    def for_indicator(self, indicator: str) -> IndicatorCategories:
        """The categories of ``indicator``; ValueError naming the known ones."""
        for entry in self.indicators:
            if entry.indicator == indicator:
                return entry
        known = [entry.indicator for entry in self.indicators]
        raise ValueError(f"no categories for indicator {indicator!r}; expected one of {known}")


_INF: Final = math.inf

# BB/PB or BB/TB and IMT/U share one table in the regulation.
_WASTING_BMI_CATEGORIES: Final = (
    Category("gizi_buruk", -3.0, False, "Gizi buruk", "Severely wasted"),
    Category("gizi_kurang", -2.0, False, "Gizi kurang", "Wasted"),
    Category("gizi_baik", 1.0, True, "Gizi baik", "Normal"),
    Category(
        "berisiko_gizi_lebih",
        2.0,
        True,
        "Berisiko gizi lebih",
        "Possible risk of overweight",
    ),
    Category("gizi_lebih", 3.0, True, "Gizi lebih", "Overweight"),
    Category("obesitas", _INF, True, "Obesitas", "Obese"),
)

PERMENKES_2_2020: Final = CategoryStandard(
    version_id="permenkes-2-2020",
    start_date=date(2020, 1, 1),
    source=PERMENKES_2_2020_SOURCE,
    indicators=(
        IndicatorCategories(
            indicator="wfa",
            name_id="BB/U",
            name_en="Weight-for-age",
            categories=(
                Category(
                    "sangat_kurang",
                    -3.0,
                    False,
                    "Berat badan sangat kurang",
                    "Severely underweight",
                ),
                Category("kurang", -2.0, False, "Berat badan kurang", "Underweight"),
                Category("normal", 1.0, True, "Berat badan normal", "Normal weight"),
                Category(
                    "risiko_lebih",
                    _INF,
                    True,
                    "Risiko berat badan lebih",
                    "Risk of overweight",
                ),
            ),
        ),
        IndicatorCategories(
            indicator="lhfa",
            name_id="PB/U atau TB/U",
            name_en="Length/height-for-age",
            categories=(
                Category("sangat_pendek", -3.0, False, "Sangat pendek", "Severely stunted"),
                Category("pendek", -2.0, False, "Pendek", "Stunted"),
                Category("normal", 3.0, True, "Normal", "Normal"),
                Category("tinggi", _INF, True, "Tinggi", "Tall"),
            ),
        ),
        IndicatorCategories(
            indicator="wflh",
            name_id="BB/PB atau BB/TB",
            name_en="Weight-for-length/height",
            categories=_WASTING_BMI_CATEGORIES,
        ),
        IndicatorCategories(
            indicator="bfa",
            name_id="IMT/U",
            name_en="BMI-for-age",
            categories=_WASTING_BMI_CATEGORIES,
        ),
    ),
)

CATEGORY_STANDARD: Final = PERMENKES_2_2020
"""The category standard in force."""


# --- Report indicators: stunting, wasting, underweight, overweight ---------


@dataclass(frozen=True)
class ReportCutoffs:
    """Z-score cut-offs of the headline prevalence indicators.

    Stunted, wasted and underweight are strictly below their cut-off (the
    regulation's ``pendek + sangat pendek`` and so on); overweight is strictly
    above (``gizi lebih + obesitas``).
    """

    version_id: str
    start_date: date
    source: str
    stunted_lhfa_below: float
    wasted_wflh_below: float
    underweight_wfa_below: float
    overweight_wflh_above: float
    severely_stunted_lhfa_below: float
    severely_wasted_wflh_below: float
    severely_underweight_wfa_below: float


REPORT_CUTOFFS: Final = ReportCutoffs(
    version_id="permenkes-2-2020",
    start_date=date(2020, 1, 1),
    source=PERMENKES_2_2020_SOURCE + " (stunting = pendek + sangat pendek, etc.)",
    stunted_lhfa_below=-2.0,
    wasted_wflh_below=-2.0,
    underweight_wfa_below=-2.0,
    overweight_wflh_above=2.0,
    severely_stunted_lhfa_below=-3.0,
    severely_wasted_wflh_below=-3.0,
    severely_underweight_wfa_below=-3.0,
)


# --- KMS rules: BGM and 2T -------------------------------------------------


@dataclass(frozen=True)
class BgmRule:
    """*Bawah garis merah*: weight-for-age below the KMS red line."""

    version_id: str
    start_date: date
    source: str
    wfa_z_below: float


BGM_RULE: Final = BgmRule(
    version_id="kms-who-2006",
    start_date=date(2008, 1, 1),
    source="KMS balita / Buku KIA: the red line is the WHO 2006 weight-for-age −3 SD curve",
    wfa_z_below=-3.0,
)


@dataclass(frozen=True)
class TwoTRule:
    """2T: ``consecutive_months`` T statuses in a row mean referral."""

    version_id: str
    start_date: date
    source: str
    consecutive_months: int


TWO_T_RULE: Final = TwoTRule(
    version_id="kms-2t",
    start_date=date(2008, 1, 1),
    source="KMS balita / Buku KIA: 'tidak naik' two months in a row → refer to the Puskesmas",
    consecutive_months=2,
)

TWO_T_SCHEDULE: Final = Schedule("two_t", (TWO_T_RULE,))
"""The 2T rules shipped, each in force from its start date."""


# --- Data entry: when to ask the kader to measure again ----------------------


@dataclass(frozen=True)
class VisitPlausibility:
    """Thresholds for warning at entry that a visit looks mis-measured.

    These are warnings ("measure again"), never rejections, and are not an
    official rule: each number is a project choice, with its reasoning below.
    """

    version_id: str
    start_date: date
    source: str
    standing_min_age_days: int
    """A standing height before this age is implausible (the baby cannot stand)."""
    max_length_shrink_cm: float
    """Adjusted length/height may fall by at most this much between visits."""
    max_gain_kg_per_month: float
    """A larger gain per month (per elapsed month, at least one) is implausible."""
    max_loss_fraction: float
    """A loss above this fraction of the previous weight is implausible or alarming."""


VISIT_PLAUSIBILITY: Final = VisitPlausibility(
    version_id="posyandu-2024",
    start_date=date(2024, 1, 1),
    source=(
        "Project choice. Standing under 9 months (274 days) follows WHO's anthro R "
        "package, which treats a standing measure under 9 months as implausible "
        "(c9mo_flag). 1.5 cm of shrinkage is several times the technical error of "
        "measuring length, after the 0.7 cm lying/standing adjustment. 2 kg per month "
        "is above the top centiles of the WHO 2009 weight-velocity standards. 10% loss "
        "is the usual clinical alarm level for weight loss in small children."
    ),
    standing_min_age_days=274,
    max_length_shrink_cm=1.5,
    max_gain_kg_per_month=2.0,
    max_loss_fraction=0.10,
)


# --- KBM: kenaikan berat badan minimal -------------------------------------


@dataclass(frozen=True)
class KbmBand:
    """Minimum gain ``grams`` for ages ``first_month``..``last_month`` inclusive."""

    first_month: int
    last_month: int
    grams: int


@dataclass(frozen=True)
class KbmVersion:
    """One KBM table: the minimum monthly weight gain by completed months of age.

    The age is the child's age in completed months at the visit being judged:
    the band for 1 month is the gain over the first month of life. Bands must
    cover 1..``last_month`` without gaps; there is no KBM for 0 months.
    """

    version_id: str
    start_date: date
    source: str
    bands: tuple[KbmBand, ...]

    def __post_init__(self) -> None:
        expected_first = 1
        for band in self.bands:
            if band.first_month != expected_first or band.last_month < band.first_month:
                raise ValueError(
                    f"KBM {self.version_id}: bands must run on from month 1 without gaps"
                )
            if band.grams <= 0:
                raise ValueError(f"KBM {self.version_id}: grams must be positive")
            expected_first = band.last_month + 1

    @property
    def last_month(self) -> int:
        return self.bands[-1].last_month

    def grams_for_month(self, age_months: int) -> int | None:
        """The KBM in grams at ``age_months`` completed months, or None if none."""
        for band in self.bands:
            if band.first_month <= age_months <= band.last_month:
                return band.grams
        return None


KBM_KIA_2023: Final = KbmVersion(
    version_id="kia-2023",
    start_date=date(2023, 1, 1),
    source=(
        "Buku Kesehatan Ibu dan Anak (KIA), Kemenkes RI, edisi 2023 (following Permenkes "
        "2/2020): 1 mo 800, 2 mo 900, 3 mo 800, 4 mo 600, 5 mo 500, 6 mo 400, then 300, "
        "then 200 g; read as 7-11 mo 300 and 12-60 mo 200, the usual reading"
    ),
    bands=(
        KbmBand(1, 1, 800),
        KbmBand(2, 2, 900),
        KbmBand(3, 3, 800),
        KbmBand(4, 4, 600),
        KbmBand(5, 5, 500),
        KbmBand(6, 6, 400),
        KbmBand(7, 11, 300),
        KbmBand(12, 60, 200),
    ),
)

KBM_KMS_2008: Final = KbmVersion(
    version_id="kms-2008",
    start_date=date(2008, 1, 1),
    source=(
        "Kartu Menuju Sehat (KMS) balita, Kemenkes RI, 2008: 1 mo 800, 2 mo 900, "
        "3 mo 800, 4 mo 600, 5 mo 500, 6 mo 400, 7 mo 400, 8-10 mo 300, 11-60 mo 200 g"
    ),
    bands=(
        KbmBand(1, 1, 800),
        KbmBand(2, 2, 900),
        KbmBand(3, 3, 800),
        KbmBand(4, 4, 600),
        KbmBand(5, 5, 500),
        KbmBand(6, 6, 400),
        KbmBand(7, 7, 400),
        KbmBand(8, 10, 300),
        KbmBand(11, 60, 200),
    ),
)

KBM_SCHEDULE: Final = Schedule("kbm", (KBM_KMS_2008, KBM_KIA_2023))
"""The KBM tables shipped, each in force from its start date (the newest by
default, as DOMAIN.md asks); an administrator may choose another from a date."""

KBM_VERSIONS: Final[dict[str, KbmVersion]] = {v.version_id: v for v in KBM_SCHEDULE.versions}
"""Every shipped KBM table by version id."""

DEFAULT_KBM_VERSION: Final = KBM_KIA_2023.version_id
"""The newest KIA book's table: in force for today's visits unless an admin chooses."""


def kbm_version(version_id: str) -> KbmVersion:
    """The KBM table ``version_id``; ValueError naming the known ids if unknown."""
    try:
        return KBM_VERSIONS[version_id]
    except KeyError:
        raise ValueError(
            f"unknown KBM version {version_id!r}; expected one of {sorted(KBM_VERSIONS)}"
        ) from None
