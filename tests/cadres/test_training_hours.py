"""Training hours (JPL): totals per participant, missed hours, completion and the
credits a health worker earns; a training's skills confirmed by an assessor."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from posyandu.accounts.models import Role
from posyandu.cadres import selectors
from posyandu.cadres.models import KaderSkill, TrainingKind
from posyandu.cadres.services import (
    TrainingData,
    add_participant,
    confirm_training_skills,
    create_training,
    record_training_result,
)
from posyandu.policy.cadres import PinLevel
from tests.cadres.helpers import make_kader, skill_ids
from tests.factories import City, UserFactory, bidan_of, dinkes_of

TOT_DAYS = [(dt.date(2025, 5, d), 8) for d in (19, 20, 21, 22)]


def _tot(city: City) -> object:
    return create_training(
        user=dinkes_of(city.kota, username="dinkes"),
        data=TrainingData(
            kind=TrainingKind.TOT_BASIC,
            title="ToT keterampilan dasar kader",
            batch=2,
            kota=city.kota,
            facilitators=["Widyaiswara Bapelkes", "Tim Kemenkes"],
            days=TOT_DAYS,
        ),
    )


def test_a_four_day_tot_of_8_jpl_a_day_is_32_jpl(city: City) -> None:
    training = _tot(city)
    assert selectors.training_jpl(training) == 32
    assert (training.starts_on, training.ends_on) == (dt.date(2025, 5, 19), dt.date(2025, 5, 22))
    assert training.facilitator_names == ["Widyaiswara Bapelkes", "Tim Kemenkes"]


def test_missed_hours_block_completion_and_credits(city: City) -> None:
    training = _tot(city)
    dinkes = dinkes_of(city.kota, username="dinkes")
    present = bidan_of(city.puskesmas_a, username="bidan_hadir")
    absent = UserFactory(username="gizi_absen", role=Role.TENAGA_GIZI, puskesmas=city.puskesmas_b)
    p_present = add_participant(user=dinkes, training=training, health_worker=present)
    p_absent = add_participant(user=dinkes, training=training, health_worker=absent)
    days = list(training.days.order_by("date"))
    record_training_result(
        user=dinkes,
        participant=p_present,
        jpl_by_day={},
        pre_test=Decimal("55"),
        post_test=Decimal("85.5"),
    )
    # Half of day 3 missed: 8 + 8 + 4 + 8 = 28 of 32.
    record_training_result(
        user=dinkes,
        participant=p_absent,
        jpl_by_day={days[2].pk: 4},
        pre_test=Decimal("60"),
        post_test=Decimal("90"),
    )
    hours = selectors.participant_hours([p_present.pk, p_absent.pk])
    assert (hours[p_present.pk].attended, hours[p_present.pk].missed) == (32, 0)
    assert (hours[p_absent.pk].attended, hours[p_absent.pk].missed) == (28, 4)
    p_present.refresh_from_db()
    p_absent.refresh_from_db()
    assert p_present.completed and p_present.certificate_number
    assert not p_absent.completed and p_absent.certificate_number == ""
    assert selectors.credits_of([present, absent]) == {present.pk: 32}


def test_credits_add_up_over_trainings(city: City) -> None:
    dinkes = dinkes_of(city.kota, username="dinkes")
    bidan = bidan_of(city.puskesmas_a, username="bidan_dua")
    for batch, days in ((1, TOT_DAYS), (3, [(dt.date(2025, 11, 3), 6), (dt.date(2025, 11, 4), 4)])):
        training = create_training(
            user=dinkes,
            data=TrainingData(
                kind=TrainingKind.TOT_BASIC, title="ToT", batch=batch, kota=city.kota, days=days
            ),
        )
        participant = add_participant(user=dinkes, training=training, health_worker=bidan)
        record_training_result(
            user=dinkes,
            participant=participant,
            jpl_by_day={},
            pre_test=None,
            post_test=Decimal("80"),
        )
    assert selectors.credits_of([bidan]) == {bidan.pk: 32 + 10}


def test_attendance_above_the_day_hours_is_refused(city: City) -> None:
    training = _tot(city)
    dinkes = dinkes_of(city.kota, username="dinkes")
    participant = add_participant(
        user=dinkes, training=training, health_worker=bidan_of(city.puskesmas_a)
    )
    day = training.days.first()
    with pytest.raises(ValidationError):
        record_training_result(
            user=dinkes,
            participant=participant,
            jpl_by_day={day.pk: 9},
            pre_test=None,
            post_test=None,
        )


def test_only_the_trainings_manager_enrols(city: City) -> None:
    training = _tot(city)
    with pytest.raises(PermissionDenied):
        add_participant(
            user=bidan_of(city.puskesmas_a),
            training=training,
            health_worker=bidan_of(city.puskesmas_a, username="other"),
        )


def test_an_assessor_confirms_a_digital_training_for_the_kader_of_the_area(city: City) -> None:
    dinkes = dinkes_of(city.kota, username="dinkes")
    training = create_training(
        user=dinkes,
        data=TrainingData(
            kind=TrainingKind.DIGITAL_25,
            title="Pelatihan digital 25 keterampilan kader",
            batch=1,
            kota=city.kota,
            days=[(dt.date(2025, 11, 10), 5), (dt.date(2025, 11, 11), 5)],
        ),
    )
    assert training.skills.count() == 25
    mine = make_kader(city.posyandu_a, name="Kader Melati")
    theirs = make_kader(city.posyandu_b, name="Kader Anggrek")
    missed = make_kader(city.posyandu_a2, name="Kader Kenanga")
    for kader in (mine, theirs, missed):
        participant = add_participant(user=dinkes, training=training, kader=kader)
        record_training_result(
            user=dinkes,
            participant=participant,
            jpl_by_day={training.days.first().pk: 0} if kader is missed else {},
            pre_test=None,
            post_test=Decimal("75"),
        )
    bidan = bidan_of(city.puskesmas_a)
    # Only the completed kader of the assessor's Puskesmas: not theirs, not the one who missed.
    assert (
        confirm_training_skills(
            assessor=bidan, training=training, confirmed_on=dt.date(2025, 11, 20)
        )
        == 1
    )
    assert KaderSkill.objects.filter(kader=mine, competent=True).count() == 25
    assert not KaderSkill.objects.filter(kader__in=[theirs, missed]).exists()
    assert selectors.profiles([mine.pk])[mine.pk].eligible == PinLevel.UTAMA
    assert mine.assessments.filter(method="pelatihan", training=training).count() == 25
    # Confirming again adds nothing.
    assert (
        confirm_training_skills(
            assessor=bidan, training=training, confirmed_on=dt.date(2025, 11, 21)
        )
        == 0
    )
    assert sorted(skill_ids("A")) == sorted(
        mine.assessments.filter(skill__package="A").values_list("skill_id", flat=True)
    )
