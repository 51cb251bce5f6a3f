"""The audit log as a privacy officer reads it: words, not developer text; filters; an
export that is itself audited."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from posyandu.accounts.models import Role, User
from posyandu.core import audit
from posyandu.core.audit_display import AuditDescriber
from posyandu.core.models import AuditAction, AuditLog
from tests.factories import ChildFactory, City, UserFactory, dinkes_of, make_visit

pytestmark = pytest.mark.django_db


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def at(entry: AuditLog, day: dt.date) -> None:
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(10, 30)))
    AuditLog.objects.filter(pk=entry.pk).update(at=moment)


@pytest.fixture
def bidan(city: City) -> User:
    return UserFactory(username="bidan-rina", role=Role.BIDAN, puskesmas=city.puskesmas_a)


def test_a_visit_change_reads_in_field_labels_and_values_as_the_app_shows_them(
    city: City, bidan: User
) -> None:
    child = ChildFactory(name="Aisyah Melati", posyandu=city.posyandu_a)
    visit = make_visit(child, dt.date(2026, 11, 2), weight_kg="9.1")
    entry = audit.record(
        user=bidan,
        action=AuditAction.UPDATE,
        obj=visit,
        changes={
            "height_cm": [None, "78.90"],
            "position": ["", "l"],
            "posyandu_id": [city.posyandu_a.pk, city.posyandu_a2.pk],
            "measured_on": ["2026-11-02", "2026-11-03"],
            "oedema": [False, True],
        },
    )

    words = [str(c) for c in AuditDescriber([entry]).changes(entry)]
    html = logged_in(dinkes_of(city.kota)).get(reverse("administration:audit")).content.decode()

    # In the order of the visit form, not the trail's alphabetical order.
    assert words == [
        "Posyandu: Posyandu Melati → Posyandu Kenanga",
        "Tanggal pengukuran: 02/11/2026 → 03/11/2026",
        "Panjang/tinggi badan (cm): — → 78,90",
        "Cara ukur: — → Terlentang (panjang badan)",
        "Edema: tidak → ya",
    ]
    assert f'href="{reverse("measurements:child", args=[child.pk])}">Aisyah Melati</a>' in html
    assert "Kunjungan" in html and "bidan-rina" in html and "127.0.0.1" not in html
    assert "Bidan · Puskesmas Bontang Utara I" in html
    for developer_text in ("measurements.visit", "height_cm", "'78.90'", "[None"):
        assert developer_text not in html


def test_a_childs_registry_change_and_where_it_came_from(city: City, bidan: User) -> None:
    child = ChildFactory(name="Bunga Kenanga", posyandu=city.posyandu_a)
    client = logged_in(bidan)
    client.defaults["HTTP_USER_AGENT"] = "Mozilla/5.0 (Linux; Android 10) Chrome/120"
    entry = audit.record(
        user=bidan,
        action=AuditAction.UPDATE,
        obj=child,
        changes={"birth_weight_kg": ["3.10", "3.25"], "sex": [1, 2]},
    )
    AuditLog.objects.filter(pk=entry.pk).update(
        ip_address="10.1.2.3", user_agent="Mozilla/5.0 (Linux; Android 10) Chrome/120"
    )

    html = logged_in(dinkes_of(city.kota)).get(reverse("administration:audit")).content.decode()

    assert "3,10 → 3,25" in html
    assert "Laki-laki → Perempuan" in html
    assert "10.1.2.3" in html and "Android 10" in html


def test_filters_by_who_action_date_and_child(city: City, bidan: User) -> None:
    kader = UserFactory(username="kader-ani", role=Role.KADER, posyandu=city.posyandu_a)
    first = ChildFactory(name="Anak Pertama", posyandu=city.posyandu_a)
    # Ids 1 and 11 and 21 must not be confused when searching a list of children.
    others = [ChildFactory(name=f"Anak Lain {n}", posyandu=city.posyandu_a) for n in range(25)]
    lookalike = next(c for c in others if str(c.pk).endswith(str(first.pk)) and c.pk != first.pk)
    viewed = audit.record(user=kader, action=AuditAction.VIEW, obj=first)
    listed = audit.record(
        user=kader,
        action=AuditAction.VIEW,
        object_type="children.child",
        changes={"children": [others[0].pk, first.pk, others[1].pk], "path": "/anak/"},
        kota_id=city.kota.pk,
    )
    lookalike_list = audit.record(
        user=kader,
        action=AuditAction.VIEW,
        object_type="children.child",
        changes={"children": [lookalike.pk], "path": "/anak/"},
        kota_id=city.kota.pk,
    )
    visit = make_visit(first, dt.date(2026, 10, 5), weight_kg="8.4")
    recorded = AuditLog.objects.get(object_type="measurements.visit", action=AuditAction.CREATE)
    changed = audit.record(
        user=bidan, action=AuditAction.UPDATE, obj=visit, changes={"weight_kg": ["8.4", "8.5"]}
    )
    for entry, day in (
        (viewed, dt.date(2026, 10, 1)),
        (listed, dt.date(2026, 10, 10)),
        (lookalike_list, dt.date(2026, 10, 10)),
        (changed, dt.date(2026, 10, 20)),
    ):
        at(entry, day)
    client = logged_in(dinkes_of(city.kota))
    # Reading the log names children too: those rows are left out of the comparison.
    before = AuditLog.objects.latest("id").pk

    def ids(query: str) -> set[int]:
        response = client.get(reverse("administration:audit") + query)
        return {row.entry.pk for row in response.context["rows"] if row.entry.pk <= before}

    about_first = {viewed.pk, listed.pk, recorded.pk, changed.pk}
    assert ids(f"?anak_id={first.pk}") == about_first
    assert ids("?anak=pertama") == about_first
    assert ids("?pengguna=bidan") == {changed.pk}
    assert ids("?aksi=view&pengguna=kader-ani") == {viewed.pk, listed.pk, lookalike_list.pk}
    assert ids("?dari=05/10/2026&sampai=15/10/2026") == {listed.pk, lookalike_list.pk}
    assert ids(f"?anak_id={first.pk}&sampai=15/10/2026") == {viewed.pk, listed.pk}


def test_a_child_outside_the_readers_area_is_not_named(city: City) -> None:
    moved = ChildFactory(name="Dewi Pindahan", posyandu=city.other_kota_posyandu)
    audit.record(user=None, action=AuditAction.UPDATE, obj=moved, kota_id=city.kota.pk)

    html = logged_in(dinkes_of(city.kota)).get(reverse("administration:audit")).content.decode()

    assert "Dewi Pindahan" not in html
    assert "anak di luar wilayah Anda" in html


def test_the_export_is_a_csv_in_words_and_is_itself_audited(city: City, bidan: User) -> None:
    child = ChildFactory(name="Citra Anggrek", posyandu=city.posyandu_b)
    audit.record(
        user=bidan,
        action=AuditAction.UPDATE,
        obj=child,
        changes={"name": ["Citra", "Citra Anggrek"]},
    )
    audit.record(user=bidan, action=AuditAction.VIEW, obj=city.posyandu_a)
    dinkes = dinkes_of(city.kota, username="dinkes-privasi")

    response = logged_in(dinkes).get(reverse("administration:audit_export") + "?aksi=update")

    assert response["Content-Disposition"].startswith('attachment; filename="log-audit-')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "waktu",
        "pengguna",
        "aksi",
        "data",
        "anak",
        "perubahan",
        "alamat_ip",
        "perangkat",
    ]
    assert len(rows) == 2
    assert rows[1][1:6] == [
        "bidan-rina",
        "ubah",
        f"Anak {child}",
        "Citra Anggrek",
        "Nama anak: Citra → Citra Anggrek",
    ]
    export = AuditLog.objects.get(action=AuditAction.EXPORT)
    assert export.username == "dinkes-privasi"
    assert export.object_type == "core.auditlog"
    assert export.changes == {"rows": 1, "filters": {"action": "update"}, "children": [child.pk]}
    assert export.kota_id == city.kota.pk
    # The export row is in the log the officer reads next.
    html = logged_in(dinkes).get(reverse("administration:audit")).content.decode()
    assert "Log audit, 1 baris" in html


def test_a_dinkes_export_never_holds_another_kotas_rows(city: City, bidan: User) -> None:
    elsewhere = ChildFactory(name="Yanti Samarinda", posyandu=city.other_kota_posyandu)
    audit.record(user=None, action=AuditAction.UPDATE, obj=elsewhere)

    response = logged_in(dinkes_of(city.kota)).get(reverse("administration:audit_export"))

    assert "Yanti Samarinda" not in response.content.decode("utf-8-sig")


def test_account_changes_read_in_words_and_link_to_the_account(city: City) -> None:
    admin = UserFactory(username="root", role=Role.ADMIN, is_superuser=True, is_staff=True)
    kader = UserFactory(username="kader-x", role=Role.KADER, posyandu=city.posyandu_a)
    audit.record(
        user=admin,
        action=AuditAction.UPDATE,
        obj=kader,
        changes={"is_active": [True, False], "role": ["bidan", "kader"], "password": "reset"},
    )

    html = logged_in(admin).get(reverse("administration:audit")).content.decode()

    assert "Aktif: ya → tidak" in html.replace("<b>", "").replace("</b>", "")
    assert "Peran: Bidan → Kader" in html.replace("<b>", "").replace("</b>", "")
    assert "direset, diganti pemiliknya saat masuk" in html
    assert f'href="{reverse("accounts:user_detail", args=[kader.pk])}"' in html


def test_counts_on_the_page_have_thousands_separators(city: City) -> None:
    kader = UserFactory(username="k", role=Role.KADER, posyandu=city.posyandu_a)
    AuditLog.objects.bulk_create(
        [
            AuditLog(username="k", user=kader, action="view", object_type="x", kota=city.kota)
            for _ in range(1234)
        ]
    )

    html = logged_in(dinkes_of(city.kota)).get(reverse("administration:audit")).content.decode()

    assert "1.234 catatan" in html
    assert "halaman 1 dari 25" in html


def test_an_export_naming_no_single_record_is_filed_under_its_users_kota(city: City) -> None:
    puskesmas = UserFactory(username="pkm-a", role=Role.PUSKESMAS, puskesmas=city.puskesmas_a)
    entry = audit.record(
        user=puskesmas,
        action=AuditAction.EXPORT,
        object_type="exchange.eppgbm",
        object_repr="e-PPGBM Posyandu Melati",
        changes={"from": "2026-10-01", "to": "2026-10-31", "rows": 42},
    )

    html = logged_in(dinkes_of(city.kota)).get(reverse("administration:audit")).content.decode()

    assert entry.kota_id == city.kota.pk
    assert "e-PPGBM Posyandu Melati" in html
    assert "Dari tanggal</b>: 01/10/2026" in html and "Jumlah baris</b>: 42" in html
