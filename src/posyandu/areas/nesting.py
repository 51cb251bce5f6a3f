"""Roll-up tables: areas nested under the areas above them, each with its subtotal.

A report names the levels it nests (Puskesmas then Posyandu, or kecamatan,
kelurahan, Posyandu); each leaf comes with the chain of its areas at those
levels and its counts, and :func:`nest` sums every leaf into each area of its
chain and orders siblings by the key the page sorts by.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from posyandu.areas.hierarchy import Area, AreaCounts


@dataclass(frozen=True)
class NestedRow(AreaCounts):
    """One area of a roll-up table, ``depth`` levels below the top."""

    depth: int = 0
    has_rows_below: bool = False


def nest(
    leaves: Iterable[tuple[Sequence[Area], Mapping[str, int]]],
    key: Callable[[NestedRow], Any],
) -> list[NestedRow]:
    """Every area of the leaves' chains, each followed by the areas below it
    (depth first), siblings ordered by ``key``; an area's counts are the sum of
    the leaves under it."""
    totals: dict[Area, dict[str, int]] = {}
    below: dict[Area | None, set[Area]] = {}
    depth: dict[Area, int] = {}
    for chain, counts in leaves:
        parent: Area | None = None
        for level, area in enumerate(chain):
            below.setdefault(parent, set()).add(area)
            depth[area] = level
            bucket = totals.setdefault(area, {})
            for name, n in counts.items():
                bucket[name] = bucket.get(name, 0) + int(n)
            parent = area
    rows: list[NestedRow] = []

    def walk(parent: Area | None) -> None:
        siblings = [
            NestedRow(a, totals[a], depth=depth[a], has_rows_below=a in below)
            for a in below.get(parent, ())
        ]
        for row in sorted(siblings, key=key):
            rows.append(row)
            walk(row.area)

    walk(None)
    return rows


def worst_first(numerator: str, denominator: str) -> Callable[[NestedRow], Any]:
    """Sort key: the lowest ``numerator/denominator`` first, areas without a
    denominator last, then by name."""

    def key(row: NestedRow) -> tuple[bool, float, str]:
        pct = row.pct(numerator, denominator)
        return (pct is None, pct or 0.0, row.area.name)

    return key


def by_name(row: NestedRow) -> tuple[str, str]:
    return (row.area.name, row.area.code)
