"""Each WHO rule of the engine, on a hand-made child, against values from WHO's tables.

The expected z-scores are computed in the test from the LMS row of the shared
WHO CSV (the ``who`` fixture), so each test shows the rule, not the engine's
own arithmetic.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from posyandu.growth import Problem, compute_zscores, months_to_days, zscores_for_child
from posyandu.growth.zscores import round_half_up

BOY, GIRL = 1, 2


def one_child(**inputs: Any) -> dict[str, float]:
    """compute_zscores for a single child, as plain floats."""
    arrays = {key: [value] for key, value in inputs.items()}
    return {key: float(value[0]) for key, value in compute_zscores(**arrays).items()}


def rounded(z: float) -> float:
    return math.floor(z * 100 + 0.5) / 100


def has_problem(result: dict[str, float], problem: Problem) -> bool:
    return bool(int(result["problems"]) & problem)


# --- Rule 1: age in days ----------------------------------------------------


def test_age_in_months_becomes_days_with_halves_rounded_up() -> None:
    # 24 months × 30.4375 = 730.5 days exactly; 12 months = 365.25 days.
    assert months_to_days([24.0, 12.0, 36.0, 0.0]).tolist() == [731.0, 365.0, 1096.0, 0.0]


def test_half_day_of_age_rounds_up_to_731_days_and_counts_as_standing(who: Any) -> None:
    child = one_child(sex=BOY, age_days=730.5, weight_kg=12.0, height_cm=86.0, measure="h")
    assert child["age_days"] == 731
    assert child["height_adj_cm"] == 86.0
    assert child["z_lhfa"] == rounded(who.z("lhfa", BOY, 731, 86.0))
    assert child["z_wflh"] == rounded(who.z("wfh", BOY, 86.0, 12.0))


def test_a_newborn_at_0_days_uses_the_birth_row(who: Any) -> None:
    child = one_child(sex=GIRL, age_days=0, weight_kg=3.2, height_cm=49.5, head_cm=34.0)
    assert child["z_wfa"] == rounded(who.z("wfa", GIRL, 0, 3.2))
    assert child["z_lhfa"] == rounded(who.z("lhfa", GIRL, 0, 49.5))
    assert child["z_hcfa"] == rounded(who.z("hcfa", GIRL, 0, 34.0))
    assert child["z_wflh"] == rounded(who.z("wfl", GIRL, 49.5, 3.2))


def test_negative_age_gives_no_age_based_z_and_wflh_treats_age_as_unknown(who: Any) -> None:
    child = one_child(sex=BOY, age_days=-3, weight_kg=3.3, height_cm=50.0, measure="l")
    assert math.isnan(child["z_wfa"]) and math.isnan(child["z_lhfa"])
    assert math.isnan(child["age_days"])
    assert has_problem(child, Problem.AGE_NEGATIVE)
    assert child["z_wflh"] == rounded(who.z("wfl", BOY, 50.0, 3.3))


# --- Rules 2 and 3: length or height, weight-for-length or -height ----------


def test_lying_length_at_730_days_uses_weight_for_length(who: Any) -> None:
    child = one_child(sex=BOY, age_days=730, weight_kg=11.5, height_cm=86.0, measure="l")
    assert child["height_adj_cm"] == 86.0
    assert child["wflh_table"] == 1
    assert child["z_wflh"] == rounded(who.z("wfl", BOY, 86.0, 11.5))
    assert child["z_lhfa"] == rounded(who.z("lhfa", BOY, 730, 86.0))


def test_standing_height_at_731_days_uses_weight_for_height(who: Any) -> None:
    child = one_child(sex=BOY, age_days=731, weight_kg=11.5, height_cm=86.0, measure="h")
    assert child["height_adj_cm"] == 86.0
    assert child["wflh_table"] == 2
    assert child["z_wflh"] == rounded(who.z("wfh", BOY, 86.0, 11.5))


def test_standing_height_under_731_days_gets_0_7_cm_added(who: Any) -> None:
    child = one_child(sex=GIRL, age_days=730, weight_kg=11.0, height_cm=85.0, measure="h")
    assert child["height_adj_cm"] == pytest.approx(85.7)
    assert child["z_lhfa"] == rounded(who.z("lhfa", GIRL, 730, 85.7))
    assert child["z_wflh"] == rounded(who.z("wfl", GIRL, 85.7, 11.0))
    bmi = 11.0 / 0.857**2
    assert child["bmi"] == pytest.approx(bmi)
    assert child["z_bfa"] == rounded(who.z("bfa", GIRL, 730, bmi))


def test_lying_length_from_731_days_loses_0_7_cm(who: Any) -> None:
    child = one_child(sex=GIRL, age_days=731, weight_kg=11.0, height_cm=85.0, measure="l")
    assert child["height_adj_cm"] == pytest.approx(84.3)
    assert child["z_lhfa"] == rounded(who.z("lhfa", GIRL, 731, 84.3))
    assert child["z_wflh"] == rounded(who.z("wfh", GIRL, 84.3, 11.0))
    assert child["z_bfa"] == rounded(who.z("bfa", GIRL, 731, 11.0 / 0.843**2))


@pytest.mark.parametrize(("age_days", "table"), [(400, "wfl"), (800, "wfh")])
def test_missing_position_with_known_age_is_assumed_right_for_the_age(
    who: Any, age_days: int, table: str
) -> None:
    child = one_child(sex=BOY, age_days=age_days, weight_kg=11.0, height_cm=82.0, measure="")
    assert child["height_adj_cm"] == 82.0
    assert child["z_wflh"] == rounded(who.z(table, BOY, 82.0, 11.0))


@pytest.mark.parametrize(("height_cm", "table"), [(86.9, "wfl"), (87.0, "wfh")])
def test_missing_age_and_position_means_length_under_87_cm(
    who: Any, height_cm: float, table: str
) -> None:
    child = one_child(sex=GIRL, age_days=np.nan, weight_kg=12.0, height_cm=height_cm)
    assert child["z_wflh"] == rounded(who.z(table, GIRL, height_cm, 12.0))
    assert math.isnan(child["z_wfa"]) and math.isnan(child["z_lhfa"])
    assert has_problem(child, Problem.AGE_MISSING)


@pytest.mark.parametrize(
    ("measure", "height_cm", "table"), [("l", 95.0, "wfl"), ("h", 80.0, "wfh")]
)
def test_missing_age_with_known_position_follows_the_position(
    who: Any, measure: str, height_cm: float, table: str
) -> None:
    child = one_child(
        sex=BOY, age_days=np.nan, weight_kg=12.0, height_cm=height_cm, measure=measure
    )
    assert child["height_adj_cm"] == height_cm
    assert child["z_wflh"] == rounded(who.z(table, BOY, height_cm, 12.0))


@pytest.mark.parametrize("length_cm", [45.0, 110.0])
def test_weight_for_length_bounds_45_and_110_cm_are_included(who: Any, length_cm: float) -> None:
    weight = who.sd("wfl", BOY, length_cm, 0.5)
    child = one_child(sex=BOY, age_days=300, weight_kg=weight, height_cm=length_cm, measure="l")
    assert child["z_wflh"] == 0.5


@pytest.mark.parametrize("length_cm", [44.9, 110.1])
def test_length_just_outside_45_to_110_cm_has_no_weight_for_length(length_cm: float) -> None:
    child = one_child(sex=BOY, age_days=300, weight_kg=8.0, height_cm=length_cm, measure="l")
    assert math.isnan(child["z_wflh"])
    assert has_problem(child, Problem.LENGTH_OUT_OF_RANGE)


@pytest.mark.parametrize("height_cm", [65.0, 120.0])
def test_weight_for_height_bounds_65_and_120_cm_are_included(who: Any, height_cm: float) -> None:
    weight = who.sd("wfh", GIRL, height_cm, -0.5)
    child = one_child(sex=GIRL, age_days=1000, weight_kg=weight, height_cm=height_cm, measure="h")
    assert child["z_wflh"] == -0.5


@pytest.mark.parametrize("height_cm", [64.9, 120.1])
def test_height_just_outside_65_to_120_cm_has_no_weight_for_height(height_cm: float) -> None:
    child = one_child(sex=GIRL, age_days=1000, weight_kg=15.0, height_cm=height_cm, measure="h")
    assert math.isnan(child["z_wflh"])
    assert has_problem(child, Problem.HEIGHT_OUT_OF_RANGE)


def test_lying_length_adjusted_onto_the_65_cm_bound_is_in_range(who: Any) -> None:
    weight = who.sd("wfh", BOY, 65.0, 1.0)
    child = one_child(sex=BOY, age_days=800, weight_kg=weight, height_cm=65.7, measure="l")
    assert child["z_wflh"] == 1.0


# --- Rule 4: lengths with two decimals ----------------------------------------


def test_two_decimal_length_takes_the_midpoint_of_the_z_at_the_rows_either_side(who: Any) -> None:
    weight = 11.3
    child = one_child(sex=GIRL, age_days=683, weight_kg=weight, height_cm=84.85, measure="l")
    z_low = who.z("wfl", GIRL, 84.8, weight)
    z_high = who.z("wfl", GIRL, 84.9, weight)
    assert child["z_wflh"] == rounded((z_low + z_high) / 2)


def test_two_decimal_height_interpolates_z_in_proportion(who: Any) -> None:
    weight = 16.0
    child = one_child(sex=BOY, age_days=1500, weight_kg=weight, height_cm=101.23, measure="h")
    z_low = who.z("wfh", BOY, 101.2, weight)
    z_high = who.z("wfh", BOY, 101.3, weight)
    assert child["z_wflh"] == rounded(0.7 * z_low + 0.3 * z_high)


def test_interpolation_between_rows_uses_restricted_z_beyond_3_sd(who: Any) -> None:
    weight = who.sd("wfl", BOY, 70.0, 3.0) + 1.5
    child = one_child(sex=BOY, age_days=300, weight_kg=weight, height_cm=70.05, measure="l")
    z_low = who.z("wfl", BOY, 70.0, weight)
    z_high = who.z("wfl", BOY, 70.1, weight)
    assert z_low > 3 and z_high > 3
    assert child["z_wflh"] == rounded((z_low + z_high) / 2)


# --- Rule 5: restricted indicators beyond ±3 SD -------------------------------


def test_weight_for_age_above_3_sd_is_rescaled_on_the_2_to_3_sd_distance(who: Any) -> None:
    sd3, sd2 = who.sd("wfa", BOY, 500, 3), who.sd("wfa", BOY, 500, 2)
    weight = sd3 + 0.6 * (sd3 - sd2)
    child = one_child(sex=BOY, age_days=500, weight_kg=weight)
    assert child["z_wfa"] == 3.6
    assert rounded(who.raw_z("wfa", BOY, 500, weight)) != 3.6


def test_weight_for_age_below_minus_3_sd_is_rescaled_on_the_2_to_3_sd_distance(who: Any) -> None:
    sd3, sd2 = who.sd("wfa", GIRL, 955, -3), who.sd("wfa", GIRL, 955, -2)
    weight = 7.6
    child = one_child(sex=GIRL, age_days=955, weight_kg=weight)
    assert child["z_wfa"] == rounded(-3 - (sd3 - weight) / (sd2 - sd3))
    assert child["z_wfa"] == -4.32  # WHO's own result for reference child 371
    assert rounded(who.raw_z("wfa", GIRL, 955, weight)) != -4.32


@pytest.mark.parametrize("z", [-4.4, 4.4])
def test_weight_for_length_is_restricted_on_both_sides(who: Any, z: float) -> None:
    weight = who.y_at("wfl", GIRL, 75.0, z)
    child = one_child(sex=GIRL, age_days=400, weight_kg=weight, height_cm=75.0, measure="l")
    assert child["z_wflh"] == z
    assert rounded(who.raw_z("wfl", GIRL, 75.0, weight)) != z


@pytest.mark.parametrize("z", [-4.5, 4.5])
def test_length_for_age_beyond_3_sd_is_the_plain_lms_z(who: Any, z: float) -> None:
    length = who.sd("lhfa", BOY, 400, z)
    child = one_child(sex=BOY, age_days=400, height_cm=length, measure="l")
    assert child["z_lhfa"] == z
    assert rounded(who.z("lhfa", BOY, 400, length)) == z


def test_head_circumference_beyond_3_sd_is_the_plain_lms_z(who: Any) -> None:
    head = who.sd("hcfa", GIRL, 200, -4.2)
    child = one_child(sex=GIRL, age_days=200, head_cm=head)
    assert child["z_hcfa"] == -4.2


@pytest.mark.parametrize(
    ("table", "column"),
    [("acfa", "muac_cm"), ("tsfa", "triceps_mm"), ("ssfa", "subscapular_mm")],
)
def test_arm_circumference_and_skinfolds_are_restricted(who: Any, table: str, column: str) -> None:
    value = who.y_at(table, BOY, 600, 3.8)
    child = one_child(sex=BOY, age_days=600, **{column: value})
    assert child[f"z_{table}"] == 3.8
    assert rounded(who.raw_z(table, BOY, 600, value)) != 3.8


def test_bmi_for_age_is_restricted(who: Any) -> None:
    height_m = 0.75
    bmi = who.y_at("bfa", GIRL, 300, -3.7)
    child = one_child(sex=GIRL, age_days=300, weight_kg=bmi * height_m**2, height_cm=75.0)
    assert child["z_bfa"] == -3.7


# --- Rule 7: nothing after 1856 days ------------------------------------------


def test_1856_days_still_has_z_scores(who: Any) -> None:
    child = one_child(sex=BOY, age_days=1856, weight_kg=18.0, height_cm=108.0, measure="h")
    assert child["z_wfa"] == rounded(who.z("wfa", BOY, 1856, 18.0))
    assert child["z_wflh"] == rounded(who.z("wfh", BOY, 108.0, 18.0))


def test_1857_days_has_no_z_scores_at_all() -> None:
    child = one_child(
        sex=BOY, age_days=1857, weight_kg=18.0, height_cm=108.0, measure="h", head_cm=50.0
    )
    for indicator in ("wfa", "lhfa", "wflh", "bfa", "hcfa"):
        assert math.isnan(child[f"z_{indicator}"]), indicator
    assert has_problem(child, Problem.AGE_OVER_MAX)


# --- Rule 8: oedema ---------------------------------------------------------


def test_oedema_removes_weight_based_z_scores_but_keeps_length(who: Any) -> None:
    child = one_child(sex=BOY, age_days=400, weight_kg=9.0, height_cm=75.0, measure="l", oedema="y")
    for indicator in ("wfa", "wflh", "bfa"):
        assert math.isnan(child[f"z_{indicator}"]), indicator
        assert math.isnan(child[f"flag_{indicator}"]), indicator
    assert child["z_lhfa"] == rounded(who.z("lhfa", BOY, 400, 75.0))
    assert has_problem(child, Problem.OEDEMA)


@pytest.mark.parametrize("no_oedema", [np.nan, 0.0, 2.0, "n", "2", None, False])
def test_missing_or_no_oedema_keeps_weight_z_scores(who: Any, no_oedema: object) -> None:
    # WHO codes oedema 1/y = yes, 2/n = no, and treats a missing value as no.
    result = compute_zscores(sex=[BOY], age_days=[400], weight_kg=[9.0], oedema=[no_oedema])
    assert result["z_wfa"][0] == rounded(who.z("wfa", BOY, 400, 9.0))


@pytest.mark.parametrize("oedema", [1.0, 1, "1", "Y", True])
def test_oedema_coded_1_or_y_counts_as_oedema(oedema: object) -> None:
    result = compute_zscores(sex=[BOY], age_days=[400], weight_kg=[9.0], oedema=[oedema])
    assert math.isnan(result["z_wfa"][0])


# --- Rule 9: rounding -------------------------------------------------------


def test_rounding_sends_halves_toward_plus_infinity() -> None:
    # Exact binary halves, so that no floating-point noise decides the result.
    values = np.array([-1.125, 1.125, -0.375, 0.375, -2.5, 2.5])
    assert round_half_up(values, 2).tolist() == [-1.12, 1.13, -0.37, 0.38, -2.5, 2.5]
    assert round_half_up(np.array([-2.5, 2.5, -0.5]), 0).tolist() == [-2.0, 3.0, 0.0]
    # numpy's own rounding sends halves to even, which WHO does not do:
    assert np.round(values, 2).tolist() != round_half_up(values, 2).tolist()


# --- Rule 10: flags ---------------------------------------------------------

FLAG_CASES = [
    # (table, column, age, the last z not flagged, the first flagged)
    ("wfa", "weight_kg", 500, -6.0, -6.01),
    ("wfa", "weight_kg", 500, 5.0, 5.01),
    ("lhfa", "height_cm", 500, -6.0, -6.01),
    ("lhfa", "height_cm", 500, 6.0, 6.01),
    ("bfa", None, 500, -5.0, -5.01),
    ("hcfa", "head_cm", 500, 5.0, 5.01),
    ("acfa", "muac_cm", 500, -5.0, -5.01),
    ("tsfa", "triceps_mm", 500, 5.0, 5.01),
    ("ssfa", "subscapular_mm", 500, -5.0, -5.01),
]


@pytest.mark.parametrize(("table", "column", "age", "inside", "outside"), FLAG_CASES)
def test_flags_start_just_beyond_whos_limits(
    who: Any, table: str, column: str | None, age: int, inside: float, outside: float
) -> None:
    for z, flag in [(inside, 0.0), (outside, 1.0)]:
        value = who.y_at(table, GIRL, age, z)
        if column is None:  # BMI: make a weight that gives it at 80 cm.
            inputs = {"weight_kg": value * 0.8**2, "height_cm": 80.0}
        else:
            inputs = {column: value}
        child = one_child(sex=GIRL, age_days=age, **inputs)
        assert child[f"z_{table}"] == z
        assert child[f"flag_{table}"] == flag, z


@pytest.mark.parametrize(("z", "flag"), [(-5.0, 0.0), (-5.01, 1.0), (5.0, 0.0), (5.01, 1.0)])
def test_weight_for_length_flags_beyond_5(who: Any, z: float, flag: float) -> None:
    weight = who.y_at("wfl", BOY, 80.0, z)
    child = one_child(sex=BOY, age_days=500, weight_kg=weight, height_cm=80.0, measure="l")
    assert child["z_wflh"] == z
    assert child["flag_wflh"] == flag


# --- Tables that start at 91 days; bad input ---------------------------------


@pytest.mark.parametrize("column", ["muac_cm", "triceps_mm", "subscapular_mm"])
def test_arm_circumference_and_skinfolds_have_no_z_under_91_days(column: str) -> None:
    child = one_child(sex=BOY, age_days=90, **{column: 12.0})
    table = {"muac_cm": "acfa", "triceps_mm": "tsfa", "subscapular_mm": "ssfa"}[column]
    assert math.isnan(child[f"z_{table}"])
    assert has_problem(child, Problem.AGE_UNDER_91_DAYS)
    assert not math.isnan(one_child(sex=BOY, age_days=91, **{column: 12.0})[f"z_{table}"])


@pytest.mark.parametrize("sex", [0, 3, np.nan])
def test_invalid_sex_gives_no_z_score_and_says_why(sex: float) -> None:
    child = one_child(sex=sex, age_days=400, weight_kg=9.0, height_cm=75.0, head_cm=45.0)
    for indicator in ("wfa", "lhfa", "wflh", "bfa", "hcfa"):
        assert math.isnan(child[f"z_{indicator}"]), indicator
    assert has_problem(child, Problem.SEX_INVALID)


@pytest.mark.parametrize(
    ("column", "problem"),
    [
        ("weight_kg", Problem.WEIGHT_NOT_POSITIVE),
        ("height_cm", Problem.HEIGHT_NOT_POSITIVE),
        ("head_cm", Problem.HEAD_NOT_POSITIVE),
        ("muac_cm", Problem.MUAC_NOT_POSITIVE),
    ],
)
def test_a_measurement_of_zero_gives_nan_and_a_problem_bit(column: str, problem: Problem) -> None:
    child = one_child(sex=GIRL, age_days=400, **{column: 0.0})
    assert has_problem(child, problem)
    assert all(math.isnan(child[f"z_{i}"]) for i in ("wfa", "lhfa", "hcfa", "acfa"))


def test_several_problems_on_one_row_are_all_reported() -> None:
    result = compute_zscores(
        sex=[3], age_days=[-1], weight_kg=[9.0], height_cm=[40.0], measure=["x"], oedema=["y"]
    )
    mask = int(result["problems"][0])
    for problem in (
        Problem.SEX_INVALID,
        Problem.AGE_NEGATIVE,
        Problem.MEASURE_INVALID,
        Problem.OEDEMA,
        Problem.LENGTH_OUT_OF_RANGE,
    ):
        assert mask & problem, problem


def test_a_clean_row_has_no_problem_bits() -> None:
    child = one_child(sex=BOY, age_days=400, weight_kg=9.5, height_cm=76.0, measure="l")
    assert child["problems"] == 0


def test_problems_are_described_in_words() -> None:
    from posyandu.growth import describe_problems

    text = describe_problems(int(Problem.SEX_INVALID | Problem.OEDEMA))
    assert text == "sex missing or not 1/2; oedema"
    assert describe_problems(0) == ""


# --- The single-child helper -------------------------------------------------


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"sex": "X", "age_days": 10}, "sex must be"),
        ({"sex": 1, "age_days": -1}, "negative"),
        ({"sex": 1, "age_days": 10, "measure": "x"}, "measure must be"),
        ({"sex": 1, "age_days": 10, "weight_kg": 0.0}, "weight_kg must be above 0"),
        ({"sex": 1, "age_days": 10, "weight_kg": math.inf}, "finite"),
    ],
)
def test_single_child_helper_refuses_unusable_input(inputs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        zscores_for_child(**inputs)


def test_single_child_helper_accepts_letters_for_sex(who: Any) -> None:
    result = zscores_for_child(sex="P", age_days=400, weight_kg=9.0)
    assert result["z_wfa"] == rounded(who.z("wfa", GIRL, 400, 9.0))
    assert result["problems"] == ""
