"""The kader's entry form: decimal comma, bad input, confirmation, retries, conflicts."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from posyandu.measurements.models import PosyanduSession, Visit
from posyandu.measurements.services import VisitValues, record_visit

pytestmark = pytest.mark.django_db


def entry(**overrides: str) -> dict[str, str]:
    data = {
        "measured_on": "2024-07-15",
        "weight_kg": "7,5",
        "height_cm": "66,2",
        "position": "l",
        "client_id": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def new_visit_url(child, session=None) -> str:
    url = reverse("measurements:visit_new", args=[child.pk])
    return f"{url}?sesi={session.pk}" if session else url


def test_the_new_visit_form_defaults_to_today_lying_and_a_fresh_client_id(kader_client, siti):
    response = kader_client.get(new_visit_url(siti))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in html
    assert re.search(r'name="client_id" value="[0-9a-f-]{36}"', html)
    # Siti is over 2 years old today, so she is measured standing by default.
    assert re.search(r'value="h"[^>]*checked', html)


def test_a_weight_with_a_decimal_comma_is_saved_as_a_decimal(kader_client, siti):
    response = kader_client.post(new_visit_url(siti), entry(weight_kg="7,45"))
    assert response.status_code == 302
    visit = Visit.objects.get(child=siti)
    assert visit.weight_kg == Decimal("7.45")
    assert visit.height_cm == Decimal("66.2")


def test_after_saving_the_kader_sees_nt_and_the_categories(kader_client, siti, kader):
    record_visit(
        user=kader,
        child=siti,
        values=VisitValues(measured_on=dt.date(2024, 6, 15), weight_kg=Decimal("7")),
    )
    response = kader_client.post(new_visit_url(siti), entry(), follow=True)
    html = response.content.decode()
    assert "Tersimpan: Siti Aminah, 15/07/2024." in html
    assert "N (naik) +500 g, KBM 400 g" in html
    assert "BB/U: Berat badan normal" in html
    assert "PB/U: Normal" in html


def test_the_visit_date_is_the_phones_date_picker_not_a_number_pad_without_a_slash(
    kader_client, siti
):
    html = kader_client.get(new_visit_url(siti)).content.decode()
    box = re.search(r'<input[^>]*name="measured_on"[^>]*>', html)
    assert box is not None
    assert 'type="date"' in box.group()
    assert "inputmode" not in box.group()


@pytest.mark.parametrize("typed", ["15/07/2024", "2024-07-15", "15-07-2024", "15.07.2024"])
def test_the_visit_date_is_read_as_day_month_year_or_iso(kader_client, siti, typed):
    response = kader_client.post(new_visit_url(siti), entry(measured_on=typed))
    assert response.status_code == 302
    assert Visit.objects.get(child=siti).measured_on == dt.date(2024, 7, 15)


def test_saving_from_a_session_goes_back_to_the_weighing_table(kader_client, siti, city):
    session = PosyanduSession.objects.create(posyandu=city.posyandu_a, date=dt.date(2024, 7, 15))
    response = kader_client.post(new_visit_url(siti, session), entry())
    assert response.status_code == 302
    assert response["Location"] == reverse("measurements:session", args=[session.pk])
    assert Visit.objects.get(child=siti).session == session


def test_the_session_date_is_the_default_visit_date(kader_client, siti, city):
    session = PosyanduSession.objects.create(posyandu=city.posyandu_a, date=dt.date(2024, 7, 15))
    html = kader_client.get(new_visit_url(siti, session)).content.decode()
    assert 'value="2024-07-15"' in html
    assert re.search(r'value="l"[^>]*checked', html)


def test_resubmitting_the_same_form_does_not_duplicate_the_visit(kader_client, siti):
    data = entry()
    first = kader_client.post(new_visit_url(siti), data)
    again = kader_client.post(new_visit_url(siti), data)
    assert first.status_code == again.status_code == 302
    assert Visit.objects.filter(child=siti).count() == 1


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("weight_kg", "tujuh", "Berat badan harus berupa angka, misalnya 10,4."),
        ("weight_kg", "999", "999 tidak mungkin; isi antara 0,5 dan 40."),
        ("height_cm", "6x,2", "Panjang/tinggi badan harus berupa angka, misalnya 78,5."),
        ("measured_on", "2023-12-01", "Tanggal pengukuran sebelum tanggal lahir anak (15/01/2024)"),
        ("measured_on", "31/02/2024", "Tanggal tidak dikenali: tulis seperti 15/03/2025."),
        ("weight_kg", "7,456", "Paling banyak 2 angka di belakang koma."),
    ],
)
def test_bad_input_gets_an_indonesian_message_and_keeps_what_was_typed(
    kader_client, siti, field, typed, message
):
    data = entry(**{field: typed}, head_cm="43,1", muac_cm="13,5")
    response = kader_client.post(new_visit_url(siti), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert f'value="{typed}"' in html
    for kept in ("43,1", "13,5", data["client_id"]):
        assert f'value="{kept}"' in html
    assert not Visit.objects.exists()


def test_a_visit_date_in_the_future_is_refused(kader_client, siti):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = kader_client.post(new_visit_url(siti), entry(measured_on=f"{tomorrow:%Y-%m-%d}"))
    assert "Tanggal pengukuran tidak boleh di masa depan." in response.content.decode()
    assert not Visit.objects.exists()


def test_a_form_without_weight_or_length_asks_for_one(kader_client, siti):
    response = kader_client.post(new_visit_url(siti), entry(weight_kg="", height_cm=""))
    assert "Isi minimal berat badan atau panjang/tinggi badan." in response.content.decode()


def test_a_second_visit_in_the_same_month_is_refused_with_the_date_of_the_first(
    kader_client, siti, kader
):
    first = record_visit(
        user=kader,
        child=siti,
        values=VisitValues(measured_on=dt.date(2024, 7, 2), weight_kg=Decimal("7")),
    )
    response = kader_client.post(new_visit_url(siti), entry())
    html = response.content.decode()
    assert "Siti Aminah sudah ditimbang bulan ini (02/07/2024)." in html
    # ... with a link to the visit to correct instead.
    assert f'href="{reverse("measurements:visit_edit", args=[first.pk])}"' in html


def test_implausible_values_are_shown_back_for_confirmation_then_saved(kader_client, siti):
    data = entry(weight_kg="19,0")
    response = kader_client.post(new_visit_url(siti), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "BB/U tidak masuk akal" in html
    assert "Nilai sudah saya periksa dan benar" in html
    assert 'value="19,0"' in html
    assert not Visit.objects.exists()
    # Said at the top, above the form, with what to check and the box to tick.
    assert html.index('id="periksa" role="alert"') < html.index("Belum tersimpan")
    assert html.index("Belum tersimpan") < html.index("BB/U tidak masuk akal")
    assert html.index("BB/U tidak masuk akal") < html.index('id="visit-form"')
    assert 'name="confirm_warnings" id="id_confirm_warnings" form="visit-form"' in html

    response = kader_client.post(new_visit_url(siti), {**data, "confirm_warnings": "on"})
    assert response.status_code == 302
    visit = Visit.objects.get(child=siti)
    assert visit.weight_kg == Decimal("19.00")
    assert visit.warnings_confirmed is True


def test_standing_a_baby_asks_for_confirmation(kader_client, siti):
    response = kader_client.post(
        new_visit_url(siti), entry(measured_on="2024-06-15", position="h", weight_kg="7,0")
    )
    html = response.content.decode()
    assert "Bayi di bawah 9 bulan tidak bisa diukur berdiri: ukur terlentang." in html
    assert not Visit.objects.exists()


def test_the_live_preview_shows_zscores_categories_and_nt_against_last_month(
    kader_client, siti, kader
):
    record_visit(
        user=kader,
        child=siti,
        values=VisitValues(measured_on=dt.date(2024, 6, 15), weight_kg=Decimal("7")),
    )
    url = reverse("measurements:visit_preview", args=[siti.pk])
    response = kader_client.post(url, entry(weight_kg="7,2"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "Berat badan normal" in html
    assert "T (tidak naik) +200 g, KBM 400 g" in html
    assert not Visit.objects.filter(measured_on=dt.date(2024, 7, 15)).exists()


def test_the_live_preview_warns_about_shrinking_length_and_reports_bad_numbers(
    kader_client, siti, kader
):
    record_visit(
        user=kader,
        child=siti,
        values=VisitValues(
            measured_on=dt.date(2024, 6, 15),
            weight_kg=Decimal("7"),
            height_cm=Decimal("66.0"),
            position="l",
        ),
    )
    url = reverse("measurements:visit_preview", args=[siti.pk])
    html = kader_client.post(url, entry(height_cm="63,9", weight_kg="7,1")).content.decode()
    assert "Panjang/tinggi turun 2,1 cm sejak kunjungan lalu: ukur ulang." in html
    html = kader_client.post(url, entry(weight_kg="abc")).content.decode()
    assert "Berat badan harus berupa angka, misalnya 10,4." in html
    html = kader_client.post(url, entry(weight_kg="999")).content.decode()
    assert "999 tidak mungkin; isi antara 0,5 dan 40." in html


def test_editing_shows_the_stored_values_with_the_version(kader_client, siti, kader):
    visit = record_visit(
        user=kader,
        child=siti,
        values=VisitValues(measured_on=dt.date(2024, 7, 15), weight_kg=Decimal("7.5")),
    )
    html = kader_client.get(reverse("measurements:visit_edit", args=[visit.pk])).content.decode()
    assert 'name="version" value="1"' in html
    assert 'value="7,5"' in html or 'value="7.50"' in html


def test_a_concurrent_edit_is_refused_and_keeps_the_second_kaders_input(kader_client, siti, kader):
    visit = record_visit(
        user=kader,
        child=siti,
        values=VisitValues(measured_on=dt.date(2024, 7, 15), weight_kg=Decimal("7.5")),
    )
    url = reverse("measurements:visit_edit", args=[visit.pk])
    opened_by_first = entry(weight_kg="7,6", version=str(visit.version))
    opened_by_second = entry(weight_kg="7,9", version=str(visit.version))

    assert kader_client.post(url, opened_by_first).status_code == 302
    response = kader_client.post(url, opened_by_second)
    html = response.content.decode()

    assert response.status_code == 200
    assert "baru saja diubah orang lain" in html
    assert 'value="7,9"' in html
    assert "BB 7,6 kg" in html
    visit.refresh_from_db()
    assert (visit.weight_kg, visit.version) == (Decimal("7.60"), 2)
    # Having seen the stored values, the second kader can save on purpose.
    assert 'name="version" value="2"' in html
    assert kader_client.post(url, {**opened_by_second, "version": "2"}).status_code == 302
    visit.refresh_from_db()
    assert visit.weight_kg == Decimal("7.90")


def test_the_preview_while_editing_compares_with_last_month_not_with_itself(
    kader_client, siti, kader
):
    record_visit(
        user=kader,
        child=siti,
        values=VisitValues(measured_on=dt.date(2024, 6, 15), weight_kg=Decimal("7")),
    )
    july = record_visit(
        user=kader,
        child=siti,
        values=VisitValues(measured_on=dt.date(2024, 7, 15), weight_kg=Decimal("7.5")),
    )
    url = reverse("measurements:visit_preview", args=[siti.pk]) + f"?kunjungan={july.pk}"
    html = kader_client.post(url, entry(weight_kg="7,1", height_cm="")).content.decode()
    assert "T (tidak naik) +100 g, KBM 400 g" in html


def test_the_preview_refuses_a_visit_of_another_child(kader_client, siti, kader, city):
    from tests.factories import ChildFactory

    brother = ChildFactory(birth_date=dt.date(2023, 1, 1), posyandu=city.posyandu_a)
    his_visit = record_visit(
        user=kader,
        child=brother,
        values=VisitValues(measured_on=dt.date(2024, 7, 15), weight_kg=Decimal("10")),
    )
    url = reverse("measurements:visit_preview", args=[siti.pk]) + f"?kunjungan={his_visit.pk}"
    assert kader_client.post(url, entry()).status_code == 404


def test_the_visit_form_shows_the_previous_weight_and_length(kader_client, siti, kader):
    page = kader_client.get(new_visit_url(siti)).content.decode()
    assert "Belum pernah ditimbang sebelumnya." in page
    record_visit(
        user=kader,
        child=siti,
        values=VisitValues(
            measured_on=dt.date(2024, 6, 3), weight_kg=Decimal("6.85"), height_cm=Decimal("64.2")
        ),
    )
    page = kader_client.get(new_visit_url(siti)).content.decode()
    assert "Kunjungan lalu</b> 03/06/2024: BB 6,85 kg · PB/TB 64,2 cm" in page
