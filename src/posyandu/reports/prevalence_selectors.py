"""Reads of prevalence: an area and period, the areas below it, the children behind
a number. Always within the user's scope.

A period of one calendar month is read from ``reports_prevalencecell`` (summed
in the database, whatever the size of the city); any other period from the
visits of the period, each child's latest, through the same
:func:`~posyandu.reports.prevalence.cells_of_measurements`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from django.db.models import F, Q, QuerySet, Sum
from django.http import Http404

from posyandu.accounts.scope import Scope
from posyandu.areas.hierarchy import BELOW, JOIN_FROM_POSYANDU, Area, Level, area_q, reached_from
from posyandu.areas.models import Posyandu
from posyandu.children.models import Child
from posyandu.core import audit
from posyandu.measurements.models import Visit
from posyandu.policy import DAYS_PER_MONTH
from posyandu.policy.prevalence import PREVALENCE, Indicator
from posyandu.reports.aggregates import first_of_month, month_end
from posyandu.reports.models import MonthlyAggregate, PrevalenceCell
from posyandu.reports.prevalence import (
    ALL,
    CELL_FIELDS,
    Z_INDICATORS,
    Key,
    Prevalence,
    cells_of_measurements,
    sum_cells,
)

INDICATORS = {indicator.code: indicator for indicator in PREVALENCE.indicators}


@dataclass(frozen=True)
class Period:
    date_from: dt.date
    date_to: dt.date

    @classmethod
    def month(cls, period: dt.date) -> Period:
        return cls(first_of_month(period), month_end(first_of_month(period)))

    @property
    def is_one_month(self) -> bool:
        return self.date_from.day == 1 and self.date_to == month_end(self.date_from)

    @property
    def last_month(self) -> dt.date:
        return first_of_month(self.date_to)


@dataclass(frozen=True)
class AreaPrevalence:
    area: Area
    prevalence: Prevalence
    sasaran: int | None
    """S of the month: the balita the area should have measured. ``None`` for a
    period of another length, where the children measured over several months
    have no one month's S to stand on."""

    @property
    def measured(self) -> int:
        return self.prevalence.measured

    @property
    def coverage_pct(self) -> float | None:
        return 100 * self.measured / self.sasaran if self.sasaran else None

    def with_sasaran(self, period: Period) -> AreaPrevalence:
        return self if period.is_one_month else replace(self, sasaran=None)


_SUMS = {name: Sum(name) for name in CELL_FIELDS}


def _from_rows(rows: Iterable[dict[str, Any]]) -> dict[Key, Counter[str]]:
    cells: dict[Key, Counter[str]] = {}
    for row in rows:
        cells.setdefault((row["sex"], row["age_group"]), Counter()).update(
            {name: int(row[name] or 0) for name in CELL_FIELDS}
        )
    return cells


def _sasaran(scope: Scope, area: Area, period: Period) -> tuple[int, dict[tuple[str, int], int]]:
    """S of the area and of each area below it (by level and pk: a kecamatan and a
    Puskesmas may share an id) in the period's last month, from one GROUP BY."""
    levels = [level for _join, level in BELOW[area.level]]
    joins = [f"{reached_from('posyandu', join)}__pk" for join, _l in BELOW[area.level]]
    rows = list(
        MonthlyAggregate.objects.filter(scope.rows_in(area), period=period.last_month)
        .values(*joins)
        .annotate(s=Sum("s"))
    )
    below: dict[tuple[str, int], int] = defaultdict(int)
    for row in rows:
        for level, key in zip(levels, joins, strict=True):
            below[(level, row[key])] += int(row["s"] or 0)
    return sum(int(row["s"] or 0) for row in rows), dict(below)


# --- the measurements of a period -----------------------------------------------------

_VISIT_COLUMNS = (
    "pk",
    "child_id",
    "posyandu_id",
    "measured_on",
    "age_days",
    "oedema",
    "child__sex",
    *(f"z_{i}" for i in Z_INDICATORS),
    *(f"flag_{i}" for i in Z_INDICATORS),
)


def _posyandu_ids(scope: Scope, area: Area) -> set[int]:
    return set(
        Posyandu.objects.filter(area_q(area) & scope.posyandu_q()).values_list("pk", flat=True)
    )


def latest_measurements(scope: Scope, area: Area, period: Period) -> list[dict[str, Any]]:
    """Each child's latest measurement in the period, if it was taken in ``area``
    (within the user's scope): WHO's "one measurement per child"."""
    inside = Visit.objects.filter(
        scope.rows_in(area), measured_on__gte=period.date_from, measured_on__lte=period.date_to
    )
    if period.is_one_month:
        # One visit per child per month: the month's visits are the latest.
        return list(inside.values(*_VISIT_COLUMNS))
    places = _posyandu_ids(scope, area)
    latest: dict[int, dict[str, Any]] = {}
    for row in (
        Visit.objects.filter(
            child_id__in=inside.values("child_id"),
            measured_on__gte=period.date_from,
            measured_on__lte=period.date_to,
        )
        .order_by("child_id", "measured_on")
        .values(*_VISIT_COLUMNS)
        .iterator(chunk_size=5000)
    ):
        latest[row["child_id"]] = row
    return [row for row in latest.values() if row["posyandu_id"] in places]


def measurement_cells(rows: list[dict[str, Any]]) -> list[tuple[Key | None, dict[str, int]]]:
    """:func:`cells_of_measurements` of rows of :data:`_VISIT_COLUMNS`."""
    return cells_of_measurements(
        sex=np.array([r["child__sex"] for r in rows], dtype=np.int64),
        age_days=np.array([r["age_days"] for r in rows], dtype=np.float64),
        z={i: np.array([r[f"z_{i}"] for r in rows], dtype=np.float64) for i in Z_INDICATORS},
        flags={i: np.array([r[f"flag_{i}"] for r in rows], dtype=bool) for i in Z_INDICATORS},
        oedema=np.array([r["oedema"] for r in rows], dtype=bool),
    )


# --- prevalence of an area and the areas below --------------------------------------------


def prevalence_report(
    scope: Scope, area: Area, period: Period
) -> tuple[AreaPrevalence, list[AreaPrevalence]]:
    """Prevalence of ``area`` and of each area one level below it (404 if the user
    sees nothing of it)."""
    s_total, s_below = _sasaran(scope, area, period)
    if period.is_one_month:
        # One GROUP BY over every level below at once (a city: kecamatan and
        # Puskesmas), summed up in Python: the month's cells are read once.
        prefixes = [(reached_from("posyandu", join), level) for join, level in BELOW[area.level]]
        keys = [f"{p}__{f}" for p, _level in prefixes for f in ("pk", "code", "name")]
        rows = list(
            PrevalenceCell.objects.filter(scope.rows_in(area), period=period.date_from)
            .values(*keys, "sex", "age_group")
            .annotate(**_SUMS)
        )
        root = Prevalence(_from_rows(rows))
        below: list[AreaPrevalence] = []
        for prefix, level in prefixes:
            by_area: dict[tuple[int, str, str], list[dict[str, Any]]] = defaultdict(list)
            for row in rows:
                key = (row[f"{prefix}__pk"], row[f"{prefix}__code"], row[f"{prefix}__name"])
                by_area[key].append(row)
            below += [
                AreaPrevalence(
                    Area(level, pk, code, name),
                    Prevalence(_from_rows(found)),
                    s_below.get((level, pk), 0),
                )
                for (pk, code, name), found in by_area.items()
            ]
        return AreaPrevalence(area, root, s_total), below
    measurements = latest_measurements(scope, area, period)
    cells = measurement_cells(measurements)
    below_cells: dict[tuple[str, int], list[tuple[Key | None, dict[str, int]]]] = defaultdict(list)
    below_of = _below_of_posyandu(area, {r["posyandu_id"] for r in measurements})
    for row, cell in zip(measurements, cells, strict=True):
        for below_area in below_of.get(row["posyandu_id"], ()):
            below_cells[(below_area.level, below_area.pk)].append(cell)
    root = Prevalence(sum_cells(cells))
    areas: dict[tuple[str, int], Area] = {
        (a.level, a.pk): a for found in below_of.values() for a in found
    }
    return AreaPrevalence(area, root, s_total).with_sasaran(period), [
        AreaPrevalence(areas[key], Prevalence(sum_cells(found)), s_below.get(key, 0)).with_sasaran(
            period
        )
        for key, found in below_cells.items()
    ]


def prevalence_by_level(
    scope: Scope, area: Area, period: Period, level: Level
) -> list[AreaPrevalence]:
    """The month's prevalence of every area of ``level`` (kecamatan down to
    Posyandu) inside ``area``, with its S."""
    if not period.is_one_month:
        raise ValueError("areas of a level are read for one month")
    prefix = reached_from("posyandu", JOIN_FROM_POSYANDU[level])
    keys = (f"{prefix}__pk", f"{prefix}__code", f"{prefix}__name")
    by_area: dict[tuple[int, str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in (
        PrevalenceCell.objects.filter(scope.rows_in(area), period=period.date_from)
        .values(*keys, "sex", "age_group")
        .annotate(**_SUMS)
    ):
        by_area[(row[keys[0]], row[keys[1]], row[keys[2]])].append(row)
    # Areas with balita but nobody measured are rows too (coverage 0).
    sasaran: dict[tuple[int, str, str], int] = {}
    for row in (
        MonthlyAggregate.objects.filter(scope.rows_in(area), period=period.date_from)
        .values(*keys)
        .annotate(s=Sum("s"))
    ):
        sasaran[(row[keys[0]], row[keys[1]], row[keys[2]])] = int(row["s"] or 0)
    return [
        AreaPrevalence(
            Area(level, pk, code, name),
            Prevalence(_from_rows(by_area.get((pk, code, name), []))),
            sasaran.get((pk, code, name), 0),
        )
        for pk, code, name in sorted(set(by_area) | set(sasaran))
    ]


def _below_of_posyandu(area: Area, posyandu_ids: set[int]) -> dict[int, list[Area]]:
    """The areas one level below ``area`` each Posyandu belongs to."""
    found: dict[int, list[Area]] = defaultdict(list)
    for join, level in BELOW[area.level]:
        prefix = f"{join}__" if join else ""
        for row in Posyandu.objects.filter(pk__in=posyandu_ids).values(
            "pk", f"{prefix}pk", f"{prefix}code", f"{prefix}name"
        ):
            found[row["pk"]].append(
                Area(level, row[f"{prefix}pk"], row[f"{prefix}code"], row[f"{prefix}name"])
            )
    return found


def prevalence_trend(
    scope: Scope, area: Area, last: dt.date, months: int
) -> list[tuple[dt.date, Prevalence]]:
    """The monthly prevalence of ``area`` over ``months`` months ending with ``last``."""
    periods = [first_of_month(last)]
    while len(periods) < months:
        periods.append(first_of_month(periods[-1] - dt.timedelta(days=1)))
    periods.reverse()
    by_month: dict[dt.date, list[dict[str, Any]]] = defaultdict(list)
    for row in (
        PrevalenceCell.objects.filter(scope.rows_in(area), period__in=periods)
        .values("period", "sex", "age_group")
        .annotate(**_SUMS)
    ):
        by_month[row["period"]].append(row)
    return [(p, Prevalence(_from_rows(by_month.get(p, [])))) for p in periods]


# --- the children behind a number --------------------------------------------------------


PAGE_SIZE = 100


@dataclass(frozen=True)
class PrevalenceChildren:
    rows: list[ChildMeasured]
    """The children of the page asked for (all of them without a page)."""
    in_scope: int
    """How many of the children behind the number the user may see."""
    elsewhere: int
    """Counted here, but registered now outside the user's area (moved away)."""
    page: int = 1
    pages: int = 1

    @property
    def total(self) -> int:
        return self.in_scope + self.elsewhere


@dataclass(frozen=True)
class ChildMeasured:
    child: Child
    measured_on: dt.date
    visit_id: int
    z: dict[str, float | None]


def _severity(indicator: Indicator) -> tuple[str, bool]:
    """The z-score field a list behind ``indicator`` is ordered by, and whether the
    highest comes first (overweight) rather than the lowest."""
    return f"z_{indicator.z}", indicator.code == "overweight"


def _matches(
    counts_name: str, sex: int | str, age_group: str
) -> Callable[[Key | None, dict[str, int]], bool]:
    def match(key: Key | None, counts: dict[str, int]) -> bool:
        return (
            key is not None
            and bool(counts.get(counts_name))
            and (sex == ALL or key[0] == sex)
            and (age_group == ALL or key[1] == age_group)
        )

    return match


SCAN_CHUNK = 500


def _scan(
    rows: QuerySet[Visit],
    match: Callable[[Key | None, dict[str, int]], bool],
    skip: int,
    take: int,
    scope: Scope,
) -> tuple[list[dict[str, Any]], int | None]:
    """Rows of ``rows`` (ordered) that ``match`` by the engine's screening, after
    the first ``skip`` of them, at most ``take``: read a chunk at a time. Also how
    many match in all, when the scan reached the end (``None`` otherwise). Only
    children the user may see now are kept (one query per chunk: a join in the
    ordered query makes the planner give up the index)."""
    found: list[dict[str, Any]] = []
    matched = 0
    offset = 0
    while len(found) < take:
        chunk = list(rows[offset : offset + SCAN_CHUNK].values(*_VISIT_COLUMNS))
        if not chunk:
            return found, matched
        offset += len(chunk)
        visible = set(
            Child.objects.filter(
                scope.posyandu_q("posyandu__"), pk__in=[row["child_id"] for row in chunk]
            ).values_list("pk", flat=True)
        )
        for row, (key, counts) in zip(chunk, measurement_cells(chunk), strict=True):
            if row["child_id"] in visible and match(key, counts):
                if matched >= skip:
                    found.append(row)
                    if len(found) == take:
                        break
                matched += 1
    return found, None


def _candidates(
    scope: Scope, area: Area, period: Period, indicator: Indicator, sex: int | str, age_group: str
) -> QuerySet[Visit]:
    """The month's visits that may count for ``indicator`` (a usable z-score, or
    oedema), most severe first: a superset the engine's screening then decides on,
    found through the (period, z) indexes instead of reading the whole month."""
    z_field, highest_first = _severity(indicator)
    flag_field = z_field.replace("z_", "flag_", 1)
    rows = Visit.objects.filter(scope.rows_in(area), period=period.date_from).filter(
        Q(**{f"{z_field}__isnull": False, flag_field: False}) | Q(oedema=True)
    )
    if sex != ALL:
        rows = rows.filter(child__sex=sex)
    if age_group != ALL:
        group = next(g for g in PREVALENCE.age_groups if g.code == age_group)
        rows = rows.filter(
            age_days__gte=math.ceil(group.from_month * DAYS_PER_MONTH),
            age_days__lt=math.ceil((group.to_month + 1) * DAYS_PER_MONTH),
        )
    # The index's own order (NULLS LAST ascending, NULLS FIRST descending), so
    # that a page reads the (period, z) index instead of sorting the month.
    z = F(z_field)
    order = z.desc(nulls_first=True) if highest_first else z.asc(nulls_last=True)
    return rows.order_by(order, "pk")


def _total(
    scope: Scope, area: Area, period: Period, name: str, sex: int | str, age_group: str
) -> int:
    rows = PrevalenceCell.objects.filter(scope.rows_in(area), period=period.date_from)
    if sex != ALL:
        rows = rows.filter(sex=sex)
    if age_group != ALL:
        rows = rows.filter(age_group=age_group)
    return int(rows.aggregate(n=Sum(name))["n"] or 0)


def children_behind_prevalence(
    scope: Scope,
    area: Area,
    period: Period,
    indicator: Indicator,
    *,
    part: str,
    sex: int | str = ALL,
    age_group: str = ALL,
    page: int | None = None,
) -> PrevalenceChildren:
    """The children counted in the numerator (``part="n"``) or the denominator
    (``part="d"``) of ``indicator`` for this area, period, sex and age group,
    within the user's scope, the most severe z-score first: one page of
    :data:`PAGE_SIZE` or, without ``page``, all of them (audited as shown).

    A month of one indicator is found in order through the database (a city's
    first page reads a few hundred rows); other periods and the combined
    indicator read the period's latest measurements."""
    if part not in ("n", "d"):
        raise Http404
    name = indicator.numerator if part == "n" else indicator.denominator
    match = _matches(name, sex, age_group)
    if period.is_one_month and indicator.code != "stunting_and_wasting":
        rows = _candidates(scope, area, period, indicator, sex, age_group)
        total = _total(scope, area, period, name, sex, age_group)
        # The children now registered outside the user's area are the total less
        # those listed: known once a scan reaches the end (the last page, an
        # export), never worth a scan of the whole month of its own.
        pages = max(1, -(-total // PAGE_SIZE))
        if page is None:
            chosen, in_all = _scan(rows, match, 0, total + 1, scope)
        else:
            page = min(max(page, 1), pages)
            chosen, in_all = _scan(rows, match, (page - 1) * PAGE_SIZE, PAGE_SIZE, scope)
            if in_all is None and page == pages:
                in_all = (page - 1) * PAGE_SIZE + len(chosen)
        in_scope = total if in_all is None else in_all
        elsewhere = total - in_scope
    else:
        z_field, highest_first = _severity(indicator)
        measurements = latest_measurements(scope, area, period)
        matched = [
            row
            for row, (key, counts) in zip(
                measurements, measurement_cells(measurements), strict=True
            )
            if match(key, counts)
        ]
        seen = set(
            Child.objects.filter(
                pk__in=[r["child_id"] for r in matched], posyandu__in=scope.posyandu()
            ).values_list("pk", flat=True)
        )
        shown_rows = [r for r in matched if r["child_id"] in seen]
        elsewhere = len(matched) - len(shown_rows)
        in_scope = len(shown_rows)
        pages = max(1, -(-in_scope // PAGE_SIZE))

        def severity(row: dict[str, Any]) -> tuple[bool, float, int]:
            # As the database orders the month: no z-score last going up, first going down.
            value = row[z_field]
            if value is None:
                return (not highest_first, 0.0, row["pk"])
            return (highest_first, -value if highest_first else value, row["pk"])

        shown_rows.sort(key=severity)
        if page is not None:
            page = min(max(page, 1), pages)
            shown_rows = shown_rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        chosen = shown_rows
    children = Child.objects.select_related("posyandu").in_bulk([r["child_id"] for r in chosen])
    found = [
        ChildMeasured(
            child=children[row["child_id"]],
            measured_on=row["measured_on"],
            visit_id=row["pk"],
            z={i: row[f"z_{i}"] for i in Z_INDICATORS},
        )
        for row in chosen
    ]
    audit.shown([row.child for row in found])
    return PrevalenceChildren(found, in_scope, elsewhere, page or 1, pages)
