"""Age in completed months, as the KBM table reads it."""

import datetime as dt

from posyandu.measurements.assessment import completed_months


def test_a_child_born_on_31_january_is_one_month_old_on_29_february_for_the_kbm() -> None:
    assert completed_months(dt.date(2024, 1, 31), dt.date(2024, 2, 28)) == 0
    assert completed_months(dt.date(2024, 1, 31), dt.date(2024, 2, 29)) == 1


def test_a_month_is_completed_on_the_birth_day_of_the_month() -> None:
    assert completed_months(dt.date(2024, 1, 15), dt.date(2024, 3, 14)) == 1
    assert completed_months(dt.date(2024, 1, 15), dt.date(2024, 3, 15)) == 2
