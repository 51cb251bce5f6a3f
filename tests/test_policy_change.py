"""A policy change from a date changes N/T/2T for visits from that date on, and only
those, in the app and in the demo generator alike (one rule, one implementation)."""

from __future__ import annotations

import datetime as dt

import pytest

from posyandu.core import policy_in_force
from posyandu.core.models import PolicyChoice, PolicyKey
from posyandu.demo.generator import generate
from posyandu.growth.weight_gain import completed_months
from posyandu.measurements.models import Visit
from posyandu.measurements.services import recompute_weight_gain
from posyandu.policy import KBM_SCHEDULE, TWO_T_RULE, Schedule, TwoTRule
from tests.factories import ChildFactory, make_city, make_visit

pytestmark = pytest.mark.django_db

SWITCH = dt.date(2025, 3, 1)

THREE_T: TwoTRule = TwoTRule(
    version_id="test-3t",
    start_date=SWITCH,
    source="a stricter rule, for this test only",
    consecutive_months=3,
)


@pytest.fixture
def three_t_from_march_2025(monkeypatch: pytest.MonkeyPatch) -> None:
    """A ministry ships a new 2T rule: three T in a row, from 1 March 2025."""
    schedules = dict(policy_in_force.SCHEDULES)
    schedules[PolicyKey.TWO_T] = Schedule("two_t", (TWO_T_RULE, THREE_T))
    monkeypatch.setattr(policy_in_force, "SCHEDULES", schedules)


def _child_with_five_months_of_too_little_gain() -> list[Visit]:
    """A 2-year-old gaining 50 g a month (KBM 200 g) from November 2024 to March 2025."""
    city = make_city()
    child = ChildFactory(posyandu=city.posyandu_a, birth_date=dt.date(2022, 11, 5))
    kg = 11.0
    for day in [
        dt.date(2024, 11, 10),
        dt.date(2024, 12, 10),
        dt.date(2025, 1, 10),
        dt.date(2025, 2, 10),
        dt.date(2025, 3, 10),
        dt.date(2025, 4, 10),
    ]:
        make_visit(child, day, weight_kg=f"{kg:.2f}")
        kg += 0.05
    return list(Visit.objects.filter(child=child).order_by("period"))


def test_a_new_2t_rule_applies_from_its_date_and_leaves_earlier_months_alone(
    three_t_from_march_2025: None,
) -> None:
    visits = _child_with_five_months_of_too_little_gain()
    assert [v.weight_gain for v in visits] == ["B", "T", "T", "T", "T", "T"]
    # Before March: two T in a row are 2T (December's T is the first). From
    # March: three are needed, and March, April each end a run of 4 and 5.
    assert [v.is_2t for v in visits] == [False, False, True, True, True, True]


def test_the_2t_rule_from_a_date_only_changes_runs_that_end_after_it(
    three_t_from_march_2025: None,
) -> None:
    city = make_city()
    child = ChildFactory(posyandu=city.posyandu_a, birth_date=dt.date(2022, 11, 5))
    # N in January and February, then T in March and April: under the old rule
    # April would be 2T; under the rule in force then (three T), it is not.
    for day, kg in [
        (dt.date(2025, 1, 10), "11.00"),
        (dt.date(2025, 2, 10), "11.30"),
        (dt.date(2025, 3, 10), "11.35"),
        (dt.date(2025, 4, 10), "11.40"),
    ]:
        make_visit(child, day, weight_kg=kg)
    visits = list(Visit.objects.filter(child=child).order_by("period"))
    assert [v.weight_gain for v in visits] == ["B", "N", "T", "T"]
    assert [v.is_2t for v in visits] == [False, False, False, False]


def test_a_kbm_choice_from_a_date_rejudges_only_the_visits_from_that_date() -> None:
    city = make_city()
    # Two children each gaining 350 g at 7 months, one in August (before the
    # switch) and one in September (after it): N by KIA 2023 (300 g), T by
    # KMS 2008 (400 g).
    early = ChildFactory(posyandu=city.posyandu_a, birth_date=dt.date(2025, 1, 10))
    late = ChildFactory(posyandu=city.posyandu_a, birth_date=dt.date(2025, 2, 10))
    make_visit(early, dt.date(2025, 7, 12), weight_kg="7.50")
    make_visit(early, dt.date(2025, 8, 12), weight_kg="7.85")
    make_visit(late, dt.date(2025, 8, 12), weight_kg="7.50")
    make_visit(late, dt.date(2025, 9, 12), weight_kg="7.85")
    PolicyChoice.objects.create(
        policy=PolicyKey.KBM, version_id="kms-2008", in_force_from=dt.date(2025, 9, 1)
    )

    changed = recompute_weight_gain(since=dt.date(2025, 9, 1))

    assert changed == 1
    early_august = Visit.objects.get(child=early, period=dt.date(2025, 8, 1))
    late_september = Visit.objects.get(child=late, period=dt.date(2025, 9, 1))
    assert (early_august.kbm_g, early_august.weight_gain) == (300, "N")
    assert (late_september.kbm_g, late_september.weight_gain) == (400, "T")


def test_a_new_visit_after_a_choice_is_judged_by_the_chosen_table_at_once() -> None:
    PolicyChoice.objects.create(
        policy=PolicyKey.KBM, version_id="kms-2008", in_force_from=dt.date(2025, 1, 1)
    )
    city = make_city()
    child = ChildFactory(posyandu=city.posyandu_a, birth_date=dt.date(2025, 1, 10))
    make_visit(child, dt.date(2025, 7, 12), weight_kg="7.50")
    august = make_visit(child, dt.date(2025, 8, 12), weight_kg="7.85")
    assert (august.kbm_g, august.weight_gain) == (400, "T")


def test_the_demo_generator_follows_the_rules_in_force_on_each_visit_date() -> None:
    today = dt.date(2026, 6, 20)
    switch = dt.date(2025, 12, 1)
    PolicyChoice.objects.create(policy=PolicyKey.KBM, version_id="kms-2008", in_force_from=switch)
    generate(children=150, seed=3, today=today)
    # What the app's own service computes for every visit is what the demo stored.
    assert recompute_weight_gain() == 0
    kms, kia = KBM_SCHEDULE.version("kms-2008"), KBM_SCHEDULE.version("kia-2023")
    judged = Visit.objects.filter(kbm_g__isnull=False).select_related("child")
    seen = {"before": 0, "after": 0}
    for visit in judged:
        months = int(completed_months(visit.child.birth_date, visit.measured_on))
        table = kms if visit.measured_on >= switch else kia
        assert visit.kbm_g == table.grams_for_month(months)
        seen["after" if visit.measured_on >= switch else "before"] += 1
    assert seen["before"] > 0 and seen["after"] > 0
