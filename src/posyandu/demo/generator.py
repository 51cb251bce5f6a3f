"""A synthetic Bontang: areas, Posyandu, children and 24 months of visits.

Everything is drawn with numpy in whole arrays: each child gets a growth
trajectory as z-scores (a personal baseline for length-for-age that drifts
down over the first two years, a weight-for-length level with monthly
noise), the engine's inverse (:func:`posyandu.growth.curves.measurement_at_z`)
turns those into centimetres and kilograms, and the derived fields (z-scores,
flags, Permenkes categories, N/T/O/B, 2T, BGM) come from the same engine
functions the visit service uses, applied to all visits at once. The
stored results are therefore exactly what saving each visit through the
service would give (the tests check this), at a fraction of the time.

The names are invented and the NIKs only NIK-shaped: their 4-digit serial
starts with 9 (``9xxx``), which marks them as fake.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from django.db import connection, transaction
from django.utils import timezone

from posyandu.areas.hierarchy import find_area
from posyandu.areas.models import Kecamatan, Kelurahan, Kota, Posyandu, Puskesmas
from posyandu.campaigns.models import Campaign
from posyandu.campaigns.services import open_campaign
from posyandu.children.models import Child, ChildStatus, ChildTransfer, Sex, new_local_id
from posyandu.core.policy_in_force import PoliciesInForce
from posyandu.demo import city, habits, names
from posyandu.growth.classify import is_stunted
from posyandu.growth.curves import measurement_at_z
from posyandu.measurements import bulk
from posyandu.measurements.models import PosyanduSession, Visit
from posyandu.policy import (
    BALITA,
    LENGTH_HEIGHT_SWITCH_DAYS,
    PMT_RULE,
    WHO_MEASURING,
)
from posyandu.reports.aggregates import rebuild as rebuild_aggregates

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

MONTHS: Final = 24
"""Months of visits, ending with the current month."""

BATCH: Final = 2000

# The trajectory parameters, tuned so that about 17–18% of the children
# measured in the latest month have a length/height-for-age z below −2
# (SSGI-like Bontang prevalence; DOMAIN.md). Change them only with
# ``tests/demo/test_prevalence.py`` and a hand check at full size.
LHFA_BIRTH_MEAN: Final = -0.64
LHFA_BIRTH_SD: Final = 0.85
LHFA_DRIFT_MEAN: Final = -0.6
"""Mean change of the length z over the first 730 days (growth faltering)."""
LHFA_DRIFT_SD: Final = 0.45
LHFA_WALK_SD: Final = 0.04
LENGTH_NOISE_CM: Final = 0.25
WFLH_MEAN: Final = -0.55
WFLH_SD: Final = 0.95
"""With the monthly noise, an SD of weight-for-length z about 1 in each month's
measured children, as WHO-UNICEF 2019 expects (0.8 gave 0.77: every larger
Posyandu's data-quality rating problematic for a synthetic artefact)."""
WFLH_AR: Final = 0.85
WFLH_INNOVATION_SD: Final = 0.15
WEIGHT_NOISE_KG: Final = 0.04
ATTENDANCE_A: Final = 8.0
ATTENDANCE_B: Final = 2.0
"""Beta(8, 2): a mean attendance of 80% per month, varying by family."""
POSITION_MISTAKE_RATE: Final = 0.005
OEDEMA_RATE: Final = 0.0005
NO_NIK_INFANT_RATE: Final = 0.30
NO_NIK_OLDER_RATE: Final = 0.05

# The registry's history over the 24 months (drawn from a second random stream).
TRANSFER_RATE: Final = 0.03
MOVED_AWAY_RATE: Final = 0.02
DIED_RATE: Final = 0.002
# Two Operasi Timbang rounds, a year and six months ago (DOMAIN.md: Bontang's
# coverage rose from 64% to 99% and screened stunting fell from 27.4% to
# 17.53% once lengths were measured properly).
CAMPAIGN_MONTHS_AGO: Final = (12, 6)
CAMPAIGN_ATTENDANCE: Final = (0.64, 0.997)
CAMPAIGN_LENGTH_BIAS_Z: Final = (0.33, 0.0)
"""Lengths under-measured in the first round (no proper board yet), in SD units."""


@dataclass
class GenerationReport:
    kecamatan: int
    kelurahan: int
    puskesmas: int
    posyandu: int
    children: int
    sessions: int
    visits: int
    report_period: dt.date
    measured_in_report_period: int
    stunted_in_report_period: int
    timings_s: dict[str, float] = field(default_factory=dict)
    poor_posyandu: list[str] = field(default_factory=list)
    """Codes of the Posyandu where a kader measures poorly (:mod:`posyandu.demo.habits`)."""

    @property
    def stunting_pct(self) -> float:
        if not self.measured_in_report_period:
            return float("nan")
        return 100.0 * self.stunted_in_report_period / self.measured_in_report_period


@dataclass(frozen=True)
class PosyanduPlan:
    code: str
    name: str
    kelurahan_code: str
    kecamatan_code: str
    puskesmas_code: str
    rw: str


def plan_posyandu() -> list[PosyanduPlan]:
    """The 124 Posyandu, named after flowers and numbered per flower city-wide."""
    puskesmas_of = {kel: code for code, _name, kels in city.PUSKESMAS for kel in kels}
    used: dict[str, int] = {}
    plans: list[PosyanduPlan] = []
    flower_index = 0
    for kecamatan in city.KECAMATAN:
        for number, kelurahan in enumerate(kecamatan.kelurahan, start=1):
            kel_code = city.kelurahan_code(kecamatan.code, number)
            for k in range(1, kelurahan.posyandu_count + 1):
                flower = city.FLOWERS[flower_index % len(city.FLOWERS)]
                flower_index += 1
                used[flower] = used.get(flower, 0) + 1
                plans.append(
                    PosyanduPlan(
                        code=f"{kel_code}.{k:02d}",
                        name=f"Posyandu {flower} {used[flower]}",
                        kelurahan_code=kel_code,
                        kecamatan_code=kecamatan.code,
                        puskesmas_code=puskesmas_of[kelurahan.name],
                        rw=f"{(k - 1) % 20 + 1:03d}",
                    )
                )
    return plans


class NotADemoDatabase(Exception):
    """The database holds areas or children that the demo did not make."""


def demo_city_exists() -> bool:
    """Whether the demo city is there; raises if the database holds other data.

    ``posyandu demo`` may be pointed at a real database by DATABASE_URL: it
    must then neither add a synthetic city to real data nor reset the
    passwords of real users.
    """
    demo = Kota.objects.filter(code=city.KOTA_CODE, name=city.KOTA_NAME).exists()
    others = Kota.objects.exclude(code=city.KOTA_CODE, name=city.KOTA_NAME).exists()
    if others or (not demo and Child.objects.exists()):
        raise NotADemoDatabase(
            "This database already holds areas or children that are not the demo city. "
            "Run `posyandu demo` in an empty folder (its own posyandu.sqlite3), "
            "without DATABASE_URL."
        )
    return demo


@dataclass
class _Areas:
    kota: Kota
    kelurahan_by_code: dict[str, Kelurahan]
    puskesmas: list[Puskesmas]
    posyandu: list[Posyandu]
    plans: list[PosyanduPlan]


def _create_areas() -> _Areas:
    kota = Kota.objects.create(code=city.KOTA_CODE, name=city.KOTA_NAME)
    kelurahan_by_name: dict[str, Kelurahan] = {}
    kelurahan_by_code: dict[str, Kelurahan] = {}
    for spec in city.KECAMATAN:
        kecamatan = Kecamatan.objects.create(kota=kota, code=spec.code, name=spec.name)
        for number, kel in enumerate(spec.kelurahan, start=1):
            obj = Kelurahan.objects.create(
                kecamatan=kecamatan, code=city.kelurahan_code(spec.code, number), name=kel.name
            )
            kelurahan_by_name[kel.name] = obj
            kelurahan_by_code[obj.code] = obj
    puskesmas_by_code: dict[str, Puskesmas] = {}
    for code, name, kels in city.PUSKESMAS:
        pkm = Puskesmas.objects.create(kota=kota, code=code, name=name)
        pkm.kelurahan.set([kelurahan_by_name[k] for k in kels])
        puskesmas_by_code[code] = pkm
    plans = plan_posyandu()
    posyandu = Posyandu.objects.bulk_create(
        [
            Posyandu(
                code=p.code,
                name=p.name,
                kelurahan=kelurahan_by_code[p.kelurahan_code],
                puskesmas=puskesmas_by_code[p.puskesmas_code],
                rw=p.rw,
                address=f"RW {p.rw}, {kelurahan_by_code[p.kelurahan_code].name}",
            )
            for p in plans
        ]
    )
    return _Areas(kota, kelurahan_by_code, list(puskesmas_by_code.values()), posyandu, plans)


def fake_nik(kecamatan_code: str, birth: dt.date, female: bool, serial: int) -> str:
    """A NIK-shaped number: region, DDMMYY (+40 for women), serial 9xxx (fake)."""
    region = kecamatan_code.replace(".", "")
    day = birth.day + (40 if female else 0)
    return f"{region}{day:02d}{birth.month:02d}{birth.year % 100:02d}9{serial % 1000:03d}"


def generate(
    *,
    children: int = 10_000,
    seed: int = 6474,
    today: dt.date | None = None,
    say: Callable[[str], None] | None = None,
) -> GenerationReport:
    """Create the demo city in the configured database, in one transaction."""
    say = say or (lambda _msg: None)
    timings: dict[str, float] = {}
    started = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal started
        now = time.perf_counter()
        timings[name] = now - started
        started = now

    today = today or timezone.localdate()
    rng = np.random.default_rng(seed)
    with transaction.atomic():
        areas = _create_areas()
        lap("areas")
        kids = _draw_children(rng, children, today, areas)
        history_rng = np.random.default_rng(seed + 1)
        _draw_history(history_rng, kids, today, len(areas.posyandu))
        child_pks = _create_children(rng, kids, areas, today)
        _create_transfers(kids, child_pks, areas)
        lap("children")
        say(f"  {len(child_pks):,} anak dibuat".replace(",", "."))
        visits = _draw_visits(rng, history_rng, kids, today, len(areas.posyandu))
        recorded = habits.record(
            seed=seed,
            posyandu=np.asarray(visits.posyandu, dtype=np.int64),
            n_posyandu=len(areas.posyandu),
            age_days=visits.age_days,
            weight_kg=visits.weight_kg,
            height_cm=visits.height_cm,
            position=visits.position,
        )
        visits.weight_kg, visits.height_cm = recorded.weight_kg, recorded.height_cm
        visits.position = recorded.position
        kader = habits.create_kader(areas.posyandu, seed)
        recorders = [
            kader[p][s] for p, s in zip(visits.posyandu, recorded.slot.tolist(), strict=True)
        ]
        lap("draw visits")
        derived = bulk.derive(_visit_rows(kids, visits), PoliciesInForce.load())
        lap("derive")
        sessions = _create_sessions(visits, areas)
        lap("sessions")
        n_visits = _create_visits(kids, visits, derived, child_pks, areas, sessions, recorders)
        lap("visits")
        say(f"  {n_visits:,} kunjungan dibuat".replace(",", "."))
        rows = rebuild_aggregates()
        lap("aggregates")
        say(f"  {rows:,} baris agregat bulanan".replace(",", "."))
        rounds = _open_past_campaigns(areas, visits, today)
        lap("campaigns")
        for campaign in rounds:
            say(f"  {campaign.name}: {campaign.targets.count():,} sasaran".replace(",", "."))
    report_month = visits.report_month
    in_report = visits.month == report_month
    measured = in_report & ~np.isnan(derived["z_lhfa"])
    stunted = measured & is_stunted(derived["z_lhfa"])
    return GenerationReport(
        kecamatan=len(city.KECAMATAN),
        kelurahan=len(areas.kelurahan_by_code),
        puskesmas=len(areas.puskesmas),
        posyandu=len(areas.posyandu),
        children=len(child_pks),
        sessions=len(sessions),
        visits=n_visits,
        report_period=visits.periods[report_month],
        measured_in_report_period=int(measured.sum()),
        stunted_in_report_period=int(stunted.sum()),
        timings_s=timings,
        poor_posyandu=[areas.posyandu[p].code for p in recorded.poor_posyandu.tolist()],
    )


# --- children ----------------------------------------------------------------


@dataclass
class _Children:
    n: int
    posyandu_index: IntArray
    sex: IntArray
    birth: npt.NDArray[np.datetime64]
    lhfa_birth: FloatArray
    lhfa_drift: FloatArray
    wflh_level: FloatArray
    head_z: FloatArray
    attendance: FloatArray
    head_measured: BoolArray
    muac_measured: BoolArray
    # The history: where a child lived before a transfer, and when it left.
    old_posyandu_index: IntArray
    transfer_on: npt.NDArray[np.datetime64]
    left_status: npt.NDArray[np.str_]
    left_on: npt.NDArray[np.datetime64]


def _draw_children(rng: np.random.Generator, n: int, today: dt.date, areas: _Areas) -> _Children:
    """``n`` balita today, and those who turned 60 months during the last year."""
    n_posyandu = len(areas.posyandu)
    weights = rng.lognormal(0.0, 0.35, n_posyandu)
    # Every age at which a child is still a balita today (0-59 completed
    # months), and a year more for those who aged out since.
    oldest_days = (today - BALITA.last_birth_date_aged_out(today)).days
    aged_out_days = oldest_days + 365
    n = n + round(n * 365 / oldest_days)
    posyandu_index = rng.choice(n_posyandu, size=n, p=weights / weights.sum())
    age_today = rng.integers(0, aged_out_days, size=n)
    birth = np.datetime64(today, "D") - age_today.astype("timedelta64[D]")
    lhfa_birth = rng.normal(LHFA_BIRTH_MEAN, LHFA_BIRTH_SD, n)
    return _Children(
        n=n,
        posyandu_index=posyandu_index.astype(np.int64),
        sex=np.where(rng.random(n) < 0.51, Sex.MALE, Sex.FEMALE).astype(np.int64),
        birth=birth,
        lhfa_birth=lhfa_birth,
        lhfa_drift=rng.normal(LHFA_DRIFT_MEAN, LHFA_DRIFT_SD, n),
        wflh_level=rng.normal(WFLH_MEAN, WFLH_SD, n) + 0.15 * (lhfa_birth - LHFA_BIRTH_MEAN),
        head_z=0.4 * lhfa_birth + rng.normal(-0.1, 0.85, n),
        attendance=rng.beta(ATTENDANCE_A, ATTENDANCE_B, n),
        head_measured=rng.random(n) < 0.4,
        muac_measured=rng.random(n) < 0.5,
        old_posyandu_index=posyandu_index.astype(np.int64),
        transfer_on=np.full(n, np.datetime64("NaT"), dtype="datetime64[D]"),
        left_status=np.full(n, "", dtype="<U10"),
        left_on=np.full(n, np.datetime64("NaT"), dtype="datetime64[D]"),
    )


def _sixty_months_on(birth: npt.NDArray[np.datetime64]) -> npt.NDArray[np.datetime64]:
    """The day each child completes its balita months (the same day of the month,
    or the last day of a shorter month): the engine's completed months."""
    birth_month = birth.astype("datetime64[M]")
    day = (birth - birth_month.astype("datetime64[D]")).astype(np.int64)
    target = birth_month + BALITA.max_completed_months
    month_days = (target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")
    last_day = month_days.astype(np.int64) - 1
    offset = np.minimum(day, last_day).astype("timedelta64[D]")
    result: npt.NDArray[np.datetime64] = target.astype("datetime64[D]") + offset
    return result


def _draw_history(
    hrng: np.random.Generator, kids: _Children, today: dt.date, n_posyandu: int
) -> None:
    """Aged out, moved to another Posyandu, moved away, died: with their dates."""
    n = kids.n
    today_d = np.datetime64(today, "D")
    window_start = (np.datetime64(today, "M") - (MONTHS - 1)).astype("datetime64[D]")
    sixty = _sixty_months_on(kids.birth)
    aged_out = sixty <= today_d
    kids.left_status[aged_out] = ChildStatus.AGED_OUT.value
    kids.left_on[aged_out] = sixty[aged_out]
    earliest = np.maximum(kids.birth, window_start)
    span = np.maximum((np.minimum(sixty, today_d) - earliest).astype(np.int64), 1)

    def some_day(rows: npt.NDArray[np.bool_]) -> npt.NDArray[np.datetime64]:
        offset = (hrng.random(int(rows.sum())) * span[rows]).astype(np.int64)
        days: npt.NDArray[np.datetime64] = earliest[rows] + offset.astype("timedelta64[D]")
        return days

    draw = hrng.random(n)
    movers = ~aged_out & (draw < TRANSFER_RATE)
    kids.transfer_on[movers] = some_day(movers)
    others = hrng.integers(1, n_posyandu, int(movers.sum()))
    kids.posyandu_index[movers] = (kids.old_posyandu_index[movers] + others) % n_posyandu
    away = ~aged_out & (draw >= TRANSFER_RATE) & (draw < TRANSFER_RATE + MOVED_AWAY_RATE)
    kids.left_status[away] = ChildStatus.MOVED.value
    kids.left_on[away] = some_day(away)
    died = ~aged_out & (draw >= 1 - DIED_RATE)
    kids.left_status[died] = ChildStatus.DIED.value
    kids.left_on[died] = some_day(died)


def _pick(rng: np.random.Generator, words: tuple[str, ...], n: int) -> list[str]:
    return [words[i] for i in rng.integers(0, len(words), n)]


def _create_children(
    rng: np.random.Generator, kids: _Children, areas: _Areas, today: dt.date
) -> list[int]:
    """Insert the children; their primary keys, in the order of ``kids``."""
    n = kids.n
    female = kids.sex == Sex.FEMALE
    first_boy, first_girl = _pick(rng, names.BOYS, n), _pick(rng, names.GIRLS, n)
    second_boy = _pick(rng, names.SECOND_NAMES, n)
    second_girl = _pick(rng, names.SECOND_NAMES_GIRLS, n)
    has_second = rng.random(n) < 0.8
    mother_first, mother_second = _pick(rng, names.MOTHERS, n), _pick(rng, names.MOTHERS_SECOND, n)
    fathers = _pick(rng, names.FATHERS, n)
    streets = _pick(rng, names.STREETS, n)
    births = bulk.as_dates(kids.birth)
    age_days = (np.datetime64(today, "D") - kids.birth).astype(np.int64)
    no_nik = rng.random(n) < np.where(age_days < 365, NO_NIK_INFANT_RATE, NO_NIK_OLDER_RATE)
    serials = rng.integers(0, 1000, n)
    mother_age_days = rng.integers(19 * 365, 40 * 365, n)
    mother_births = bulk.as_dates(kids.birth - mother_age_days.astype("timedelta64[D]"))
    mother_serials = rng.integers(0, 1000, n)
    mother_no_nik = rng.random(n) < 0.1
    birth_weight_z = rng.normal(-0.3, 0.9, n)
    birth_weight = np.round(measurement_at_z("wfa", kids.sex, 0, birth_weight_z), 2)
    birth_length = np.round(
        measurement_at_z("lhfa", kids.sex, 0, kids.lhfa_birth + rng.normal(0, 0.3, n)), 1
    )
    has_birth_data = rng.random(n) < 0.85
    kia = rng.random(n) < 0.9
    rt = rng.integers(1, 30, n)
    house = rng.integers(1, 120, n)
    phones = rng.integers(10_000_000, 99_999_999, n)
    female_list = female.tolist()
    child_names = [
        (f"{first_girl[i]} {second_girl[i]}" if has_second[i] else first_girl[i])
        if female_list[i]
        else (f"{first_boy[i]} {second_boy[i]}" if has_second[i] else first_boy[i])
        for i in range(n)
    ]
    plans = [areas.plans[p] for p in kids.posyandu_index.tolist()]
    posyandu = [areas.posyandu[p] for p in kids.posyandu_index.tolist()]
    niks = [
        ""
        if no_nik[i]
        else fake_nik(plans[i].kecamatan_code, births[i], female_list[i], int(serials[i]))
        for i in range(n)
    ]
    mother_niks = [
        ""
        if mother_no_nik[i]
        else fake_nik(plans[i].kecamatan_code, mother_births[i], True, int(mother_serials[i]))
        for i in range(n)
    ]
    birth_weight_kg = bulk.decimals(np.where(has_birth_data, birth_weight, np.nan), 2)
    birth_length_cm = bulk.decimals(np.where(has_birth_data, birth_length, np.nan), 1)
    local_ids = [new_local_id() for _ in range(n)]
    now = bulk.adapted_now()
    bulk.insert_rows(
        Child,
        n,
        {
            "local_id": local_ids,
            "name": child_names,
            "sex": kids.sex.tolist(),
            "birth_date": bulk.adapt_dates(kids.birth),
            "birth_weight_kg": birth_weight_kg,
            "birth_length_cm": birth_length_cm,
            "nik": niks,
            "mother_name": [f"{a} {b}" for a, b in zip(mother_first, mother_second, strict=True)],
            "mother_nik": mother_niks,
            "father_name": fathers,
            "phone": [f"0812{x}" for x in phones.tolist()],
            "address": [f"{a} No. {b}" for a, b in zip(streets, house.tolist(), strict=True)],
            "rt": [f"{x:03d}" for x in rt.tolist()],
            "rw": [p.rw for p in plans],
            "kelurahan_id": [p.kelurahan_id for p in posyandu],
            "posyandu_id": [p.pk for p in posyandu],
            "has_kia_book": kia.tolist(),
            "status": [status or ChildStatus.ACTIVE.value for status in kids.left_status.tolist()],
            "status_date": [
                None if d is None else connection.ops.adapt_datefield_value(d)
                for d in kids.left_on.astype(object).tolist()
            ],
        },
        {
            "client_token": None,
            "version": 1,
            "created_at": now,
            "updated_at": now,
            "created_by_id": None,
        },
    )
    pk_of = dict(
        Child.objects.filter(local_id__in=local_ids).values_list("local_id", "pk").iterator()
    )
    return [pk_of[local_id] for local_id in local_ids]


# --- visits --------------------------------------------------------------------


@dataclass
class _Visits:
    """One row per visit, sorted by child then month."""

    periods: list[dt.date]
    report_month: int
    session_day: IntArray
    child: IntArray
    posyandu: list[int]
    month: IntArray
    measured_on: npt.NDArray[np.datetime64]
    age_days: IntArray
    weight_kg: FloatArray
    height_cm: FloatArray
    position: npt.NDArray[np.str_]
    head_cm: FloatArray
    muac_cm: FloatArray
    oedema: BoolArray
    vitamin_a: BoolArray


def _draw_visits(
    rng: np.random.Generator,
    history_rng: np.random.Generator,
    kids: _Children,
    today: dt.date,
    n_posyandu: int,
) -> _Visits:
    n = kids.n
    this_month = np.datetime64(today, "M")
    period_months = this_month - np.arange(MONTHS - 1, -1, -1)
    period_days = period_months.astype("datetime64[D]")
    # Each Posyandu opens on a fixed day between the 3rd and the 25th: never
    # at a month's end, so "completed months" has one reading everywhere.
    session_day = rng.integers(3, 26, n_posyandu)
    session_date = period_days[None, :] + (session_day[:, None] - 1).astype("timedelta64[D]")
    held = session_date <= np.datetime64(today, "D")
    # Where each child was weighed each month: before its transfer month at
    # its old Posyandu, from then on at the new one; never after it left.
    transfer_month = np.where(
        np.isnat(kids.transfer_on),
        MONTHS,
        (kids.transfer_on.astype("datetime64[M]") - period_months[0]).astype(np.int64),
    )
    month_grid = np.arange(MONTHS)[None, :]
    where = np.where(
        month_grid < transfer_month[:, None],
        kids.old_posyandu_index[:, None],
        kids.posyandu_index[:, None],
    )  # (n, MONTHS)
    child_dates = session_date[where, month_grid]
    age = (child_dates - kids.birth[:, None]).astype(np.int64)
    still_here = np.isnat(kids.left_on)[:, None] | (child_dates < kids.left_on[:, None])
    eligible = held[where, month_grid] & (age >= 0) & still_here
    attend = eligible & (rng.random((n, MONTHS)) < kids.attendance[:, None])
    for months_ago, share in zip(CAMPAIGN_MONTHS_AGO, CAMPAIGN_ATTENDANCE, strict=True):
        m = MONTHS - 1 - months_ago
        attend[:, m] = eligible[:, m] & (history_rng.random(n) < share)
    # A newborn is brought to the first Posyandu day after birth more often.
    first_eligible = eligible & (np.cumsum(eligible, axis=1) == 1)
    attend |= first_eligible & (rng.random((n, MONTHS)) < 0.5)

    # Latent trajectories on the whole (child, month) grid, then kept where seen.
    ramp = np.clip(age / LENGTH_HEIGHT_SWITCH_DAYS, 0.0, 1.0)
    walk = np.cumsum(rng.normal(0.0, LHFA_WALK_SD, (n, MONTHS)), axis=1)
    z_lhfa = kids.lhfa_birth[:, None] + kids.lhfa_drift[:, None] * ramp + walk
    innovations = rng.normal(0.0, WFLH_INNOVATION_SD, (n, MONTHS))
    wflh_dev = np.zeros((n, MONTHS))
    for m in range(MONTHS):
        previous = wflh_dev[:, m - 1] if m else innovations[:, 0] * 1.5
        wflh_dev[:, m] = WFLH_AR * previous + innovations[:, m]
    z_wflh = kids.wflh_level[:, None] + wflh_dev

    child_idx, month_idx = np.nonzero(attend)  # row-major: by child, then month
    age_v = age[child_idx, month_idx]
    sex_v = kids.sex[child_idx]
    k = child_idx.shape[0]

    true_length = measurement_at_z("lhfa", sex_v, age_v, z_lhfa[child_idx, month_idx])
    adj_length = np.round(true_length + rng.normal(0.0, LENGTH_NOISE_CM, k), 1)
    young = age_v < LENGTH_HEIGHT_SWITCH_DAYS
    mistake = (age_v >= 365) & (rng.random(k) < POSITION_MISTAKE_RATE)
    position = np.where(young ^ mistake, "l", "h")
    # The number written down is what the board showed in the position used;
    # in the first campaign round, lengths were under-measured.
    diff = WHO_MEASURING.lying_standing_diff_cm
    shift = np.where(mistake, np.where(young, -diff, diff), 0.0)
    for months_ago, bias_z in zip(CAMPAIGN_MONTHS_AGO, CAMPAIGN_LENGTH_BIAS_Z, strict=True):
        rows = month_idx == MONTHS - 1 - months_ago
        if bias_z and rows.any():
            z_true = z_lhfa[child_idx[rows], month_idx[rows]]
            shift[rows] -= measurement_at_z("lhfa", sex_v[rows], age_v[rows], z_true) - (
                measurement_at_z("lhfa", sex_v[rows], age_v[rows], z_true - bias_z)
            )
    height = np.round(adj_length + shift, 1)

    z_w = z_wflh[child_idx, month_idx]
    weight = np.where(
        young,
        measurement_at_z("wfl", sex_v, adj_length, z_w),
        measurement_at_z("wfh", sex_v, adj_length, z_w),
    )
    missing = np.isnan(weight)
    if missing.any():
        z_wfa = 0.7 * z_lhfa[child_idx, month_idx] + 0.7 * z_w
        weight[missing] = measurement_at_z("wfa", sex_v[missing], age_v[missing], z_wfa[missing])
    weight = np.round(weight + rng.normal(0.0, WEIGHT_NOISE_KG, k), 1)

    head = np.full(k, np.nan)
    take_head = kids.head_measured[child_idx] & young & (rng.random(k) < 0.5)
    head[take_head] = np.round(
        measurement_at_z(
            "hcfa",
            sex_v[take_head],
            age_v[take_head],
            kids.head_z[child_idx[take_head]] + rng.normal(0, 0.2, int(take_head.sum())),
        ),
        1,
    )
    muac = np.full(k, np.nan)
    take_muac = kids.muac_measured[child_idx] & (age_v >= 182) & (rng.random(k) < 0.3)
    muac[take_muac] = np.round(
        measurement_at_z(
            "acfa",
            sex_v[take_muac],
            age_v[take_muac],
            0.7 * z_w[take_muac] + rng.normal(0, 0.5, int(take_muac.sum())),
        ),
        1,
    )
    measured_on = child_dates[child_idx, month_idx]
    visit_month = measured_on.astype("datetime64[M]").astype(np.int64) % 12 + 1
    vitamin_a = np.isin(visit_month, (2, 8)) & (age_v >= 182) & (rng.random(k) < 0.9)

    # Report on the latest month in which every Posyandu has already opened.
    complete = np.nonzero(held.all(axis=0))[0]
    report_month = int(complete[-1]) if complete.size else MONTHS - 1
    return _Visits(
        periods=bulk.as_dates(period_days),
        report_month=report_month,
        session_day=session_day.astype(np.int64),
        child=child_idx.astype(np.int64),
        posyandu=where[child_idx, month_idx].tolist(),
        month=month_idx.astype(np.int64),
        measured_on=measured_on,
        age_days=age_v,
        weight_kg=weight,
        height_cm=height,
        position=position,
        head_cm=head,
        muac_cm=muac,
        oedema=rng.random(k) < OEDEMA_RATE,
        vitamin_a=vitamin_a,
    )


def _visit_rows(kids: _Children, v: _Visits) -> bulk.VisitRows:
    return bulk.VisitRows(
        child=v.child,
        sex=kids.sex[v.child],
        birth=kids.birth[v.child],
        measured_on=v.measured_on,
        weight_kg=v.weight_kg,
        height_cm=v.height_cm,
        position=v.position,
        oedema=v.oedema,
        head_cm=v.head_cm,
        muac_cm=v.muac_cm,
    )


def _create_sessions(v: _Visits, areas: _Areas) -> dict[tuple[int, int], int]:
    """One PosyanduSession per Posyandu and month it opened with visitors."""
    keys = sorted({(p, m) for p, m in zip(v.posyandu, v.month.tolist(), strict=True)})
    objs = [
        PosyanduSession(
            posyandu=areas.posyandu[p],
            date=v.periods[m].replace(day=int(v.session_day[p])),
        )
        for p, m in keys
    ]
    created: list[PosyanduSession] = []
    for batch in bulk.batched(objs):
        created.extend(PosyanduSession.objects.bulk_create(batch))
    return {key: obj.pk for key, obj in zip(keys, created, strict=True)}


def _create_visits(
    kids: _Children,
    v: _Visits,
    d: dict[str, Any],
    child_pks: list[int],
    areas: _Areas,
    sessions: dict[tuple[int, int], int],
    recorders: list[int],
) -> int:
    k = v.child.shape[0]
    with np.errstate(invalid="ignore"):
        needs_pmt = (d["z_wflh"] < PMT_RULE.wflh_z_below) | (d["z_wfa"] < PMT_RULE.wfa_z_below)
    columns: dict[str, list[Any]] = {
        "age_days": v.age_days.tolist(),
        "position": v.position.tolist(),
        "oedema": v.oedema.tolist(),
        "vitamin_a": v.vitamin_a.tolist(),
        "pmt_received": needs_pmt.tolist(),
        "child_id": [child_pks[c] for c in v.child.tolist()],
        "posyandu_id": [areas.posyandu[p].pk for p in v.posyandu],
        "session_id": [sessions[(p, m)] for p, m in zip(v.posyandu, v.month.tolist(), strict=True)],
        "measured_on": bulk.adapt_dates(v.measured_on),
        "period": bulk.adapt_dates(np.asarray(v.periods, dtype="datetime64[D]")[v.month]),
        "weight_kg": bulk.decimals(v.weight_kg, 2),
        "height_cm": bulk.decimals(v.height_cm, 2),
        "head_cm": bulk.decimals(v.head_cm, 1),
        "muac_cm": bulk.decimals(v.muac_cm, 1),
        "recorded_by_id": recorders,
        **bulk.derived_columns(d),
    }
    now = bulk.adapted_now()
    constants = {
        "pmt_kg": None,
        "kpsp": "",
        "version": 1,
        "client_id": None,
        "created_at": now,
        "updated_at": now,
    }
    return bulk.insert_rows(Visit, k, columns, constants)


def _create_transfers(kids: _Children, child_pks: list[int], areas: _Areas) -> None:
    moved = np.nonzero(~np.isnat(kids.transfer_on))[0]
    ChildTransfer.objects.bulk_create(
        [
            ChildTransfer(
                child_id=child_pks[i],
                from_posyandu=areas.posyandu[int(kids.old_posyandu_index[i])],
                to_posyandu=areas.posyandu[int(kids.posyandu_index[i])],
                transferred_on=kids.transfer_on[i].astype(object),
                reason="ikut orang tua pindah rumah",
            )
            for i in moved.tolist()
        ]
    )


MONTH_NAMES: Final = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


def _open_past_campaigns(areas: _Areas, v: _Visits, today: dt.date) -> list[Campaign]:
    """The two Operasi Timbang rounds of the story, each over a whole month."""
    rounds = []
    for months_ago in CAMPAIGN_MONTHS_AGO:
        period = v.periods[MONTHS - 1 - months_ago]
        next_month = (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        rounds.append(
            open_campaign(
                user=None,
                name=f"Operasi Timbang {MONTH_NAMES[period.month - 1]} {period.year}",
                area=find_area(areas.kota.code),
                starts_on=period,
                ends_on=min(next_month - dt.timedelta(days=1), today),
            )
        )
    return rounds
