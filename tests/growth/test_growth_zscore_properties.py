"""Properties that hold for every child: monotone z, and curves inverting the engine."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from posyandu.growth import compute_zscores, measurement_at_z

sexes = st.sampled_from([1, 2])
ages = st.integers(min_value=0, max_value=1856)
weights = st.floats(min_value=0.5, max_value=60.0, allow_nan=False)
two_decimal_lengths = st.integers(min_value=4500, max_value=11000).map(lambda t: t / 100)
two_decimal_heights = st.integers(min_value=6500, max_value=12000).map(lambda t: t / 100)
# Whole hundredths, so that rounding the recomputed z can only land on z itself.
# Every test here runs without hypothesis's deadline: tests never judge wall-clock
# time, and a busy machine must not make them fail.
z_hundredths = st.integers(min_value=-600, max_value=600).map(lambda k: k / 100)


def _sorted_pair(a: float, b: float) -> tuple[float, float]:
    return (a, b) if a <= b else (b, a)


@settings(deadline=None)
@given(sex=sexes, age=ages, w1=weights, w2=weights)
def test_weight_for_age_never_falls_as_weight_rises(
    sex: int, age: int, w1: float, w2: float
) -> None:
    lighter, heavier = _sorted_pair(w1, w2)
    z = compute_zscores(sex=[sex, sex], age_days=[age, age], weight_kg=[lighter, heavier])["z_wfa"]
    assert z[0] <= z[1]


@settings(deadline=None)
@given(sex=sexes, length=two_decimal_lengths, w1=weights, w2=weights)
def test_weight_for_length_never_falls_as_weight_rises(
    sex: int, length: float, w1: float, w2: float
) -> None:
    lighter, heavier = _sorted_pair(w1, w2)
    result = compute_zscores(
        sex=[sex, sex],
        age_days=[np.nan, np.nan],
        weight_kg=[lighter, heavier],
        height_cm=[length, length],
        measure=["l", "l"],
    )
    assert result["z_wflh"][0] <= result["z_wflh"][1]


@settings(deadline=None)
@given(sex=sexes, age=ages, height=two_decimal_heights, w1=weights, w2=weights)
def test_bmi_for_age_and_weight_for_height_never_fall_as_weight_rises(
    sex: int, age: int, height: float, w1: float, w2: float
) -> None:
    lighter, heavier = _sorted_pair(w1, w2)
    result = compute_zscores(
        sex=[sex, sex],
        age_days=[age, age],
        weight_kg=[lighter, heavier],
        height_cm=[height, height],
        measure=["", ""],
    )
    for indicator in ("z_bfa", "z_wflh"):
        low, high = result[indicator]
        assert np.isnan(low) == np.isnan(high)
        assert np.isnan(low) or low <= high


AGE_TABLE_INPUTS = {
    "wfa": "weight_kg",
    "lhfa": "height_cm",
    "hcfa": "head_cm",
    "acfa": "muac_cm",
    "tsfa": "triceps_mm",
    "ssfa": "subscapular_mm",
}


@settings(max_examples=300, deadline=None)
@given(
    table=st.sampled_from(sorted(AGE_TABLE_INPUTS)),
    sex=sexes,
    age=st.integers(min_value=91, max_value=1856),
    z=z_hundredths,
)
def test_measurement_at_z_then_the_engine_gives_z_back_for_age_tables(
    table: str, sex: int, age: int, z: float
) -> None:
    value = measurement_at_z(table, sex, age, z)
    result = compute_zscores(sex=[sex], age_days=[age], **{AGE_TABLE_INPUTS[table]: [value]})
    assert result[f"z_{table}"][0] == z


@settings(max_examples=200, deadline=None)
@given(sex=sexes, age=ages, z=z_hundredths)
def test_measurement_at_z_then_the_engine_gives_z_back_for_bmi(
    sex: int, age: int, z: float
) -> None:
    bmi = float(measurement_at_z("bfa", sex, age, z))
    height_cm = 90.0
    result = compute_zscores(
        sex=[sex], age_days=[age], weight_kg=[bmi * 0.9**2], height_cm=[height_cm]
    )
    assert result["z_bfa"][0] == z


@settings(max_examples=300, deadline=None)
@given(
    table_and_length=st.one_of(
        st.tuples(st.just("wfl"), two_decimal_lengths),
        st.tuples(st.just("wfh"), two_decimal_heights),
    ),
    sex=sexes,
    z=z_hundredths,
)
def test_measurement_at_z_then_the_engine_gives_z_back_for_weight_for_length_height(
    table_and_length: tuple[str, float], sex: int, z: float
) -> None:
    table, length = table_and_length
    weight = measurement_at_z(table, sex, length, z)
    result = compute_zscores(
        sex=[sex],
        age_days=[np.nan],
        weight_kg=[weight],
        height_cm=[length],
        measure=["l" if table == "wfl" else "h"],
    )
    assert result["z_wflh"][0] == z
