"""A synthetic city the size of Jakarta on PostgreSQL, for the report benchmarks.

:func:`build_city` fills an empty, migrated database: one kota, its kecamatan,
kelurahan, one Puskesmas per kelurahan and ``posyandu`` Posyandu; ``children``
children born over the visit window and the 60 months before it (so that
every month of the window has a full set of balita, some of whom age out or
are born during it), a few hundred moves between Posyandu (ChildTransfer) and
children who moved away or died; one PosyanduSession per Posyandu and month,
and the visits of ``months`` months ending last month (the current month is
left empty for the visit-saving benchmark). Rows go in with COPY, in chunks of
children, so that memory stays flat whatever the size.

Measurements are drawn as z-score trajectories and turned into kilograms and
centimetres by the engine's inverse (``measurement_at_z``); the stored derived
fields (z-scores, flags, categories, N/T/O/B, 2T, BGM) come from the engine's
own bulk functions, so a visit saved later through the service finds the same
N/T/O/B on the earlier visits and changes nothing but its own month. Warnings
are left empty.

:class:`AggregateCounter` counts ``reports_monthlyaggregate`` and
:class:`PrevalenceCounter` ``reports_prevalencecell`` with numpy from the same
arrays (the reference ``rebuild()`` takes about 6 s per 10,000 children), and
:func:`check_aggregates` compares a sample of Posyandu, both tables, with the
reference ``computed_counts``.

Import this module only after ``django.setup()``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db import connection, models, transaction
from django.db.models import Max, Min, Q
from django.utils import timezone

from posyandu.areas.models import Kecamatan, Kelurahan, Kota, Posyandu, Puskesmas
from posyandu.children.models import Child, ChildStatus, ChildTransfer, Sex
from posyandu.core.policy_in_force import PoliciesInForce
from posyandu.demo import names
from posyandu.growth import compute_zscores
from posyandu.growth.classify import (
    CLASSIFIED_INDICATORS,
    classify_codes,
    is_overweight,
    is_severely_stunted,
    is_severely_underweight,
    is_severely_wasted,
    is_stunted,
    is_underweight,
    is_wasted,
    screening,
)
from posyandu.growth.curves import measurement_at_z
from posyandu.growth.weight_gain import is_bgm, weight_gain_series
from posyandu.measurements.assessment import STORED_INDICATORS
from posyandu.measurements.models import PosyanduSession, Visit
from posyandu.policy import DAYS_PER_MONTH, LENGTH_HEIGHT_SWITCH_DAYS, PMT_RULE
from posyandu.policy.prevalence import PREVALENCE
from posyandu.reports.aggregates import PREVALENCE_PREFIX, computed_counts, stored_counts
from posyandu.reports.models import COUNT_FIELDS, MonthlyAggregate, PrevalenceCell

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

KOTA_CODE = "31.99"
KOTA_NAME = "Kota Jakarta (sintetis)"
POSYANDU_PER_KELURAHAN = 37.5
KELURAHAN_PER_KECAMATAN = 6.0
"""Jakarta: about 44 kecamatan and 267 kelurahan for 10,000 Posyandu."""
CHUNK_CHILDREN = 50_000
TRANSFER_RATE = 0.004
MOVED_AWAY_RATE = 0.003
DIED_RATE = 0.0005
HEIGHT_ONLY_RATE = 0.003
WEIGHT_ONLY_RATE = 0.003
OEDEMA_RATE = 0.0005
MAX_AGE_DAYS = 1856
"""The oldest age the WHO standards (and the engine) give a z-score for."""
FLOWERS = (
    "Melati",
    "Mawar",
    "Anggrek",
    "Kenanga",
    "Cempaka",
    "Dahlia",
    "Flamboyan",
    "Teratai",
    "Kamboja",
    "Seruni",
)


def _month_int(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _month_date(month: int) -> dt.date:
    return dt.date(month // 12, month % 12 + 1, 1)


def _month_end(month: int) -> dt.date:
    return _month_date(month + 1) - dt.timedelta(days=1)


def _days(month: IntArray) -> npt.NDArray[np.datetime64]:
    """First day of each month (month as year * 12 + month - 1)."""
    return (month - _month_int(dt.date(1970, 1, 1))).astype("datetime64[M]").astype("datetime64[D]")


@dataclass
class Timer:
    """Wall-clock seconds per named stage, in order."""

    laps: dict[str, float] = field(default_factory=dict)

    def add(self, name: str, seconds: float) -> None:
        self.laps[name] = self.laps.get(name, 0.0) + seconds

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - started)


@dataclass
class City:
    """What the benchmarks need to know about the city they run on."""

    kota_code: str
    kota_pk: int
    today: dt.date
    periods: list[dt.date]
    """The visit months, oldest first; the last one is the report month."""
    posyandu_pks: IntArray
    """Posyandu primary keys by index."""
    special_posyandu: list[int]
    """Posyandu touched by a transfer or a child who left (for the aggregate check)."""
    rows: dict[str, int] = field(default_factory=dict)
    timings: Timer = field(default_factory=Timer)
    aggregates: AggregateCounter | None = None

    @property
    def report_period(self) -> dt.date:
        return self.periods[-1]


# --- COPY ---------------------------------------------------------------------------


def copy_rows(
    model: type[models.Model], k: int, columns: dict[str, Sequence[Any]], constants: dict[str, Any]
) -> int:
    """COPY ``k`` rows into ``model``'s table: every concrete column, primary key
    included, given as a column of values or a constant (checked against the
    model, so that a new field fails loudly instead of going in NULL)."""
    names_ = [f.column for f in model._meta.concrete_fields]
    missing = set(names_) - set(columns) - set(constants)
    extra = (set(columns) | set(constants)) - set(names_)
    if missing or extra:
        raise RuntimeError(f"{model.__name__}: missing {sorted(missing)}, unknown {sorted(extra)}")
    sources = [
        columns[name] if name in columns else itertools.repeat(constants[name], k)
        for name in names_
    ]
    quote = connection.ops.quote_name
    column_list = ", ".join(quote(n) for n in names_)
    with connection.cursor() as cursor:
        sql = f"COPY {quote(model._meta.db_table)} ({column_list}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for row in zip(*sources, strict=False):
                copy.write_row(row)
    return k


def reset_sequences(*tables: type[models.Model]) -> None:
    """After COPY with explicit ids: the next id the ORM gets follows the last one."""
    with connection.cursor() as cursor:
        for model in tables:
            table = model._meta.db_table
            quoted = connection.ops.quote_name(table)
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {quoted}), 0) + 1, false)",
                [table],
            )


def _nullable(values: FloatArray, places: int | None = None) -> list[float | None]:
    """Floats for a column, NaN as NULL (rounded for a DecimalField)."""
    if places is not None:
        values = np.round(values, places)
    return [None if v != v else v for v in values.tolist()]


# --- areas ----------------------------------------------------------------------------


@dataclass
class Areas:
    kota: Kota
    posyandu_pks: IntArray
    posyandu_kelurahan_pks: IntArray
    posyandu_rw: list[str]
    kelurahan_of_posyandu: IntArray
    """Kelurahan index of each Posyandu index (for moves nearby)."""
    posyandu_of_kelurahan: list[IntArray]
    counts: dict[str, int]


def create_areas(n_posyandu: int) -> Areas:
    n_kelurahan = max(1, round(n_posyandu / POSYANDU_PER_KELURAHAN))
    n_kecamatan = min(99, max(1, round(n_kelurahan / KELURAHAN_PER_KECAMATAN)))
    kota = Kota.objects.create(code=KOTA_CODE, name=KOTA_NAME)
    kecamatan = Kecamatan.objects.bulk_create(
        Kecamatan(kota=kota, code=f"{KOTA_CODE}.{i + 1:02d}", name=f"Kecamatan Sintetis {i + 1}")
        for i in range(n_kecamatan)
    )
    kelurahan_groups = np.array_split(np.arange(n_kelurahan), n_kecamatan)
    kelurahan_objs = []
    for kec, group in zip(kecamatan, kelurahan_groups, strict=True):
        for number, i in enumerate(group.tolist(), start=1):
            kelurahan_objs.append(
                Kelurahan(
                    kecamatan=kec, code=f"{kec.code}.{1000 + number}", name=f"Kelurahan {i + 1}"
                )
            )
    kelurahan = Kelurahan.objects.bulk_create(kelurahan_objs)
    puskesmas = Puskesmas.objects.bulk_create(
        Puskesmas(kota=kota, code=f"PKM-{kel.code}", name=f"Puskesmas {kel.name}")
        for kel in kelurahan
    )
    through = Puskesmas.kelurahan.through
    through.objects.bulk_create(
        through(puskesmas_id=pkm.pk, kelurahan_id=kel.pk)
        for pkm, kel in zip(puskesmas, kelurahan, strict=True)
    )
    posyandu_groups = np.array_split(np.arange(n_posyandu), n_kelurahan)
    posyandu_objs = []
    kelurahan_of = np.zeros(n_posyandu, dtype=np.int64)
    for k, (kel, pkm, group) in enumerate(zip(kelurahan, puskesmas, posyandu_groups, strict=True)):
        kelurahan_of[group] = k
        for number, i in enumerate(group.tolist(), start=1):
            rw = f"{(number - 1) % 30 + 1:03d}"
            posyandu_objs.append(
                Posyandu(
                    code=f"{kel.code}.{number:03d}",
                    name=f"Posyandu {FLOWERS[i % len(FLOWERS)]} {i // len(FLOWERS) + 1}",
                    kelurahan=kel,
                    puskesmas=pkm,
                    rw=rw,
                    address=f"RW {rw}, {kel.name}",
                )
            )
    posyandu = Posyandu.objects.bulk_create(posyandu_objs, batch_size=2000)
    return Areas(
        kota=kota,
        posyandu_pks=np.array([p.pk for p in posyandu], dtype=np.int64),
        posyandu_kelurahan_pks=np.array([p.kelurahan_id for p in posyandu], dtype=np.int64),
        posyandu_rw=[p.rw for p in posyandu],
        kelurahan_of_posyandu=kelurahan_of,
        posyandu_of_kelurahan=[g.astype(np.int64) for g in posyandu_groups],
        counts={
            "kecamatan": n_kecamatan,
            "kelurahan": n_kelurahan,
            "puskesmas": len(puskesmas),
            "posyandu": n_posyandu,
        },
    )


# --- children -----------------------------------------------------------------------


@dataclass
class Children:
    """Every child, by index (primary key = index + 1)."""

    n: int
    posyandu: IntArray
    """Current Posyandu index."""
    sex: IntArray
    birth: npt.NDArray[np.datetime64]
    kia: BoolArray
    attendance: FloatArray
    lhfa_base: FloatArray
    lhfa_drift: FloatArray
    wflh_level: FloatArray
    left_on: npt.NDArray[np.datetime64]
    """NaT, or the day the child moved away or died."""
    status: npt.NDArray[np.str_]
    moved_on: npt.NDArray[np.datetime64]
    """NaT, or the day of the child's one transfer (from ``moved_from`` to ``posyandu``)."""
    moved_from: IntArray
    """-1, or the Posyandu index the child moved from."""

    @cached_property
    def birth_month(self) -> IntArray:
        return self.birth.astype("datetime64[M]").astype(np.int64) + _month_int(dt.date(1970, 1, 1))

    @cached_property
    def last_balita_month(self) -> IntArray:
        """The last month whose start finds the child a balita (or that it is born in):
        59 months after the birth month for a child born on the 1st, 60 otherwise
        (``posyandu.reports.aggregates.balita_months``)."""
        day = (self.birth - self.birth.astype("datetime64[M]").astype("datetime64[D]")).astype(
            np.int64
        )
        return self.birth_month + 59 + (day > 0)


def draw_children(
    rng: np.random.Generator, n: int, areas: Areas, periods: list[dt.date], today: dt.date
) -> Children:
    n_posyandu = len(areas.posyandu_pks)
    weights = rng.lognormal(0.0, 0.35, n_posyandu)
    posyandu = rng.choice(n_posyandu, size=n, p=weights / weights.sum()).astype(np.int64)
    first = _month_int(periods[0])
    # Born from the day after the first month that still has a balita in the
    # window's first month, up to yesterday.
    earliest = np.datetime64(_month_date(first - 60), "D") + 1
    latest = np.datetime64(today, "D") - 1
    birth = earliest + rng.integers(0, int((latest - earliest).astype(int)) + 1, n).astype(
        "timedelta64[D]"
    )
    window_start = np.datetime64(periods[0], "D")
    window_end = np.datetime64(_month_end(_month_int(periods[-1])), "D")
    span = int((window_end - window_start).astype(int)) + 1

    def day_in_window(count: int, after: npt.NDArray[np.datetime64]) -> npt.NDArray[np.datetime64]:
        day = window_start + rng.integers(0, span, count).astype("timedelta64[D]")
        return np.maximum(day, after + 20)

    fate = rng.random(n)
    status = np.full(n, ChildStatus.ACTIVE.value, dtype="<U10")
    left_on = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    leaving = fate < MOVED_AWAY_RATE + DIED_RATE
    status[fate < MOVED_AWAY_RATE] = ChildStatus.MOVED.value
    status[leaving & (fate >= MOVED_AWAY_RATE)] = ChildStatus.DIED.value
    left_on[leaving] = day_in_window(int(leaving.sum()), birth[leaving])
    # Leaving after the window: still on the register in every month shown.
    late = leaving & (left_on > window_end)
    status[late] = ChildStatus.ACTIVE.value
    left_on[late] = np.datetime64("NaT")

    moving = (~leaving) & (fate >= 1.0 - TRANSFER_RATE)
    moved_on = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    moved_on[moving] = day_in_window(int(moving.sum()), birth[moving])
    moving &= moved_on <= window_end
    moved_on[~moving] = np.datetime64("NaT")
    moved_from = np.full(n, -1, dtype=np.int64)
    for i in np.nonzero(moving)[0].tolist():
        # A move to a neighbouring Posyandu of the same kelurahan when there is one.
        nearby = areas.posyandu_of_kelurahan[int(areas.kelurahan_of_posyandu[posyandu[i]])]
        nearby = nearby[nearby != posyandu[i]]
        pool = nearby if len(nearby) else np.setdiff1d(np.arange(n_posyandu), [posyandu[i]])
        if len(pool):
            moved_from[i] = int(rng.choice(pool))
    moved_on[moved_from < 0] = np.datetime64("NaT")

    lhfa_base = rng.normal(-0.75, 0.9, n)
    return Children(
        n=n,
        posyandu=posyandu,
        sex=np.where(rng.random(n) < 0.51, Sex.MALE, Sex.FEMALE).astype(np.int64),
        birth=birth,
        kia=rng.random(n) < 0.9,
        attendance=rng.beta(8.0, 2.0, n),
        lhfa_base=lhfa_base,
        lhfa_drift=rng.normal(-0.5, 0.4, n),
        wflh_level=rng.normal(-0.45, 0.8, n) + 0.15 * (lhfa_base + 0.75),
        left_on=left_on,
        status=status,
        moved_on=moved_on,
        moved_from=moved_from,
    )


def _pick(rng: np.random.Generator, words: Sequence[str], n: int) -> list[str]:
    return [words[i] for i in rng.integers(0, len(words), n).tolist()]


def copy_children(
    rng: np.random.Generator, kids: Children, areas: Areas, start: int, stop: int
) -> int:
    n = stop - start
    sl = slice(start, stop)
    sex = kids.sex[sl]
    female = (sex == Sex.FEMALE).tolist()
    first_boy, first_girl = _pick(rng, names.BOYS, n), _pick(rng, names.GIRLS, n)
    second_boy, second_girl = (
        _pick(rng, names.SECOND_NAMES, n),
        _pick(rng, names.SECOND_NAMES_GIRLS, n),
    )
    child_names = [
        f"{first_girl[i]} {second_girl[i]}" if female[i] else f"{first_boy[i]} {second_boy[i]}"
        for i in range(n)
    ]
    mothers = [
        f"{a} {b}"
        for a, b in zip(
            _pick(rng, names.MOTHERS, n), _pick(rng, names.MOTHERS_SECOND, n), strict=True
        )
    ]
    streets = _pick(rng, names.STREETS, n)
    birth = kids.birth[sl]
    births = birth.tolist()
    has_nik = (rng.random(n) < 0.8).tolist()
    serials = rng.integers(0, 1000, n).tolist()
    niks = [
        f"3199{b.day + (40 if f else 0):02d}{b.month:02d}{b.year % 100:02d}9{s:03d}" if ok else ""
        for b, f, s, ok in zip(births, female, serials, has_nik, strict=True)
    ]
    has_birth_data = rng.random(n) < 0.85
    birth_weight = np.where(
        has_birth_data, measurement_at_z("wfa", sex, 0, rng.normal(-0.3, 0.9, n)), np.nan
    )
    birth_length = np.where(
        has_birth_data,
        measurement_at_z("lhfa", sex, 0, kids.lhfa_base[sl] + rng.normal(0, 0.3, n)),
        np.nan,
    )
    posyandu = kids.posyandu[sl]
    left = kids.left_on[sl]
    now = timezone.now()
    return copy_rows(
        Child,
        n,
        {
            "id": range(start + 1, stop + 1),
            "local_id": [f"BEN-{i:010d}" for i in range(start + 1, stop + 1)],
            "name": child_names,
            "sex": sex.tolist(),
            "birth_date": births,
            "birth_weight_kg": _nullable(birth_weight, 2),
            "birth_length_cm": _nullable(birth_length, 1),
            "nik": niks,
            "mother_name": mothers,
            "father_name": _pick(rng, names.FATHERS, n),
            "phone": [f"0812{x}" for x in rng.integers(10_000_000, 99_999_999, n).tolist()],
            "address": [
                f"{s} No. {h}"
                for s, h in zip(streets, rng.integers(1, 120, n).tolist(), strict=True)
            ],
            "rt": [f"{x:03d}" for x in rng.integers(1, 30, n).tolist()],
            "rw": [areas.posyandu_rw[p] for p in posyandu.tolist()],
            "kelurahan_id": areas.posyandu_kelurahan_pks[posyandu].tolist(),
            "posyandu_id": areas.posyandu_pks[posyandu].tolist(),
            "has_kia_book": kids.kia[sl].tolist(),
            "status": kids.status[sl].tolist(),
            "status_date": left.tolist(),
        },
        {
            "mother_nik": "",
            "client_token": None,
            "version": 1,
            "created_at": now,
            "updated_at": now,
            "created_by_id": None,
        },
    )


def copy_transfers(kids: Children, areas: Areas) -> int:
    moved = np.nonzero(kids.moved_from >= 0)[0]
    k = len(moved)
    if not k:
        return 0
    return copy_rows(
        ChildTransfer,
        k,
        {
            "id": range(1, k + 1),
            "child_id": (moved + 1).tolist(),
            "from_posyandu_id": areas.posyandu_pks[kids.moved_from[moved]].tolist(),
            "to_posyandu_id": areas.posyandu_pks[kids.posyandu[moved]].tolist(),
            "transferred_on": kids.moved_on[moved].tolist(),
        },
        {"reason": "Pindah rumah", "by_id": None, "created_at": timezone.now()},
    )


def copy_sessions(session_day: IntArray, areas: Areas, periods: list[dt.date]) -> IntArray:
    """One opening day per Posyandu and month; their ids as [posyandu, month]."""
    n_posyandu, months = len(areas.posyandu_pks), len(periods)
    ids = np.arange(1, n_posyandu * months + 1, dtype=np.int64).reshape(n_posyandu, months)
    dates = [period.replace(day=int(day)) for day in session_day.tolist() for period in periods]
    copy_rows(
        PosyanduSession,
        ids.size,
        {
            "id": ids.ravel().tolist(),
            "posyandu_id": np.repeat(areas.posyandu_pks, months).tolist(),
            "date": dates,
        },
        {"notes": "", "created_by_id": None, "created_at": timezone.now()},
    )
    return ids


# --- visits ---------------------------------------------------------------------------


@dataclass
class VisitChunk:
    """The visits of a chunk of children, sorted by child then month."""

    child: IntArray
    """Child index."""
    month: IntArray
    """Window month index (0 = oldest)."""
    posyandu: IntArray
    """Posyandu index where the visit was made."""
    sex: IntArray
    measured_on: npt.NDArray[np.datetime64]
    age_days: IntArray
    weight_kg: FloatArray
    height_cm: FloatArray
    position: npt.NDArray[np.str_]
    oedema: BoolArray
    vitamin_a: BoolArray
    derived: dict[str, Any]

    def __len__(self) -> int:
        return int(self.child.shape[0])


def draw_visits(
    rng: np.random.Generator,
    kids: Children,
    start: int,
    stop: int,
    session_day: IntArray,
    periods: list[dt.date],
    policies: PoliciesInForce,
) -> VisitChunk:
    n, months = stop - start, len(periods)
    sl = slice(start, stop)
    window = np.array([_month_int(p) for p in periods], dtype=np.int64)
    month_start = _days(window)[None, :]
    birth = kids.birth[sl][:, None]
    in_life = (window[None, :] >= kids.birth_month[sl][:, None]) & (
        window[None, :] <= kids.last_balita_month[sl][:, None]
    )
    home = kids.posyandu[sl]
    at_home = month_start + (session_day[home][:, None] - 1).astype("timedelta64[D]")
    moved_from = kids.moved_from[sl]
    moved_on = kids.moved_on[sl][:, None]
    was_elsewhere = moved_from >= 0
    before = month_start + (session_day[np.maximum(moved_from, 0)][:, None] - 1).astype(
        "timedelta64[D]"
    )
    # The visit is where the child lived on the opening day: from the day of
    # the move on, the new Posyandu (``posyandu.children.history.posyandu_on``).
    # A month whose old Posyandu opened after the move and new one before it
    # is a month the child missed.
    there = ~was_elsewhere[:, None] | (moved_on <= at_home)
    place = np.where(there, home[:, None], moved_from[:, None])
    day = np.where(there, at_home, before)
    reachable = there | (before < moved_on)
    left = kids.left_on[sl][:, None]
    stayed = np.isnat(left) | (day <= left)
    age = (day - birth).astype(np.int64)
    eligible = in_life & reachable & stayed & (age >= 0) & (age <= MAX_AGE_DAYS)
    attend = eligible & (rng.random((n, months)) < kids.attendance[sl][:, None])

    ramp = np.clip(age / LENGTH_HEIGHT_SWITCH_DAYS, 0.0, 1.0)
    walk = np.cumsum(rng.normal(0.0, 0.04, (n, months)), axis=1)
    z_lhfa = kids.lhfa_base[sl][:, None] + kids.lhfa_drift[sl][:, None] * ramp + walk
    wflh_dev = np.zeros((n, months))
    innovations = rng.normal(0.0, 0.15, (n, months))
    for m in range(months):
        wflh_dev[:, m] = (
            0.85 * (wflh_dev[:, m - 1] if m else 1.5 * innovations[:, 0]) + (innovations[:, m])
        )
    z_wflh = kids.wflh_level[sl][:, None] + wflh_dev

    child_idx, month_idx = np.nonzero(attend)
    k = len(child_idx)
    age_v = age[child_idx, month_idx]
    sex_v = kids.sex[sl][child_idx]
    young = age_v < LENGTH_HEIGHT_SWITCH_DAYS
    length = np.round(
        measurement_at_z("lhfa", sex_v, age_v, z_lhfa[child_idx, month_idx])
        + rng.normal(0.0, 0.25, k),
        1,
    )
    z_w = z_wflh[child_idx, month_idx]
    weight = np.where(
        young,
        measurement_at_z("wfl", sex_v, length, z_w),
        measurement_at_z("wfh", sex_v, length, z_w),
    )
    missing = np.isnan(weight)
    if missing.any():
        weight[missing] = measurement_at_z(
            "wfa", sex_v[missing], age_v[missing], 0.7 * z_lhfa[child_idx, month_idx][missing]
        )
    weight = np.round(weight + rng.normal(0.0, 0.04, k), 1)
    which = rng.random(k)
    weight[which < HEIGHT_ONLY_RATE] = np.nan
    length[(which >= HEIGHT_ONLY_RATE) & (which < HEIGHT_ONLY_RATE + WEIGHT_ONLY_RATE)] = np.nan
    position = np.where(np.isnan(length), "", np.where(young, "l", "h"))
    measured_on = day[child_idx, month_idx]
    oedema = rng.random(k) < OEDEMA_RATE
    calendar_month = (window[month_idx] % 12) + 1
    vitamin_a = np.isin(calendar_month, (2, 8)) & (age_v >= 182) & (rng.random(k) < 0.9)

    z = compute_zscores(
        sex=sex_v,
        age_days=age_v,
        weight_kg=weight,
        height_cm=length,
        measure=position,
        oedema=oedema,
    )
    derived: dict[str, Any] = {"height_adj_cm": z["height_adj_cm"]}
    for ind in STORED_INDICATORS:
        derived[f"z_{ind}"] = z[f"z_{ind}"]
        derived[f"flag_{ind}"] = z[f"flag_{ind}"] == 1.0
    for ind in CLASSIFIED_INDICATORS:
        derived[f"cat_{ind}"] = classify_codes(ind, z[f"z_{ind}"])
    derived["is_bgm"] = is_bgm(z["z_wfa"])
    series = weight_gain_series(
        child_ids=child_idx,
        birth_date=kids.birth[sl][child_idx],
        measured_on=measured_on,
        weight_kg=weight,
        kbm_version=policies.kbm_version_ids(measured_on),
        two_t_months=policies.two_t_months(measured_on),
    )
    derived.update(
        weight_gain=series.status,
        weight_gain_g=series.gain_g,
        kbm_g=series.kbm_g,
        is_2t=series.is_2t,
    )
    return VisitChunk(
        child=child_idx.astype(np.int64) + start,
        month=month_idx.astype(np.int64),
        posyandu=place[child_idx, month_idx].astype(np.int64),
        sex=sex_v,
        measured_on=measured_on,
        age_days=age_v,
        weight_kg=weight,
        height_cm=length,
        position=position,
        oedema=oedema,
        vitamin_a=vitamin_a,
        derived=derived,
    )


def copy_visits(
    v: VisitChunk, first_id: int, areas: Areas, session_ids: IntArray, periods: list[dt.date]
) -> int:
    d = v.derived
    k = len(v)
    with np.errstate(invalid="ignore"):
        needs_pmt = (d["z_wflh"] < PMT_RULE.wflh_z_below) | (d["z_wfa"] < PMT_RULE.wfa_z_below)
    period_days = np.array(periods, dtype="datetime64[D]")
    now = timezone.now()
    return copy_rows(
        Visit,
        k,
        {
            "id": range(first_id, first_id + k),
            "child_id": (v.child + 1).tolist(),
            "posyandu_id": areas.posyandu_pks[v.posyandu].tolist(),
            "session_id": session_ids[v.posyandu, v.month].tolist(),
            "measured_on": v.measured_on.tolist(),
            "period": period_days[v.month].tolist(),
            "age_days": v.age_days.tolist(),
            "weight_kg": _nullable(v.weight_kg, 2),
            "height_cm": _nullable(v.height_cm, 2),
            "position": v.position.tolist(),
            "oedema": v.oedema.tolist(),
            "vitamin_a": v.vitamin_a.tolist(),
            "pmt_received": needs_pmt.tolist(),
            "height_adj_cm": _nullable(d["height_adj_cm"]),
            **{f"z_{i}": _nullable(d[f"z_{i}"]) for i in STORED_INDICATORS},
            **{f"flag_{i}": d[f"flag_{i}"].tolist() for i in STORED_INDICATORS},
            **{f"cat_{i}": d[f"cat_{i}"].tolist() for i in CLASSIFIED_INDICATORS},
            "weight_gain": d["weight_gain"].tolist(),
            "weight_gain_g": [None if x != x else int(x) for x in d["weight_gain_g"].tolist()],
            "kbm_g": [None if x != x else int(x) for x in d["kbm_g"].tolist()],
            "is_2t": d["is_2t"].tolist(),
            "is_bgm": d["is_bgm"].tolist(),
        },
        {
            "head_cm": None,
            "muac_cm": None,
            "pmt_kg": None,
            "kpsp": "",
            "warnings": json.dumps([]),
            "warnings_confirmed": False,
            "version": 1,
            "client_id": None,
            "recorded_by_id": None,
            "created_at": now,
            "updated_at": now,
        },
    )


# --- the monthly aggregates, counted with numpy ------------------------------------------

_D_FIELDS = tuple(f for f in COUNT_FIELDS if f not in ("s", "k"))
_STATUS_FIELD = {"N": "n", "T": "t", "O": "o", "B": "b"}


class AggregateCounter:
    """``reports_monthlyaggregate`` summed chunk by chunk, with the meaning of
    ``posyandu.reports.aggregates.child_cells``: S and K of every month of each
    child's balita life (past and future months too, as ``rebuild()`` stores
    them) at the Posyandu where it lived at the month's end (or on the day it
    left), D and the measurement counts of each visit where it was made."""

    def __init__(self, n_posyandu: int, first_month: int, last_month: int, periods: list[dt.date]):
        self.first_month = first_month
        self.n_months = last_month - first_month + 1
        self.window = np.array([_month_int(p) for p in periods], dtype=np.int64) - first_month
        self.s_diff = np.zeros((n_posyandu, self.n_months + 1), dtype=np.int64)
        self.k_diff = np.zeros((n_posyandu, self.n_months + 1), dtype=np.int64)
        self.s_loose = np.zeros((n_posyandu, self.n_months), dtype=np.int64)
        self.k_loose = np.zeros((n_posyandu, self.n_months), dtype=np.int64)
        self.d = np.zeros((n_posyandu, len(periods), len(_D_FIELDS)), dtype=np.int64)

    def add_children(self, kids: Children, start: int, stop: int) -> None:
        sl = slice(start, stop)
        first = kids.birth_month[sl] - self.first_month
        last = kids.last_balita_month[sl] - self.first_month
        plain = (kids.moved_from[sl] < 0) & np.isnat(kids.left_on[sl])
        p = kids.posyandu[sl][plain]
        kia = kids.kia[sl][plain]
        for diff, counted in ((self.s_diff, np.ones_like(kia)), (self.k_diff, kia)):
            np.add.at(diff, (p[counted], first[plain][counted]), 1)
            np.add.at(diff, (p[counted], last[plain][counted] + 1), -1)
        for i in (np.nonzero(~plain)[0] + start).tolist():
            self._add_one(kids, i)

    def _add_one(self, kids: Children, i: int) -> None:
        """A child who moved or left, month by month as ``child_cells`` does."""
        left = None if np.isnat(kids.left_on[i]) else kids.left_on[i].item()
        moved = None if kids.moved_from[i] < 0 else kids.moved_on[i].item()
        for month in range(int(kids.birth_month[i]), int(kids.last_balita_month[i]) + 1):
            if left is not None and left < _month_date(month):
                break
            on = _month_end(month)
            if left is not None and left < on:
                on = left
            where = int(kids.posyandu[i])
            if moved is not None and on < moved:
                where = int(kids.moved_from[i])
            self.s_loose[where, month - self.first_month] += 1
            if kids.kia[i]:
                self.k_loose[where, month - self.first_month] += 1

    def add_visits(self, v: VisitChunk) -> None:
        if not len(v):
            return
        d = v.derived
        months = len(self.window)
        weighed = ~np.isnan(v.weight_kg)
        row = v.child - v.child.min()
        grid = np.zeros((int(row.max()) + 1, months + 1), dtype=bool)
        grid[row, v.month + 1] = weighed
        previous_weighed = grid[row, v.month]
        usable = {i: np.where(d[f"flag_{i}"], np.nan, d[f"z_{i}"]) for i in ("wfa", "lhfa", "wflh")}
        lhfa, wflh, wfa = usable["lhfa"], usable["wflh"], usable["wfa"]
        oedema = v.oedema
        weight_ok = ~oedema
        status = d["weight_gain"]
        with np.errstate(invalid="ignore"):
            columns = {
                "d": weighed,
                "d_prime": weighed & previous_weighed,
                **{name: weighed & (status == code) for code, name in _STATUS_FIELD.items()},
                "bgm": weighed & d["is_bgm"],
                "two_t": weighed & d["is_2t"],
                "measured": np.ones(len(v), dtype=bool),
                "measured_lhfa": ~np.isnan(lhfa),
                "stunted": is_stunted(lhfa),
                "severely_stunted": is_severely_stunted(lhfa),
                "measured_wflh": oedema | (weight_ok & ~np.isnan(wflh)),
                "wasted": oedema | (weight_ok & is_wasted(wflh)),
                "severely_wasted": oedema | (weight_ok & is_severely_wasted(wflh)),
                "overweight": weight_ok & is_overweight(wflh),
                "measured_wfa": oedema | (weight_ok & ~np.isnan(wfa)),
                "underweight": oedema | (weight_ok & is_underweight(wfa)),
                "severely_underweight": oedema | (weight_ok & is_severely_underweight(wfa)),
                "flagged": d["flag_lhfa"] | d["flag_wflh"] | d["flag_wfa"],
            }
        cell = v.posyandu * months + v.month
        size = self.d.shape[0] * months
        for j, name in enumerate(_D_FIELDS):
            self.d[:, :, j] += (
                np.bincount(cell, weights=columns[name].astype(np.float64), minlength=size)
                .astype(np.int64)
                .reshape(self.d.shape[:2])
            )

    def table(self) -> tuple[IntArray, IntArray, IntArray]:
        """(Posyandu index, month offset, counts in COUNT_FIELDS order) of every
        row with a count, sorted by Posyandu then month."""
        s = np.cumsum(self.s_diff, axis=1)[:, :-1] + self.s_loose
        k = np.cumsum(self.k_diff, axis=1)[:, :-1] + self.k_loose
        full = np.zeros((s.shape[0], s.shape[1], len(COUNT_FIELDS)), dtype=np.int64)
        full[:, :, COUNT_FIELDS.index("s")] = s
        full[:, :, COUNT_FIELDS.index("k")] = k
        for j, name in enumerate(_D_FIELDS):
            full[:, self.window, COUNT_FIELDS.index(name)] = self.d[:, :, j]
        posyandu, month = np.nonzero(full.any(axis=2))
        return posyandu, month, full[posyandu, month]


def copy_aggregates(counter: AggregateCounter, areas: Areas) -> int:
    posyandu, month, counts = counter.table()
    k = len(posyandu)
    period_of = [_month_date(counter.first_month + m) for m in range(counter.n_months)]
    columns: dict[str, Sequence[Any]] = {
        "id": range(1, k + 1),
        "posyandu_id": areas.posyandu_pks[posyandu].tolist(),
        "period": [period_of[m] for m in month.tolist()],
    }
    for j, name in enumerate(COUNT_FIELDS):
        columns[name] = counts[:, j].tolist()
    return copy_rows(MonthlyAggregate, k, columns, {})


# --- the prevalence cells, counted with numpy --------------------------------------------

_CELL_KEY = ("id", "posyandu", "period", "sex", "age_group")
PREVALENCE_FIELDS = tuple(
    f.name for f in PrevalenceCell._meta.concrete_fields if f.name not in _CELL_KEY
)
"""The count columns of ``reports_prevalencecell``, read off the model."""
_SEXES = (int(Sex.MALE), int(Sex.FEMALE))
_GROUP_FIRST_MONTH = np.array([g.from_month for g in PREVALENCE.age_groups], dtype=np.int64)
_GROUP_LAST_MONTH = PREVALENCE.age_groups[-1].to_month


def age_group_of(age_days: IntArray) -> IntArray:
    """Index of the WHO age group (months = days / DAYS_PER_MONTH rounded down),
    -1 from 60 months on."""
    months = np.floor(age_days / DAYS_PER_MONTH).astype(np.int64)
    group = np.searchsorted(_GROUP_FIRST_MONTH, months, side="right") - 1
    return np.where(months > _GROUP_LAST_MONTH, -1, group)


def z_hundredths(z: FloatArray) -> IntArray:
    """z in hundredths, half away from zero (WHO's igrowup rounding); NaN as 0."""
    with np.errstate(invalid="ignore"):
        rounded = np.copysign(np.floor(np.abs(z) * 100 + 0.5), z)
    return np.nan_to_num(rounded, nan=0.0).astype(np.int64)


class PrevalenceCounter:
    """``reports_prevalencecell`` summed chunk by chunk: every visit of a child
    aged 0-59 months adds, at the Posyandu and month where it was made and in
    its (sex, age group) cell, 1 to ``measured``, its 1s in the engine's
    screening counts, and each usable (non-flagged) z-score: 1 to ``zn``, the
    z in hundredths to ``z1`` and its square to ``z2``."""

    def __init__(self, n_posyandu: int, n_months: int):
        self.shape = (n_posyandu, n_months, len(_SEXES), len(PREVALENCE.age_groups))
        self.counts = np.zeros((int(np.prod(self.shape)), len(PREVALENCE_FIELDS)), dtype=np.int64)

    def add_visits(self, v: VisitChunk) -> None:
        d = v.derived
        group = age_group_of(v.age_days)
        sex = np.searchsorted(np.array(_SEXES), v.sex)
        inside = group >= 0
        found = screening(
            **{f"z_{i}": d[f"z_{i}"] for i in ("lhfa", "wflh", "wfa")},
            **{f"flag_{i}": d[f"flag_{i}"] for i in ("lhfa", "wflh", "wfa")},
            oedema=v.oedema,
        )
        columns: dict[str, npt.NDArray[Any]] = {"measured": np.ones(len(v), dtype=np.int64)}
        columns.update(found)
        for i in ("lhfa", "wflh", "wfa"):
            usable = np.where(d[f"flag_{i}"], np.nan, d[f"z_{i}"])
            hundredths = z_hundredths(usable)
            columns[f"zn_{i}"] = ~np.isnan(usable)
            columns[f"z1_{i}"] = hundredths
            columns[f"z2_{i}"] = hundredths * hundredths
        cell = np.ravel_multi_index(
            (v.posyandu[inside], v.month[inside], sex[inside], group[inside]), self.shape
        )
        for j, name in enumerate(PREVALENCE_FIELDS):
            # A new column of the model without a rule here fails (KeyError).
            np.add.at(self.counts[:, j], cell, columns[name][inside].astype(np.int64))

    def table(self) -> tuple[tuple[IntArray, ...], IntArray]:
        """((Posyandu, month, sex, age group) indices, counts) of every cell with a visit."""
        rows = np.nonzero(self.counts[:, PREVALENCE_FIELDS.index("measured")])[0]
        return np.unravel_index(rows, self.shape), self.counts[rows]

    def cells(self) -> int:
        return int(np.count_nonzero(self.counts[:, PREVALENCE_FIELDS.index("measured")]))


def copy_prevalence(counter: PrevalenceCounter, areas: Areas, periods: list[dt.date]) -> int:
    (posyandu, month, sex, group), counts = counter.table()
    k = len(posyandu)
    codes = [g.code for g in PREVALENCE.age_groups]
    columns: dict[str, Sequence[Any]] = {
        "id": range(1, k + 1),
        "posyandu_id": areas.posyandu_pks[posyandu].tolist(),
        "period": [periods[m] for m in month.tolist()],
        "sex": [_SEXES[s] for s in sex.tolist()],
        "age_group": [codes[g] for g in group.tolist()],
    }
    for j, name in enumerate(PREVALENCE_FIELDS):
        columns[name] = counts[:, j].tolist()
    return copy_rows(PrevalenceCell, k, columns, {})


# --- building it all ---------------------------------------------------------------------


def build_city(
    *,
    children: int,
    posyandu: int,
    months: int,
    seed: int = 3171,
    live_order: bool = True,
    say: Callable[[str], None] = print,
) -> City:
    """Fill the (migrated, empty) database with the city and its aggregates; with
    ``live_order``, then lay the visits and prevalence cells out on disk as a
    running system writes them (:func:`lay_out_as_written`)."""
    rng = np.random.default_rng(seed)
    today = timezone.localdate()
    this_month = _month_int(today)
    periods = [_month_date(this_month - months + i) for i in range(months)]
    timer = Timer()
    started = time.perf_counter()
    with timer("areas"):
        areas = create_areas(posyandu)
    with timer("draw children"):
        kids = draw_children(rng, children, areas, periods, today)
    session_day = rng.integers(3, 26, len(areas.posyandu_pks)).astype(np.int64)
    policies = PoliciesInForce.load()
    first_month = int(kids.birth_month.min())
    last_month = int(kids.last_balita_month.max())
    counter = AggregateCounter(len(areas.posyandu_pks), first_month, last_month, periods)
    prevalence = PrevalenceCounter(len(areas.posyandu_pks), len(periods))
    with transaction.atomic():
        with timer("COPY sessions"):
            session_ids = copy_sessions(session_day, areas, periods)
        n_visits = 0
        for start in range(0, children, CHUNK_CHILDREN):
            stop = min(start + CHUNK_CHILDREN, children)
            with timer("COPY children"):
                copy_children(rng, kids, areas, start, stop)
            with timer("draw visits + engine"):
                chunk = draw_visits(rng, kids, start, stop, session_day, periods, policies)
            with timer("COPY visits"):
                n_visits += copy_visits(chunk, n_visits + 1, areas, session_ids, periods)
            with timer("count aggregates"):
                counter.add_children(kids, start, stop)
                counter.add_visits(chunk)
            with timer("count prevalence cells"):
                prevalence.add_visits(chunk)
            say(
                f"    {stop:>9,} children, {n_visits:>10,} visits "
                f"({time.perf_counter() - started:.0f} s)"
            )
        with timer("COPY transfers"):
            copy_transfers(kids, areas)
        with timer("COPY aggregates"):
            copy_aggregates(counter, areas)
        with timer("COPY prevalence cells"):
            copy_prevalence(prevalence, areas, periods)
        reset_sequences(
            Child, ChildTransfer, PosyanduSession, Visit, MonthlyAggregate, PrevalenceCell
        )
        # Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: every row's
        # checks would run at COMMIT, outside any lap. Run them here instead.
        with timer("foreign-key checks"), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    if live_order:
        with timer("lay out as written"):
            lay_out_as_written()
    with timer("VACUUM ANALYZE"):
        vacuum_analyze()
    moved = kids.moved_from >= 0
    left = ~np.isnat(kids.left_on)
    special = set(kids.posyandu[moved | left].tolist()) | set(kids.moved_from[moved].tolist())
    city = City(
        kota_code=KOTA_CODE,
        kota_pk=int(areas.kota.pk),
        today=today,
        periods=periods,
        posyandu_pks=areas.posyandu_pks,
        special_posyandu=sorted(int(areas.posyandu_pks[p]) for p in special),
        timings=timer,
        aggregates=counter,
    )
    with timer("count rows"):
        city.rows = {**areas.counts, **table_rows()}
    return city


def load_city() -> City:
    """The city :func:`build_city` left in this database (for ``--reuse``)."""
    kota = Kota.objects.get(code=KOTA_CODE)
    span = PosyanduSession.objects.aggregate(first=Min("date"), last=Max("date"))
    months = range(_month_int(span["first"]), _month_int(span["last"]) + 1)
    posyandu = Posyandu.objects.filter(kelurahan__kecamatan__kota=kota).order_by("pk")
    special = set(
        Child.objects.exclude(status=ChildStatus.ACTIVE).values_list("posyandu_id", flat=True)
    )
    for pair in ChildTransfer.objects.values_list("from_posyandu_id", "to_posyandu_id"):
        special.update(pair)
    city = City(
        kota_code=KOTA_CODE,
        kota_pk=int(kota.pk),
        today=timezone.localdate(),
        periods=[_month_date(m) for m in months],
        posyandu_pks=np.array(list(posyandu.values_list("pk", flat=True)), dtype=np.int64),
        special_posyandu=sorted(special),
    )
    city.rows = {
        "kecamatan": Kecamatan.objects.filter(kota=kota).count(),
        "kelurahan": Kelurahan.objects.filter(kecamatan__kota=kota).count(),
        "puskesmas": Puskesmas.objects.filter(kota=kota).count(),
        "posyandu": len(city.posyandu_pks),
        **table_rows(),
    }
    return city


def lay_out_as_written() -> None:
    """Rewrite the visits and the prevalence cells in the order a running system
    appends them: visits day by day, each Posyandu's session together; cells
    month by month (a cell is created by the first visit of its month). COPY
    wrote them child by child, which spreads one month over every page of the
    table: a month's read would then touch the whole table (as after a bulk
    import or a ``rebuild()``). The monthly aggregates keep their order: their
    S rows are created ahead, for every month of a child's balita life, when
    the child is registered."""
    visits = connection.ops.quote_name(Visit._meta.db_table)
    cells = connection.ops.quote_name(PrevalenceCell._meta.db_table)
    by_period = next(
        index.name
        for index in PrevalenceCell._meta.indexes
        if list(index.fields) == ["period", "posyandu"]
    )
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute(f"CREATE INDEX bench_as_written ON {visits} (measured_on, posyandu_id)")
        cursor.execute(f"CLUSTER {visits} USING bench_as_written")
        cursor.execute("DROP INDEX bench_as_written")
        cursor.execute(f"CLUSTER {cells} USING {connection.ops.quote_name(by_period)}")
        cursor.execute("RESET maintenance_work_mem")


def vacuum_analyze() -> None:
    """What autovacuum would have done by the time anyone reads a report: statistics
    for the planner and a visibility map for index-only scans, on every table that
    it would visit. Tables of fewer than 50 rows (the kota, the kecamatan) stay
    unanalysed, as autovacuum leaves them (``autovacuum_analyze_threshold``)."""
    tables = [
        model._meta.db_table
        for model in (
            Child,
            ChildTransfer,
            PosyanduSession,
            Visit,
            MonthlyAggregate,
            PrevalenceCell,
            Posyandu,
        )
    ]
    if Kelurahan.objects.count() > 50:
        tables += [Kelurahan._meta.db_table, Puskesmas.kelurahan.through._meta.db_table]
    if Puskesmas.objects.count() > 50:
        tables.append(Puskesmas._meta.db_table)
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(table)}")


def table_rows() -> dict[str, int]:
    tables = {
        "children": Child,
        "transfers": ChildTransfer,
        "sessions": PosyanduSession,
        "visits": Visit,
        "aggregate rows": MonthlyAggregate,
        "prevalence cells": PrevalenceCell,
    }
    return {name: model.objects.count() for name, model in tables.items()}


def database_size() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        return int(cursor.fetchone()[0])


# --- checking the aggregates against the reference ------------------------------------


@dataclass
class CheckResult:
    posyandu: int
    children: int
    rows: int
    counts_compared: int
    prevalence_compared: int
    """Of ``counts_compared``, the counts of prevalence cells."""
    differences: list[str]
    seconds: float

    @property
    def ok(self) -> bool:
        return not self.differences


def related_children(posyandu_ids: Iterable[int]) -> list[int]:
    """Every child whose cells can fall at these Posyandu: registered there, moved
    from or to them, or with a visit made there (``rebuild(posyandu_ids=...)``'s set,
    as three indexed queries instead of one OR over two joins)."""
    only = list(posyandu_ids)
    ids = set(Child.objects.filter(posyandu_id__in=only).values_list("pk", flat=True))
    ids |= set(
        ChildTransfer.objects.filter(
            Q(from_posyandu_id__in=only) | Q(to_posyandu_id__in=only)
        ).values_list("child_id", flat=True)
    )
    ids |= set(Visit.objects.filter(posyandu_id__in=only).values_list("child_id", flat=True))
    return sorted(ids)


def check_aggregates(posyandu_ids: Iterable[int]) -> CheckResult:
    """The stored rows of these Posyandu against ``computed_counts`` of every child
    related to them."""
    started = time.perf_counter()
    only = set(posyandu_ids)
    ids = related_children(only)
    expected = {key: c for key, c in computed_counts(ids).items() if key[0] in only}
    stored = stored_counts(only)
    differences = []
    for key in sorted(set(expected) | set(stored)):
        if expected.get(key) != stored.get(key):
            want, got = expected.get(key, {}), stored.get(key, {})
            diff = {n: (want.get(n, 0), got.get(n, 0)) for n in sorted(set(want) | set(got))}
            shown = {n: pair for n, pair in diff.items() if pair[0] != pair[1]}
            differences.append(f"Posyandu {key[0]} {key[1]:%Y-%m}: (expected, stored) {shown}")
    return CheckResult(
        posyandu=len(only),
        children=len(ids),
        rows=len(stored),
        counts_compared=sum(len(c) for c in expected.values()),
        prevalence_compared=sum(
            name.startswith(PREVALENCE_PREFIX) for c in expected.values() for name in c
        ),
        differences=differences,
        seconds=time.perf_counter() - started,
    )


def check_totals(city: City) -> list[str]:
    """Whole-table identities against the visits, in SQL: Σ measured = visits,
    Σ D = weighed visits, D = N + T + O + B; S of the report month = balita
    registered then (by birth date and leaving date; moves keep S's total); and
    in the prevalence cells Σ measured = visits under 60 months of age, Σ zn of
    each z = those visits with that z not flagged."""
    problems = []
    report = city.report_period
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT SUM(measured), SUM(d), SUM(n + t + o + b) FROM reports_monthlyaggregate"
        )
        measured, d, ntob = cursor.fetchone()
        cursor.execute("SELECT COUNT(*), COUNT(weight_kg) FROM measurements_visit")
        visits, weighed = cursor.fetchone()
        cursor.execute("SELECT SUM(s) FROM reports_monthlyaggregate WHERE period = %s", [report])
        (s_report,) = cursor.fetchone()
        cursor.execute(
            "SELECT SUM(measured), SUM(zn_lhfa), SUM(zn_wfa), SUM(zn_wflh) "
            "FROM reports_prevalencecell"
        )
        cell_sums = cursor.fetchone()
        cursor.execute(
            "SELECT COUNT(*), "
            "COUNT(*) FILTER (WHERE z_lhfa IS NOT NULL AND NOT flag_lhfa), "
            "COUNT(*) FILTER (WHERE z_wfa IS NOT NULL AND NOT flag_wfa), "
            "COUNT(*) FILTER (WHERE z_wflh IS NOT NULL AND NOT flag_wflh) "
            "FROM measurements_visit WHERE FLOOR(age_days / %s) <= %s",
            [DAYS_PER_MONTH, _GROUP_LAST_MONTH],
        )
        visit_sums = cursor.fetchone()
    end = _month_end(_month_int(report))
    aged_out = _month_date(_month_int(report) - 60)
    s_expected = (
        Child.objects.filter(birth_date__lte=end, birth_date__gt=aged_out)
        .exclude(~Q(status=ChildStatus.ACTIVE) & Q(status_date__lt=report))
        .count()
    )
    for name, got, want in (
        ("Σ measured = visits", measured, visits),
        ("Σ D = weighed visits", d, weighed),
        ("Σ D = Σ (N+T+O+B)", d, ntob),
        (f"Σ S {report:%Y-%m} = balita on the register", s_report, s_expected),
        *(
            (f"prevalence cells: Σ {name} = visits under 60 months{what}", got, want)
            for name, what, got, want in zip(
                ("measured", "zn_lhfa", "zn_wfa", "zn_wflh"),
                ("", " with PB/U-TB/U", " with BB/U", " with BB/PB-BB/TB"),
                cell_sums,
                visit_sums,
                strict=True,
            )
        ),
    ):
        if got != want:
            problems.append(f"{name}: {got} != {want}")
    return problems
