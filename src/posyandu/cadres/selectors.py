"""Reads about kader, always through the user's :class:`Scope`: registry, skill
profiles and pins, coverage of the skills per area, trainings and their hours."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from posyandu.accounts.models import PUSKESMAS_ROLES, Role, User
from posyandu.accounts.scope import Scope
from posyandu.areas.hierarchy import Area, area_q
from posyandu.areas.models import Posyandu
from posyandu.cadres.models import (
    Kader,
    KaderPosting,
    KaderSkill,
    PinAward,
    Skill,
    SkillAssessment,
    SkillPackage,
    Training,
    TrainingAttendance,
    TrainingDay,
    TrainingParticipant,
)
from posyandu.policy.cadres import PIN_ORDER, PIN_RULE, PinLevel

# --- registry ------------------------------------------------------------------------


def kader_for(scope: Scope) -> QuerySet[Kader]:
    """Every kader who serves or served at a Posyandu of the user's area."""
    served = KaderPosting.objects.filter(scope.posyandu_q("posyandu__")).values("kader_id")
    return Kader.objects.filter(pk__in=served)


def kader_get(scope: Scope, pk: int) -> Kader:
    kader = (
        kader_for(scope)
        .select_related("posyandu__puskesmas", "posyandu__kelurahan", "user")
        .filter(pk=pk)
        .first()
    )
    if kader is None:
        raise Http404
    return kader


def kader_in_area(scope: Scope, area: Area) -> QuerySet[Kader]:
    """The kader serving now at the Posyandu of ``area`` that the user sees."""
    return Kader.objects.filter(scope.rows_in(area), is_active=True)


@dataclass(frozen=True)
class PosyanduKaderCount:
    posyandu: Posyandu
    kader: int


def kader_per_posyandu(scope: Scope, area: Area) -> list[PosyanduKaderCount]:
    """Active kader per Posyandu of ``area`` (those with none too), fewest first."""
    posyandu = (
        Posyandu.objects.filter(area_q(area) & scope.posyandu_q(), is_active=True)
        .annotate(n=Count("kader_set", filter=Q(kader_set__is_active=True)))
        .order_by("n", "code")
    )
    return [PosyanduKaderCount(p, p.n) for p in posyandu]


# --- skills, profiles, pins ------------------------------------------------------------


def active_skills() -> list[Skill]:
    return list(Skill.objects.filter(is_active=True).order_by("package", "order", "code"))


@dataclass(frozen=True)
class PackageStanding:
    package: str
    label: str
    competent: int
    total: int

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.competent == self.total


@dataclass(frozen=True)
class SkillProfile:
    """A kader's assessed skills counted as the pin rule counts them."""

    kader_id: int
    competent: frozenset[int]
    """Ids of the (active) skills whose latest assessment says competent."""
    packages: tuple[PackageStanding, ...]
    held: PinLevel | None
    """The highest pin awarded."""
    missing_for_next: tuple[str, ...] = field(default=())
    """Codes of the skills still to master for the next level above held and reached."""

    @property
    def complete_packages(self) -> frozenset[str]:
        return frozenset(p.package for p in self.packages if p.complete)

    @property
    def reached(self) -> PinLevel | None:
        """The highest level the assessed skills reach (awarded or not)."""
        return PIN_RULE.level(self.complete_packages, (p.package for p in self.packages))

    @property
    def eligible(self) -> PinLevel | None:
        """The level to award now: reached and above the pin held; None otherwise."""
        reached = self.reached
        if reached is None:
            return None
        if self.held is not None and PIN_ORDER.index(reached) <= PIN_ORDER.index(self.held):
            return None
        return reached

    @property
    def next_level(self) -> PinLevel | None:
        """The level after the higher of the pin held and the level reached."""
        top = max(
            (lv for lv in (self.held, self.reached) if lv is not None),
            key=PIN_ORDER.index,
            default=None,
        )
        return PIN_RULE.next_level(top)

    @property
    def competent_count(self) -> int:
        return len(self.competent)

    def competent_in(self, package: str) -> int:
        return next((p.competent for p in self.packages if p.package == package), 0)


def _missing_for(
    level: PinLevel | None, by_package: dict[str, list[Skill]], competent: frozenset[int]
) -> tuple[str, ...]:
    """The fewest skills to master to reach ``level``: the core packages' missing
    skills plus those of the closest other packages."""
    if level is None:
        return ()

    def missing(package: str) -> list[str]:
        return [s.code for s in by_package[package] if s.pk not in competent]

    if level == PinLevel.UTAMA:
        return tuple(code for package in by_package for code in missing(package))
    needed = list(PIN_RULE.core_packages & by_package.keys())
    others = sorted(
        (p for p in by_package if p not in PIN_RULE.core_packages),
        key=lambda p: (len(missing(p)), p),
    )
    needed += others[: PIN_RULE.extra_packages[level]]
    return tuple(code for package in sorted(needed) for code in missing(package))


def profiles(kader_ids: Iterable[int], on: dt.date | None = None) -> dict[int, SkillProfile]:
    """The skill profile of each kader, in three queries whatever their number; ``on``
    a date, as it stood that day (for a certificate printed later)."""
    ids = list(kader_ids)
    skills = active_skills()
    by_package: dict[str, list[Skill]] = defaultdict(list)
    for skill in skills:
        by_package[skill.package].append(skill)
    competent: dict[int, set[int]] = defaultdict(set)
    if on is None:
        for kader_id, skill_id in KaderSkill.objects.filter(
            kader_id__in=ids, competent=True, skill__is_active=True
        ).values_list("kader_id", "skill_id"):
            competent[kader_id].add(skill_id)
    else:
        latest: dict[tuple[int, int], bool] = {}
        for kader_id, skill_id, result in (
            SkillAssessment.objects.filter(
                kader_id__in=ids, assessed_on__lte=on, skill__is_active=True
            )
            .order_by("assessed_on", "id")
            .values_list("kader_id", "skill_id", "competent")
        ):
            latest[(kader_id, skill_id)] = result
        for (kader_id, skill_id), result in latest.items():
            if result:
                competent[kader_id].add(skill_id)
    pins = PinAward.objects.filter(kader_id__in=ids)
    if on is not None:
        pins = pins.filter(awarded_on__lte=on)
    held: dict[int, PinLevel] = {}
    for kader_id, level in pins.values_list("kader_id", "level"):
        pin = PinLevel(level)
        if kader_id not in held or PIN_ORDER.index(pin) > PIN_ORDER.index(held[kader_id]):
            held[kader_id] = pin
    labels = dict(SkillPackage.choices)
    found = {}
    for kader_id in ids:
        mine = frozenset(competent[kader_id])
        packages = tuple(
            PackageStanding(
                package=package,
                label=str(labels.get(package, package)),
                competent=sum(1 for s in members if s.pk in mine),
                total=len(members),
            )
            for package, members in by_package.items()
        )
        profile = SkillProfile(
            kader_id=kader_id, competent=mine, packages=packages, held=held.get(kader_id)
        )
        found[kader_id] = SkillProfile(
            kader_id=kader_id,
            competent=mine,
            packages=packages,
            held=profile.held,
            missing_for_next=_missing_for(profile.next_level, by_package, mine),
        )
    return found


def eligible_kader(scope: Scope, area: Area) -> list[tuple[Kader, SkillProfile]]:
    """The kader of ``area`` whose skills reach a level above the pin they hold."""
    kader = list(kader_in_area(scope, area).select_related("posyandu").order_by("name", "pk"))
    found = profiles(k.pk for k in kader)
    return [(k, found[k.pk]) for k in kader if found[k.pk].eligible is not None]


def pin_for(scope: Scope, pk: int) -> PinAward:
    award = (
        PinAward.objects.select_related("kader__posyandu__puskesmas", "puskesmas", "awarded_by")
        .filter(pk=pk, kader__in=kader_for(scope))
        .first()
    )
    if award is None:
        raise Http404
    return award


@dataclass(frozen=True)
class SkillCoverage:
    skill: Skill
    competent: int
    """Kader of the area assessed competent in this skill."""
    kader: int

    @property
    def pct(self) -> float | None:
        return 100 * self.competent / self.kader if self.kader else None


@dataclass(frozen=True)
class PosyanduCoverage:
    posyandu: Posyandu
    kader: int
    per_skill: dict[int, int]
    pins: dict[str, int]


def coverage(scope: Scope, area: Area) -> tuple[list[SkillCoverage], list[PosyanduCoverage]]:
    """How many active kader of ``area`` (and of each of its Posyandu) are competent in
    each skill, and hold each pin: where a Puskesmas should train next."""
    kader = kader_in_area(scope, area)
    skills = active_skills()
    per_posyandu: dict[int, dict[int, int]] = defaultdict(dict)
    for posyandu_id, skill_id, n in (
        KaderSkill.objects.filter(kader__in=kader, competent=True, skill__is_active=True)
        .values_list("kader__posyandu_id", "skill_id")
        .annotate(n=Count("id"))
    ):
        per_posyandu[posyandu_id][skill_id] = n
    pins: dict[int, dict[str, int]] = defaultdict(dict)
    for posyandu_id, level, n in (
        PinAward.objects.filter(kader__in=kader)
        .values_list("kader__posyandu_id", "level")
        .annotate(n=Count("id"))
    ):
        pins[posyandu_id][level] = n
    rows = [
        PosyanduCoverage(p, p.n, per_posyandu[p.pk], pins[p.pk])
        for p in Posyandu.objects.filter(area_q(area) & scope.posyandu_q(), is_active=True)
        .annotate(n=Count("kader_set", filter=Q(kader_set__is_active=True)))
        .order_by("code")
    ]
    total = sum(r.kader for r in rows)
    by_skill = [
        SkillCoverage(s, sum(r.per_skill.get(s.pk, 0) for r in rows), total) for s in skills
    ]
    return by_skill, rows


# --- trainings -----------------------------------------------------------------------


def trainings_for(scope: Scope) -> QuerySet[Training]:
    """A Dinkes training is seen by every health worker of its kota, a Puskesmas
    training by its own Puskesmas (and the Dinkes above it); kader see theirs on
    their own profile, not here."""
    if scope.is_system_wide:
        return Training.objects.all()
    if scope.role not in PUSKESMAS_ROLES and scope.role != Role.DINKES:
        return Training.objects.none()
    return Training.objects.filter(
        Q(puskesmas__isnull=True, kota__in=scope.kota()) | Q(puskesmas__in=scope.puskesmas())
    )


def training_for(scope: Scope, pk: int) -> Training:
    training = trainings_for(scope).select_related("kota", "puskesmas").filter(pk=pk).first()
    if training is None:
        raise Http404
    return training


@dataclass(frozen=True)
class Hours:
    planned: int
    attended: int

    @property
    def missed(self) -> int:
        return self.planned - self.attended


def participant_hours(participant_ids: Iterable[int]) -> dict[int, Hours]:
    """Lesson hours (JPL) planned and attended by each participant."""
    ids = list(participant_ids)
    planned = dict(
        TrainingParticipant.objects.filter(pk__in=ids)
        .annotate(jpl=Sum("training__days__jpl"))
        .values_list("pk", "jpl")
    )
    attended = dict(
        TrainingAttendance.objects.filter(participant_id__in=ids)
        .values("participant_id")
        .annotate(jpl=Sum("jpl_attended"))
        .values_list("participant_id", "jpl")
    )
    return {pk: Hours(int(planned.get(pk) or 0), int(attended.get(pk) or 0)) for pk in ids}


def training_jpl(training: Training) -> int:
    return int(TrainingDay.objects.filter(training=training).aggregate(n=Sum("jpl"))["n"] or 0)


def credits_of(users: Iterable[User]) -> dict[int, int]:
    """JPL each health worker earned: the hours attended in the trainings they
    completed (toward renewing their practice licence)."""
    ids = [u.pk for u in users]
    return {
        user_id: int(jpl or 0)
        for user_id, jpl in TrainingAttendance.objects.filter(
            participant__user_id__in=ids, participant__completed=True
        )
        .values("participant__user_id")
        .annotate(jpl=Sum("jpl_attended"))
        .values_list("participant__user_id", "jpl")
    }


def trainings_of_kader(kader_ids: Iterable[int]) -> dict[int, list[tuple[Training, int, bool]]]:
    """Each kader's trainings with the JPL attended and whether completed."""
    ids = list(kader_ids)
    parts = list(
        TrainingParticipant.objects.filter(kader_id__in=ids)
        .select_related("training")
        .order_by("training__starts_on")
    )
    hours = participant_hours(p.pk for p in parts)
    found: dict[int, list[tuple[Training, int, bool]]] = defaultdict(list)
    for p in parts:
        assert p.kader_id is not None
        found[p.kader_id].append((p.training, hours[p.pk].attended, p.completed))
    return found
