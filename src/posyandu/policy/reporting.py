"""Rules of the report pages: which month they open on.

Like :mod:`posyandu.policy.programme`, each rule is a frozen dataclass with a
version id, a start date and its source.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final


@dataclass(frozen=True)
class ReportMonthRule:
    """The month a roll-up opens on when none is asked for."""

    version_id: str
    start_date: date
    source: str
    fresh_month_days: int
    """While the current month is at most this many days old, reports open on the
    month before (the last complete one): most Posyandu have not opened yet, and
    a page of red 0% bars says nothing."""

    def default_period(self, today: date) -> date:
        this_month = today.replace(day=1)
        if today.day <= self.fresh_month_days:
            return (this_month - timedelta(days=1)).replace(day=1)
        return this_month


REPORT_MONTH: Final = ReportMonthRule(
    version_id="report-month-week-1",
    start_date=date(2024, 1, 1),
    source=(
        "Programme choice (issue 12): Posyandu open on a day of their own each month, "
        "most after the first week; until then the last complete month is the one to read"
    ),
    fresh_month_days=7,
)
