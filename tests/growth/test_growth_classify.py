"""Permenkes 2/2020 categories, at and around every cut-off."""

from __future__ import annotations

import numpy as np
import pytest

from posyandu.growth import (
    classify_codes,
    compute_zscores,
    indicator_name,
    is_overweight,
    is_stunted,
    is_underweight,
    is_wasted,
    label,
)
from posyandu.growth.classify import codes, labels

WASTING_BMI_BOUNDARIES = [
    (-3.01, "gizi_buruk"),
    (-3.0, "gizi_kurang"),
    (-2.01, "gizi_kurang"),
    (-2.0, "gizi_baik"),
    (1.0, "gizi_baik"),
    (1.01, "berisiko_gizi_lebih"),
    (2.0, "berisiko_gizi_lebih"),
    (2.01, "gizi_lebih"),
    (3.0, "gizi_lebih"),
    (3.01, "obesitas"),
]

BOUNDARIES = {
    "wfa": [
        (-3.01, "sangat_kurang"),
        (-3.0, "kurang"),
        (-2.01, "kurang"),
        (-2.0, "normal"),
        (1.0, "normal"),
        (1.01, "risiko_lebih"),
        (2.0, "risiko_lebih"),
        (3.01, "risiko_lebih"),
    ],
    "lhfa": [
        (-3.01, "sangat_pendek"),
        (-3.0, "pendek"),
        (-2.01, "pendek"),
        (-2.0, "normal"),
        (1.01, "normal"),
        (3.0, "normal"),
        (3.01, "tinggi"),
    ],
    "wflh": WASTING_BMI_BOUNDARIES,
    "bfa": WASTING_BMI_BOUNDARIES,
}

CASES = [(ind, z, code) for ind, pairs in BOUNDARIES.items() for z, code in pairs]


@pytest.mark.parametrize(("indicator", "z", "code"), CASES)
def test_each_cut_off_falls_in_the_band_the_regulation_says(
    indicator: str, z: float, code: str
) -> None:
    assert classify_codes(indicator, np.array([z])).tolist() == [code]


@pytest.mark.parametrize("indicator", ["wfa", "lhfa", "wflh", "bfa"])
def test_missing_z_gets_the_empty_code(indicator: str) -> None:
    assert classify_codes(indicator, np.array([np.nan])).tolist() == [""]


def test_classification_keeps_the_shape_of_the_input() -> None:
    z = np.array([[-3.5, 0.0], [np.nan, 2.5]])
    result = classify_codes("wflh", z)
    assert result.shape == (2, 2)
    assert result.tolist() == [["gizi_buruk", "gizi_baik"], ["", "gizi_lebih"]]


def test_classification_is_on_the_rounded_z() -> None:
    # −2.004 is reported as −2.00 (normal); −2.006 as −2.01 (pendek).
    result = classify_codes("lhfa", np.array([-2.004, -2.006, 3.004, 3.006]))
    assert result.tolist() == ["normal", "pendek", "normal", "tinggi"]


def test_infinite_z_falls_in_the_outer_bands() -> None:
    assert classify_codes("wfa", np.array([-np.inf, np.inf])).tolist() == [
        "sangat_kurang",
        "risiko_lebih",
    ]


def test_unknown_indicator_is_refused() -> None:
    with pytest.raises(ValueError, match="hcfa"):
        classify_codes("hcfa", np.array([0.0]))


def test_classifying_engine_output_directly() -> None:
    result = compute_zscores(sex=[1, 1], age_days=[365, 365], height_cm=[66.0, 75.0], measure="l")
    assert classify_codes("lhfa", result["z_lhfa"]).tolist() == ["sangat_pendek", "normal"]


def test_codes_are_listed_from_low_to_high() -> None:
    assert codes("wfa") == ("sangat_kurang", "kurang", "normal", "risiko_lebih")
    assert codes("bfa") == (
        "gizi_buruk",
        "gizi_kurang",
        "gizi_baik",
        "berisiko_gizi_lebih",
        "gizi_lebih",
        "obesitas",
    )


@pytest.mark.parametrize(
    ("indicator", "code", "indonesian", "english"),
    [
        ("wfa", "sangat_kurang", "Berat badan sangat kurang", "Severely underweight"),
        ("wfa", "risiko_lebih", "Risiko berat badan lebih", "Risk of overweight"),
        ("lhfa", "sangat_pendek", "Sangat pendek", "Severely stunted"),
        ("lhfa", "tinggi", "Tinggi", "Tall"),
        ("wflh", "gizi_buruk", "Gizi buruk", "Severely wasted"),
        ("wflh", "berisiko_gizi_lebih", "Berisiko gizi lebih", "Possible risk of overweight"),
        ("bfa", "obesitas", "Obesitas", "Obese"),
    ],
)
def test_labels_in_indonesian_and_english(
    indicator: str, code: str, indonesian: str, english: str
) -> None:
    assert label(indicator, code) == indonesian
    assert label(indicator, code, "en") == english


def test_the_empty_code_has_an_empty_label_and_unknown_codes_are_refused() -> None:
    assert label("wfa", "") == ""
    with pytest.raises(ValueError, match="gizi_buruk"):
        label("wfa", "gizi_buruk")
    with pytest.raises(ValueError, match="lang"):
        label("wfa", "normal", "fr")  # type: ignore[arg-type]


def test_labels_of_a_code_column() -> None:
    column = np.array(["pendek", "", "normal", "pendek"])
    assert labels("lhfa", column).tolist() == ["Pendek", "", "Normal", "Pendek"]


@pytest.mark.parametrize(
    ("indicator", "age_days", "name"),
    [
        ("wfa", None, "BB/U"),
        ("lhfa", None, "PB/U atau TB/U"),
        ("lhfa", 730, "PB/U"),
        ("lhfa", 731, "TB/U"),
        ("wflh", None, "BB/PB atau BB/TB"),
        ("wflh", 100, "BB/PB"),
        ("wflh", 1000, "BB/TB"),
        ("bfa", 1000, "IMT/U"),
    ],
)
def test_indicator_names_follow_the_measuring_position_for_the_age(
    indicator: str, age_days: int | None, name: str
) -> None:
    assert indicator_name(indicator, age_days=age_days) == name


def test_indicator_names_in_english() -> None:
    assert indicator_name("lhfa", "en") == "Length/height-for-age"
    assert indicator_name("wflh", "en", age_days=800) == "Weight-for-height"


def test_stunting_wasting_and_underweight_are_strictly_below_minus_2() -> None:
    z = np.array([-2.01, -2.0, np.nan, -3.5])
    expected = [True, False, False, True]
    assert is_stunted(z).tolist() == expected
    assert is_wasted(z).tolist() == expected
    assert is_underweight(z).tolist() == expected


def test_overweight_is_strictly_above_plus_2() -> None:
    assert is_overweight(np.array([2.0, 2.01, np.nan, 3.5])).tolist() == [
        False,
        True,
        False,
        True,
    ]


def test_report_helpers_agree_with_the_categories() -> None:
    z = np.round(np.linspace(-4, 4, 801), 2)
    stunted_codes = np.isin(classify_codes("lhfa", z), ["pendek", "sangat_pendek"])
    assert (is_stunted(z) == stunted_codes).all()
    overweight_codes = np.isin(classify_codes("wflh", z), ["gizi_lebih", "obesitas"])
    assert (is_overweight(z) == overweight_codes).all()


def test_screening_leaves_flagged_values_out_and_counts_oedema_as_severe() -> None:
    from posyandu.growth.classify import screening

    found = screening(
        z_lhfa=[-2.5, -7.0, np.nan],
        z_wflh=[2.5, -1.0, np.nan],
        z_wfa=[-1.0, -2.2, np.nan],
        flag_lhfa=[False, True, False],
        flag_wflh=[False, False, False],
        flag_wfa=[False, False, False],
        oedema=[False, False, True],
    )
    as_lists = {name: column.tolist() for name, column in found.items()}
    assert as_lists["lhfa_counted"] == [True, False, False]  # the flagged -7.0 is out
    assert as_lists["stunted"] == [True, False, False]
    assert as_lists["overweight"] == [True, False, False]  # never with oedema
    assert as_lists["wflh_counted"] == [True, True, True]
    assert as_lists["severely_wasted"] == [False, False, True]  # oedema
    assert as_lists["severely_underweight"] == [False, False, True]
    assert as_lists["underweight"] == [False, True, True]
    assert as_lists["flagged"] == [False, True, False]
