"""The monthly aggregates kept up to date write by write equal a rebuild from scratch.

Hypothesis runs random sequences of the writes that change them (register,
weigh, correct, delete a visit, transfer, mark moved or died or back, correct
the birth date or the sex) through the app's services, and after every step
compares the table with what a rebuild from the registry and the visits gives.
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

from posyandu.children.models import Child, ChildStatus, ChildTransfer
from posyandu.children.services import (
    ChildData,
    register_child,
    set_status,
    transfer_child,
    update_child,
)
from posyandu.measurements.models import Visit
from posyandu.measurements.services import (
    NeedsConfirmation,
    VisitValues,
    delete_visit,
    record_visit,
    update_visit,
)
from posyandu.reports.aggregates import computed_counts, rebuild, stored_counts
from posyandu.reports.models import MonthlyAggregate, PrevalenceCell
from tests.factories import City, UserFactory, make_city

TODAY = dt.date.today()


class AggregateMachine(RuleBasedStateMachine):
    city: City

    def __init__(self) -> None:
        super().__init__()
        Visit.objects.all().delete()
        ChildTransfer.objects.all().delete()
        Child.objects.all().delete()
        MonthlyAggregate.objects.all().delete()
        PrevalenceCell.objects.all().delete()
        self.user = UserFactory(username="stateful_admin")
        self.places = [self.city.posyandu_a, self.city.posyandu_a2, self.city.posyandu_b]

    def children(self) -> list[Child]:
        return list(Child.objects.order_by("pk"))

    @rule(
        age_days=st.integers(0, 1700),
        sex=st.sampled_from([1, 2]),
        place=st.integers(0, 2),
    )
    def register(self, age_days: int, sex: int, place: int) -> None:
        register_child(
            user=self.user,
            posyandu=self.places[place],
            data=ChildData(
                name=f"Anak {Child.objects.count()}",
                sex=sex,
                birth_date=TODAY - dt.timedelta(days=age_days),
                mother_name="Ibu",
                has_kia_book=age_days % 3 != 0,
            ),
        )

    @precondition(lambda self: Child.objects.exists())
    @rule(
        pick=st.integers(0, 1000),
        days_after_birth=st.integers(0, 1800),
        kg=st.decimals("2.5", "20", places=1),
        cm=st.one_of(st.none(), st.decimals("45", "110", places=1)),
        place=st.integers(0, 2),
    )
    def weigh(
        self, pick: int, days_after_birth: int, kg: Decimal, cm: Decimal | None, place: int
    ) -> None:
        child = self.children()[pick % Child.objects.count()]
        day = min(child.birth_date + dt.timedelta(days=days_after_birth), TODAY)
        with contextlib.suppress(ValidationError, NeedsConfirmation):
            record_visit(
                user=self.user,
                child=child,
                posyandu=self.places[place],
                values=VisitValues(measured_on=day, weight_kg=kg, height_cm=cm),
                confirm_warnings=True,
            )

    @precondition(lambda self: Visit.objects.exists())
    @rule(
        pick=st.integers(0, 1000), kg=st.decimals("2.5", "20", places=1), shift=st.integers(-40, 40)
    )
    def correct(self, pick: int, kg: Decimal, shift: int) -> None:
        visits = list(Visit.objects.order_by("pk"))
        visit = visits[pick % len(visits)]
        day = min(max(visit.measured_on + dt.timedelta(days=shift), visit.child.birth_date), TODAY)
        with contextlib.suppress(ValidationError):
            update_visit(
                user=self.user,
                visit=visit,
                version=visit.version,
                values=replace(VisitValues.of(visit), weight_kg=kg, measured_on=day),
                confirm_warnings=True,
            )

    @precondition(lambda self: Visit.objects.exists())
    @rule(pick=st.integers(0, 1000))
    def delete(self, pick: int) -> None:
        visits = list(Visit.objects.order_by("pk"))
        visit = visits[pick % len(visits)]
        delete_visit(user=self.user, visit=visit, version=visit.version)

    @precondition(lambda self: Child.objects.exists())
    @rule(pick=st.integers(0, 1000), place=st.integers(0, 2), days_ago=st.integers(0, 900))
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
        days_ago=st.integers(0, 900),
    )
    def status(self, pick: int, status: ChildStatus, days_ago: int) -> None:
        child = self.children()[pick % Child.objects.count()]
        on = min(max(TODAY - dt.timedelta(days=days_ago), child.birth_date), TODAY)
        set_status(user=self.user, child=child, version=child.version, status=status, on=on)

    @precondition(lambda self: Child.objects.exists())
    @rule(pick=st.integers(0, 1000), earlier_days=st.integers(0, 120), flip_sex=st.booleans())
    def correct_identity(self, pick: int, earlier_days: int, flip_sex: bool) -> None:
        child = self.children()[pick % Child.objects.count()]
        data = ChildData.of(child)
        data = replace(
            data,
            birth_date=child.birth_date - dt.timedelta(days=earlier_days),
            sex=(3 - child.sex) if flip_sex else child.sex,
        )
        with contextlib.suppress(ValidationError):
            update_child(user=self.user, child=child, version=child.version, data=data)

    @invariant()
    def incremental_equals_rebuilt(self) -> None:
        assert stored_counts() == computed_counts()


@pytest.mark.django_db
def test_incremental_aggregates_equal_a_rebuild_after_any_sequence_of_writes() -> None:
    AggregateMachine.city = make_city()
    run_state_machine_as_test(
        AggregateMachine,
        settings=settings(
            max_examples=30,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    # And the stored table is what the rebuild command itself writes.
    before = stored_counts()
    rebuild()
    assert stored_counts() == before
