"""Saving visits: stored z-scores, N/T/O/B across months, one visit a month, retries."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from posyandu.growth import compute_zscores
from posyandu.measurements.models import Visit
from posyandu.measurements.services import (
    NeedsConfirmation,
    VisitValues,
    record_visit,
    update_visit,
)

pytestmark = pytest.mark.django_db


def weigh(child, user, day: dt.date, kg: str, **extra) -> Visit:
    return record_visit(
        user=user, child=child, values=VisitValues(measured_on=day, weight_kg=Decimal(kg)), **extra
    )


def test_record_visit_stores_the_engines_zscores_for_the_same_inputs(siti, kader):
    visit = record_visit(
        user=kader,
        child=siti,
        values=VisitValues(
            measured_on=dt.date(2025, 1, 20),
            weight_kg=Decimal("8.9"),
            height_cm=Decimal("74.5"),
            position="l",
            head_cm=Decimal("44.0"),
        ),
    )
    age_days = (dt.date(2025, 1, 20) - dt.date(2024, 1, 15)).days
    engine = compute_zscores(
        sex=[2],
        age_days=[age_days],
        weight_kg=[8.9],
        height_cm=[74.5],
        measure=["l"],
        head_cm=[44.0],
    )
    assert visit.age_days == age_days == 371
    for ind in ("wfa", "lhfa", "wflh", "bfa", "hcfa"):
        assert getattr(visit, f"z_{ind}") == pytest.approx(float(engine[f"z_{ind}"][0]))
    assert visit.cat_lhfa == "normal"
    assert visit.cat_wflh == "gizi_baik"


def test_first_weighing_is_b_then_n_when_the_gain_reaches_the_kbm(siti, kader):
    first = weigh(siti, kader, dt.date(2024, 6, 15), "7.0")
    second = weigh(siti, kader, dt.date(2024, 7, 15), "7.5")
    first.refresh_from_db()
    assert first.weight_gain == "B"
    # 15/07/2024 the girl is 6 completed months old: KBM 400 g (KIA 2023).
    assert (second.weight_gain, second.weight_gain_g, second.kbm_g) == ("N", 500, 400)


def test_gain_below_the_kbm_is_t_and_two_t_months_in_a_row_are_2t(siti, kader):
    weigh(siti, kader, dt.date(2024, 6, 15), "7.0")
    weigh(siti, kader, dt.date(2024, 7, 15), "7.5")
    august = weigh(siti, kader, dt.date(2024, 8, 15), "7.6")
    september = weigh(siti, kader, dt.date(2024, 9, 15), "7.6")
    assert (august.weight_gain, august.weight_gain_g, august.kbm_g) == ("T", 100, 300)
    assert august.is_2t is False
    assert (september.weight_gain, september.weight_gain_g) == ("T", 0)
    assert september.is_2t is True


def test_weighing_after_a_skipped_month_is_o(siti, kader):
    weigh(siti, kader, dt.date(2024, 6, 15), "7.0")
    november = weigh(siti, kader, dt.date(2024, 8, 10), "7.8")
    assert (november.weight_gain, november.weight_gain_g, november.kbm_g) == ("O", None, None)


def test_a_late_visit_for_an_earlier_month_updates_the_next_months_status(siti, kader):
    weigh(siti, kader, dt.date(2024, 6, 15), "7.0")
    august = weigh(siti, kader, dt.date(2024, 8, 15), "7.6")
    assert august.weight_gain == "O"
    july = weigh(siti, kader, dt.date(2024, 7, 15), "7.3")
    august.refresh_from_db()
    assert (july.weight_gain, july.weight_gain_g) == ("T", 300)
    assert (august.weight_gain, august.weight_gain_g, august.kbm_g) == ("N", 300, 300)


def test_correcting_a_weight_updates_the_next_months_status(siti, kader):
    july = weigh(siti, kader, dt.date(2024, 7, 15), "7.0")
    august = weigh(siti, kader, dt.date(2024, 8, 15), "7.4")
    assert august.weight_gain == "N"
    update_visit(
        user=kader,
        visit=july,
        version=july.version,
        values=replace(VisitValues.of(july), weight_kg=Decimal("7.3")),
    )
    august.refresh_from_db()
    assert (august.weight_gain, august.weight_gain_g) == ("T", 100)


def test_a_child_has_only_one_visit_per_month(siti, kader):
    weigh(siti, kader, dt.date(2024, 6, 3), "7.0")
    with pytest.raises(ValidationError) as err:
        weigh(siti, kader, dt.date(2024, 6, 28), "7.1")
    assert "sudah ditimbang bulan ini (03/06/2024)" in str(err.value.message_dict["measured_on"])
    assert Visit.objects.filter(child=siti).count() == 1


def test_a_retry_with_the_same_client_id_returns_the_saved_visit(siti, kader):
    client_id = uuid.uuid4()
    first = weigh(siti, kader, dt.date(2024, 6, 15), "7.0", client_id=client_id)
    again = weigh(siti, kader, dt.date(2024, 6, 15), "7.0", client_id=client_id)
    assert again.pk == first.pk
    assert Visit.objects.filter(child=siti).count() == 1


def test_an_implausible_weight_needs_confirmation_and_is_then_marked_confirmed(siti, kader):
    with pytest.raises(NeedsConfirmation) as err:
        weigh(siti, kader, dt.date(2024, 7, 15), "19.0")
    assert [w.code for w in err.value.assessment.warnings] == ["implausible_wfa"]
    visit = weigh(siti, kader, dt.date(2024, 7, 15), "19.0", confirm_warnings=True)
    assert visit.warnings_confirmed is True
    assert visit.warnings[0]["code"] == "implausible_wfa"


def test_weight_under_one_month_compared_with_last_month_is_o_not_t(kader, city):
    from tests.factories import ChildFactory

    baby = ChildFactory(birth_date=dt.date(2024, 5, 20), posyandu=city.posyandu_a)
    weigh(baby, kader, dt.date(2024, 5, 25), "3.2")
    june = weigh(baby, kader, dt.date(2024, 6, 10), "3.4")
    assert (june.weight_gain, june.kbm_g) == ("O", None)
