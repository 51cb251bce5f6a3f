"""The per-Posyandu campaign counts kept up to date write by write equal a recount
from the targets, and every target follows its child's visits.

Hypothesis runs random sequences of the writes that change a target (open a
campaign, weigh inside or outside its window, correct or delete a visit,
transfer, mark moved or died or back, correct the birth date or the sex,
record a home visit's outcome) through the app's services, and after every
step compares the stored counts with a recount from the targets.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from posyandu.areas.hierarchy import Level, area_by_key, find_area
from posyandu.campaigns import counts
from posyandu.campaigns.models import Campaign, CampaignCount, CampaignTarget, HomeVisitOutcome
from posyandu.campaigns.services import NOT_MEASURED, _latest_visits, open_campaign, record_outcome
from posyandu.children.models import Child, ChildStatus, ChildTransfer
from posyandu.children.services import (
    ChildData,
    register_child,
    set_status,
    transfer_child,
    update_child,
)
from posyandu.growth.curves import measurement_at_z
from posyandu.measurements.models import Visit
from posyandu.measurements.services import (
    NeedsConfirmation,
    VisitValues,
    delete_visit,
    record_visit,
    update_visit,
)
from tests.factories import City, UserFactory, make_city

TODAY = dt.date.today()


class CampaignCountMachine(RuleBasedStateMachine):
    city: City

    def __init__(self) -> None:
        super().__init__()
        CampaignTarget.objects.all().delete()
        Campaign.objects.all().delete()
        Visit.objects.all().delete()
        ChildTransfer.objects.all().delete()
        Child.objects.all().delete()
        self.user = UserFactory(username="stateful_campaigns")
        self.places = [self.city.posyandu_a, self.city.posyandu_a2, self.city.posyandu_b]
        self.areas = [
            find_area(self.city.kota.code),
            area_by_key(f"{Level.PUSKESMAS}:{self.city.puskesmas_a.pk}"),
            area_by_key(f"{Level.POSYANDU}:{self.city.posyandu_b.pk}"),
        ]

    def children(self) -> list[Child]:
        return list(Child.objects.order_by("pk"))

    @rule(age_days=st.integers(0, 1700), sex=st.sampled_from([1, 2]), place=st.integers(0, 2))
    def register(self, age_days: int, sex: int, place: int) -> None:
        register_child(
            user=self.user,
            posyandu=self.places[place],
            data=ChildData(
                name=f"Anak {Child.objects.count()}",
                sex=sex,
                birth_date=TODAY - dt.timedelta(days=age_days),
                mother_name="Ibu",
            ),
        )

    @precondition(lambda self: Child.objects.exists())
    @rule(
        area=st.integers(0, 2),
        starts_days_ago=st.integers(0, 200),
        length_days=st.integers(0, 40),
    )
    def open(self, area: int, starts_days_ago: int, length_days: int) -> None:
        starts_on = TODAY - dt.timedelta(days=starts_days_ago)
        open_campaign(
            user=None,
            name=f"OT {Campaign.objects.count()}",
            area=self.areas[area],
            starts_on=starts_on,
            ends_on=starts_on + dt.timedelta(days=length_days),
        )

    @precondition(lambda self: Child.objects.exists())
    @rule(
        pick=st.integers(0, 1000),
        days_ago=st.integers(0, 250),
        kg=st.decimals("2.5", "20", places=1),
        cm=st.one_of(st.none(), st.decimals("45", "110", places=1)),
        oedema=st.booleans(),
        place=st.integers(0, 2),
    )
    def weigh(
        self,
        pick: int,
        days_ago: int,
        kg: Decimal,
        cm: Decimal | None,
        oedema: bool,
        place: int,
    ) -> None:
        child = self.children()[pick % Child.objects.count()]
        day = max(TODAY - dt.timedelta(days=days_ago), child.birth_date)
        with contextlib.suppress(ValidationError, NeedsConfirmation):
            record_visit(
                user=self.user,
                child=child,
                posyandu=self.places[place],
                values=VisitValues(measured_on=day, weight_kg=kg, height_cm=cm, oedema=oedema),
                confirm_warnings=True,
            )

    @precondition(lambda self: CampaignTarget.objects.exists())
    @rule(
        pick=st.integers(0, 1000),
        day_in_window=st.integers(0, 40),
        z_height=st.one_of(st.none(), st.floats(-4, 2)),
        z_weight=st.floats(-4, 2),
        oedema=st.booleans(),
    )
    def weigh_a_target(
        self, pick: int, day_in_window: int, z_height: float | None, z_weight: float, oedema: bool
    ) -> None:
        """Most visits on a random day miss every window: this one is inside one,
        with a plausible (sometimes short or thin) child."""
        targets = list(CampaignTarget.objects.select_related("campaign", "child").order_by("pk"))
        target = targets[pick % len(targets)]
        window, child = target.campaign, target.child
        day = min(window.starts_on + dt.timedelta(days=day_in_window), window.ends_on, TODAY)
        age_days = (day - child.birth_date).days
        if age_days < 0:
            return
        weight = measurement_at_z("wfa", child.sex, age_days, z_weight)
        height = (
            None if z_height is None else measurement_at_z("lhfa", child.sex, age_days, z_height)
        )
        with contextlib.suppress(ValidationError, NeedsConfirmation):
            record_visit(
                user=self.user,
                child=child,
                values=VisitValues(
                    measured_on=day,
                    weight_kg=Decimal(f"{float(weight):.1f}"),
                    height_cm=None if height is None else Decimal(f"{float(height):.1f}"),
                    oedema=oedema,
                ),
                confirm_warnings=True,
            )

    @precondition(lambda self: Visit.objects.exists())
    @rule(
        pick=st.integers(0, 1000),
        cm=st.one_of(st.none(), st.decimals("45", "110", places=1)),
        shift=st.integers(-40, 40),
    )
    def correct(self, pick: int, cm: Decimal | None, shift: int) -> None:
        visits = list(Visit.objects.order_by("pk"))
        visit = visits[pick % len(visits)]
        day = min(max(visit.measured_on + dt.timedelta(days=shift), visit.child.birth_date), TODAY)
        with contextlib.suppress(ValidationError):
            update_visit(
                user=self.user,
                visit=visit,
                version=visit.version,
                values=replace(VisitValues.of(visit), height_cm=cm, measured_on=day),
                confirm_warnings=True,
            )

    @precondition(lambda self: Visit.objects.exists())
    @rule(pick=st.integers(0, 1000))
    def delete(self, pick: int) -> None:
        visits = list(Visit.objects.order_by("pk"))
        visit = visits[pick % len(visits)]
        delete_visit(user=self.user, visit=visit, version=visit.version)

    @precondition(lambda self: Child.objects.exists())
    @rule(pick=st.integers(0, 1000), place=st.integers(0, 2), days_ago=st.integers(0, 250))
    def transfer(self, pick: int, place: int, days_ago: int) -> None:
        child = self.children()[pick % Child.objects.count()]
        last = (
            child.transfers.order_by("-transferred_on")
            .values_list("transferred_on", flat=True)
            .first()
        )
        on = max(TODAY - dt.timedelta(days=days_ago), child.birth_date, last or child.birth_date)
        with contextlib.suppress(ValidationError):
            transfer_child(
                user=self.user,
                child=child,
                version=child.version,
                to_posyandu=self.places[place],
                on=min(on, TODAY),
            )

    @precondition(lambda self: Child.objects.exists())
    @rule(
        pick=st.integers(0, 1000),
        status=st.sampled_from([ChildStatus.MOVED, ChildStatus.DIED, ChildStatus.ACTIVE]),
        days_ago=st.integers(0, 250),
    )
    def status(self, pick: int, status: ChildStatus, days_ago: int) -> None:
        child = self.children()[pick % Child.objects.count()]
        on = min(max(TODAY - dt.timedelta(days=days_ago), child.birth_date), TODAY)
        set_status(user=self.user, child=child, version=child.version, status=status, on=on)

    @precondition(lambda self: Child.objects.exists())
    @rule(pick=st.integers(0, 1000), earlier_days=st.integers(0, 120), flip_sex=st.booleans())
    def correct_identity(self, pick: int, earlier_days: int, flip_sex: bool) -> None:
        child = self.children()[pick % Child.objects.count()]
        data = replace(
            ChildData.of(child),
            birth_date=child.birth_date - dt.timedelta(days=earlier_days),
            sex=(3 - child.sex) if flip_sex else child.sex,
        )
        with contextlib.suppress(ValidationError):
            update_child(user=self.user, child=child, version=child.version, data=data)

    @precondition(lambda self: CampaignTarget.objects.filter(measured_on__isnull=True).exists())
    @rule(
        pick=st.integers(0, 1000),
        outcome=st.sampled_from(
            [
                HomeVisitOutcome.MOVED,
                HomeVisitOutcome.DIED,
                HomeVisitOutcome.REFUSED,
                HomeVisitOutcome.NOT_FOUND,
            ]
        ),
        days_ago=st.integers(0, 30),
    )
    def outcome(self, pick: int, outcome: HomeVisitOutcome, days_ago: int) -> None:
        targets = list(CampaignTarget.objects.filter(measured_on__isnull=True).order_by("pk"))
        target = targets[pick % len(targets)]
        on = max(TODAY - dt.timedelta(days=days_ago), target.child.birth_date)
        with contextlib.suppress(ValidationError):
            record_outcome(user=self.user, target=target, outcome=outcome, on=on)

    @invariant()
    def stored_counts_equal_a_recount_from_the_targets(self) -> None:
        assert counts.stored() == counts.recounted()

    @invariant()
    def every_target_holds_its_latest_visit_in_the_window(self) -> None:
        for target in CampaignTarget.objects.select_related("campaign"):
            found = _latest_visits(target.campaign, [target.child_id]).get(
                target.child_id, NOT_MEASURED
            )
            assert (target.visit_id, target.measured_on) == (found.visit_id, found.measured_on)
            assert {name: getattr(target, name) for name in found.screening} == found.screening


@pytest.mark.django_db
def test_campaign_counts_equal_a_recount_after_any_sequence_of_writes() -> None:
    CampaignCountMachine.city = make_city()
    run_state_machine_as_test(
        CampaignCountMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    # And the stored rows are what the rebuild itself writes.
    before = counts.stored()
    counts.rebuild()
    assert counts.stored() == before
    assert CampaignCount.objects.count() == len(before)
