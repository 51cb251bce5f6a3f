"""Turn one visit's raw values into z-scores, categories and warnings.

Pure functions over plain values (no database), shared by the live preview
on the entry form and by the service that saves a visit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from posyandu.core.i18n import growth_lang
from posyandu.core.ui import decimal_comma
from posyandu.growth import zscores_for_child
from posyandu.growth.classify import CLASSIFIED_INDICATORS, classify_codes, label
from posyandu.growth.weight_gain import completed_months as engine_completed_months
from posyandu.growth.zscores import INDICATORS
from posyandu.policy import DAYS_PER_MONTH, LENGTH_HEIGHT_SWITCH_DAYS, VISIT_PLAUSIBILITY

# Short indicator codes, in the user's language (WHO's WFA, LFA... in English).
INDICATOR_NAMES = {
    "wfa": pgettext_lazy("abbreviation", "BB/U"),
    "lhfa": pgettext_lazy("abbreviation", "PB/U"),
    "wflh": pgettext_lazy("abbreviation", "BB/PB"),
    "bfa": pgettext_lazy("abbreviation", "IMT/U"),
    "hcfa": pgettext_lazy("abbreviation", "LK/U"),
    "acfa": pgettext_lazy("abbreviation", "LiLA/U"),
}
STORED_INDICATORS: tuple[str, ...] = tuple(str(i) for i in INDICATORS if i in INDICATOR_NAMES)
"""The engine's indicators a visit stores (skinfolds are not measured at a Posyandu)."""
CLASSIFIED: tuple[str, ...] = tuple(CLASSIFIED_INDICATORS)


def position_for_age(age_days: int) -> str:
    """Lying (``"l"``) under the WHO switch age, standing (``"h"``) from it."""
    return "l" if age_days < LENGTH_HEIGHT_SWITCH_DAYS else "h"


def is_measured_lying(age_days: int) -> bool:
    """Whether a child of this age is measured lying: PB/U and BB/PB, not TB/U and BB/TB."""
    return age_days < LENGTH_HEIGHT_SWITCH_DAYS


def age_in_days(birth_date: dt.date, on: dt.date) -> int:
    return (on - birth_date).days


def completed_months(birth_date: dt.date, on: dt.date) -> int:
    """Whole calendar months between birth and ``on`` (the KMS/KIA reading of age).

    One definition for the whole project: the engine's, which counts a month
    as completed on the last day of a shorter month (born 31/01, one month
    old on 29/02).
    """
    months = float(engine_completed_months(birth_date, on))
    return 0 if np.isnan(months) else max(int(months), 0)


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def previous_month(period: dt.date) -> dt.date:
    return (period - dt.timedelta(days=1)).replace(day=1)


@dataclass(frozen=True)
class Warning_:
    code: str
    message: str


@dataclass
class Assessment:
    age_days: int
    height_adj_cm: float | None
    z: dict[str, float | None]
    flags: dict[str, bool]
    categories: dict[str, str]
    warnings: list[Warning_] = field(default_factory=list)

    def category_labels(self) -> dict[str, str]:
        lang = growth_lang()
        return {
            ind: label(ind, code, lang) if code else "" for ind, code in self.categories.items()
        }


def _f(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


def assess(
    *,
    sex: int,
    birth_date: dt.date,
    measured_on: dt.date,
    weight_kg: Decimal | float | None,
    height_cm: Decimal | float | None,
    position: str,
    oedema: bool,
    head_cm: Decimal | float | None = None,
    muac_cm: Decimal | float | None = None,
    previous_height_adj_cm: float | None = None,
    previous_weight_kg: Decimal | float | None = None,
    previous_measured_on: dt.date | None = None,
) -> Assessment:
    """Z-scores, Permenkes categories and plausibility warnings for one visit."""
    days = age_in_days(birth_date, measured_on)
    res = zscores_for_child(
        sex=sex,
        age_days=days,
        weight_kg=_f(weight_kg),
        height_cm=_f(height_cm),
        measure=position or "",
        oedema=oedema,
        head_cm=_f(head_cm),
        muac_cm=_f(muac_cm),
    )
    z = {ind: res[f"z_{ind}"] for ind in STORED_INDICATORS}
    flags = {ind: bool(res[f"flag_{ind}"]) for ind in STORED_INDICATORS}
    categories = {
        ind: str(classify_codes(ind, np.array([np.nan if z[ind] is None else z[ind]]))[0])
        for ind in CLASSIFIED
    }
    height_adj = res["height_adj_cm"]
    assessment = Assessment(
        age_days=days,
        height_adj_cm=height_adj if isinstance(height_adj, float) else None,
        z={k: (v if isinstance(v, float) else None) for k, v in z.items()},
        flags=flags,
        categories=categories,
    )
    warnings = assessment.warnings
    for ind in STORED_INDICATORS:
        value = assessment.z[ind]
        if flags[ind] and value is not None:
            warnings.append(
                Warning_(
                    f"implausible_{ind}",
                    _(
                        "%(ind)s tidak masuk akal (z = %(z)s). "
                        "Periksa alat ukur dan angka yang ditulis."
                    )
                    % {"ind": INDICATOR_NAMES[ind], "z": decimal_comma(value, 2)},
                )
            )
    rules = VISIT_PLAUSIBILITY
    if position == "h" and days < rules.standing_min_age_days:
        warnings.append(
            Warning_(
                "position_standing_too_young",
                _("Bayi di bawah %(m)d bulan tidak bisa diukur berdiri: ukur terlentang.")
                % {"m": int(rules.standing_min_age_days // DAYS_PER_MONTH)},
            )
        )
    elif position == "h" and is_measured_lying(days):
        warnings.append(
            Warning_(
                "position_standing_under_2y",
                _(
                    "Anak di bawah 2 tahun seharusnya diukur terlentang (panjang badan). "
                    "Hasil berdiri ditambah 0,7 cm."
                ),
            )
        )
    elif position == "l" and not is_measured_lying(days):
        warnings.append(
            Warning_(
                "position_lying_over_2y",
                _(
                    "Anak 2 tahun ke atas seharusnya diukur berdiri (tinggi badan). "
                    "Hasil terlentang dikurangi 0,7 cm."
                ),
            )
        )
    if (
        previous_height_adj_cm is not None
        and assessment.height_adj_cm is not None
        and assessment.height_adj_cm < previous_height_adj_cm - rules.max_length_shrink_cm
    ):
        warnings.append(
            Warning_(
                "length_shrinks",
                _("Panjang/tinggi turun %(d)s cm sejak kunjungan lalu: ukur ulang.")
                % {"d": decimal_comma(previous_height_adj_cm - assessment.height_adj_cm, 1)},
            )
        )
    if (
        previous_weight_kg is not None
        and weight_kg is not None
        and previous_measured_on is not None
    ):
        interval_days = max((measured_on - previous_measured_on).days, 1)
        change = float(weight_kg) - float(previous_weight_kg)
        months = interval_days / DAYS_PER_MONTH
        if change > rules.max_gain_kg_per_month * max(months, 1.0):
            warnings.append(
                Warning_(
                    "weight_jump_up",
                    _("Berat naik %(d)s kg dalam %(n)d hari: tidak wajar, timbang ulang.")
                    % {"d": decimal_comma(change, 1), "n": interval_days},
                )
            )
        elif -change > rules.max_loss_fraction * float(previous_weight_kg):
            warnings.append(
                Warning_(
                    "weight_jump_down",
                    _(
                        "Berat turun %(d)s kg dalam %(n)d hari: "
                        "timbang ulang, lalu rujuk bila benar."
                    )
                    % {"d": decimal_comma(-change, 1), "n": interval_days},
                )
            )
    return assessment
