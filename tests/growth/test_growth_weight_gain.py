"""N / T / O / B, the KBM tables, 2T and BGM."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from posyandu.growth import (
    completed_months,
    detect_2t,
    is_bgm,
    kbm_grams,
    weight_gain_series,
    weight_gain_status,
)
from posyandu.policy import DEFAULT_KBM_VERSION, KBM_VERSIONS

KIA_2023_BY_MONTH = {1: 800, 2: 900, 3: 800, 4: 600, 5: 500, 6: 400}
KIA_2023_BY_MONTH |= {m: 300 for m in range(7, 12)} | {m: 200 for m in range(12, 61)}
KMS_2008_BY_MONTH = {1: 800, 2: 900, 3: 800, 4: 600, 5: 500, 6: 400, 7: 400}
KMS_2008_BY_MONTH |= {m: 300 for m in range(8, 11)} | {m: 200 for m in range(11, 61)}


def status(
    weight_kg: float,
    previous_weight_kg: float = np.nan,
    *,
    last_month: bool = True,
    weighed_before: bool = True,
    age_months: float = 12,
    version: str = DEFAULT_KBM_VERSION,
) -> str:
    result = weight_gain_status(
        weight_kg=[weight_kg],
        previous_weight_kg=[previous_weight_kg],
        previous_was_last_month=[last_month],
        weighed_before=[weighed_before],
        age_months=[age_months],
        kbm_version=version,
    )
    return str(result[0])


# --- KBM tables -------------------------------------------------------------


def test_the_kia_2023_table_is_the_default() -> None:
    assert DEFAULT_KBM_VERSION == "kia-2023"
    assert set(KBM_VERSIONS) == {"kia-2023", "kms-2008"}


@pytest.mark.parametrize(
    ("version", "expected"), [("kia-2023", KIA_2023_BY_MONTH), ("kms-2008", KMS_2008_BY_MONTH)]
)
def test_kbm_for_every_month_from_1_to_60(version: str, expected: dict[int, int]) -> None:
    months = np.arange(1, 61)
    assert kbm_grams(months, version).tolist() == [expected[m] for m in months]


def test_the_two_tables_differ_only_at_7_and_11_months() -> None:
    months = np.arange(1, 61)
    differ = kbm_grams(months, "kia-2023") != kbm_grams(months, "kms-2008")
    assert months[differ].tolist() == [7, 11]


@pytest.mark.parametrize("age_months", [0, 61, -1, np.nan])
def test_there_is_no_kbm_at_0_months_or_outside_the_table(age_months: float) -> None:
    assert np.isnan(kbm_grams([age_months])).all()


def test_a_fractional_age_counts_as_its_completed_months() -> None:
    assert kbm_grams([6.99, 7.0]).tolist() == [400.0, 300.0]


def test_an_unknown_kbm_version_is_refused() -> None:
    with pytest.raises(ValueError, match="kia-2023"):
        kbm_grams([3], "kms-1990")


# --- N / T / O / B ----------------------------------------------------------


def test_a_gain_of_exactly_the_kbm_is_naik_despite_floating_point() -> None:
    # 8.2 − 7.4 is 0.7999999999999998 kg in binary floating point.
    assert status(8.2, 7.4, age_months=1) == "N"


def test_a_gain_one_step_below_the_kbm_is_tidak_naik() -> None:
    assert status(8.1, 7.4, age_months=1) == "T"


@pytest.mark.parametrize(("weight", "previous"), [(9.0, 9.0), (8.8, 9.0)])
def test_no_gain_or_a_loss_is_tidak_naik(weight: float, previous: float) -> None:
    assert status(weight, previous, age_months=30) == "T"


def test_weighed_before_but_not_last_month_is_o() -> None:
    assert status(9.0, 8.0, last_month=False) == "O"
    assert status(9.0, weighed_before=True, last_month=False) == "O"


def test_first_weighing_ever_is_b() -> None:
    assert status(3.3, weighed_before=False, last_month=False, age_months=0) == "B"


def test_a_known_previous_weight_means_weighed_before() -> None:
    assert status(9.0, 8.0, weighed_before=False, last_month=False) == "O"


def test_not_weighed_this_month_has_no_status() -> None:
    assert status(np.nan, 8.0) == ""


def test_under_one_month_there_is_no_kbm_so_the_gain_is_not_judged() -> None:
    # Born late last month, weighed at birth; this visit is still month 0.
    assert status(3.1, 3.3, age_months=0) == "O"


@pytest.mark.parametrize("age_months", [61, np.nan])
def test_ages_the_table_does_not_cover_are_not_judged(age_months: float) -> None:
    assert status(19.0, 18.0, age_months=age_months) == "O"


@pytest.mark.parametrize(
    ("age_months", "gain_grams", "kia_2023", "kms_2008"),
    [(7, 350, "N", "T"), (11, 250, "T", "N"), (6, 400, "N", "N"), (12, 199, "T", "T")],
)
def test_the_chosen_kbm_version_decides_n_or_t(
    age_months: int, gain_grams: int, kia_2023: str, kms_2008: str
) -> None:
    previous = 7.0
    weight = previous + gain_grams / 1000
    assert status(weight, previous, age_months=age_months, version="kia-2023") == kia_2023
    assert status(weight, previous, age_months=age_months, version="kms-2008") == kms_2008


def test_many_children_at_once() -> None:
    result = weight_gain_status(
        weight_kg=np.array([8.2, 8.1, 3.4, 9.0, np.nan]),
        previous_weight_kg=np.array([7.4, 7.4, np.nan, 8.0, 8.0]),
        previous_was_last_month=np.array([True, True, False, False, True]),
        weighed_before=np.array([True, True, False, True, True]),
        age_months=np.array([1, 1, 0, 20, 20]),
    )
    assert result.tolist() == ["N", "T", "B", "O", ""]


def test_every_weighed_child_is_exactly_one_of_n_t_o_b() -> None:
    rng = np.random.default_rng(7)
    n = 5000
    weight = np.where(rng.random(n) < 0.1, np.nan, rng.uniform(3, 20, n).round(1))
    previous = np.where(rng.random(n) < 0.2, np.nan, weight - rng.uniform(-0.5, 1.0, n).round(1))
    result = weight_gain_status(
        weight_kg=weight,
        previous_weight_kg=previous,
        previous_was_last_month=rng.random(n) < 0.7,
        weighed_before=rng.random(n) < 0.9,
        age_months=rng.integers(0, 62, n),
    )
    weighed = ~np.isnan(weight)
    assert np.isin(result[weighed], ["N", "T", "O", "B"]).all()
    assert (result[~weighed] == "").all()


def series(
    dates: list[str],
    weights: list[float],
    *,
    children: list[int] | None = None,
    birth: str = "2024-01-10",
    **rules: object,
) -> list[tuple[str, float, float, bool]]:
    result = weight_gain_series(
        child_ids=children or [1] * len(dates),
        birth_date=[birth] * len(dates),
        measured_on=dates,
        weight_kg=weights,
        **rules,  # type: ignore[arg-type]
    )
    return list(
        zip(
            result.status.tolist(),
            result.gain_g.tolist(),
            result.kbm_g.tolist(),
            result.is_2t.tolist(),
            strict=True,
        )
    )


def _same(got: list[tuple[str, float, float, bool]], want: list[tuple[object, ...]]) -> bool:
    def norm(value: object) -> object:
        return "nan" if isinstance(value, float) and value != value else value

    return [tuple(map(norm, row)) for row in got] == [tuple(map(norm, row)) for row in want]


NAN = float("nan")


def test_a_series_gives_b_then_n_t_and_o_with_gain_and_kbm() -> None:
    got = series(["2024-03-10", "2024-04-10", "2024-05-10", "2024-07-10"], [5.0, 5.9, 6.0, 6.4])
    # 3 months: +900 g against KBM 800 (N); 4 months: +100 g against 600 (T);
    # July after no June visit: O, nothing compared.
    assert _same(
        got,
        [
            ("B", NAN, NAN, False),
            ("N", 900.0, 800.0, False),
            ("T", 100.0, 600.0, False),
            ("O", NAN, NAN, False),
        ],
    )


def test_last_calendar_month_runs_across_the_new_year() -> None:
    got = series(["2024-12-31", "2025-01-02"], [9.0, 9.3], birth="2024-01-01")
    assert _same(got, [("B", NAN, NAN, False), ("N", 300.0, 200.0, False)])


def test_a_visit_without_a_weight_has_no_status_and_breaks_a_run_of_t() -> None:
    got = series(["2024-06-10", "2024-07-10", "2024-08-10"], [7.0, NAN, 7.05])
    assert [row[0] for row in got] == ["B", "", "O"]


def test_under_one_month_old_the_gain_is_not_judged() -> None:
    got = series(["2024-01-10", "2024-02-05"], [3.3, 3.2])
    assert _same(got, [("B", NAN, NAN, False), ("O", -100.0, NAN, False)])


def test_each_row_is_judged_by_the_kbm_table_in_force_on_its_date() -> None:
    got = series(
        ["2024-07-12", "2024-08-12", "2024-09-12"],
        [7.5, 7.85, 8.2],
        kbm_version=["kia-2023", "kms-2008", "kia-2023"],
    )
    # +350 g at 7 months: T by KMS 2008 (400 g); at 8 months: N by KIA 2023 (300 g).
    assert _same(
        got,
        [("B", NAN, NAN, False), ("T", 350.0, 400.0, False), ("N", 350.0, 300.0, False)],
    )


def test_the_2t_run_length_can_differ_by_row() -> None:
    dates = ["2024-05-10", "2024-06-10", "2024-07-10", "2024-08-10"]
    weights = [7.0, 7.05, 7.1, 7.15]
    assert [r[3] for r in series(dates, weights)] == [False, False, True, True]
    assert [r[3] for r in series(dates, weights, two_t_months=3)] == [False, False, False, True]


def test_rows_out_of_order_or_two_in_one_month_are_refused() -> None:
    with pytest.raises(ValueError, match="sorted"):
        series(["2024-06-10", "2024-06-20"], [7.0, 7.1])
    with pytest.raises(ValueError, match="sorted"):
        series(["2024-07-10", "2024-06-10"], [7.0, 7.1])


def test_an_empty_series_is_empty() -> None:
    assert series([], []) == []


# --- 2T -----------------------------------------------------------------


def test_two_t_in_a_row_is_2t_at_the_second() -> None:
    assert detect_2t(["N", "T", "T"]).tolist() == [False, False, True]


def test_a_third_t_in_a_row_is_still_2t() -> None:
    assert detect_2t(["T", "T", "T"]).tolist() == [False, True, True]


def test_a_longer_2t_rule_needs_a_longer_run() -> None:
    assert detect_2t(["T", "T", "T"], consecutive_months=3).tolist() == [False, False, True]
    assert detect_2t(["T", "T", "N", "T"], [1, 1, 1, 2], consecutive_months=1).tolist() == [
        True,
        True,
        False,
        True,
    ]


def test_t_separated_by_another_status_or_a_missed_month_is_not_2t() -> None:
    assert not detect_2t(["T", "N", "T", "", "T", "O", "T"]).any()


def test_2t_never_joins_two_children() -> None:
    statuses = ["N", "T", "T", "N", "T", "T"]
    children = [1, 1, 2, 2, 2, 2]
    assert detect_2t(statuses, child_ids=children).tolist() == [0, 0, 0, 0, 0, 1]
    # Without the ids, child 1's last T and child 2's first would look like 2T.
    assert detect_2t(statuses).tolist() == [0, 0, 1, 0, 0, 1]


# --- BGM ---------------------------------------------------------------


def test_bgm_is_weight_for_age_strictly_below_minus_3() -> None:
    assert is_bgm([-3.0, -3.01, np.nan, -4.5]).tolist() == [False, True, False, True]


# --- Ages and calendar months --------------------------------------------


@pytest.mark.parametrize(
    ("birth", "visit", "months"),
    [
        (date(2024, 1, 15), date(2024, 2, 14), 0),
        (date(2024, 1, 15), date(2024, 2, 15), 1),
        (date(2024, 1, 31), date(2024, 2, 28), 0),
        (date(2024, 1, 31), date(2024, 2, 29), 1),  # the last day of a shorter month
        (date(2023, 1, 31), date(2023, 2, 28), 1),
        (date(2024, 1, 31), date(2024, 3, 30), 1),
        (date(2024, 1, 31), date(2024, 3, 31), 2),
        (date(2020, 2, 29), date(2025, 2, 28), 60),
        (date(2024, 5, 1), date(2024, 5, 1), 0),
    ],
)
def test_completed_months_count_calendar_months(birth: date, visit: date, months: int) -> None:
    assert completed_months(birth, visit) == months


def test_completed_months_is_nan_for_a_visit_before_birth_or_a_missing_date() -> None:
    births = np.array(["2024-05-02", "NaT"], dtype="datetime64[D]")
    visits = np.array(["2024-05-01", "2024-05-01"], dtype="datetime64[D]")
    assert np.isnan(completed_months(births, visits)).all()
