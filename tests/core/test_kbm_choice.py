"""An administrator chooses the KBM table from a date; N/T follows it from that date on."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from posyandu.core.models import PolicyChoice
from posyandu.measurements.models import Visit
from tests.factories import ChildFactory, UserFactory, dinkes_of, kader_of, make_city, make_visit

pytestmark = pytest.mark.django_db


def _seven_month_old_gaining_350_g() -> Visit:
    city = make_city()
    child = ChildFactory(posyandu=city.posyandu_a, birth_date=dt.date(2025, 1, 10))
    kader = kader_of(city.posyandu_a)
    make_visit(child, dt.date(2025, 7, 12), weight_kg="7.50", user=kader)
    make_visit(child, dt.date(2025, 8, 12), weight_kg="7.85", user=kader)
    return Visit.objects.get(child=child, period=dt.date(2025, 8, 1))


def test_the_newest_kbm_table_is_used_until_an_admin_chooses_another() -> None:
    visit = _seven_month_old_gaining_350_g()
    # KIA 2023: 300 g at 7 months, so +350 g is N.
    assert (visit.kbm_g, visit.weight_gain_g, visit.weight_gain) == (300, 350, "N")


def test_a_stored_choice_and_the_recompute_command_turn_the_same_gain_into_t() -> None:
    visit = _seven_month_old_gaining_350_g()
    PolicyChoice.objects.create(
        policy="kbm", version_id="kms-2008", in_force_from=dt.date(2025, 1, 1)
    )
    out = io.StringIO()
    call_command("recompute_weight_gain", stdout=out)
    visit.refresh_from_db()
    # KMS 2008: 400 g at 7 months.
    assert (visit.kbm_g, visit.weight_gain_g, visit.weight_gain) == (400, 350, "T")
    assert "1 kunjungan berubah" in out.getvalue()


def test_dinkes_chooses_the_2008_table_on_the_policy_page_and_later_visits_are_recomputed() -> None:
    visit = _seven_month_old_gaining_350_g()
    dinkes = dinkes_of(visit.child.posyandu.kelurahan.kecamatan.kota, username="dinkes_aturan")
    client = Client()
    client.force_login(dinkes)
    page = client.get(reverse("administration:policy")).content.decode()
    assert "kia-2023" in page and "kms-2008" in page
    response = client.post(
        reverse("administration:policy"),
        {
            "policy": "kbm",
            "version_id": "kms-2008",
            "in_force_from": "01/08/2025",
            "note": "Surat edaran Dinkes",
        },
        follow=True,
    )
    assert "1 kunjungan dihitung ulang" in response.content.decode()
    visit.refresh_from_db()
    assert (visit.kbm_g, visit.weight_gain) == (400, "T")
    choice = PolicyChoice.objects.get()
    assert (choice.chosen_by, choice.chosen_by_name, choice.note) == (
        dinkes,
        "dinkes_aturan",
        "Surat edaran Dinkes",
    )


def test_a_choice_from_a_later_date_leaves_earlier_visits_as_they_were_judged() -> None:
    visit = _seven_month_old_gaining_350_g()
    admin = UserFactory(username="admin_aturan")
    client = Client()
    client.force_login(admin)
    client.post(
        reverse("administration:policy"),
        {"policy": "kbm", "version_id": "kms-2008", "in_force_from": "13/08/2025"},
    )
    visit.refresh_from_db()
    assert (visit.kbm_g, visit.weight_gain) == (300, "N")


def test_the_policy_page_is_hidden_from_roles_that_do_not_manage_policy() -> None:
    city = make_city()
    client = Client()
    client.force_login(kader_of(city.posyandu_a))
    assert client.get(reverse("administration:policy")).status_code == 404


def test_the_django_admin_lists_choices_read_only(admin_client) -> None:
    PolicyChoice.objects.create(
        policy="kbm", version_id="kms-2008", in_force_from=dt.date(2025, 1, 1)
    )
    assert admin_client.get("/admin/core/policychoice/").status_code == 200
    assert admin_client.get("/admin/core/policychoice/add/").status_code == 403
