"""Permenkes 2/2020 nutrition categories from WHO z-scores, vectorised.

The cut-offs come from :mod:`posyandu.policy.growth`; nothing here repeats a
number. Every function takes z-scores as an array (or anything
``np.asarray`` accepts) and rounds them to 2 decimals, halves up, before
comparing: the categories are defined on the reported z, and rounding a z
that :func:`~posyandu.growth.zscores.compute_zscores` already rounded changes
nothing, so raw and reported z-scores give the same category.
"""

from __future__ import annotations

from functools import cache
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

from posyandu.growth.standards import LENGTH_HEIGHT_SWITCH_DAYS, FloatArray
from posyandu.growth.zscores import round_half_up
from posyandu.policy.growth import (
    CATEGORY_STANDARD,
    REPORT_CUTOFFS,
    IndicatorCategories,
)

BoolArray = npt.NDArray[np.bool_]
StrArray = npt.NDArray[np.str_]
Lang = Literal["id", "en"]

CLASSIFIED_INDICATORS: Final = ("wfa", "lhfa", "wflh", "bfa")
"""The indicators the regulation gives categories for."""

_CODE_WIDTH: Final = 32

# Indonesian and English names of the indicator when the measuring position is
# known: PB (panjang badan, lying) under 731 days, TB (tinggi badan) from then.
_NAMES_BY_POSITION: Final[dict[tuple[str, str], tuple[str, str]]] = {
    ("lhfa", "length"): ("PB/U", "Length-for-age"),
    ("lhfa", "height"): ("TB/U", "Height-for-age"),
    ("wflh", "length"): ("BB/PB", "Weight-for-length"),
    ("wflh", "height"): ("BB/TB", "Weight-for-height"),
}


def _rounded(z: npt.ArrayLike) -> FloatArray:
    return round_half_up(np.asarray(z, dtype=np.float64), 2)


@cache
def _categories(indicator: str) -> IndicatorCategories:
    if indicator not in CLASSIFIED_INDICATORS:
        raise ValueError(
            f"no Permenkes 2/2020 categories for {indicator!r}; "
            f"expected one of {CLASSIFIED_INDICATORS}"
        )
    return CATEGORY_STANDARD.for_indicator(indicator)


@cache
def _code_table(indicator: str) -> StrArray:
    """Category codes in band order, then "" for a missing z."""
    codes = [c.code for c in _categories(indicator).categories] + [""]
    return np.array(codes, dtype=f"<U{_CODE_WIDTH}")


def classify_codes(indicator: str, z: npt.ArrayLike) -> StrArray:
    """Permenkes 2/2020 category code of every z-score ("" where z is NaN).

    ``indicator`` is ``"wfa"``, ``"lhfa"``, ``"wflh"`` or ``"bfa"``. Returns a
    str array of the same shape as ``z``, e.g. ``"sangat_pendek"`` or
    ``"gizi_baik"``; see :data:`posyandu.policy.growth.PERMENKES_2_2020` for
    the codes and bounds.
    """
    bands = _categories(indicator).categories
    z_rounded = _rounded(z)
    # A band index is the number of band bounds the z has passed: z passes an
    # exclusive upper bound b when z >= b, an inclusive one when z > b. NaN
    # passes nothing and is sent to the trailing "" by hand.
    band = np.zeros(z_rounded.shape, dtype=np.intp)
    for category in bands[:-1]:
        if category.upper_inclusive:
            band += z_rounded > category.upper_z
        else:
            band += z_rounded >= category.upper_z
    band[np.isnan(z_rounded)] = len(bands)
    result: StrArray = _code_table(indicator).take(band)
    return result


def codes(indicator: str) -> tuple[str, ...]:
    """The category codes of ``indicator``, from lowest to highest z."""
    return tuple(c.code for c in _categories(indicator).categories)


def label(indicator: str, code: str, lang: Lang = "id") -> str:
    """The label of category ``code``: ``label("lhfa", "pendek")`` is "Pendek".

    ``lang`` is ``"id"`` (Indonesian, the regulation's wording) or ``"en"``.
    The empty code (no z-score) has the empty label. Raises ValueError for an
    unknown indicator, code or language.
    """
    _check_lang(lang)
    if code == "":
        return ""
    for category in _categories(indicator).categories:
        if category.code == code:
            return category.label_id if lang == "id" else category.label_en
    raise ValueError(f"unknown {indicator} category {code!r}; expected one of {codes(indicator)}")


def labels(indicator: str, category_codes: npt.ArrayLike, lang: Lang = "id") -> StrArray:
    """:func:`label` of every code in an array (for a report column)."""
    code_array = np.asarray(category_codes, dtype=np.str_)
    unique, inverse = np.unique(code_array, return_inverse=True)
    texts = np.array([label(indicator, str(code), lang) for code in unique], dtype=np.str_)
    result: StrArray = texts[inverse].reshape(code_array.shape)
    return result


def indicator_name(indicator: str, lang: Lang = "id", age_days: float | None = None) -> str:
    """The indicator's short name: "BB/U", "PB/U", "TB/U", "BB/PB", "BB/TB", "IMT/U".

    With ``age_days`` the length/height indicators name the measure WHO expects
    at that age (lying under 731 days, standing from 731 days); without it the
    combined name, e.g. "PB/U atau TB/U". English: "Weight-for-age" etc.
    """
    _check_lang(lang)
    entry = _categories(indicator)
    if age_days is not None and not np.isnan(age_days) and indicator in ("lhfa", "wflh"):
        position = "length" if age_days < LENGTH_HEIGHT_SWITCH_DAYS else "height"
        name_id, name_en = _NAMES_BY_POSITION[(indicator, position)]
        return name_id if lang == "id" else name_en
    return entry.name_id if lang == "id" else entry.name_en


def _check_lang(lang: str) -> None:
    if lang not in ("id", "en"):
        raise ValueError(f"lang must be 'id' or 'en', not {lang!r}")


def is_stunted(z_lhfa: npt.ArrayLike) -> BoolArray:
    """Length/height-for-age below −2 (pendek or sangat pendek); False for NaN."""
    return _rounded(z_lhfa) < REPORT_CUTOFFS.stunted_lhfa_below


def is_wasted(z_wflh: npt.ArrayLike) -> BoolArray:
    """Weight-for-length/height below −2 (gizi kurang or gizi buruk); False for NaN."""
    return _rounded(z_wflh) < REPORT_CUTOFFS.wasted_wflh_below


def is_underweight(z_wfa: npt.ArrayLike) -> BoolArray:
    """Weight-for-age below −2 (berat badan kurang or sangat kurang); False for NaN."""
    return _rounded(z_wfa) < REPORT_CUTOFFS.underweight_wfa_below


def is_overweight(z_wflh: npt.ArrayLike) -> BoolArray:
    """Weight-for-length/height above +2 (gizi lebih or obesitas); False for NaN."""
    return _rounded(z_wflh) > REPORT_CUTOFFS.overweight_wflh_above


def is_severely_stunted(z_lhfa: npt.ArrayLike) -> BoolArray:
    """Length/height-for-age below −3 (sangat pendek); False for NaN."""
    return _rounded(z_lhfa) < REPORT_CUTOFFS.severely_stunted_lhfa_below


def is_severely_wasted(z_wflh: npt.ArrayLike) -> BoolArray:
    """Weight-for-length/height below −3 (gizi buruk); False for NaN."""
    return _rounded(z_wflh) < REPORT_CUTOFFS.severely_wasted_wflh_below


def is_severely_underweight(z_wfa: npt.ArrayLike) -> BoolArray:
    """Weight-for-age below −3 (berat badan sangat kurang); False for NaN."""
    return _rounded(z_wfa) < REPORT_CUTOFFS.severely_underweight_wfa_below


def screening(
    *,
    z_lhfa: npt.ArrayLike,
    z_wflh: npt.ArrayLike,
    z_wfa: npt.ArrayLike,
    flag_lhfa: npt.ArrayLike,
    flag_wflh: npt.ArrayLike,
    flag_wfa: npt.ArrayLike,
    oedema: npt.ArrayLike,
) -> dict[str, BoolArray]:
    """What each measurement counts in a prevalence, WHO's way: a flagged z-score
    is left out of its indicator (numerator and denominator); a child with
    oedema counts as severely wasted and severely underweight, never as
    overweight. ``*_counted`` are the denominators; the combined "stunted and
    wasted" counts among children with both a usable length and a usable
    weight-for-length (or oedema)."""
    flags = {
        "lhfa": np.asarray(flag_lhfa, dtype=bool),
        "wflh": np.asarray(flag_wflh, dtype=bool),
        "wfa": np.asarray(flag_wfa, dtype=bool),
    }
    swelling = np.asarray(oedema, dtype=bool)
    weight_ok = ~swelling

    def usable(z: npt.ArrayLike, flagged: BoolArray) -> FloatArray:
        values: FloatArray = np.where(flagged, np.nan, np.asarray(z, dtype=np.float64))
        return values

    lhfa = usable(z_lhfa, flags["lhfa"])
    wflh = usable(z_wflh, flags["wflh"])
    wfa = usable(z_wfa, flags["wfa"])
    return {
        "lhfa_counted": ~np.isnan(lhfa),
        "stunted": is_stunted(lhfa),
        "severely_stunted": is_severely_stunted(lhfa),
        "wflh_counted": swelling | (weight_ok & ~np.isnan(wflh)),
        "wasted": swelling | (weight_ok & is_wasted(wflh)),
        "severely_wasted": swelling | (weight_ok & is_severely_wasted(wflh)),
        "overweight": weight_ok & is_overweight(wflh),
        "wfa_counted": swelling | (weight_ok & ~np.isnan(wfa)),
        "underweight": swelling | (weight_ok & is_underweight(wfa)),
        "severely_underweight": swelling | (weight_ok & is_severely_underweight(wfa)),
        "lhfa_wflh_counted": ~np.isnan(lhfa) & (swelling | (weight_ok & ~np.isnan(wflh))),
        "stunted_and_wasted": is_stunted(lhfa) & (swelling | (weight_ok & is_wasted(wflh))),
        "flagged": flags["lhfa"] | flags["wflh"] | flags["wfa"],
    }
