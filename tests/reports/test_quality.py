"""The data-quality checks on hand-built measurements where every answer is written down.

Posyandu 1 (11 children, 12 measurements, February 2025; child 1 also in January):

- latest length-for-age z of children 1-10: -2, -1, -1, 0, 0, 0, 0, 1, 1, 2; child 11's
  is -6.2 and flagged. Child 1's January z (3.0) is not its latest: left out.
  Mean 0, sum of squares 12, so SD = sqrt(12/9) = 1.1547, m2 = 1.2, m3 = 0, m4 = 3.6:
  skewness 0, kurtosis 3.6 / 1.44 = 2.5. Flagged: 1 of 12 measurements = 8.3333%.
- weight-for-length: the same ten values; child 11 has none (11 computed, none flagged).
- weight-for-age: the ten and child 11's 0.0: SD sqrt(12/10) = 1.0954, m2 = 12/11,
  m4 = 36/11, kurtosis (36/11)/(12/11)^2 = 2.75.
- weights: 6 end in .0 and 6 in .5. chi2 = 2 x 4.8^2/1.2 + 8 x 1.2^2/1.2 = 48,
  DPS = 100 sqrt(48 / 108) = 66.6667.
- lengths: first decimals 0,0,1,1,2,3,...,9. chi2 = 2 x 0.8^2/1.2 + 8 x 0.2^2/1.2 = 4/3,
  DPS = 100 sqrt((4/3) / 108) = 11.1111.
- all infants (under 731 days); child 11 measured standing: 1 of 12 = 8.3333% mismatch.
- 6 boys and 5 girls among the 11 children; children 1 and 2 born on the 1st and the 15th.
- child 2's length fell 1.6 cm since December, child 3 lost 1.0 kg of 9.0 in 21 days
  (over 10%), child 4 was last seen 11 days earlier.

Posyandu 2 (10 children, one visit each): z -2, -1, -0.5, -0.5, 0, 0, 0.5, 0.5, 1, 2 for
all three indicators: sum of squares 11, SD = sqrt(11/9) = 1.1055, m2 = 1.1,
m4 = 3.425, kurtosis 3.425/1.21 = 2.8306; digits 0-9 once each: DPS 0.

Posyandu 3: two measurements (one without a weight and with a length but no position,
one without a length): too few to rate.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from posyandu.policy.quality import QUALITY_RULES, Rating
from posyandu.reports.quality import INDICATORS, Measurements, first_decimal, score

RULES = replace(QUALITY_RULES, min_children=10, min_measurements=10, min_digit_values=10)
"""The rules in force with a minimum of 10 (the hand-built groups are small)."""

FEB = dt.date(2025, 2, 10)
NAN = math.nan


def _row(**values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "visit": 0,
        "child": 0,
        "posyandu": 1,
        "recorder": 0,
        "on": FEB,
        "birth": dt.date(2024, 6, 3),
        "sex": 1,
        "weight": 8.0,
        "height": 70.0,
        "position": "l",
        "prev_on": None,
        "prev_weight": NAN,
        "prev_adj": NAN,
        **{f"z_{i}": 0.0 for i in INDICATORS},
        **{f"flag_{i}": False for i in INDICATORS},
    }
    row.update(values)
    row.setdefault("adj", row["height"])
    return row


def build(rows: list[dict[str, Any]]) -> Measurements:
    def col(name: str, dtype: Any = None) -> Any:
        return np.array([r[name] for r in rows], dtype=dtype)

    def dates(name: str) -> Any:
        return np.array(
            [np.datetime64("NaT") if r[name] is None else np.datetime64(r[name]) for r in rows],
            dtype="datetime64[D]",
        )

    on, birth = dates("on"), dates("birth")
    return Measurements(
        visit_id=np.arange(1, len(rows) + 1, dtype=np.int64),
        child_id=col("child", np.int64),
        posyandu_id=col("posyandu", np.int64),
        recorder_id=col("recorder", np.int64),
        measured_on=on,
        birth_date=birth,
        sex=col("sex", np.int64),
        age_days=(on - birth).astype(np.int64),
        weight_kg=col("weight", np.float64),
        height_cm=col("height", np.float64),
        height_adj_cm=col("adj", np.float64),
        position=col("position", "<U1"),
        z={i: col(f"z_{i}", np.float64) for i in INDICATORS},
        flag={i: col(f"flag_{i}", bool) for i in INDICATORS},
        prev_measured_on=dates("prev_on"),
        prev_weight_kg=col("prev_weight", np.float64),
        prev_height_adj_cm=col("prev_adj", np.float64),
    )


TEN = [-2.0, -1.0, -1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 2.0]
P1_WEIGHTS = [7.0, 7.5, 8.0, 8.5, 9.0, 9.5, 10.0, 10.5, 11.0, 11.5, 12.5]
P1_HEIGHTS = [66.0, 67.1, 68.1, 69.2, 70.3, 71.4, 72.5, 73.6, 74.7, 75.8, 76.9]
P2_Z = [-2.0, -1.0, -0.5, -0.5, 0.0, 0.0, 0.5, 0.5, 1.0, 2.0]


def posyandu_1() -> list[dict[str, Any]]:
    rows = []
    for k in range(10):
        child = k + 1
        extra: dict[str, Any] = {}
        if child == 2:
            extra = {"prev_on": dt.date(2024, 12, 10), "prev_adj": P1_HEIGHTS[k] + 1.6}
        if child == 3:
            extra = {"prev_on": dt.date(2025, 1, 20), "prev_weight": 9.0, "weight": 8.0}
        if child == 4:
            extra = {"prev_on": dt.date(2025, 1, 30), "prev_weight": 8.4}
        rows.append(
            _row(
                child=child,
                sex=1 if child <= 6 else 2,
                recorder=7 if child <= 5 else 8,
                birth=dt.date(2024, 6, {1: 1, 2: 15}.get(child, 3)),
                weight=extra.pop("weight", P1_WEIGHTS[k]),
                height=P1_HEIGHTS[k],
                **{f"z_{i}": TEN[k] for i in INDICATORS},
                **extra,
            )
        )
    rows[0].update(prev_on=dt.date(2025, 1, 10), prev_weight=7.0, prev_adj=65.0)
    rows.append(
        _row(
            child=11,
            sex=2,
            recorder=8,
            weight=P1_WEIGHTS[10],
            height=P1_HEIGHTS[10],
            position="h",
            z_lhfa=-6.2,
            flag_lhfa=True,
            z_wflh=NAN,
            z_wfa=0.0,
        )
    )
    rows.append(
        _row(
            child=1,
            recorder=7,
            on=dt.date(2025, 1, 10),
            birth=dt.date(2024, 6, 1),
            weight=7.0,
            height=65.0,
            z_lhfa=3.0,
            z_wflh=0.5,
            z_wfa=1.0,
        )
    )
    return rows


def posyandu_2() -> list[dict[str, Any]]:
    return [
        _row(
            child=100 + k,
            posyandu=2,
            sex=1 if k % 2 else 2,
            weight=9.0 + k / 10,
            height=70.0 + k / 10,
            **{f"z_{i}": P2_Z[k] for i in INDICATORS},
        )
        for k in range(10)
    ]


def posyandu_3() -> list[dict[str, Any]]:
    return [
        _row(child=200, posyandu=3, weight=NAN, position="", z_wfa=NAN, z_wflh=NAN),
        _row(child=201, posyandu=3, height=NAN, position="", z_lhfa=NAN, z_wflh=NAN),
    ]


@pytest.fixture
def stats():
    m = build(posyandu_1() + posyandu_2() + posyandu_3())
    return score(m, m.posyandu_id, rules=RULES)


def test_each_child_counts_once_with_its_latest_non_flagged_z(stats) -> None:
    p1 = stats[1]
    assert (p1.children, p1.measurements) == (11, 12)
    lhfa, wflh, wfa = p1.z["lhfa"], p1.z["wflh"], p1.z["wfa"]
    assert (lhfa.n, wflh.n, wfa.n) == (10, 10, 11)
    assert lhfa.mean == pytest.approx(0.0)
    assert lhfa.sd == pytest.approx(math.sqrt(12 / 9))
    assert round(lhfa.sd, 4) == 1.1547
    assert lhfa.skew == pytest.approx(0.0)
    assert lhfa.kurtosis == pytest.approx(2.5)
    assert wflh.sd == pytest.approx(1.1547, abs=5e-5)
    assert wflh.kurtosis == pytest.approx(2.5)
    assert wfa.sd == pytest.approx(math.sqrt(12 / 10))
    assert wfa.kurtosis == pytest.approx(2.75)
    p2 = stats[2].z["lhfa"]
    assert p2.sd == pytest.approx(math.sqrt(11 / 9))
    assert round(p2.sd, 4) == 1.1055
    assert p2.skew == pytest.approx(0.0)
    assert p2.kurtosis == pytest.approx(3.425 / 1.21)
    assert round(p2.kurtosis, 4) == 2.8306


def test_flagged_values_count_among_all_measurements(stats) -> None:
    p1 = stats[1]
    assert p1.flagged == {"lhfa": 1, "wfa": 0, "wflh": 0}
    assert p1.computed == {"lhfa": 12, "wfa": 12, "wflh": 11}
    assert p1.pct_flagged("lhfa") == pytest.approx(100 / 12)
    assert p1.pct_flagged("wflh") == 0.0
    assert p1.highlighted("lhfa", RULES) and not p1.highlighted("wflh", RULES)


def test_digit_preference_of_weights_and_lengths(stats) -> None:
    p1, p2 = stats[1], stats[2]
    assert p1.weight_digits == (6, 0, 0, 0, 0, 6, 0, 0, 0, 0)
    assert p1.height_digits == (2, 2, 1, 1, 1, 1, 1, 1, 1, 1)
    assert p1.dps_weight == pytest.approx(100 * math.sqrt(48 / 108))
    assert round(p1.dps_weight, 4) == 66.6667
    assert p1.dps_height == pytest.approx(100 / 9)
    assert (p1.pct_weight_whole, p1.pct_weight_half) == (50.0, 50.0)
    assert p1.pct_height_whole == pytest.approx(100 * 2 / 12)
    assert p2.dps_weight == 0.0 and p2.dps_height == 0.0


def test_first_decimal_reads_stored_values_exactly() -> None:
    digits = first_decimal(np.array([8.25, 10.0, 0.7, 12.9, 3.05, np.nan, 99.95]))
    assert digits.tolist() == [2, 0, 7, 9, 0, -1, 9]


def test_position_sex_and_birth_days(stats) -> None:
    p1 = stats[1]
    assert (p1.with_position, p1.position_mismatch) == (12, 1)
    assert p1.pct_position_mismatch == pytest.approx(100 / 12)
    assert (p1.boys, p1.girls) == (6, 5)
    assert p1.sex_ratio == pytest.approx(1.2)
    assert p1.birth_day_heaped == 2
    assert p1.pct_birth_day_heaped == pytest.approx(200 / 11)
    # All born in June 2024, all under a year old at their latest measurement.
    assert p1.age_years == (11, 0, 0, 0, 0)
    assert p1.birth_months == (0, 0, 0, 0, 0, 11, 0, 0, 0, 0, 0, 0)


def test_completeness(stats) -> None:
    p3 = stats[3]
    assert (p3.measurements, p3.missing_weight, p3.missing_height, p3.missing_position) == (
        2,
        1,
        1,
        1,
    )
    assert p3.missing_birth_date == 0
    assert stats[1].missing_weight == stats[1].missing_height == 0


def test_longitudinal_checks(stats) -> None:
    p1 = stats[1]
    assert (p1.length_shrinks, p1.weight_implausible, p1.visits_too_close) == (1, 1, 1)


def test_the_smart_rating_of_each_check_and_of_each_posyandu(stats) -> None:
    p1, p2, p3 = stats[1], stats[2], stats[3]
    E, G, A, P = Rating.EXCELLENT, Rating.GOOD, Rating.ACCEPTABLE, Rating.PROBLEMATIC
    assert p1.ratings == {
        "pct_flagged_wflh": E,
        "pct_flagged_lhfa": P,
        "sd_wflh": A,
        "sd_lhfa": A,
        "skew_wflh": E,
        "kurtosis_wflh": A,
        "skew_lhfa": E,
        "kurtosis_lhfa": A,
        "dps_weight": P,
        "dps_height": G,
        "pct_position_mismatch": P,
    }
    # 20 (flagged) + 10 + 10 (SD) + 3 + 3 (kurtosis) + 10 + 2 (DPS) + 10 (position)
    assert p1.points == 68
    assert p1.rating == P
    # SD 1.1055 is good (5 points each), kurtosis 2.83 excellent, the rest excellent.
    assert p2.ratings["sd_lhfa"] == G and p2.ratings["kurtosis_lhfa"] == E
    assert p2.points == 10
    assert p2.rating == G
    assert p3.rating is None and p3.points == 0
    assert set(p3.ratings.values()) == {None}


def test_the_default_rules_do_not_rate_small_groups() -> None:
    m = build(posyandu_1())
    p1 = score(m, m.posyandu_id)[1]
    assert p1.rating is None
    assert set(p1.ratings.values()) == {None}
    assert round(p1.dps_weight or 0, 4) == 66.6667


def test_per_month_a_child_counts_once_in_each_month() -> None:
    m = build(posyandu_1())
    by_month = score(m, m.month, bucket=m.month, rules=RULES)
    jan, feb = (int(np.datetime64(d, "M").astype(np.int64)) for d in ("2025-01", "2025-02"))
    assert (by_month[jan].children, by_month[jan].measurements) == (1, 1)
    assert (by_month[feb].children, by_month[feb].measurements) == (11, 11)
    assert by_month[jan].z["lhfa"].mean == 3.0
    assert by_month[feb].z["lhfa"].sd == pytest.approx(math.sqrt(12 / 9))


def test_per_recorder_the_latest_measurement_decides() -> None:
    m = build(posyandu_1())
    by_recorder = score(m, m.recorder_id, rules=RULES)
    assert (by_recorder[7].measurements, by_recorder[7].children) == (6, 5)
    assert (by_recorder[8].measurements, by_recorder[8].children) == (6, 6)
    assert by_recorder[7].z["lhfa"].mean == pytest.approx((-2 - 1 - 1 + 0 + 0) / 5)


@pytest.mark.parametrize(
    ("check", "value", "rating"),
    [
        ("sd_lhfa", 0.9, Rating.EXCELLENT),
        ("sd_lhfa", 1.1, Rating.EXCELLENT),
        ("sd_lhfa", 1.15, Rating.GOOD),
        ("sd_lhfa", 0.8, Rating.ACCEPTABLE),
        ("sd_lhfa", 1.21, Rating.PROBLEMATIC),
        ("pct_flagged_wflh", 2.5, Rating.EXCELLENT),
        ("pct_flagged_wflh", 7.6, Rating.PROBLEMATIC),
        ("skew_lhfa", -0.2, Rating.GOOD),
        ("kurtosis_lhfa", 3.59, Rating.ACCEPTABLE),
        ("dps_weight", 7.99, Rating.EXCELLENT),
        ("dps_weight", 8.0, Rating.GOOD),
        ("dps_weight", 20.0, Rating.PROBLEMATIC),
    ],
)
def test_band_edges_as_domain_md_writes_them(check: str, value: float, rating: Rating) -> None:
    assert QUALITY_RULES.check(check).rate(value) == rating


def test_overall_bands_are_smarts() -> None:
    overall = QUALITY_RULES.overall
    assert [overall(p) for p in (0, 9, 10, 14, 15, 24, 25)] == [
        Rating.EXCELLENT,
        Rating.EXCELLENT,
        Rating.GOOD,
        Rating.GOOD,
        Rating.ACCEPTABLE,
        Rating.ACCEPTABLE,
        Rating.PROBLEMATIC,
    ]
