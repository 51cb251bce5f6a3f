"""Areas by code, and the roll-up of Posyandu into every level above them.

A report or a campaign names its area by code: a kota, kecamatan or kelurahan
(Kemendagri code), a Puskesmas or a Posyandu (their own codes). Counts are
kept per Posyandu; :func:`rollup` sums them into the kelurahan, kecamatan,
Puskesmas and kota each Posyandu belongs to.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from posyandu.areas.models import Kecamatan, Kelurahan, Kota, Posyandu, Puskesmas


class Level(enum.StrEnum):
    KOTA = "kota"
    KECAMATAN = "kecamatan"
    KELURAHAN = "kelurahan"
    PUSKESMAS = "puskesmas"
    POSYANDU = "posyandu"


LEVEL_ORDER = (Level.KOTA, Level.KECAMATAN, Level.KELURAHAN, Level.PUSKESMAS, Level.POSYANDU)


@dataclass(frozen=True)
class Area:
    level: Level
    pk: int
    code: str
    name: str

    @property
    def key(self) -> str:
        """``level:pk``, as a query-string value."""
        return f"{self.level}:{self.pk}"


class UnknownArea(ValueError):
    """No area has this code (or key)."""


_MODELS: dict[Level, type[Kota | Kecamatan | Kelurahan | Puskesmas | Posyandu]] = {
    Level.KOTA: Kota,
    Level.KECAMATAN: Kecamatan,
    Level.KELURAHAN: Kelurahan,
    Level.PUSKESMAS: Puskesmas,
    Level.POSYANDU: Posyandu,
}


def find_area(code: str) -> Area:
    """The area with this code; :class:`UnknownArea` naming the code otherwise."""
    code = (code or "").strip()
    for level in LEVEL_ORDER:
        found = _MODELS[level].objects.filter(code=code).values_list("pk", "code", "name").first()
        if found is not None:
            return Area(level, found[0], found[1], found[2])
    raise UnknownArea(f"no kota, kecamatan, kelurahan, Puskesmas or Posyandu has code {code!r}")


def area_by_key(key: str) -> Area:
    """The area of a ``level:pk`` key; :class:`UnknownArea` otherwise."""
    level_text, _sep, pk_text = (key or "").partition(":")
    if level_text not in Level.__members__.values() or not (
        pk_text.isascii() and pk_text.isdigit()
    ):
        raise UnknownArea(f"not an area key: {key!r}")
    level = Level(level_text)
    found = _MODELS[level].objects.filter(pk=int(pk_text)).values_list("pk", "code", "name").first()
    if found is None:
        raise UnknownArea(f"no {level} with id {pk_text}")
    return Area(level, found[0], found[1], found[2])


_AREA_FIELD: dict[Level, str] = {
    Level.KOTA: "kelurahan__kecamatan__kota_id",
    Level.KECAMATAN: "kelurahan__kecamatan_id",
    Level.KELURAHAN: "kelurahan_id",
    Level.PUSKESMAS: "puskesmas_id",
    Level.POSYANDU: "id",
}


def area_q(area: Area, prefix: str = "") -> Q:
    """The condition "the Posyandu (reached by ``prefix``) is in ``area``", as plain
    joins: a database plans it far better than a nested subquery."""
    return Q(**{prefix + _AREA_FIELD[area.level]: area.pk})


def posyandu_of(area: Area) -> QuerySet[Posyandu]:
    """Every Posyandu in ``area``."""
    qs = Posyandu.objects.all()
    return {
        Level.KOTA: lambda: qs.filter(kelurahan__kecamatan__kota_id=area.pk),
        Level.KECAMATAN: lambda: qs.filter(kelurahan__kecamatan_id=area.pk),
        Level.KELURAHAN: lambda: qs.filter(kelurahan_id=area.pk),
        Level.PUSKESMAS: lambda: qs.filter(puskesmas_id=area.pk),
        Level.POSYANDU: lambda: qs.filter(pk=area.pk),
    }[area.level]()


JOIN_FROM_POSYANDU: dict[Level, str] = {
    Level.KECAMATAN: "kelurahan__kecamatan",
    Level.KELURAHAN: "kelurahan",
    Level.PUSKESMAS: "puskesmas",
    Level.POSYANDU: "",
}
"""How a Posyandu reaches its area of each level below the kota ("" = itself)."""


def reached_from(via: str, join: str) -> str:
    """The lookup from rows with a ``via`` foreign key to Posyandu to the area that
    ``join`` (a value of :data:`JOIN_FROM_POSYANDU`) leads to."""
    return f"{via}__{join}" if join else via


def _below(*levels: Level) -> tuple[tuple[str, Level], ...]:
    return tuple((JOIN_FROM_POSYANDU[level], level) for level in levels)


BELOW: dict[Level, tuple[tuple[str, Level], ...]] = {
    Level.KOTA: _below(Level.KECAMATAN, Level.PUSKESMAS),
    Level.KECAMATAN: _below(Level.KELURAHAN),
    Level.KELURAHAN: _below(Level.POSYANDU),
    Level.PUSKESMAS: _below(Level.POSYANDU),
    Level.POSYANDU: (),
}
"""The areas one level below each level, as joins from a Posyandu ("" = itself),
for pages that sum in the database."""


def grouped_below(
    rows: QuerySet[Any], area: Area, via: str, sums: Mapping[str, Any]
) -> list[tuple[Area, dict[str, int]]]:
    """``rows`` (of a model with a ``via`` foreign key to Posyandu) summed with
    ``sums`` per area one level below ``area``: one GROUP BY per level."""
    found: list[tuple[Area, dict[str, int]]] = []
    for join, level in BELOW[area.level]:
        prefix = reached_from(via, join)
        grouped = rows.values(f"{prefix}__pk", f"{prefix}__code", f"{prefix}__name").annotate(
            **sums
        )
        for row in grouped:
            child = Area(
                level, row[f"{prefix}__pk"], row[f"{prefix}__code"], row[f"{prefix}__name"]
            )
            found.append((child, {name: int(row[name] or 0) for name in sums}))
    return found


@dataclass(frozen=True)
class Tree:
    """The areas of one area and every level below it, and each Posyandu's parents."""

    root: Area
    areas: list[Area]
    parents: dict[int, list[Area]]
    """Posyandu id -> every area of ``areas`` it belongs to (itself included)."""

    def children_of(self, area: Area) -> list[Area]:
        """The areas one level below ``area`` (for a drill-down)."""
        below = {
            Level.KOTA: (Level.KECAMATAN, Level.PUSKESMAS),
            Level.KECAMATAN: (Level.KELURAHAN,),
            Level.KELURAHAN: (Level.POSYANDU,),
            Level.PUSKESMAS: (Level.POSYANDU,),
            Level.POSYANDU: (),
        }[area.level]
        inside = {p for p, parents in self.parents.items() if area in parents}
        return [
            a for a in self.areas if a.level in below and any(a in self.parents[p] for p in inside)
        ]

    def posyandu_ids(self, area: Area) -> list[int]:
        return [p for p, parents in self.parents.items() if area in parents]


def tree(root: Area, posyandu_ids: Iterable[int] | None = None) -> Tree:
    """``root`` and its areas down to Posyandu, limited to ``posyandu_ids`` if given
    (a user's scope)."""
    qs = posyandu_of(root)
    if posyandu_ids is not None:
        qs = qs.filter(pk__in=list(posyandu_ids))
    parents: dict[int, list[Area]] = {}
    seen: dict[tuple[Level, int], Area] = {}
    # Plain rows, not model instances: a city has 10,000 Posyandu, each with
    # four areas above it.
    joins = {
        Level.KOTA: "kelurahan__kecamatan__kota__",
        Level.KECAMATAN: "kelurahan__kecamatan__",
        Level.KELURAHAN: "kelurahan__",
        Level.PUSKESMAS: "puskesmas__",
        Level.POSYANDU: "",
    }
    start = LEVEL_ORDER.index(root.level)
    kept = [level for level in LEVEL_ORDER if LEVEL_ORDER.index(level) >= start]
    if root.level in (Level.KECAMATAN, Level.KELURAHAN):
        kept = [level for level in kept if level != Level.PUSKESMAS]
    if root.level == Level.PUSKESMAS:
        kept = [level for level in kept if level in (Level.PUSKESMAS, Level.POSYANDU)]
    columns = [f"{joins[level]}{name}" for level in kept for name in ("pk", "code", "name")]
    at = {level: 3 * k for k, level in enumerate(kept)}
    for row in qs.order_by("code").values_list(*columns):
        chain = []
        for level in kept:
            k = at[level]
            key = (level, int(row[k]))
            found = seen.get(key)
            if found is None:
                found = seen[key] = Area(level, int(row[k]), row[k + 1], row[k + 2])
            chain.append(found)
        parents[int(row[at[Level.POSYANDU]])] = chain
    ordered = sorted(seen.values(), key=lambda a: (LEVEL_ORDER.index(a.level), a.code))
    used = {a for chain in parents.values() for a in chain}
    return Tree(root=root, areas=[a for a in ordered if a in used] or [root], parents=parents)


@dataclass(frozen=True)
class AreaCounts:
    """Counts of one area (a report row), with percentages between them."""

    area: Area
    counts: Mapping[str, int]

    def count(self, name: str) -> int:
        return int(self.counts.get(name, 0))

    def pct(self, numerator: str, denominator: str) -> float | None:
        """100 × numerator / denominator, None when the denominator is 0."""
        below = self.count(denominator)
        return 100.0 * self.count(numerator) / below if below else None


def rollup(per_posyandu: Mapping[int, Mapping[str, int]], tree: Tree) -> dict[Area, dict[str, int]]:
    """Sum per-Posyandu counts into every area of ``tree``."""
    totals: dict[Area, dict[str, int]] = {a: {} for a in tree.areas}
    for posyandu_id, counts in per_posyandu.items():
        for area in tree.parents.get(posyandu_id, []):
            bucket = totals.setdefault(area, {})
            for name, n in counts.items():
                bucket[name] = bucket.get(name, 0) + n
    return totals
