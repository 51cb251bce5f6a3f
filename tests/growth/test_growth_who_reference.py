"""The engine reproduces WHO's own igrowup results for the public reference children."""

from __future__ import annotations

import math

import numpy as np
import pytest

from posyandu.growth import INDICATORS, compute_zscores, months_to_days, zscores_for_child


def _column(rows: list[dict[str, str]], name: str) -> np.ndarray:
    return np.array([float(row[name]) if row[name] != "" else np.nan for row in rows])


@pytest.fixture(scope="module")
def engine_results(reference_children: list[dict[str, str]]) -> dict[str, np.ndarray]:
    rows = reference_children
    return compute_zscores(
        sex=_column(rows, "sex"),
        age_days=months_to_days(_column(rows, "age_months")),
        weight_kg=_column(rows, "weight_kg"),
        height_cm=_column(rows, "height_cm"),
        measure=np.array([row["measure"] for row in rows]),
        oedema=np.array([row["oedema"] for row in rows]),
        head_cm=_column(rows, "head_cm"),
        muac_cm=_column(rows, "muac_cm"),
        triceps_mm=_column(rows, "triceps_mm"),
        subscapular_mm=_column(rows, "subscapular_mm"),
    )


def _mismatches(rows: list[dict[str, str]], expected: np.ndarray, got: np.ndarray) -> list[str]:
    same = (np.isnan(expected) & np.isnan(got)) | np.isclose(expected, got, rtol=0, atol=1e-9)
    return [
        f"id {rows[i]['id']}: WHO {expected[i]}, engine {got[i]}" for i in np.flatnonzero(~same)
    ]


def test_age_in_days_matches_who_for_every_reference_child(
    reference_children: list[dict[str, str]], engine_results: dict[str, np.ndarray]
) -> None:
    expected = _column(reference_children, "age_days")
    assert _mismatches(reference_children, expected, engine_results["age_days"]) == []


@pytest.mark.parametrize("indicator", INDICATORS)
def test_every_reference_child_gets_whos_z_score_to_two_decimals(
    indicator: str,
    reference_children: list[dict[str, str]],
    engine_results: dict[str, np.ndarray],
) -> None:
    expected = _column(reference_children, f"z_{indicator}")
    got = engine_results[f"z_{indicator}"]
    assert _mismatches(reference_children, expected, got) == []
    # The data must exercise the indicator, or the test proves nothing.
    assert np.count_nonzero(~np.isnan(expected)) >= 40


@pytest.mark.parametrize("indicator", INDICATORS)
def test_every_reference_child_gets_whos_flag(
    indicator: str,
    reference_children: list[dict[str, str]],
    engine_results: dict[str, np.ndarray],
) -> None:
    expected = _column(reference_children, f"flag_{indicator}")
    got = engine_results[f"flag_{indicator}"]
    assert _mismatches(reference_children, expected, got) == []


@pytest.mark.parametrize(
    "child_id",
    [
        "1",  # ordinary girl, all eight indicators
        "93",  # a baby of 45 days: no arm circumference or skinfold standard yet
        "145",  # a newborn with oedema: no weight-based z, length and head kept
        "237",  # oedema at 55 months
        "371",  # weight-for-age far below −3 SD: the restricted formula
    ],
)
def test_single_child_helper_agrees_with_who(
    child_id: str, reference_children: list[dict[str, str]]
) -> None:
    row = next(r for r in reference_children if r["id"] == child_id)

    def number(name: str) -> float | None:
        return float(row[name]) if row[name] != "" else None

    age_days = float(months_to_days(float(row["age_months"])))
    result = zscores_for_child(
        sex=int(row["sex"]),
        age_days=age_days,
        weight_kg=number("weight_kg"),
        height_cm=number("height_cm"),
        measure=row["measure"],
        oedema=row["oedema"] == "y",
        head_cm=number("head_cm"),
        muac_cm=number("muac_cm"),
        triceps_mm=number("triceps_mm"),
        subscapular_mm=number("subscapular_mm"),
    )
    for indicator in INDICATORS:
        expected = number(f"z_{indicator}")
        got = result[f"z_{indicator}"]
        if expected is None:
            assert got is None, f"{indicator}: WHO has no z-score, engine gave {got}"
        else:
            assert isinstance(got, float)
            assert math.isclose(got, expected, abs_tol=1e-9), indicator
            assert result[f"flag_{indicator}"] == float(row[f"flag_{indicator}"])
