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
from posyandu.reports.models import COUNT_FIELDS, MonthlyAggregate, PrevalenceCell
from posyandu.reports.prevalence import AGE_GROUP_CODES, CELL_FIELDS, cells_of_measurements

Cell = tuple[int, dt.date, str]
"""(Posyandu id, first day of the month, count field).

A count field of ``reports_monthlyaggregate``, or ``p:SEX:AGEGROUP:FIELD`` for a
field of ``reports_prevalencecell`` (:func:`prevalence_name`)."""

PREVALENCE_PREFIX = "p:"


def prevalence_name(sex: int, age_group: str, name: str) -> str:
    return f"{PREVALENCE_PREFIX}{sex}:{age_group}:{name}"


def _is_prevalence_name(name: str) -> bool:
    parts = name.split(":")
    return (
        len(parts) == 4
        and parts[0] + ":" == PREVALENCE_PREFIX
        and parts[1] in ("1", "2")
        and parts[2] in AGE_GROUP_CODES
        and parts[3] in CELL_FIELDS
    )


def _split_prevalence_name(name: str) -> tuple[int, str, str]:
    _prefix, sex, age_group, field_name = name.split(":")
    return int(sex), age_group, field_name


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
    prevalence: tuple[tuple[str, int], ...] = ()
    """What it adds to its (sex, age group) prevalence cell, by :func:`prevalence_name`."""


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
    columns = {
        _COUNT_OF.get(name, name): column
        for name, column in found.items()
        if _COUNT_OF.get(name, name) in COUNT_FIELDS
    }
    names = list(columns)
    table = np.column_stack([columns[n] for n in names]) if len(oedema) else np.zeros((0, 0))
    return [tuple(n for n, on in zip(names, row, strict=True) if on) for row in table.tolist()]


def visit_prevalence(
    sexes: list[int],
    age_days: list[int],
    z: Mapping[str, list[float | None]],
    flags: Mapping[str, list[bool]],
    oedema: list[bool],
) -> list[tuple[tuple[str, int], ...]]:
    """What each visit adds to its prevalence cell (:mod:`posyandu.reports.prevalence`)."""
    found = cells_of_measurements(
        sex=np.array(sexes, dtype=np.int64),
        age_days=np.array(age_days, dtype=np.float64),
        z={i: np.array(z[i], dtype=np.float64) for i in z},
        flags={i: np.array(flags[i], dtype=bool) for i in flags},
        oedema=np.array(oedema, dtype=bool),
    )
    return [
        ()
        if key is None
        else tuple((prevalence_name(key[0], key[1], name), value) for name, value in counts.items())
        for key, counts in found
    ]


def child_cells(facts: ChildFacts) -> Counter[Cell]:
    """Every count this child adds, as cells with what each adds (mostly 1;
    sums of z-scores in the prevalence cells)."""
    cells: list[Cell] = []
    weighted: Counter[Cell] = Counter()
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
        for name, value in visit.prevalence:
            weighted[(where, period, name)] += value
    weighted.update(cells)
    return weighted


# --- loading the facts ----------------------------------------------------------------

_Z = ("wfa", "lhfa", "wflh")


def load_facts(child_ids: Iterable[int]) -> list[ChildFacts]:
    """The facts of these children, in three queries."""
    ids = sorted(set(child_ids))
    if not ids:
        return []
    sexes: dict[int, int] = {}
    facts: dict[int, ChildFacts] = {}
    for pk, birth, posyandu, status, status_date, kia, sex in Child.objects.filter(
        pk__in=ids
    ).values_list(
        "pk", "birth_date", "posyandu_id", "status", "status_date", "has_kia_book", "sex"
    ):
        facts[pk] = ChildFacts(pk, birth, posyandu, status, status_date, kia)
        sexes[pk] = sex
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
        "age_days",
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
    prevalence = visit_prevalence(
        [sexes[child_id] for child_id in column("child_id")],
        column("age_days"),
        {i: column(f"z_{i}") for i in _Z},
        {i: column(f"flag_{i}") for i in _Z},
        column("oedema"),
    )
    for row, visit_counts, visit_cells in zip(rows, counts, prevalence, strict=True):
        facts[row[at["child_id"]]].visits.append(
            VisitFacts(
                posyandu_id=row[at["posyandu_id"]],
                period=row[at["period"]],
                weighed=row[at["weight_kg"]] is not None,
                weight_gain=row[at["weight_gain"]],
                is_bgm=row[at["is_bgm"]],
                is_2t=row[at["is_2t"]],
                z_counts=visit_counts,
                prevalence=visit_cells,
            )
        )
    return [facts[pk] for pk in ids if pk in facts]


def count_cells(facts: Iterable[ChildFacts]) -> Counter[Cell]:
    counts: Counter[Cell] = Counter()
    for child in facts:
        counts.update(child_cells(child))
    return counts


# --- keeping the tables true -----------------------------------------------------------


@dataclass(frozen=True)
class _Table:
    """A table of cells: its model, the fields of a row's key, its count fields."""

    model: type[MonthlyAggregate] | type[PrevalenceCell]
    key_fields: tuple[str, ...]
    count_fields: tuple[str, ...]


_MONTHLY = _Table(MonthlyAggregate, ("posyandu_id", "period"), COUNT_FIELDS)
_PREVALENCE = _Table(PrevalenceCell, ("posyandu_id", "period", "sex", "age_group"), CELL_FIELDS)
_TABLES = (_MONTHLY, _PREVALENCE)

RowKey = tuple[Any, ...]


def _row_of(cell: Cell) -> tuple[_Table, RowKey, str]:
    posyandu_id, period, name = cell
    if name.startswith(PREVALENCE_PREFIX):
        sex, age_group, field_name = _split_prevalence_name(name)
        return _PREVALENCE, (posyandu_id, period, sex, age_group), field_name
    return _MONTHLY, (posyandu_id, period), name


def _by_row(delta: Mapping[Cell, int]) -> dict[_Table, dict[RowKey, dict[str, int]]]:
    """The non-zero changes of ``delta``, by table and row."""
    rows: dict[_Table, dict[RowKey, dict[str, int]]] = {t: defaultdict(dict) for t in _TABLES}
    for cell, change in delta.items():
        if change:
            table, key, name = _row_of(cell)
            row = rows[table][key]
            row[name] = row.get(name, 0) + change
    return rows


def _key_filter(table: _Table, key: RowKey) -> dict[str, Any]:
    return dict(zip(table.key_fields, key, strict=True))


def _apply(delta: dict[Cell, int]) -> None:
    for table, rows in _by_row(delta).items():
        if not rows:
            continue
        model: Any = table.model
        model.objects.bulk_create(
            [model(**_key_filter(table, key)) for key in rows], ignore_conflicts=True
        )
        for key, changes in rows.items():
            table.model.objects.filter(**_key_filter(table, key)).update(
                **{name: F(name) + change for name, change in changes.items()}
            )


def follow_child_write(child_id: int | None) -> Callable[[int], None]:
    """Before a write to one child: remember its cells; after it: apply the difference."""
    found = load_facts([child_id]) if child_id else []
    before: Counter[Cell] = child_cells(found[0]) if found else Counter()

    def after(written_id: int) -> None:
        found = load_facts([written_id])
        now: Counter[Cell] = child_cells(found[0]) if found else Counter()
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


def _write_rows(table: _Table, rows: list[dict[str, Any]]) -> None:
    columns: dict[str, list[Any]] = {
        name: [row[name] for row in rows] for name in (*table.key_fields, *table.count_fields)
    }
    columns["period"] = [connection.ops.adapt_datefield_value(p) for p in columns["period"]]
    insert_rows(table.model, len(rows), columns, {})


def _apply_many(delta: dict[Cell, int]) -> None:
    """:func:`_apply` for thousands of rows: read them (locked), add, write back in bulk.

    One UPDATE per row, as for a single child, would cost a query per
    Posyandu-month a child lived through: over 10,000 for one import.
    """
    for table, rows in _by_row(delta).items():
        if not rows:
            continue
        posyandu_ids = sorted({key[0] for key in rows})
        stored: dict[RowKey, dict[str, Any]] = {}
        fields = ["pk", *table.key_fields, *table.count_fields]
        for start in range(0, len(posyandu_ids), BATCH):
            for values in (
                table.model.objects.select_for_update()
                .filter(posyandu_id__in=posyandu_ids[start : start + BATCH])
                .values(*fields)
            ):
                key = tuple(values[name] for name in table.key_fields)
                if key in rows:
                    stored[key] = values
        written: list[dict[str, Any]] = []
        for key, changes in rows.items():
            row = stored.get(key) or {
                **_key_filter(table, key),
                **dict.fromkeys(table.count_fields, 0),
            }
            for name, change in changes.items():
                row[name] += change
            written.append(row)
        # Delete and insert again: far cheaper than bulk_update's CASE per field and row.
        pks = [row["pk"] for row in stored.values()]
        for start in range(0, len(pks), BATCH):
            table.model.objects.filter(pk__in=pks[start : start + BATCH]).delete()
        _write_rows(table, written)


def rebuild(
    *, posyandu_ids: Iterable[int] | None = None, say: Callable[[str], None] | None = None
) -> int:
    """Rebuild the aggregates (monthly and prevalence cells) from the registry and
    the visits: all of them, or those of these Posyandu. Returns the number of
    monthly rows written."""
    say = say or (lambda _text: None)
    only = set(posyandu_ids) if posyandu_ids is not None else None
    with transaction.atomic():
        children = Child.objects.all()
        for table in _TABLES:
            stored = table.model.objects.all()
            if only is not None:
                stored = stored.filter(posyandu_id__in=only)
            stored.delete()
        if only is not None:
            children = children.filter(
                Q(posyandu_id__in=only)
                | Q(transfers__from_posyandu_id__in=only)
                | Q(transfers__to_posyandu_id__in=only)
                | Q(visits__posyandu_id__in=only)
            )
        ids = sorted(set(children.values_list("pk", flat=True)))
        totals: Counter[Cell] = Counter()
        for start in range(0, len(ids), BATCH):
            counts = count_cells(load_facts(ids[start : start + BATCH]))
            if only is not None:
                counts = Counter({cell: n for cell, n in counts.items() if cell[0] in only})
            totals.update(counts)
            say(f"{min(start + BATCH, len(ids))}/{len(ids)}")
        written = 0
        for table, changed in _by_row(totals).items():
            full = [
                {**_key_filter(table, key), **dict.fromkeys(table.count_fields, 0), **changes}
                for key, changes in changed.items()
            ]
            for start in range(0, len(full), BATCH * 5):
                _write_rows(table, full[start : start + BATCH * 5])
            if table is _MONTHLY:
                written = len(full)
    return written


def rebuild_after_recompute(sender: Any, *, child_ids: list[int] | None, **kwargs: Any) -> None:
    """N/T/O/B changed in bulk (a rule change): the D-side counts follow."""
    rebuild()


def stored_counts(
    posyandu_ids: Iterable[int] | None = None,
) -> dict[tuple[int, dt.date], dict[str, int]]:
    """The tables as {(posyandu, month): non-zero counts} (for checks and tests);
    prevalence cells under :func:`prevalence_name`."""
    result: dict[tuple[int, dt.date], dict[str, int]] = defaultdict(dict)
    only = list(posyandu_ids) if posyandu_ids is not None else None
    for table in _TABLES:
        rows = table.model.objects.all()
        if only is not None:
            rows = rows.filter(posyandu_id__in=only)
        for values in rows.values(*table.key_fields, *table.count_fields):
            posyandu_id, period = values["posyandu_id"], values["period"]
            for name in table.count_fields:
                if values[name]:
                    label = (
                        prevalence_name(values["sex"], values["age_group"], name)
                        if table is _PREVALENCE
                        else name
                    )
                    result[(posyandu_id, period)][label] = values[name]
    return {key: counts for key, counts in result.items() if counts}


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
    result = {key: {k: v for k, v in counts.items() if v} for key, counts in totals.items()}
    return {key: counts for key, counts in result.items() if counts}


# --- the children behind a number ---------------------------------------------------------


def children_behind(posyandu_ids: Iterable[int], period: dt.date, name: str) -> list[int]:
    """The ids of the children counted in ``name`` for these Posyandu in this month:
    the list behind every number of a report."""
    if name not in COUNT_FIELDS and not _is_prevalence_name(name):
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
