"""The monthly aggregates: which counts each child adds to which Posyandu's month.

One function, :func:`child_cells`, says what one child contributes: for each
month of its balita life a 1 in S (and K) at the Posyandu where it lived that
month (by its transfer dates, until it moved away or died), and for each
visit its 1s in D, D', N/T/O/B, BGM, 2T and the prevalence counts at the
Posyandu where the visit was made. A rebuild sums it over every child; a write
to one child applies the difference between its cells before and after, in
the write's own transaction (:func:`follow_child_write`, registered as a
watcher of every registry and visit write). The same cells give the list of
children behind every number (:func:`children_behind`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db import connection, transaction
from django.db.models import F, Q

from posyandu.children.history import left_on, posyandu_on, transfers_of
from posyandu.children.models import Child
from posyandu.growth.classify import screening
from posyandu.measurements.bulk import insert_rows
from posyandu.measurements.models import Visit, WeightGain
from posyandu.policy import BALITA
from posyandu.reports.models import COUNT_FIELDS, MonthlyAggregate

Cell = tuple[int, dt.date, str]
"""(Posyandu id, first day of the month, count field)."""

BATCH = 2000


@cache
def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


@cache
def next_month(period: dt.date) -> dt.date:
    return (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


@cache
def month_end(period: dt.date) -> dt.date:
    return next_month(period) - dt.timedelta(days=1)


@cache
def previous_month(period: dt.date) -> dt.date:
    return (period - dt.timedelta(days=1)).replace(day=1)


@dataclass(frozen=True)
class VisitFacts:
    posyandu_id: int
    period: dt.date
    weighed: bool
    weight_gain: str
    is_bgm: bool
    is_2t: bool
    z_counts: tuple[str, ...]
    """The prevalence counts this visit adds (see :func:`z_counts`)."""


@dataclass
class ChildFacts:
    """What the counts of one child depend on, as stored."""

    child_id: int
    birth_date: dt.date
    posyandu_id: int
    status: str
    status_date: dt.date | None
    has_kia_book: bool
    transfers: list[tuple[dt.date, int, int]] = field(default_factory=list)
    visits: list[VisitFacts] = field(default_factory=list)

    def left_on(self) -> dt.date | None:
        return left_on(self.status, self.status_date)

    def posyandu_on(self, day: dt.date) -> int:
        return posyandu_on(self.posyandu_id, self.transfers, day)


@cache
def _aged_out_by(period: dt.date) -> dt.date:
    return BALITA.last_birth_date_aged_out(period)


@cache
def balita_months(birth_date: dt.date) -> tuple[dt.date, ...]:
    """Every month in which a child born on ``birth_date`` is a balita at its start
    or is born during it (:data:`~posyandu.policy.BALITA`)."""
    months = []
    period = first_of_month(birth_date)
    while _aged_out_by(period) < birth_date:
        months.append(period)
        period = next_month(period)
    return tuple(months)


_STATUS_FIELD = {
    WeightGain.NAIK: "n",
    WeightGain.TIDAK_NAIK: "t",
    WeightGain.TIDAK_DITIMBANG_BULAN_LALU: "o",
    WeightGain.BARU: "b",
}


_COUNT_OF = {
    "lhfa_counted": "measured_lhfa",
    "wflh_counted": "measured_wflh",
    "wfa_counted": "measured_wfa",
}
"""The engine's screening names -> the aggregate columns."""


def z_counts(
    z: Mapping[str, npt.NDArray[np.float64]],
    flags: Mapping[str, npt.NDArray[np.bool_]],
    oedema: npt.NDArray[np.bool_],
) -> list[tuple[str, ...]]:
    """The prevalence counts of many visits at once, by the engine's
    :func:`~posyandu.growth.classify.screening` (WHO's rules)."""
    found = screening(
        **{f"z_{i}": z[i] for i in _Z}, **{f"flag_{i}": flags[i] for i in _Z}, oedema=oedema
    )
    columns = {_COUNT_OF.get(name, name): column for name, column in found.items()}
    names = list(columns)
    table = np.column_stack([columns[n] for n in names]) if len(oedema) else np.zeros((0, 0))
    return [tuple(n for n, on in zip(names, row, strict=True) if on) for row in table.tolist()]


def child_cells(facts: ChildFacts) -> list[Cell]:
    """Every count this child adds, as cells (each adds 1)."""
    cells: list[Cell] = []
    left = facts.left_on()
    for period in balita_months(facts.birth_date):
        if left is not None and left < period:
            break
        on = month_end(period)
        if left is not None and left < on:
            on = left
        where = facts.posyandu_on(on)
        cells.append((where, period, "s"))
        if facts.has_kia_book:
            cells.append((where, period, "k"))
    weighed_months = {v.period for v in facts.visits if v.weighed}
    for visit in facts.visits:
        where, period = visit.posyandu_id, visit.period
        cells.append((where, period, "measured"))
        if visit.weighed:
            cells.append((where, period, "d"))
            if previous_month(period) in weighed_months:
                cells.append((where, period, "d_prime"))
            status_field = (
                _STATUS_FIELD.get(WeightGain(visit.weight_gain)) if visit.weight_gain else None
            )
            if status_field:
                cells.append((where, period, status_field))
            if visit.is_bgm:
                cells.append((where, period, "bgm"))
            if visit.is_2t:
                cells.append((where, period, "two_t"))
        cells += [(where, period, name) for name in visit.z_counts]
    return cells


# --- loading the facts ----------------------------------------------------------------

_Z = ("wfa", "lhfa", "wflh")


def load_facts(child_ids: Iterable[int]) -> list[ChildFacts]:
    """The facts of these children, in three queries."""
    ids = sorted(set(child_ids))
    if not ids:
        return []
    facts = {
        pk: ChildFacts(pk, birth, posyandu, status, status_date, kia)
        for pk, birth, posyandu, status, status_date, kia in Child.objects.filter(
            pk__in=ids
        ).values_list("pk", "birth_date", "posyandu_id", "status", "status_date", "has_kia_book")
    }
    for child_id, transfers in transfers_of(ids).items():
        facts[child_id].transfers = transfers
    columns = [
        "child_id",
        "posyandu_id",
        "period",
        "weight_kg",
        "weight_gain",
        "is_bgm",
        "is_2t",
        "oedema",
        *(f"z_{i}" for i in _Z),
        *(f"flag_{i}" for i in _Z),
    ]
    rows = list(
        Visit.objects.filter(child_id__in=ids).order_by("child_id", "period").values_list(*columns)
    )
    at = {name: k for k, name in enumerate(columns)}

    def column(name: str) -> list[Any]:
        return [row[at[name]] for row in rows]

    counts = z_counts(
        {i: np.array(column(f"z_{i}"), dtype=np.float64) for i in _Z},
        {i: np.array(column(f"flag_{i}"), dtype=bool) for i in _Z},
        np.array(column("oedema"), dtype=bool),
    )
    for row, visit_counts in zip(rows, counts, strict=True):
        facts[row[at["child_id"]]].visits.append(
            VisitFacts(
                posyandu_id=row[at["posyandu_id"]],
                period=row[at["period"]],
                weighed=row[at["weight_kg"]] is not None,
                weight_gain=row[at["weight_gain"]],
                is_bgm=row[at["is_bgm"]],
                is_2t=row[at["is_2t"]],
                z_counts=visit_counts,
            )
        )
    return [facts[pk] for pk in ids if pk in facts]


def count_cells(facts: Iterable[ChildFacts]) -> Counter[Cell]:
    counts: Counter[Cell] = Counter()
    for child in facts:
        counts.update(child_cells(child))
    return counts


# --- keeping the table true ------------------------------------------------------------


def _by_row(delta: dict[Cell, int]) -> dict[tuple[int, dt.date], dict[str, int]]:
    """The non-zero changes of ``delta``, by (Posyandu, month) row."""
    rows: dict[tuple[int, dt.date], dict[str, int]] = defaultdict(dict)
    for (posyandu_id, period, name), change in delta.items():
        if change:
            rows[(posyandu_id, period)][name] = change
    return rows


def _apply(delta: dict[Cell, int]) -> None:
    rows = _by_row(delta)
    if not rows:
        return
    MonthlyAggregate.objects.bulk_create(
        [MonthlyAggregate(posyandu_id=p, period=period) for p, period in rows],
        ignore_conflicts=True,
    )
    for (posyandu_id, period), changes in rows.items():
        MonthlyAggregate.objects.filter(posyandu_id=posyandu_id, period=period).update(
            **{name: F(name) + change for name, change in changes.items()}
        )


def follow_child_write(child_id: int | None) -> Callable[[int], None]:
    """Before a write to one child: remember its cells; after it: apply the difference."""
    found = load_facts([child_id]) if child_id else []
    before: Counter[Cell] = Counter(child_cells(found[0])) if found else Counter()

    def after(written_id: int) -> None:
        found = load_facts([written_id])
        now: Counter[Cell] = Counter(child_cells(found[0])) if found else Counter()
        delta = {cell: now[cell] - before[cell] for cell in set(now) | set(before)}
        _apply(delta)

    return after


def _cells_of(child_ids: list[int]) -> Counter[Cell]:
    counts: Counter[Cell] = Counter()
    ids = sorted(set(child_ids))
    for start in range(0, len(ids), BATCH):
        counts.update(count_cells(load_facts(ids[start : start + BATCH])))
    return counts


def follow_children_write(child_ids: list[int]) -> Callable[[list[int]], None]:
    """:func:`follow_child_write` for a write to many children at once (an import)."""
    before = _cells_of(child_ids)

    def after(written: list[int]) -> None:
        now = _cells_of(written)
        _apply_many({cell: now[cell] - before[cell] for cell in set(now) | set(before)})

    return after


def _apply_many(delta: dict[Cell, int]) -> None:
    """:func:`_apply` for thousands of rows: read them (locked), add, write back in bulk.

    One UPDATE per row, as for a single child, would cost a query per
    Posyandu-month a child lived through: over 10,000 for one import.
    """
    rows = _by_row(delta)
    if not rows:
        return
    keys = set(rows)
    posyandu_ids = sorted({p for p, _period in keys})
    stored: dict[tuple[int, dt.date], MonthlyAggregate] = {}
    for start in range(0, len(posyandu_ids), BATCH):
        for row in MonthlyAggregate.objects.select_for_update().filter(
            posyandu_id__in=posyandu_ids[start : start + BATCH]
        ):
            if (row.posyandu_id, row.period) in keys:
                stored[(row.posyandu_id, row.period)] = row
    changed: list[MonthlyAggregate] = []
    new: list[MonthlyAggregate] = []
    for key, changes in rows.items():
        found = stored.get(key)
        if found is None:
            found = MonthlyAggregate(posyandu_id=key[0], period=key[1])
            new.append(found)
        else:
            changed.append(found)
        for name, change in changes.items():
            setattr(found, name, getattr(found, name) + change)
    # Delete and insert again: far cheaper than bulk_update's CASE per field and row.
    pks = [row.pk for row in changed]
    for start in range(0, len(pks), BATCH):
        MonthlyAggregate.objects.filter(pk__in=pks[start : start + BATCH]).delete()
    written = [*changed, *new]
    columns: dict[str, list[Any]] = {
        "posyandu_id": [row.posyandu_id for row in written],
        "period": [connection.ops.adapt_datefield_value(row.period) for row in written],
        **{name: [getattr(row, name) for row in written] for name in COUNT_FIELDS},
    }
    insert_rows(MonthlyAggregate, len(written), columns, {})


def rebuild(
    *, posyandu_ids: Iterable[int] | None = None, say: Callable[[str], None] | None = None
) -> int:
    """Rebuild the aggregates from the registry and the visits: all of them, or
    those of these Posyandu. Returns the number of rows written."""
    say = say or (lambda _text: None)
    only = set(posyandu_ids) if posyandu_ids is not None else None
    with transaction.atomic():
        rows = MonthlyAggregate.objects.all()
        children = Child.objects.all()
        if only is not None:
            rows = rows.filter(posyandu_id__in=only)
            children = children.filter(
                Q(posyandu_id__in=only)
                | Q(transfers__from_posyandu_id__in=only)
                | Q(transfers__to_posyandu_id__in=only)
                | Q(visits__posyandu_id__in=only)
            )
        rows.delete()
        ids = sorted(set(children.values_list("pk", flat=True)))
        totals: dict[tuple[int, dt.date], dict[str, int]] = defaultdict(dict)
        for start in range(0, len(ids), BATCH):
            counts = count_cells(load_facts(ids[start : start + BATCH]))
            for (posyandu_id, period, name), n in counts.items():
                if only is None or posyandu_id in only:
                    cell = totals[(posyandu_id, period)]
                    cell[name] = cell.get(name, 0) + n
            say(f"{min(start + BATCH, len(ids))}/{len(ids)}")
        objects = [
            MonthlyAggregate(posyandu_id=p, period=period, **counts)
            for (p, period), counts in totals.items()
        ]
        for start in range(0, len(objects), BATCH):
            MonthlyAggregate.objects.bulk_create(objects[start : start + BATCH])
    return len(objects)


def rebuild_after_recompute(sender: Any, *, child_ids: list[int] | None, **kwargs: Any) -> None:
    """N/T/O/B changed in bulk (a rule change): the D-side counts follow."""
    rebuild()


def stored_counts(
    posyandu_ids: Iterable[int] | None = None,
) -> dict[tuple[int, dt.date], dict[str, int]]:
    """The table as {(posyandu, month): non-zero counts} (for checks and tests)."""
    rows = MonthlyAggregate.objects.all()
    if posyandu_ids is not None:
        rows = rows.filter(posyandu_id__in=list(posyandu_ids))
    result = {}
    for row in rows:
        counts = {k: v for k, v in row.counts().items() if v}
        if counts:
            result[(row.posyandu_id, row.period)] = counts
    return result


def computed_counts(
    child_ids: Iterable[int] | None = None,
) -> dict[tuple[int, dt.date], dict[str, int]]:
    """What a rebuild would store, in the same shape, without storing it."""
    ids = (
        list(child_ids)
        if child_ids is not None
        else list(Child.objects.values_list("pk", flat=True))
    )
    totals: dict[tuple[int, dt.date], dict[str, int]] = defaultdict(dict)
    for (posyandu_id, period, name), n in count_cells(load_facts(ids)).items():
        cell = totals[(posyandu_id, period)]
        cell[name] = cell.get(name, 0) + n
    return dict(totals)


# --- the children behind a number ---------------------------------------------------------


def children_behind(posyandu_ids: Iterable[int], period: dt.date, name: str) -> list[int]:
    """The ids of the children counted in ``name`` for these Posyandu in this month:
    the list behind every number of a report."""
    if name not in COUNT_FIELDS:
        raise ValueError(f"unknown count {name!r}")
    only = set(posyandu_ids)
    related = Child.objects.filter(
        Q(posyandu_id__in=only)
        | Q(transfers__from_posyandu_id__in=only)
        | Q(transfers__to_posyandu_id__in=only)
        | Q(visits__posyandu_id__in=only, visits__period=period)
    ).values_list("pk", flat=True)
    found = []
    ids = sorted(set(related))
    for start in range(0, len(ids), BATCH):
        for child in load_facts(ids[start : start + BATCH]):
            if any(
                p in only and when == period and what == name
                for p, when, what in child_cells(child)
            ):
                found.append(child.child_id)
    return found
