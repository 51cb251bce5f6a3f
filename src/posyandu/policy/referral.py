"""When a kader tells a mother "bring the child to the Puskesmas".

Like :mod:`posyandu.policy.programme`, each rule is a frozen dataclass with a
version id, a start date and its source.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final


@dataclass(frozen=True)
class ReferralRule:
    """The results a kader refers to the Puskesmas; anything else is weighed
    again next month."""

    version_id: str
    start_date: date
    source: str
    refer_2t: bool
    refer_bgm: bool
    categories: frozenset[tuple[str, str]]
    """(indicator, Permenkes category code) pairs that are referred."""

    def refers(self, *, is_2t: bool, is_bgm: bool, categories: dict[str, str]) -> bool:
        return (
            (self.refer_2t and is_2t)
            or (self.refer_bgm and is_bgm)
            or any((ind, code) in self.categories for ind, code in categories.items())
        )


REFERRAL: Final = ReferralRule(
    version_id="kia-2023-rujuk",
    start_date=date(2023, 1, 1),
    source=(
        "Buku KIA 2023 (anak): weight not gained twice (2T) or below the red line: "
        "bring the child to the Puskesmas; Permenkes 2/2020 categories under -2 SD "
        "(short, wasted) are confirmed by the Puskesmas (screening is not diagnosis)"
    ),
    refer_2t=True,
    refer_bgm=True,
    categories=frozenset(
        {
            ("wfa", "sangat_kurang"),
            ("lhfa", "sangat_pendek"),
            ("lhfa", "pendek"),
            ("wflh", "gizi_buruk"),
            ("wflh", "gizi_kurang"),
        }
    ),
)
