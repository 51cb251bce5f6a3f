"""Writes about kader: registry and postings, skill assessments, pins, trainings.

Keyword-only and typed; each write checks the writer's scope and rights,
runs ``full_clean()`` inside its transaction and is audited there. Derived
state (a kader's current Posyandu, its latest standing per skill) is updated
in the same write that changes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from posyandu.accounts.models import Role, User
from posyandu.accounts.scope import Capability, Scope
from posyandu.areas.models import Kota, Posyandu, Puskesmas
from posyandu.cadres import selectors
from posyandu.cadres.models import (
    AssessmentMethod,
    Kader,
    KaderPosting,
    KaderRole,
    KaderSkill,
    PinAward,
    Skill,
    SkillAssessment,
    Training,
    TrainingAttendance,
    TrainingDay,
    TrainingKind,
    TrainingParticipant,
)
from posyandu.children.nik import normalise_nik
from posyandu.core import audit
from posyandu.core.models import AuditAction
from posyandu.core.ui import check_date, format_date
from posyandu.policy.cadres import PIN_RULE, TRAINING_RULE

# --- registry ----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class KaderData:
    """A kader's person data, as typed on the registry form."""

    name: str
    sex: int
    nik: str = ""
    phone: str = ""
    birth_date: dt.date | None = None
    account: User | None = None
    """The kader's login, when they have one (a kader login of their Posyandu)."""


@dataclass(frozen=True, kw_only=True)
class PostingData:
    """Where and under which decree (SK) a kader serves from ``started_on``."""

    posyandu: Posyandu
    role: str = KaderRole.ANGGOTA
    sk_number: str = ""
    sk_date: dt.date | None = None
    started_on: dt.date
    incentive_eligible: bool = True


def _may_manage(scope: Scope, posyandu_id: int | None) -> None:
    scope.require_write(Capability.POSYANDU_MANAGE, posyandu_id)


def _apply_person(kader: Kader, data: KaderData) -> None:
    kader.name = " ".join(data.name.split())
    kader.sex = data.sex
    kader.nik = normalise_nik(data.nik)
    kader.phone = data.phone.strip()
    kader.birth_date = data.birth_date
    check_date(
        data.birth_date, field="birth_date", future_message=_("Tanggal lahir di masa depan.")
    )
    account = data.account
    if account is not None and (
        account.role != Role.KADER or account.posyandu_id != kader.posyandu_id
    ):
        raise ValidationError(
            {"account": _("Akun ini bukan akun kader Posyandu tempat kader ini bertugas.")}
        )
    kader.user = account


def _open_posting(kader: Kader, data: PostingData) -> KaderPosting:
    check_date(
        data.started_on, field="started_on", future_message=_("Tanggal mulai di masa depan.")
    )
    check_date(data.sk_date, field="sk_date", future_message=_("Tanggal SK di masa depan."))
    posting = KaderPosting(
        kader=kader,
        posyandu=data.posyandu,
        role=data.role,
        sk_number=data.sk_number.strip(),
        sk_date=data.sk_date,
        started_on=data.started_on,
        incentive_eligible=data.incentive_eligible,
    )
    posting.full_clean()
    posting.save()
    return posting


@transaction.atomic
def register_kader(*, user: User | None, data: KaderData, posting: PostingData) -> Kader:
    """A new kader serving at ``posting.posyandu`` from ``posting.started_on``."""
    if user is not None:
        _may_manage(Scope.of(user), posting.posyandu.pk)
    kader = Kader(posyandu=posting.posyandu)
    _apply_person(kader, data)
    kader.full_clean()
    kader.save()
    _open_posting(kader, posting)
    audit.record(
        user=user,
        action=AuditAction.CREATE,
        obj=kader,
        changes={"name": kader.name, "posyandu": posting.posyandu.code},
    )
    return kader


PERSON_FIELDS = ["name", "sex", "nik", "phone", "birth_date", "user_id"]


@transaction.atomic
def update_kader(*, user: User, kader: Kader, version: int, data: KaderData) -> Kader:
    """Correct a kader's person data; refused when someone saved it in between."""
    locked = Kader.objects.select_for_update().get(pk=kader.pk)
    _may_manage(Scope.of(user), locked.posyandu_id)
    if locked.version != version:
        raise ValidationError(
            _("Data kader ini baru saja diubah orang lain. Muat ulang lalu ulangi perubahan.")
        )
    before = audit.snapshot(locked, PERSON_FIELDS)
    _apply_person(locked, data)
    locked.full_clean()
    locked.version += 1
    locked.save()
    after = audit.snapshot(locked, PERSON_FIELDS)
    audit.record(
        user=user, action=AuditAction.UPDATE, obj=locked, changes=audit.diff(before, after)
    )
    return locked


def _close_open_posting(kader: Kader, on: dt.date) -> KaderPosting:
    current = kader.postings.filter(ended_on__isnull=True).select_for_update().first()
    if current is None:
        raise ValidationError(_("Kader ini tidak sedang bertugas."))
    if on < current.started_on:
        raise ValidationError(
            {
                "on": _("Tanggal ini sebelum penugasan sekarang dimulai (%(d)s).")
                % {"d": current.started_on.strftime("%d/%m/%Y")}
            }
        )
    current.ended_on = on
    current.full_clean()
    current.save(update_fields=["ended_on"])
    return current


@transaction.atomic
def move_kader(*, user: User, kader: Kader, posting: PostingData) -> KaderPosting:
    """The kader serves at another Posyandu (or in another role, under a new SK)
    from ``posting.started_on``: the open posting ends that day."""
    scope = Scope.of(user)
    locked = Kader.objects.select_for_update().get(pk=kader.pk)
    _may_manage(scope, locked.posyandu_id)
    _may_manage(scope, posting.posyandu.pk)
    previous = _close_open_posting(locked, posting.started_on)
    opened = _open_posting(locked, posting)
    locked.posyandu = posting.posyandu
    locked.is_active = True
    locked.version += 1
    locked.save(update_fields=["posyandu", "is_active", "version"])
    audit.record(
        user=user,
        action=AuditAction.UPDATE,
        obj=locked,
        changes={"posyandu": [previous.posyandu.code, posting.posyandu.code]},
    )
    return opened


@transaction.atomic
def stop_kader(*, user: User, kader: Kader, on: dt.date) -> Kader:
    """The kader stops serving on ``on``; the history stays."""
    locked = Kader.objects.select_for_update().get(pk=kader.pk)
    _may_manage(Scope.of(user), locked.posyandu_id)
    check_date(on, field="on", future_message=_("Tanggal berhenti di masa depan."))
    _close_open_posting(locked, on)
    locked.posyandu = None
    locked.is_active = False
    locked.version += 1
    locked.save(update_fields=["posyandu", "is_active", "version"])
    audit.record(user=user, action=AuditAction.UPDATE, obj=locked, changes={"stopped_on": on})
    return locked


# --- skills and pins -----------------------------------------------------------------


def _assessing_puskesmas(assessor: User, kader: Kader) -> Puskesmas:
    """The Puskesmas an assessment is made for: the assessor's own, else (an
    administrator) the one of the kader's Posyandu."""
    if assessor.puskesmas_id is not None:
        return assessor.puskesmas  # type: ignore[return-value]
    if kader.posyandu is None:
        raise ValidationError(_("Kader yang tidak bertugas tidak dapat diuji."))
    return kader.posyandu.puskesmas


def _require_assessor(assessor: User, kader: Kader) -> Scope:
    scope = Scope.of(assessor)
    scope.require_write(Capability.KADER_ASSESS, kader.posyandu_id)
    return scope


def _save_assessments(
    *,
    assessor: User,
    kader: Kader,
    assessed_on: dt.date,
    method: str,
    results: Mapping[int, bool],
    note: str,
    training: Training | None,
) -> list[SkillAssessment]:
    check_date(assessed_on, field="assessed_on", future_message=_("Tanggal uji di masa depan."))
    skills = {s.pk: s for s in Skill.objects.filter(pk__in=results, is_active=True)}
    unknown = set(results) - skills.keys()
    if unknown:
        raise ValidationError(_("Keterampilan tidak dikenal: %(ids)s.") % {"ids": sorted(unknown)})
    puskesmas = _assessing_puskesmas(assessor, kader)
    made = []
    for skill_id, competent in results.items():
        assessment = SkillAssessment(
            kader=kader,
            skill=skills[skill_id],
            skill_version=skills[skill_id].version,
            competent=competent,
            assessed_on=assessed_on,
            assessor=assessor,
            puskesmas=puskesmas,
            method=method,
            note=note.strip(),
            training=training,
        )
        assessment.full_clean()
        made.append(assessment)
    SkillAssessment.objects.bulk_create(made)
    states = {
        s.skill_id: s
        for s in KaderSkill.objects.select_for_update().filter(kader=kader, skill_id__in=skills)
    }
    for assessment in made:
        state = states.get(assessment.skill_id)
        if state is None:
            KaderSkill.objects.create(
                kader=kader,
                skill_id=assessment.skill_id,
                assessment=assessment,
                competent=assessment.competent,
                assessed_on=assessment.assessed_on,
            )
        elif assessment.assessed_on >= state.assessed_on:
            # The latest assessment stands; one typed in late for an older round does not
            # override a newer result.
            state.assessment = assessment
            state.competent = assessment.competent
            state.assessed_on = assessment.assessed_on
            state.save(update_fields=["assessment", "competent", "assessed_on"])
    return made


@transaction.atomic
def record_assessments(
    *,
    assessor: User,
    kader: Kader,
    assessed_on: dt.date,
    method: str,
    results: Mapping[int, bool],
    note: str = "",
) -> list[SkillAssessment]:
    """One assessment per skill in ``results`` (skill id -> competent or not yet)."""
    _require_assessor(assessor, kader)
    if not results:
        raise ValidationError(_("Pilih hasil untuk paling sedikit satu keterampilan."))
    made = _save_assessments(
        assessor=assessor,
        kader=kader,
        assessed_on=assessed_on,
        method=method,
        results=results,
        note=note,
        training=None,
    )
    audit.record(
        user=assessor,
        action=AuditAction.CREATE,
        obj=kader,
        object_repr=f"{kader} — uji kompetensi",
        changes={
            "assessed_on": assessed_on,
            "competent": sum(results.values()),
            "skills": len(results),
        },
    )
    return made


def certificate_number(*, level: str, awarded_on: dt.date, kader_id: int) -> str:
    return f"TKK/{level.upper()}/{awarded_on:%Y}/{kader_id:06d}"


@transaction.atomic
def award_pin(*, user: User, kader: Kader, awarded_on: dt.date) -> PinAward:
    """Award the highest level the kader's assessed skills reach, above any it holds."""
    Kader.objects.select_for_update().get(pk=kader.pk)
    _require_assessor(user, kader)
    check_date(awarded_on, field="awarded_on", future_message=_("Tanggal di masa depan."))
    profile = selectors.profiles([kader.pk])[kader.pk]
    level = profile.eligible
    if level is None:
        raise ValidationError(
            _("Keterampilan yang sudah kompeten belum cukup untuk pin berikutnya.")
        )
    award = PinAward(
        kader=kader,
        level=level.value,
        awarded_on=awarded_on,
        puskesmas=_assessing_puskesmas(user, kader),
        awarded_by=user,
        rule_version=PIN_RULE.version_id,
        certificate_number=certificate_number(
            level=level.value, awarded_on=awarded_on, kader_id=kader.pk
        ),
    )
    award.full_clean()
    award.save()
    audit.record(user=user, action=AuditAction.CREATE, obj=award, changes={"level": level.value})
    return award


# --- trainings -------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class TrainingData:
    kind: str
    title: str
    batch: int
    kota: Kota
    puskesmas: Puskesmas | None = None
    venue: str = ""
    facilitators: Sequence[str] = ()
    skill_ids: Sequence[int] = ()
    days: Sequence[tuple[dt.date, int]]
    """Each day of the training with its lesson hours (JPL)."""


@transaction.atomic
def create_training(*, user: User | None, data: TrainingData) -> Training:
    if user is not None:
        scope = Scope.of(user)
        scope.require(Capability.TRAININGS_MANAGE)
        if not scope.kota().filter(pk=data.kota.pk).exists():
            raise Http404
    if not data.days:
        raise ValidationError(_("Isi paling sedikit satu hari pelatihan."))
    dates = sorted(day for day, _jpl in data.days)
    if len(set(dates)) != len(dates):
        raise ValidationError(_("Setiap tanggal pelatihan hanya sekali."))
    training = Training(
        kind=data.kind,
        title=" ".join(data.title.split()),
        batch=data.batch,
        kota=data.kota,
        puskesmas=data.puskesmas,
        starts_on=dates[0],
        ends_on=dates[-1],
        venue=data.venue.strip(),
        facilitators="\n".join(name.strip() for name in data.facilitators if name.strip()),
        created_by=user,
    )
    training.full_clean()
    training.save()
    if data.kind == TrainingKind.DIGITAL_25 and not data.skill_ids:
        training.skills.set(Skill.objects.filter(is_active=True))
    else:
        training.skills.set(Skill.objects.filter(pk__in=data.skill_ids, is_active=True))
    for day, jpl in data.days:
        TrainingDay(training=training, date=day, jpl=jpl).full_clean(exclude=["training"])
    TrainingDay.objects.bulk_create(
        TrainingDay(training=training, date=day, jpl=jpl) for day, jpl in data.days
    )
    audit.record(user=user, action=AuditAction.CREATE, obj=training)
    return training


def _require_training_manager(user: User | None, training: Training) -> None:
    if user is None:
        return
    scope = Scope.of(user)
    selectors.training_for(scope, training.pk)
    scope.require(Capability.TRAININGS_MANAGE)


@transaction.atomic
def add_participant(
    *,
    user: User | None,
    training: Training,
    kader: Kader | None = None,
    health_worker: User | None = None,
    is_mentor: bool = False,
    full_attendance: bool = True,
) -> TrainingParticipant:
    """Enrol a kader or a health worker; ``full_attendance`` marks every day attended
    (the usual case), to be corrected for those who missed hours."""
    _require_training_manager(user, training)
    participant = TrainingParticipant(
        training=training, kader=kader, user=health_worker, is_mentor=is_mentor
    )
    participant.full_clean()
    participant.save()
    if full_attendance:
        TrainingAttendance.objects.bulk_create(
            TrainingAttendance(participant=participant, day=day, jpl_attended=day.jpl)
            for day in training.days.all()
        )
    return participant


@transaction.atomic
def record_training_result(
    *,
    user: User | None,
    participant: TrainingParticipant,
    jpl_by_day: Mapping[int, int],
    pre_test: Decimal | None,
    post_test: Decimal | None,
) -> TrainingParticipant:
    """A participant's lesson hours per day (day id -> JPL attended) and test scores;
    completion follows :data:`~posyandu.policy.cadres.TRAINING_RULE`."""
    training = participant.training
    _require_training_manager(user, training)
    days = {d.pk: d for d in training.days.all()}
    errors = []
    for day_id, jpl in jpl_by_day.items():
        day = days.get(day_id)
        if day is None:
            errors.append(_("Hari pelatihan tidak dikenal."))
        elif not 0 <= jpl <= day.jpl:
            errors.append(
                _("%(date)s: JPL hadir %(n)d, hari itu hanya %(max)d JPL.")
                % {"date": format_date(day.date), "n": jpl, "max": day.jpl}
            )
    if errors:
        raise ValidationError(errors)
    for day_id, jpl in jpl_by_day.items():
        TrainingAttendance.objects.update_or_create(
            participant=participant, day_id=day_id, defaults={"jpl_attended": jpl}
        )
    participant.pre_test = pre_test
    participant.post_test = post_test
    hours = selectors.participant_hours([participant.pk])[participant.pk]
    participant.completed = post_test is not None and hours.missed <= TRAINING_RULE.max_missed_jpl
    participant.certificate_number = (
        f"PEL/{training.starts_on:%Y}/{training.pk:04d}/{participant.pk:05d}"
        if participant.completed
        else ""
    )
    participant.full_clean()
    participant.save()
    audit.record(
        user=user,
        action=AuditAction.UPDATE,
        obj=training,
        object_repr=f"{training} — {participant}",
        changes={"attended_jpl": hours.attended, "completed": participant.completed},
    )
    return participant


@transaction.atomic
def confirm_training_skills(*, assessor: User, training: Training, confirmed_on: dt.date) -> int:
    """The assessor confirms the training's skills as competent for every kader of
    its area who completed it (and has not been confirmed yet); how many kader."""
    scope = Scope.of(assessor)
    selectors.training_for(scope, training.pk)
    scope.require(Capability.KADER_ASSESS)
    skill_ids = list(training.skills.filter(is_active=True).values_list("pk", flat=True))
    if not skill_ids:
        raise ValidationError(_("Pelatihan ini tidak mencatat keterampilan yang dilatih."))
    confirmed = 0
    participants = training.participants.select_related("kader__posyandu__puskesmas").filter(
        kader__isnull=False, completed=True, skills_confirmed_on__isnull=True
    )
    for participant in participants:
        kader = participant.kader
        assert kader is not None
        if not scope.may_write(Capability.KADER_ASSESS, kader.posyandu_id):
            continue
        _save_assessments(
            assessor=assessor,
            kader=kader,
            assessed_on=confirmed_on,
            method=AssessmentMethod.TRAINING,
            results=dict.fromkeys(skill_ids, True),
            note=str(training)[:200],
            training=training,
        )
        participant.skills_confirmed_on = confirmed_on
        participant.skills_confirmed_by = assessor
        participant.save(update_fields=["skills_confirmed_on", "skills_confirmed_by"])
        confirmed += 1
    audit.record(
        user=assessor,
        action=AuditAction.UPDATE,
        obj=training,
        changes={"skills_confirmed_for": confirmed, "on": confirmed_on},
    )
    return confirmed
