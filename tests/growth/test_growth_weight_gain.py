"""N / T / O / B, the KBM tables, 2T and BGM."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from posyandu.growth import (
    DEFAULT_KBM_VERSION,
    KBM_VERSIONS,
    completed_months,
    detect_2t,
    is_bgm,
    kbm_grams,
    weight_gain_status,
)
from posyandu.growth.weight_gain import (
    STATUS_LABELS,
    is_2t,
    previous_was_last_month,
    weight_gain_status_for_visit,
)

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


def test_statuses_have_indonesian_and_english_labels() -> None:
    assert STATUS_LABELS["T"] == ("Tidak naik", "Inadequate gain")
    assert set(STATUS_LABELS) == {"N", "T", "O", "B", ""}


def test_single_visit_helper() -> None:
    assert (
        weight_gain_status_for_visit(
            weight_kg=8.2, previous_weight_kg=7.4, previous_was_last_month=True, age_months=1
        )
        == "N"
    )
    assert (
        weight_gain_status_for_visit(
            weight_kg=3.3, previous_weight_kg=None, previous_was_last_month=False, age_months=0
        )
        == "B"
    )


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"weight_kg": 0.0}, "weight_kg must be above 0"),
        ({"previous_weight_kg": -1.0}, "previous_weight_kg must be above 0"),
        ({"age_months": -1}, "negative"),
        ({"previous_weight_kg": None}, "previous_weight_kg is missing"),
        ({"kbm_version": "nope"}, "unknown KBM version"),
    ],
)
def test_single_visit_helper_refuses_unusable_input(
    inputs: dict[str, object], message: str
) -> None:
    arguments: dict[str, object] = {
        "weight_kg": 9.0,
        "previous_weight_kg": 8.5,
        "previous_was_last_month": True,
        "age_months": 12,
    } | inputs
    with pytest.raises(ValueError, match=message):
        weight_gain_status_for_visit(**arguments)  # type: ignore[arg-type]


# --- 2T -----------------------------------------------------------------


def test_two_t_in_a_row_is_2t_at_the_second() -> None:
    assert detect_2t(["N", "T", "T"]).tolist() == [False, False, True]


def test_a_third_t_in_a_row_is_still_2t() -> None:
    assert detect_2t(["T", "T", "T"]).tolist() == [False, True, True]


def test_t_separated_by_another_status_or_a_missed_month_is_not_2t() -> None:
    assert not detect_2t(["T", "N", "T", "", "T", "O", "T"]).any()


def test_2t_never_joins_two_children() -> None:
    statuses = ["N", "T", "T", "N", "T", "T"]
    children = [1, 1, 2, 2, 2, 2]
    assert detect_2t(statuses, child_ids=children).tolist() == [0, 0, 0, 0, 0, 1]
    # Without the ids, child 1's last T and child 2's first would look like 2T.
    assert detect_2t(statuses).tolist() == [0, 0, 1, 0, 0, 1]


def test_the_latest_status_helper() -> None:
    assert is_2t(["N", "T", "T"])
    assert not is_2t(["T", "T", "N"])
    assert not is_2t([])


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


def test_previous_weighing_last_calendar_month_including_across_the_year() -> None:
    visits = np.array(["2024-01-05", "2024-01-05", "2024-01-05", "2024-03-01"], "datetime64[D]")
    previous = np.array(["2023-12-31", "2023-11-30", "2024-01-01", "2024-02-29"], "datetime64[D]")
    assert previous_was_last_month(visits, previous).tolist() == [True, False, False, True]
