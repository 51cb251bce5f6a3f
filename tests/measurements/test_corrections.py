"""Corrections never leave stale growth results, and retries never hide a lost edit."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from posyandu.children.services import ChildData, update_child
from posyandu.core.models import AuditLog
from posyandu.growth import compute_zscores
from posyandu.measurements.models import Visit
from posyandu.measurements.services import VisitValues, open_session, record_visit, update_visit
from tests.factories import ChildFactory

pytestmark = pytest.mark.django_db


def test_correcting_the_birth_date_recomputes_age_zscores_and_categories_of_every_visit(
    siti, kader
):
    visit = record_visit(
        user=kader,
        child=siti,
        values=VisitValues(
            measured_on=dt.date(2025, 1, 20),
            weight_kg=Decimal("8.0"),
            height_cm=Decimal("72.0"),
            position="l",
        ),
    )
    assert (visit.age_days, visit.cat_lhfa) == (371, "normal")

    update_child(
        user=kader,
        child=siti,
        version=siti.version,
        data=replace(ChildData.of(siti), birth_date=dt.date(2023, 1, 15)),
    )

    visit.refresh_from_db()
    engine = compute_zscores(
        sex=[2], age_days=[736], weight_kg=[8.0], height_cm=[72.0], measure=["l"]
    )
    assert visit.age_days == 736
    assert visit.z_lhfa == pytest.approx(float(engine["z_lhfa"][0]))
    assert visit.z_wfa == pytest.approx(float(engine["z_wfa"][0]))
    assert visit.cat_lhfa == "sangat_pendek"
    assert visit.is_bgm is True
    assert AuditLog.objects.filter(object_id=str(siti.pk), changes__visits_reassessed=1).exists()


def test_correcting_the_sex_recomputes_the_zscores(siti, kader):
    visit = record_visit(
        user=kader,
        child=siti,
        values=VisitValues(measured_on=dt.date(2025, 1, 20), weight_kg=Decimal("8.0")),
    )
    update_child(
        user=kader, child=siti, version=siti.version, data=replace(ChildData.of(siti), sex=1)
    )
    visit.refresh_from_db()
    engine = compute_zscores(sex=[1], age_days=[371], weight_kg=[8.0])
    assert visit.z_wfa == pytest.approx(float(engine["z_wfa"][0]))


def test_a_birth_date_after_the_first_weighing_is_refused(siti, kader):
    record_visit(
        user=kader,
        child=siti,
        values=VisitValues(measured_on=dt.date(2024, 3, 10), weight_kg=Decimal("5.0")),
    )
    with pytest.raises(ValidationError) as excinfo:
        update_child(
            user=kader,
            child=siti,
            version=siti.version,
            data=replace(ChildData.of(siti), birth_date=dt.date(2024, 4, 1)),
        )
    assert "10/03/2024" in str(excinfo.value)
    siti.refresh_from_db()
    assert siti.birth_date == dt.date(2024, 1, 15)


def test_a_resent_form_returns_the_saved_visit_but_a_changed_resend_is_refused(siti, kader):
    form_id = uuid.uuid4()
    first = record_visit(
        user=kader,
        child=siti,
        client_id=form_id,
        values=VisitValues(measured_on=dt.date(2025, 1, 20), weight_kg=Decimal("8.0")),
    )
    again = record_visit(
        user=kader,
        child=siti,
        client_id=form_id,
        values=VisitValues(measured_on=dt.date(2025, 1, 20), weight_kg=Decimal("8.00")),
    )
    assert again.pk == first.pk
    with pytest.raises(ValidationError) as excinfo:
        record_visit(
            user=kader,
            child=siti,
            client_id=form_id,
            values=VisitValues(measured_on=dt.date(2025, 1, 20), weight_kg=Decimal("8.6")),
        )
    assert "sudah tersimpan" in str(excinfo.value)
    assert Visit.objects.get(pk=first.pk).weight_kg == Decimal("8.00")


def test_a_form_id_of_another_child_never_returns_that_childs_visit(siti, kader, city):
    form_id = uuid.uuid4()
    record_visit(
        user=kader,
        child=siti,
        client_id=form_id,
        values=VisitValues(measured_on=dt.date(2025, 1, 20), weight_kg=Decimal("8.0")),
    )
    other = ChildFactory(posyandu=city.posyandu_a, birth_date=dt.date(2024, 2, 1))
    with pytest.raises(ValidationError) as excinfo:
        record_visit(
            user=kader,
            child=other,
            client_id=form_id,
            values=VisitValues(measured_on=dt.date(2025, 1, 20), weight_kg=Decimal("8.0")),
        )
    assert "anak lain" in str(excinfo.value)
    assert not Visit.objects.filter(child=other).exists()


def test_a_visit_must_fall_in_the_month_of_its_opening_day(siti, kader, city):
    session = open_session(user=kader, posyandu=city.posyandu_a, date=dt.date(2025, 1, 20))
    with pytest.raises(ValidationError) as excinfo:
        record_visit(
            user=kader,
            child=siti,
            session=session,
            values=VisitValues(measured_on=dt.date(2025, 3, 20), weight_kg=Decimal("8.0")),
        )
    assert "20/01/2025" in str(excinfo.value)


def test_moving_a_visit_to_another_month_unlinks_it_from_its_opening_day(siti, kader, city):
    session = open_session(user=kader, posyandu=city.posyandu_a, date=dt.date(2025, 1, 20))
    visit = record_visit(
        user=kader,
        child=siti,
        session=session,
        values=VisitValues(measured_on=dt.date(2025, 1, 20), weight_kg=Decimal("8.0")),
    )
    moved = update_visit(
        user=kader,
        visit=visit,
        version=visit.version,
        values=replace(VisitValues.of(visit), measured_on=dt.date(2025, 2, 3)),
    )
    assert (moved.period, moved.session_id) == (dt.date(2025, 2, 1), None)
