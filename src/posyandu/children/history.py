"""Where a child lived on a date, and whether it was still on the register then.

The registry keeps the current Posyandu and status; the transfers (with their
dates) and the status date give the past. Reports of past months and
campaign target lists read these, so a transfer today never changes last
year's numbers.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

from posyandu.children.models import ChildStatus, ChildTransfer

Transfer = tuple[dt.date, int, int]
"""(transferred on, from Posyandu id, to Posyandu id)."""


def transfers_of(child_ids: Iterable[int]) -> dict[int, list[Transfer]]:
    """Each child's transfers in date order (one query)."""
    found: dict[int, list[Transfer]] = defaultdict(list)
    for child_id, on, from_id, to_id in (
        ChildTransfer.objects.filter(child_id__in=list(child_ids))
        .order_by("child_id", "transferred_on", "id")
        .values_list("child_id", "transferred_on", "from_posyandu_id", "to_posyandu_id")
    ):
        found[child_id].append((on, from_id, to_id))
    return found


def posyandu_on(current_posyandu_id: int, transfers: Sequence[Transfer], day: dt.date) -> int:
    """The Posyandu a child lived at on ``day``: from a transfer's date on, its destination."""
    where = transfers[0][1] if transfers else current_posyandu_id
    for transferred_on, _from, to in transfers:
        if transferred_on <= day:
            where = to
    return where


def left_on(status: str, status_date: dt.date | None) -> dt.date | None:
    """The day a child left the register (moved away, died, aged out), if it did."""
    if status == ChildStatus.ACTIVE:
        return None
    return status_date or dt.date.min
