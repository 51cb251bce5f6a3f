"""Rules for reading files from the national system (e-PPGBM) and spreadsheets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final


@dataclass(frozen=True)
class ImportRules:
    """How the values of an imported e-PPGBM file or spreadsheet are read."""

    version_id: str
    start_date: date
    source: str
    grams_above: Decimal
    """A weight (or birth weight) above this is in grams, not kilograms."""
    excel_digits: int
    """Significant digits Excel keeps in a number: a NIK typed as a number with
    a zero past this many digits may have lost its last digits."""


EPPGBM_IMPORT: Final = ImportRules(
    version_id="posyandu-2026",
    start_date=date(2026, 1, 1),
    source=(
        "Project choice (issue 10, DOMAIN.md 'Identifiers and data exchange'): a weight over "
        "100 is grams (no balita weighs 100 kg; no newborn 100 g). Excel stores 15 significant "
        "digits (Microsoft, 'Excel specifications and limits'), so a 16-digit NIK saved as a "
        "number ends in 0 whatever its last digit was."
    ),
    grams_above=Decimal("100"),
    excel_digits=15,
)
