"""Reads of the monthly aggregates: SKDN by area and month, trends, the children
behind a number. Always within the user's scope; never a scan of the visits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Sum
from django.http import Http404

from posyandu.accounts.scope import Scope
from posyandu.areas.hierarchy import (
    JOIN_FROM_POSYANDU,
    Area,
    AreaCounts,
    Level,
    Tree,
    grouped_below,
    reached_from,
    rollup,
    tree,
)
from posyandu.areas.nesting import NestedRow, nest
from posyandu.children.models import Child
from posyandu.core import audit
from posyandu.policy import DS_TARGET
from posyandu.reports.aggregates import children_behind, previous_month
from posyandu.reports.models import COUNT_FIELDS, MonthlyAggregate

SKDN_FIELDS = ("s", "k", "d", "d_prime", "n", "t", "o", "b", "bgm", "two_t")

RATIOS = (
    ("k_s", "k", "s"),
    ("d_s", "d", "s"),
    ("d_k", "d", "k"),
    ("n_d", "n", "d"),
    ("n_d_prime", "n", "d_prime"),
    ("bgm_d", "bgm", "d"),
)
"""(name, numerator, denominator) of the SKDN ratios."""


@dataclass(frozen=True)
class SkdnRow(AreaCounts):
    """The SKDN of one area and month."""

    @property
    def ratios(self) -> dict[str, float | None]:
        return {name: self.pct(num, den) for name, num, den in RATIOS}

    @property
    def d_s_class(self) -> str:
        ratio = self.pct("d", "s")
        return DS_TARGET.css_class(None if ratio is None else ratio / 100)


def scoped_tree(scope: Scope, root: Area) -> Tree:
    """``root`` and the areas below it, as far as the user may see: 404 if none of it."""
    found = tree(root, scope.posyandu_ids)
    if not found.parents:
        raise Http404
    return found


def _per_posyandu(posyandu_ids: list[int], period: dt.date) -> dict[int, dict[str, int]]:
    return {
        row.posyandu_id: row.counts()
        for row in MonthlyAggregate.objects.filter(period=period, posyandu_id__in=posyandu_ids)
    }


def skdn(scope: Scope, root: Area, period: dt.date) -> tuple[Tree, list[SkdnRow]]:
    """SKDN of ``root`` and of every area below it for one month."""
    found = scoped_tree(scope, root)
    totals = rollup(_per_posyandu(list(found.parents), period), found)
    return found, [SkdnRow(area, totals.get(area, {})) for area in found.areas]


def skdn_total(scope: Scope, area: Area, period: dt.date) -> SkdnRow:
    """SKDN of ``area`` for one month, summed in the database."""
    rows = MonthlyAggregate.objects.filter(scope.rows_in(area), period=period)
    total = rows.aggregate(**{name: Sum(name) for name in COUNT_FIELDS})
    return SkdnRow(area, {k: int(v or 0) for k, v in total.items()})


def skdn_overview(scope: Scope, area: Area, period: dt.date) -> tuple[SkdnRow, list[SkdnRow]]:
    """SKDN of ``area`` and of the areas one level below it, summed in the database
    (a few GROUP BY queries, whatever the size of the city)."""
    rows = MonthlyAggregate.objects.filter(scope.rows_in(area), period=period)
    sums = {name: Sum(name) for name in COUNT_FIELDS}
    below = [SkdnRow(a, counts) for a, counts in grouped_below(rows, area, "posyandu", sums)]
    return skdn_total(scope, area, period), below


SKDN_NESTING: dict[Level, dict[str, tuple[Level, ...]]] = {
    Level.KOTA: {
        "wilayah": (Level.KECAMATAN, Level.KELURAHAN, Level.POSYANDU),
        "puskesmas": (Level.PUSKESMAS, Level.POSYANDU),
    },
    Level.KECAMATAN: {"wilayah": (Level.KELURAHAN, Level.POSYANDU)},
    Level.KELURAHAN: {"wilayah": (Level.POSYANDU,)},
    Level.PUSKESMAS: {"puskesmas": (Level.POSYANDU,)},
    Level.POSYANDU: {},
}
"""The levels nested under each kind of area on the SKDN page, per grouping."""

_JOIN: dict[Level, str] = {
    level: reached_from("posyandu", join) for level, join in JOIN_FROM_POSYANDU.items()
}


def skdn_nested(
    scope: Scope,
    area: Area,
    period: dt.date,
    levels: tuple[Level, ...],
    key: Callable[[NestedRow], Any],
) -> list[NestedRow]:
    """SKDN of the areas at ``levels`` below ``area``, each under its subtotal:
    one GROUP BY over the lowest level's chain, summed upwards in Python."""
    if not levels:
        return []
    rows = MonthlyAggregate.objects.filter(scope.rows_in(area), period=period)
    columns = [f"{_JOIN[level]}__{name}" for level in levels for name in ("pk", "code", "name")]
    grouped = rows.values(*columns).annotate(**{name: Sum(name) for name in COUNT_FIELDS})
    return nest(
        (
            (
                [
                    Area(
                        level,
                        row[f"{_JOIN[level]}__pk"],
                        row[f"{_JOIN[level]}__code"],
                        row[f"{_JOIN[level]}__name"],
                    )
                    for level in levels
                ],
                {name: int(row[name] or 0) for name in COUNT_FIELDS},
            )
            for row in grouped
        ),
        key=key,
    )


def skdn_trend(
    scope: Scope, area: Area, last: dt.date, months: int = 12
) -> list[tuple[dt.date, SkdnRow]]:
    """SKDN of one area over the ``months`` months ending with ``last``."""
    inside = scope.rows_in(area)
    periods = [last]
    while len(periods) < months:
        periods.append(previous_month(periods[-1]))
    periods.reverse()
    sums = {
        row["period"]: {name: row[name] or 0 for name in COUNT_FIELDS}
        for row in MonthlyAggregate.objects.filter(inside, period__in=periods)
        .values("period")
        .annotate(**{name: Sum(name) for name in COUNT_FIELDS})
    }
    return [(p, SkdnRow(area, sums.get(p, {}))) for p in periods]


@dataclass(frozen=True)
class ChildrenBehind:
    children: list[Child]
    elsewhere: int
    """Counted here, but registered now outside the user's area (moved away)."""

    @property
    def total(self) -> int:
        return len(self.children) + self.elsewhere


def children_behind_number(scope: Scope, area: Area, period: dt.date, name: str) -> ChildrenBehind:
    """The children counted in ``name`` for ``area`` and month: the list behind a
    number, within the user's scope (audited as shown)."""
    if name not in COUNT_FIELDS:
        raise Http404
    found = scoped_tree(scope, area)
    ids = children_behind(found.posyandu_ids(area), period, name)
    children = list(
        Child.objects.filter(pk__in=ids, posyandu__in=scope.posyandu())
        .select_related("posyandu")
        .order_by("name")
    )
    audit.shown(children)
    return ChildrenBehind(children=children, elsewhere=len(set(ids)) - len(children))
