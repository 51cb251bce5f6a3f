"""The pin rule: Purwa = A + B + one more whole package; Madya = A + B + two more;
Utama = all 25; counted from each kader's latest assessment per skill."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from posyandu.cadres import selectors
from posyandu.cadres.models import AssessmentMethod, KaderSkill, PinAward, Skill
from posyandu.cadres.services import award_pin, record_assessments
from posyandu.policy.cadres import PIN_RULE, PinLevel
from tests.cadres.helpers import make_kader, skill_ids
from tests.factories import City, UserFactory, bidan_of, kader_of

ALL = ("A", "B", "C", "D", "E")


@pytest.mark.parametrize(
    ("complete", "level"),
    [
        ((), None),
        (("A",), None),
        (("A", "B"), None),
        (("A", "C", "D", "E"), None),
        (("B", "C", "D", "E"), None),
        (("A", "B", "D"), PinLevel.PURWA),
        (("A", "B", "E"), PinLevel.PURWA),
        (("A", "B", "C", "D"), PinLevel.MADYA),
        (("A", "B", "D", "E"), PinLevel.MADYA),
        (("A", "B", "C", "D", "E"), PinLevel.UTAMA),
    ],
)
def test_the_pin_rule_counts_whole_packages(complete: tuple[str, ...], level: PinLevel) -> None:
    assert PIN_RULE.level(complete, ALL) == level


def test_the_next_level_after_each_pin() -> None:
    assert PIN_RULE.next_level(None) == PinLevel.PURWA
    assert PIN_RULE.next_level(PinLevel.PURWA) == PinLevel.MADYA
    assert PIN_RULE.next_level(PinLevel.MADYA) == PinLevel.UTAMA
    assert PIN_RULE.next_level(PinLevel.UTAMA) is None


def test_the_seeded_curriculum_has_25_skills_in_5_packages(db: None) -> None:
    counts = {p: Skill.objects.filter(package=p).count() for p in ALL}
    assert counts == {"A": 4, "B": 7, "C": 6, "D": 3, "E": 5}


def test_a_kader_with_a_b_and_d_is_eligible_for_purwa_with_16_skills(city: City) -> None:
    kader = make_kader(city.posyandu_a)
    bidan = bidan_of(city.puskesmas_a)
    record_assessments(
        assessor=bidan,
        kader=kader,
        assessed_on=dt.date(2025, 2, 10),
        method=AssessmentMethod.PRACTICE,
        results=dict.fromkeys(skill_ids("A", "B", "D"), True),
    )
    profile = selectors.profiles([kader.pk])[kader.pk]
    # 4 + 7 + 3 skills; D is the smallest extra package.
    assert profile.competent_count == 14
    assert profile.complete_packages == {"A", "B", "D"}
    assert profile.reached == PinLevel.PURWA
    assert profile.eligible == PinLevel.PURWA
    # Madya next: the closest other package is E (5 skills) before C (6).
    assert profile.missing_for_next == ("E1", "E2", "E3", "E4", "E5")


def test_one_skill_missing_in_package_b_blocks_purwa(city: City) -> None:
    kader = make_kader(city.posyandu_a)
    bidan = bidan_of(city.puskesmas_a)
    results = dict.fromkeys(skill_ids("A", "B", "C"), True)
    results[Skill.objects.get(code="B7").pk] = False
    record_assessments(
        assessor=bidan,
        kader=kader,
        assessed_on=dt.date(2025, 2, 10),
        method=AssessmentMethod.PRACTICE,
        results=results,
    )
    profile = selectors.profiles([kader.pk])[kader.pk]
    assert profile.competent_count == 16
    assert profile.reached is None
    # C is whole already: B7 alone stands between this kader and Purwa.
    assert profile.missing_for_next == ("B7",)
    with pytest.raises(ValidationError):
        award_pin(user=bidan, kader=kader, awarded_on=dt.date(2025, 2, 11))


def test_the_latest_assessment_of_a_skill_stands(city: City) -> None:
    kader = make_kader(city.posyandu_a)
    bidan = bidan_of(city.puskesmas_a)
    a1 = Skill.objects.get(code="A1").pk
    august, february = dt.date(2025, 8, 12), dt.date(2025, 2, 10)
    record_assessments(
        assessor=bidan, kader=kader, assessed_on=august, method="praktik", results={a1: True}
    )
    # The February round typed in later does not undo August's result.
    record_assessments(
        assessor=bidan, kader=kader, assessed_on=february, method="praktik", results={a1: False}
    )
    state = KaderSkill.objects.get(kader=kader, skill_id=a1)
    assert (state.competent, state.assessed_on) == (True, august)
    assert kader.assessments.count() == 2


def test_a_pin_is_awarded_once_per_level_then_madya_after_another_package(city: City) -> None:
    kader = make_kader(city.posyandu_a)
    bidan = bidan_of(city.puskesmas_a)
    record_assessments(
        assessor=bidan,
        kader=kader,
        assessed_on=dt.date(2025, 2, 10),
        method="praktik",
        results=dict.fromkeys(skill_ids("A", "B", "E"), True),
    )
    purwa = award_pin(user=bidan, kader=kader, awarded_on=dt.date(2025, 2, 12))
    assert (purwa.level, purwa.puskesmas) == (PinLevel.PURWA, city.puskesmas_a)
    assert purwa.certificate_number == f"TKK/PURWA/2025/{kader.pk:06d}"
    assert purwa.rule_version == PIN_RULE.version_id
    profile = selectors.profiles([kader.pk])[kader.pk]
    assert (profile.held, profile.eligible) == (PinLevel.PURWA, None)
    with pytest.raises(ValidationError):
        award_pin(user=bidan, kader=kader, awarded_on=dt.date(2025, 2, 13))
    record_assessments(
        assessor=bidan,
        kader=kader,
        assessed_on=dt.date(2025, 8, 11),
        method="praktik",
        results=dict.fromkeys(skill_ids("D"), True),
    )
    madya = award_pin(user=bidan, kader=kader, awarded_on=dt.date(2025, 8, 12))
    assert madya.level == PinLevel.MADYA
    assert list(PinAward.objects.filter(kader=kader).values_list("level", flat=True)) == [
        "purwa",
        "madya",
    ]


def test_a_retired_skill_no_longer_counts_toward_its_package(city: City) -> None:
    kader = make_kader(city.posyandu_a)
    bidan = bidan_of(city.puskesmas_a)
    # A, B and C except C6; retiring C6 makes C whole without it.
    results = dict.fromkeys(skill_ids("A", "B", "C"), True)
    c6 = Skill.objects.get(code="C6")
    del results[c6.pk]
    record_assessments(
        assessor=bidan,
        kader=kader,
        assessed_on=dt.date(2025, 2, 10),
        method="praktik",
        results=results,
    )
    assert selectors.profiles([kader.pk])[kader.pk].reached is None
    Skill.objects.filter(pk=c6.pk).update(is_active=False)
    profile = selectors.profiles([kader.pk])[kader.pk]
    assert profile.reached == PinLevel.PURWA
    assert [(p.package, p.competent, p.total) for p in profile.packages][2] == ("C", 5, 5)


def test_only_puskesmas_staff_of_the_kader_area_assess(city: City) -> None:
    kader = make_kader(city.posyandu_a)
    a1 = {Skill.objects.get(code="A1").pk: True}
    day = dt.date(2025, 2, 10)
    with pytest.raises(Http404):
        record_assessments(
            assessor=bidan_of(city.puskesmas_b),
            kader=kader,
            assessed_on=day,
            method="praktik",
            results=a1,
        )
    with pytest.raises(PermissionDenied):
        record_assessments(
            assessor=kader_of(city.posyandu_a),
            kader=kader,
            assessed_on=day,
            method="praktik",
            results=a1,
        )
    admin = UserFactory(username="root_admin")
    record_assessments(assessor=admin, kader=kader, assessed_on=day, method="praktik", results=a1)
    # An administrator's assessment is the kader's own Puskesmas'.
    assert kader.assessments.get().puskesmas == city.puskesmas_a


def test_a_profile_as_it_stood_on_a_date(city: City) -> None:
    """A certificate printed later shows the skills of the day the pin was awarded."""
    kader = make_kader(city.posyandu_a)
    bidan = bidan_of(city.puskesmas_a)
    february, august = dt.date(2025, 2, 10), dt.date(2025, 8, 12)
    record_assessments(
        assessor=bidan,
        kader=kader,
        assessed_on=february,
        method="praktik",
        results=dict.fromkeys(skill_ids("A", "B", "D"), True),
    )
    award_pin(user=bidan, kader=kader, awarded_on=february)
    d1 = Skill.objects.get(code="D1").pk
    record_assessments(
        assessor=bidan,
        kader=kader,
        assessed_on=august,
        method="praktik",
        results={**dict.fromkeys(skill_ids("E"), True), d1: False},
    )
    then = selectors.profiles([kader.pk], on=february)[kader.pk]
    now = selectors.profiles([kader.pk])[kader.pk]
    assert (then.competent_count, then.complete_packages) == (14, {"A", "B", "D"})
    assert (now.competent_count, now.complete_packages) == (18, {"A", "B", "E"})
    assert then.held == now.held == PinLevel.PURWA
    assert selectors.profiles([kader.pk], on=dt.date(2025, 1, 1))[kader.pk].held is None
