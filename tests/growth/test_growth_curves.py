"""SD lines for charts and the inverse of the engine."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from posyandu.growth import compute_zscores, measurement_at_z, sd_lines
from posyandu.growth.curves import CURVE_INDICATORS, chart_x

BOY, GIRL = 1, 2


def test_weight_for_age_lines_at_birth_match_whos_printed_chart_for_boys() -> None:
    # WHO simplified field table, boys' weight at birth: 2.1 2.5 2.9 3.3 3.9 4.4 5.0 kg.
    lines = sd_lines("wfa", BOY, [0])
    assert [round(float(lines[z][0]), 1) for z in range(-3, 4)] == [
        2.1,
        2.5,
        2.9,
        3.3,
        3.9,
        4.4,
        5.0,
    ]


def test_length_for_age_lines_at_birth_match_whos_printed_chart_for_girls() -> None:
    # WHO simplified field table, girls' length at birth: 43.6 45.4 47.3 49.1 51.0 52.9 54.7 cm.
    lines = sd_lines("lhfa", GIRL, [0])
    assert [round(float(lines[z][0]), 1) for z in range(-3, 4)] == [
        43.6,
        45.4,
        47.3,
        49.1,
        51.0,
        52.9,
        54.7,
    ]


@pytest.mark.parametrize("indicator", CURVE_INDICATORS)
def test_every_line_is_the_lms_value_even_at_3_sd(who: Any, indicator: str) -> None:
    x = chart_x(indicator)[[0, len(chart_x(indicator)) // 2, -1]]
    lines = sd_lines(indicator, GIRL, x)
    assert sorted(lines) == [-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0]
    for z, values in lines.items():
        expected = [who.sd(indicator, GIRL, float(index), z) for index in x]
        assert values == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("indicator", CURVE_INDICATORS)
def test_lines_rise_from_minus_3_to_plus_3(indicator: str) -> None:
    lines = sd_lines(indicator, BOY)
    stacked = np.vstack([lines[z] for z in range(-3, 4)])
    assert (np.diff(stacked, axis=0) > 0).all()


def test_default_x_is_every_published_row() -> None:
    assert chart_x("wfa")[[0, -1]].tolist() == [0.0, 1856.0]
    assert chart_x("acfa")[[0, -1]].tolist() == [91.0, 1856.0]
    assert chart_x("wfl")[[0, -1]].tolist() == [45.0, 110.0]
    assert chart_x("wfh")[[0, -1]].tolist() == [65.0, 120.0]
    assert len(chart_x("wfh")) == 551
    assert len(sd_lines("wfl", GIRL)[0.0]) == 651


def test_beyond_plus_3_restricted_values_grow_by_the_2_to_3_sd_distance(who: Any) -> None:
    sd3, sd2 = who.sd("wfa", BOY, 400, 3), who.sd("wfa", BOY, 400, 2)
    assert float(measurement_at_z("wfa", BOY, 400, 4.5)) == pytest.approx(sd3 + 1.5 * (sd3 - sd2))


def test_below_minus_3_restricted_values_fall_by_the_2_to_3_sd_distance(who: Any) -> None:
    sd3, sd2 = who.sd("wfh", GIRL, 90.0, -3), who.sd("wfh", GIRL, 90.0, -2)
    value = float(measurement_at_z("wfh", GIRL, 90.0, -5.0))
    assert value == pytest.approx(sd3 - 2.0 * (sd2 - sd3))


def test_length_for_age_beyond_3_sd_follows_the_plain_lms_curve(who: Any) -> None:
    assert float(measurement_at_z("lhfa", BOY, 900, 5.0)) == pytest.approx(
        who.sd("lhfa", BOY, 900, 5.0)
    )


def test_two_decimal_lengths_are_solved_so_the_engine_gives_z_back(who: Any) -> None:
    weight = float(measurement_at_z("wfl", GIRL, 84.85, 1.0))
    z_low = who.z("wfl", GIRL, 84.8, weight)
    z_high = who.z("wfl", GIRL, 84.9, weight)
    assert (z_low + z_high) / 2 == pytest.approx(1.0, abs=1e-10)
    # And it lies between the weights at +1 SD on the two rows.
    assert who.sd("wfl", GIRL, 84.8, 1.0) < weight < who.sd("wfl", GIRL, 84.9, 1.0)


def test_age_indices_round_half_up_like_the_engine() -> None:
    assert float(measurement_at_z("wfa", BOY, 99.5, 0.0)) == float(
        measurement_at_z("wfa", BOY, 100, 0.0)
    )


@pytest.mark.parametrize(
    ("indicator", "sex", "index", "z"),
    [
        ("wfa", 3, 100, 0.0),
        ("wfa", BOY, 1857, 0.0),
        ("wfa", BOY, -1, 0.0),
        ("acfa", BOY, 90, 0.0),
        ("wfl", BOY, 44.9, 0.0),
        ("wfl", BOY, 110.1, 0.0),
        ("wfh", GIRL, 64.9, 0.0),
        ("wfh", GIRL, 120.1, 0.0),
        ("hcfa", GIRL, 100, np.nan),
        ("lhfa", GIRL, np.nan, 0.0),
    ],
)
def test_no_standard_means_nan(indicator: str, sex: float, index: float, z: float) -> None:
    assert np.isnan(measurement_at_z(indicator, sex, index, z))


def test_arguments_broadcast_against_each_other() -> None:
    result = measurement_at_z("wfa", np.array([[1], [2]]), np.array([0, 365, 730]), 0.0)
    assert result.shape == (2, 3)
    assert result[0, 0] > result[1, 0]  # boys are heavier than girls at birth


def test_unknown_indicator_or_sex_is_refused() -> None:
    with pytest.raises(ValueError, match="wflh"):
        sd_lines("wflh", BOY)
    with pytest.raises(ValueError, match="sex"):
        sd_lines("wfa", 3)


def test_synthetic_children_drawn_from_z_reproduce_those_z() -> None:
    rng = np.random.default_rng(2006)
    n = 2000
    sex = rng.integers(1, 3, n)
    age = rng.integers(0, 1857, n)
    z_target = np.round(rng.normal(-1.0, 1.5, n), 2)
    height = measurement_at_z("lhfa", sex, age, z_target)
    result = compute_zscores(sex=sex, age_days=age, height_cm=height)
    assert (result["z_lhfa"] == z_target).all()
