"""Programme rules of the Posyandu and the Puskesmas: who is a balita, targets, limits.

Like :mod:`posyandu.policy.growth`, each rule is a frozen dataclass with a
version id, a start date and its source; app code reads these and never
compares an age, a ratio or a measurement to a number of its own.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final


@dataclass(frozen=True)
class BalitaRule:
    """Who a Posyandu counts as a *balita* (the S of SKDN, the register)."""

    version_id: str
    start_date: date
    source: str
    max_completed_months: int
    """A balita is under this many completed months of age (0-59 months)."""

    def aged_out_on(self, birth: date) -> date:
        """The day a child born on ``birth`` completes ``max_completed_months``
        (on the last day of a shorter month, as ``last_birth_date_aged_out`` reads it)."""
        months = birth.year * 12 + birth.month - 1 + self.max_completed_months
        year, month = divmod(months, 12)
        month += 1
        return date(year, month, min(birth.day, calendar.monthrange(year, month)[1]))

    def last_birth_date_aged_out(self, on: date) -> date:
        """Children born on or before this date are no longer balita on ``on``.

        Completed months are calendar months (a month is completed on the same
        day of the month as the birth day, or on the last day of a shorter
        month), the reading of the growth engine's ``completed_months``.
        """
        months = on.year * 12 + on.month - 1 - self.max_completed_months
        year, month = divmod(months, 12)
        month += 1
        days_in_month = calendar.monthrange(year, month)[1]
        if on.day == calendar.monthrange(on.year, on.month)[1]:
            return date(year, month, days_in_month)
        return date(year, month, min(on.day, days_in_month))


BALITA: Final = BalitaRule(
    version_id="balita-0-59",
    start_date=date(2020, 1, 1),
    source=(
        "Permenkes 2/2020 and the Buku KIA: anak balita is 0-59 months; "
        "a child stops being a balita on reaching 60 completed months"
    ),
    max_completed_months=60,
)


@dataclass(frozen=True)
class Band:
    """A colour band: ratios at or above ``at_least`` get ``css_class``."""

    at_least: float
    css_class: str


@dataclass(frozen=True)
class ParticipationTarget:
    """The D/S target and the colour bands used to show a Posyandu's D/S."""

    version_id: str
    start_date: date
    source: str
    target_ratio: float
    bands: tuple[Band, ...]
    below_class: str

    def css_class(self, ratio: float | None) -> str:
        """The colour of ``ratio`` (``""`` when there is no ratio)."""
        if ratio is None:
            return ""
        for band in sorted(self.bands, key=lambda b: -b.at_least):
            if ratio >= band.at_least:
                return band.css_class
        return self.below_class


DS_TARGET: Final = ParticipationTarget(
    version_id="spm-2003",
    start_date=date(2003, 1, 1),
    source=(
        "Standar Pelayanan Minimal bidang kesehatan (Kepmenkes 1457/2003): D/S at least 80%. "
        "The 50% amber line is a project choice (the old Posyandu strata split at D/S 50%)."
    ),
    target_ratio=0.80,
    bands=(Band(0.80, "ok"), Band(0.50, "warn")),
    below_class="bad",
)


@dataclass(frozen=True)
class MeasureLimits:
    """Values outside these are typing errors, never a child: refused at entry."""

    version_id: str
    start_date: date
    source: str
    weight_kg: tuple[Decimal, Decimal]
    height_cm: tuple[Decimal, Decimal]
    head_cm: tuple[Decimal, Decimal]
    muac_cm: tuple[Decimal, Decimal]
    birth_weight_kg: tuple[Decimal, Decimal]
    birth_length_cm: tuple[Decimal, Decimal]

    def visit_limits(self) -> dict[str, tuple[Decimal, Decimal]]:
        """The limits of a visit's measurements, by field name."""
        return {
            "weight_kg": self.weight_kg,
            "height_cm": self.height_cm,
            "head_cm": self.head_cm,
            "muac_cm": self.muac_cm,
        }


HARD_LIMITS: Final = MeasureLimits(
    version_id="posyandu-2024",
    start_date=date(2024, 1, 1),
    source=(
        "Project choice. Weight 0.5-40 kg follows WHO Anthro, which sets weights outside "
        "it to missing; length 35-130 cm covers WHO Anthro's 35-140 cm up to a 5-year-old "
        "far above +3 SD; head 25-60 cm and MUAC 5-30 cm are beyond any published centile; "
        "birth weight 0.4-6.5 kg and length 25-65 cm beyond any live birth a Posyandu sees."
    ),
    weight_kg=(Decimal("0.5"), Decimal("40")),
    height_cm=(Decimal("35"), Decimal("130")),
    head_cm=(Decimal("25"), Decimal("60")),
    muac_cm=(Decimal("5"), Decimal("30")),
    birth_weight_kg=(Decimal("0.4"), Decimal("6.5")),
    birth_length_cm=(Decimal("25"), Decimal("65")),
)


@dataclass(frozen=True)
class PmtRule:
    """Who is given supplementary feeding (PMT) at the Posyandu."""

    version_id: str
    start_date: date
    source: str
    wflh_z_below: float
    """Wasted: weight-for-length/height below this."""
    wfa_z_below: float
    """Or severely underweight (BGM): weight-for-age below this."""


PMT_RULE: Final = PmtRule(
    version_id="pmt-pemulihan-2023",
    start_date=date(2023, 1, 1),
    source=(
        "Petunjuk teknis PMT berbahan pangan lokal (Kemenkes 2023): balita gizi kurang "
        "(BB/PB or BB/TB below -2 SD) and balita below the red line (BB/U below -3 SD)"
    ),
    wflh_z_below=-2.0,
    wfa_z_below=-3.0,
)
