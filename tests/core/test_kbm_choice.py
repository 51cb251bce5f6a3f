"""An administrator chooses the KBM table; N/T follows it."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from posyandu.core.models import SystemSettings
from posyandu.measurements.models import Visit
from posyandu.measurements.services import record_visit
from tests.factories import ChildFactory, kader_of, make_city

pytestmark = pytest.mark.django_db


def _seven_month_old_gaining_350_g() -> Visit:
    city = make_city()
    child = ChildFactory(posyandu=city.posyandu_a, birth_date=dt.date(2025, 1, 10))
    kader = kader_of(city.posyandu_a)
    for day, kg in [(dt.date(2025, 7, 12), "7.50"), (dt.date(2025, 8, 12), "7.85")]:
        record_visit(
            user=kader, child=child, measured_on=day, weight_kg=Decimal(kg), confirm_warnings=True
        )
    return Visit.objects.get(child=child, period=dt.date(2025, 8, 1))


def test_the_newest_kbm_table_is_used_until_an_admin_chooses_another() -> None:
    visit = _seven_month_old_gaining_350_g()
    # KIA 2023: 300 g at 7 months, so +350 g is N.
    assert (visit.kbm_g, visit.weight_gain_g, visit.weight_gain) == (300, 350, "N")


def test_choosing_the_2008_kms_table_and_recomputing_turns_the_same_gain_into_t() -> None:
    visit = _seven_month_old_gaining_350_g()
    SystemSettings.objects.create(kbm_version="kms-2008")
    call_command("recompute_weight_gain", stdout=io.StringIO())
    visit.refresh_from_db()
    # KMS 2008: 400 g at 7 months.
    assert (visit.kbm_g, visit.weight_gain_g, visit.weight_gain) == (400, 350, "T")


def test_the_admin_page_offers_both_kbm_tables(admin_client) -> None:
    html = admin_client.get("/admin/core/systemsettings/add/").content.decode()
    assert "kia-2023" in html
    assert "kms-2008" in html
