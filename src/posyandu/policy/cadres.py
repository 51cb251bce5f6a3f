"""Kader competence pins and training completion: which skills make which pin.

The 25 basic kader skills are reference data in the database (editable by an
administrator); this module holds the rule that turns a kader's assessed
skills, counted as *whole packages*, into a pin level, and the rule of full
attendance at a training. App code asks :data:`PIN_RULE` and
:data:`TRAINING_RULE` and never counts packages or hours itself.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Final


class PinLevel(enum.StrEnum):
    """The competence levels, lowest first (there is no "Paripurna")."""

    PURWA = "purwa"
    MADYA = "madya"
    UTAMA = "utama"


PIN_ORDER: Final = (PinLevel.PURWA, PinLevel.MADYA, PinLevel.UTAMA)


@dataclass(frozen=True)
class PinRule:
    """A kader reaches a level when every skill of its packages is assessed competent.

    Purwa and Madya need all of ``core_packages`` plus that many more whole
    packages of any other (chosen by local need); Utama needs every package.
    """

    version_id: str
    start_date: date
    source: str
    core_packages: frozenset[str]
    extra_packages: dict[PinLevel, int]
    """Whole packages beyond the core ones that Purwa and Madya need."""

    def level(self, complete: Iterable[str], every_package: Iterable[str]) -> PinLevel | None:
        """The highest level reached with the packages in ``complete`` (each one
        fully competent) out of ``every_package``; None below Purwa."""
        done = frozenset(complete)
        packages = frozenset(every_package)
        if packages and packages <= done:
            return PinLevel.UTAMA
        if not self.core_packages <= done:
            return None
        extra = len(done - self.core_packages)
        reached = None
        for pin in PIN_ORDER:
            needed = self.extra_packages.get(pin)
            if needed is not None and extra >= needed:
                reached = pin
        return reached

    def next_level(self, level: PinLevel | None) -> PinLevel | None:
        """The level after ``level`` (Purwa after none; none after Utama)."""
        if level is None:
            return PIN_ORDER[0]
        index = PIN_ORDER.index(level)
        return PIN_ORDER[index + 1] if index + 1 < len(PIN_ORDER) else None


PIN_RULE: Final = PinRule(
    version_id="pin-kemenkes-2024",
    start_date=date(2024, 1, 1),
    source=(
        "Kemenkes 2024, kurikulum 25 keterampilan dasar kader Posyandu (Integrasi Layanan "
        "Primer): Purwa = paket A dan B + 1 paket lain; Madya = A dan B + 2 paket lain "
        "(per the sources read, unconfirmed); Utama = semua 25 keterampilan"
    ),
    core_packages=frozenset({"A", "B"}),
    extra_packages={PinLevel.PURWA: 1, PinLevel.MADYA: 2},
)


@dataclass(frozen=True)
class TrainingRule:
    """When a participant completes a training."""

    version_id: str
    start_date: date
    source: str
    max_missed_jpl: int
    """Lesson hours (JPL) a participant may miss and still complete."""


TRAINING_RULE: Final = TrainingRule(
    version_id="pelatihan-jpl-penuh",
    start_date=date(2024, 1, 1),
    source=(
        "Kemenkes, pedoman penyelenggaraan pelatihan bidang kesehatan (akreditasi "
        "pelatihan, SKP/kredit untuk perpanjangan SIP): no cut in lesson hours; "
        "a participant who missed hours does not complete"
    ),
    max_missed_jpl=0,
)
