"""The kader incentive rule as a pure function: each reason a kader is left out."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from posyandu.policy.posyandu_aktif import (
    ABSENT,
    DATA_NOT_ENTERED,
    INCENTIVE_BONTANG,
    INCENTIVE_SCHEDULE,
    NO_POSTING,
    NO_POSYANDU_DAY,
    NO_SK,
    NOT_INCENTIVE_ELIGIBLE,
    SK_AFTER_DAY,
    SK_EXPIRED,
)

RULE = INCENTIVE_BONTANG
DAY = dt.date(2025, 3, 12)


def reasons(**changes: object) -> list[str]:
    values: dict[str, object] = {
        "posted": True,
        "incentive_eligible": True,
        "sk_number": "12/KEL-BK/2025",
        "sk_date": dt.date(2025, 1, 6),
        "posyandu_day": DAY,
        "present": True,
        "data_entered": True,
    }
    values.update(changes)
    return RULE.reasons(**values)  # type: ignore[arg-type]


def test_a_kader_with_a_valid_sk_present_on_a_day_with_data_is_paid() -> None:
    assert reasons() == []


def test_each_condition_gives_its_reason() -> None:
    assert reasons(posted=False) == [NO_POSTING]
    assert reasons(incentive_eligible=False) == [NOT_INCENTIVE_ELIGIBLE]
    assert reasons(sk_number=" ") == [NO_SK]
    assert reasons(sk_date=None) == [NO_SK]
    assert reasons(sk_date=dt.date(2025, 3, 13)) == [SK_AFTER_DAY]
    assert reasons(present=False) == [ABSENT]
    assert reasons(data_entered=False) == [DATA_NOT_ENTERED]
    assert reasons(posyandu_day=None, present=False, data_entered=False) == [NO_POSYANDU_DAY]


def test_an_sk_lapses_after_the_months_a_rule_gives_it() -> None:
    yearly = replace(RULE, version_id="test-yearly", sk_valid_months=12)

    def lapsed(sk_date: dt.date) -> list[str]:
        return yearly.reasons(
            posted=True,
            incentive_eligible=True,
            sk_number="1/2024",
            sk_date=sk_date,
            posyandu_day=DAY,
            present=True,
            data_entered=True,
        )

    # 12/03/2024 -> 12/03/2025 is 12 completed months: lapsed; a day later, not yet.
    assert lapsed(dt.date(2024, 3, 12)) == [SK_EXPIRED]
    assert lapsed(dt.date(2024, 3, 13)) == []


def test_the_shipped_rule_keeps_an_sk_valid_while_the_posting_lasts() -> None:
    assert RULE.sk_valid_months is None
    assert reasons(sk_date=dt.date(2010, 1, 1)) == []


def test_reasons_add_up_and_a_rule_may_drop_a_condition() -> None:
    assert reasons(incentive_eligible=False, sk_date=None, present=False, data_entered=False) == [
        NOT_INCENTIVE_ELIGIBLE,
        NO_SK,
        ABSENT,
        DATA_NOT_ENTERED,
    ]
    lenient = replace(RULE, version_id="test", requires_presence=False)
    assert (
        lenient.reasons(
            posted=True,
            incentive_eligible=True,
            sk_number="1",
            sk_date=dt.date(2025, 1, 1),
            posyandu_day=DAY,
            present=False,
            data_entered=True,
        )
        == []
    )
    assert INCENTIVE_SCHEDULE.in_force(DAY) is RULE
