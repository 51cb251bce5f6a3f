"""The demo city's kader: registry and postings, two assessment rounds, pins, trainings.

Every Posyandu gets 5 or 6 serving kader (the Posyandu-aktif rule needs 5, so
the demo has about 650 rather than Bontang's 514; see the issue), a few who
moved or stopped, two rounds of competence assessment by each Puskesmas
(February and August 2025) with a few kader at each pin level and a few
ready for Purwa, the ToT of May 2025 (batch 2, 32 JPL, 30 health workers of
the 6 Puskesmas and the Dinkes, two of whom missed hours) and the digital
25-skill training of November 2025 (60 kader and 15 mentors). Everything is
written with bulk inserts: the whole demo set-up stays within its time.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.text import slugify

from posyandu.accounts.models import PUSKESMAS_ROLES, Role, User
from posyandu.areas.models import Kota, Posyandu, Puskesmas
from posyandu.cadres.models import (
    AssessmentMethod,
    Kader,
    KaderPosting,
    KaderRole,
    KaderSkill,
    Pin,
    PinAward,
    Skill,
    SkillAssessment,
    Training,
    TrainingAttendance,
    TrainingDay,
    TrainingKind,
    TrainingParticipant,
)
from posyandu.cadres.services import certificate_number
from posyandu.children.models import Sex
from posyandu.demo import city, names
from posyandu.demo.generator import fake_nik
from posyandu.policy.cadres import PIN_RULE

EXTRA_KADER_SHARE: Final = 0.25
"""Posyandu with a sixth kader."""
MALE_SHARE: Final = 0.05
MOVED: Final = 8
STOPPED: Final = 12
ROLES_IN_ORDER: Final = (KaderRole.KETUA, KaderRole.SEKRETARIS, KaderRole.BENDAHARA)

FEBRUARY: Final = dt.date(2025, 2, 11)
AUGUST: Final = dt.date(2025, 8, 12)
ROUND_1_SHARE: Final = 0.6
"""Kader assessed in February (packages A and B)."""
ROUND_2_SHARE: Final = 0.5
"""Of those, assessed again in August (what failed, and packages C, D and E)."""
SKILL_PASS: Final = (0.75, 0.45)
"""Chance of a skill assessed competent in round 1, and of a C/D/E skill in round 2."""

# Kader shaped by hand so that every pin level has a few holders and the
# assessor's "ready for a pin" list is not empty: (how many, packages
# competent in February, packages added in August, pins awarded).
STORIES: Final = (
    (2, "ABC", "DE", (Pin.PURWA, Pin.UTAMA)),
    (3, "ABD", "C", (Pin.PURWA, Pin.MADYA)),
    (5, "AB", "E", (Pin.PURWA,)),
    (6, "AB", "D", ()),
)

TOT_DAYS: Final = tuple((dt.date(2025, 5, d), 8) for d in (19, 20, 21, 22))
DIGITAL_DAYS: Final = tuple((dt.date(2025, 11, d), 5) for d in (10, 11, 12, 13, 14))


@dataclass
class _Plan:
    kader: list[Kader] = field(default_factory=list)
    postings: list[KaderPosting] = field(default_factory=list)


def create_kader(*, seed: int) -> float:
    """Create the demo kader and their history; the seconds it took."""
    started = time.perf_counter()
    rng = random.Random(seed + 13)
    with transaction.atomic():
        kota = Kota.objects.get(code=city.KOTA_CODE)
        posyandu = list(
            Posyandu.objects.filter(puskesmas__kota=kota)
            .select_related("kelurahan__kecamatan", "puskesmas")
            .order_by("code")
        )
        serving = _create_registry(rng, posyandu)
        _assess(rng, serving)
        _create_trainings(rng, kota, serving)
    return time.perf_counter() - started


def _person(rng: random.Random, n: int, kecamatan_code: str) -> Kader:
    female = rng.random() >= MALE_SHARE
    if female:
        name = f"{rng.choice(names.MOTHERS)} {rng.choice(names.MOTHERS_SECOND)}"
    else:
        name = f"{rng.choice(names.BOYS)} {rng.choice(names.SECOND_NAMES)}"
    birth = dt.date(1965, 1, 1) + dt.timedelta(days=rng.randrange(35 * 365))
    return Kader(
        name=name,
        sex=Sex.FEMALE if female else Sex.MALE,
        nik=fake_nik(kecamatan_code, birth, female, n),
        phone=f"08{rng.choice('1258')}{rng.randrange(10**8, 10**9)}",
        birth_date=birth,
    )


def _sk(n: int, puskesmas: Puskesmas, year: int) -> str:
    short = slugify(puskesmas.name.removeprefix("Puskesmas ")).upper()
    return f"{n:03d}/SK-KADER/{short}/{year}"


def _create_registry(rng: random.Random, posyandu: list[Posyandu]) -> dict[int, list[Kader]]:
    """The serving kader per Posyandu id (5 or 6 each), with postings since their SK,
    plus some who moved in from another Posyandu and some who stopped."""
    plan = _Plan()
    where: list[tuple[Kader, Posyandu, KaderRole]] = []
    for p in posyandu:
        count = 5 + (rng.random() < EXTRA_KADER_SHARE)
        for i in range(count):
            kader = _person(rng, len(plan.kader), p.kelurahan.kecamatan.code)
            kader.posyandu = p
            plan.kader.append(kader)
            where.append(
                (kader, p, ROLES_IN_ORDER[i] if i < len(ROLES_IN_ORDER) else KaderRole.ANGGOTA)
            )
    stopped = []
    for _ in range(STOPPED):
        p = rng.choice(posyandu)
        kader = _person(rng, len(plan.kader), p.kelurahan.kecamatan.code)
        kader.is_active = False
        plan.kader.append(kader)
        stopped.append((kader, p))
    Kader.objects.bulk_create(plan.kader)
    # The ketua of each Posyandu is the one with the Posyandu's demo login.
    logins = {u.posyandu_id: u for u in User.objects.filter(role=Role.KADER, posyandu__in=posyandu)}
    linked = []
    for kader, p, role in where:
        if role == KaderRole.KETUA and p.pk in logins:
            kader.user = logins[p.pk]
            linked.append(kader)
    Kader.objects.bulk_update(linked, ["user"])

    moved = set(rng.sample(range(len(where)), MOVED))
    sk_numbers: dict[int, int] = defaultdict(int)
    for index, (kader, p, role) in enumerate(where):
        sk_numbers[p.puskesmas_id] += 1
        sk_date = dt.date(rng.choice((2023, 2024)), 1, rng.randrange(2, 28))
        started_on = dt.date(rng.randrange(2012, 2023), rng.randrange(1, 13), 1)
        if index in moved:
            before = rng.choice(
                [q for q in posyandu if q.puskesmas_id == p.puskesmas_id and q.pk != p.pk]
            )
            moved_on = dt.date(2024, rng.randrange(1, 12), 1)
            plan.postings.append(
                KaderPosting(
                    kader=kader,
                    posyandu=before,
                    role=KaderRole.ANGGOTA,
                    sk_number=_sk(sk_numbers[p.puskesmas_id], p.puskesmas, 2022),
                    sk_date=dt.date(2022, 1, 3),
                    started_on=started_on,
                    ended_on=moved_on,
                )
            )
            started_on, sk_date = moved_on, moved_on
        plan.postings.append(
            KaderPosting(
                kader=kader,
                posyandu=p,
                role=role,
                sk_number=_sk(sk_numbers[p.puskesmas_id], p.puskesmas, sk_date.year),
                sk_date=sk_date,
                started_on=min(started_on, sk_date),
                incentive_eligible=rng.random() < 0.97,
            )
        )
    for kader, p in stopped:
        sk_numbers[p.puskesmas_id] += 1
        plan.postings.append(
            KaderPosting(
                kader=kader,
                posyandu=p,
                role=KaderRole.ANGGOTA,
                sk_number=_sk(sk_numbers[p.puskesmas_id], p.puskesmas, 2023),
                sk_date=dt.date(2023, 1, 2),
                started_on=dt.date(2019, 6, 1),
                ended_on=dt.date(2024, rng.randrange(1, 13), 1),
            )
        )
    KaderPosting.objects.bulk_create(plan.postings)
    serving: dict[int, list[Kader]] = defaultdict(list)
    for kader, p, _role in where:
        serving[p.pk].append(kader)
    return serving


def _assess(rng: random.Random, serving: dict[int, list[Kader]]) -> None:
    """Two rounds per Puskesmas (February by the bidan, August by the tenaga gizi)."""
    skills = list(Skill.objects.filter(is_active=True).order_by("package", "order"))
    by_package: dict[str, list[Skill]] = defaultdict(list)
    for skill in skills:
        by_package[skill.package].append(skill)
    assessors: dict[tuple[int, str], User] = {
        (u.puskesmas_id, u.role): u  # type: ignore[misc]
        for u in User.objects.filter(role__in=[Role.BIDAN, Role.TENAGA_GIZI]).order_by("-pk")
    }
    everyone = [k for kader in serving.values() for k in kader]
    puskesmas_of = {k.pk: k.posyandu.puskesmas_id for k in everyone}  # type: ignore[union-attr]
    rows: list[SkillAssessment] = []

    def assess(kader: Kader, skill: Skill, competent: bool, on: dt.date, method: str) -> None:
        role = Role.BIDAN if on == FEBRUARY else Role.TENAGA_GIZI
        rows.append(
            SkillAssessment(
                kader=kader,
                skill=skill,
                skill_version=skill.version,
                competent=competent,
                assessed_on=on,
                assessor=assessors[(puskesmas_of[kader.pk], role)],
                puskesmas_id=puskesmas_of[kader.pk],
                method=method,
            )
        )

    shuffled = everyone[:]
    rng.shuffle(shuffled)
    awards: list[PinAward] = []
    start = 0
    for count, first, later, pins in STORIES:
        for kader in shuffled[start : start + count]:
            for package in first:
                for skill in by_package[package]:
                    assess(kader, skill, True, FEBRUARY, AssessmentMethod.PRACTICE)
            for package in later:
                for skill in by_package[package]:
                    assess(kader, skill, True, AUGUST, AssessmentMethod.OBSERVATION)
            # The last pin in August, an earlier one in February.
            for level, on in zip(pins, (FEBRUARY, AUGUST)[2 - len(pins) :], strict=True):
                awarded_on = on + dt.timedelta(days=14)
                awards.append(
                    PinAward(
                        kader=kader,
                        level=level,
                        awarded_on=awarded_on,
                        puskesmas_id=puskesmas_of[kader.pk],
                        awarded_by=assessors[(puskesmas_of[kader.pk], Role.BIDAN)],
                        rule_version=PIN_RULE.version_id,
                        certificate_number=certificate_number(
                            level=level, awarded_on=awarded_on, kader_id=kader.pk
                        ),
                    )
                )
        start += count
    for kader in shuffled[start:]:
        if rng.random() >= ROUND_1_SHARE:
            continue
        failed = []
        for package in "AB":
            for skill in by_package[package]:
                competent = rng.random() < SKILL_PASS[0]
                assess(kader, skill, competent, FEBRUARY, AssessmentMethod.PRACTICE)
                if not competent:
                    failed.append(skill)
        if rng.random() >= ROUND_2_SHARE:
            continue
        for skill in failed:
            assess(kader, skill, rng.random() < SKILL_PASS[0], AUGUST, AssessmentMethod.PRACTICE)
        for package in rng.sample("CDE", 2):
            for skill in by_package[package]:
                assess(
                    kader, skill, rng.random() < SKILL_PASS[1], AUGUST, AssessmentMethod.INTERVIEW
                )
    SkillAssessment.objects.bulk_create(rows, batch_size=2000)
    latest: dict[tuple[int, int], SkillAssessment] = {}
    for row in rows:
        key = (row.kader_id, row.skill_id)
        if key not in latest or row.assessed_on >= latest[key].assessed_on:
            latest[key] = row
    KaderSkill.objects.bulk_create(
        (
            KaderSkill(
                kader_id=a.kader_id,
                skill_id=a.skill_id,
                assessment=a,
                competent=a.competent,
                assessed_on=a.assessed_on,
            )
            for a in latest.values()
        ),
        batch_size=2000,
    )
    PinAward.objects.bulk_create(awards)


def _health_workers(kota: Kota) -> list[User]:
    """30 ToT participants: four of each Puskesmas (its bidan and tenaga gizi and two
    more staff) and six of the Dinkes. The extra staff have no demo login."""
    puskesmas = list(Puskesmas.objects.filter(kota=kota).order_by("code"))
    existing = list(
        User.objects.filter(role__in=PUSKESMAS_ROLES - {Role.PUSKESMAS}, puskesmas__in=puskesmas)
    )
    extra = []
    for p in puskesmas:
        short = slugify(p.name.removeprefix("Puskesmas "))
        for role, prefix in ((Role.BIDAN, "bidan"), (Role.TENAGA_GIZI, "gizi")):
            extra.append(
                User(
                    username=f"{prefix}-{short}-2",
                    role=role,
                    puskesmas=p,
                    password=make_password(None),
                    first_name=prefix.capitalize(),
                    last_name=f"{p.name.removeprefix('Puskesmas ')} 2",
                )
            )
    for n in range(2, 7):
        extra.append(
            User(
                username=f"dinkes-{n}",
                role=Role.DINKES,
                kota=kota,
                password=make_password(None),
                first_name="Staf",
                last_name=f"Dinkes {n}",
            )
        )
    User.objects.bulk_create(extra)
    dinkes = list(User.objects.filter(role=Role.DINKES, kota=kota).order_by("username"))
    return existing + [u for u in extra if u.role != Role.DINKES] + dinkes


def _training(
    kota: Kota,
    kind: TrainingKind,
    title: str,
    batch: int,
    days: tuple[tuple[dt.date, int], ...],
    venue: str,
    facilitators: str,
) -> tuple[Training, list[TrainingDay]]:
    training = Training.objects.create(
        kind=kind,
        title=title,
        batch=batch,
        kota=kota,
        starts_on=days[0][0],
        ends_on=days[-1][0],
        venue=venue,
        facilitators=facilitators,
    )
    training.skills.set(Skill.objects.filter(is_active=True))
    made = TrainingDay.objects.bulk_create(
        TrainingDay(training=training, date=d, jpl=jpl) for d, jpl in days
    )
    return training, made


def _enrol(
    rng: random.Random,
    training: Training,
    days: list[TrainingDay],
    people: list[tuple[Kader | None, User | None, bool]],
    missed: int,
) -> None:
    """Participants with full attendance and test scores, except ``missed`` of them
    who missed part of the last day (and so do not complete)."""
    participants = [
        TrainingParticipant(
            training=training,
            kader=kader,
            user=user,
            is_mentor=mentor,
            pre_test=Decimal(rng.randrange(40, 75)),
            post_test=Decimal(rng.randrange(70, 98)),
        )
        for kader, user, mentor in people
    ]
    TrainingParticipant.objects.bulk_create(participants)
    short = set(rng.sample(range(len(participants)), missed))
    attendance = []
    for index, participant in enumerate(participants):
        for day in days:
            hours = day.jpl - (
                rng.randrange(2, day.jpl + 1) if index in short and day is days[-1] else 0
            )
            attendance.append(
                TrainingAttendance(participant=participant, day=day, jpl_attended=hours)
            )
        participant.completed = index not in short
        participant.certificate_number = (
            f"PEL/{training.starts_on:%Y}/{training.pk:04d}/{participant.pk:05d}"
            if participant.completed
            else ""
        )
    TrainingAttendance.objects.bulk_create(attendance)
    TrainingParticipant.objects.bulk_update(participants, ["completed", "certificate_number"])


def _create_trainings(rng: random.Random, kota: Kota, serving: dict[int, list[Kader]]) -> None:
    workers = _health_workers(kota)
    tot, tot_days = _training(
        kota,
        TrainingKind.TOT_BASIC,
        "ToT Keterampilan Dasar Kader Posyandu",
        2,
        TOT_DAYS,
        "Aula Dinas Kesehatan Kota Bontang",
        "Widyaiswara Bapelkes Samarinda\nTim Kerja Promosi Kesehatan Kemenkes",
    )
    _enrol(rng, tot, tot_days, [(None, u, False) for u in workers[:30]], missed=2)
    digital, digital_days = _training(
        kota,
        TrainingKind.DIGITAL_25,
        "Pelatihan Digital 25 Keterampilan Kader Posyandu",
        1,
        DIGITAL_DAYS,
        "Daring (LMS Kemenkes) dan Puskesmas",
        "Fasilitator LMS Kemenkes\nTim Promkes Dinas Kesehatan",
    )
    by_puskesmas: dict[int, list[Kader]] = defaultdict(list)
    for k in (k for group in serving.values() for k in group):
        by_puskesmas[k.posyandu.puskesmas_id].append(k)  # type: ignore[union-attr]
    chosen = [k for group in by_puskesmas.values() for k in rng.sample(group, 10)]
    mentors = [u for u in workers if u.puskesmas_id is not None][:15]
    _enrol(
        rng,
        digital,
        digital_days,
        [(k, None, False) for k in chosen] + [(None, u, True) for u in mentors],
        missed=5,
    )
