"""User management in the app: a Puskesmas manages its kader, bidan and tenaga gizi,
a Dinkes everyone of its kota; first passwords are changed at the first login;
every change is audited (never the password)."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from posyandu.accounts.models import Role, User
from posyandu.accounts.scope import Scope
from posyandu.accounts.services import (
    LoginData,
    change_own_password,
    create_login,
    reset_password,
    set_active,
)
from posyandu.core.models import AuditAction, AuditLog
from tests.factories import City, UserFactory, bidan_of, dinkes_of, kader_of

pytestmark = pytest.mark.django_db

PASSWORD_SHAPE = re.compile(r"^[a-z]+-[a-z]+-\d{4}$")


def puskesmas_admin(city: City, **kwargs: object) -> User:
    return UserFactory(
        username=kwargs.pop("username", "pkm-utara"),
        role=Role.PUSKESMAS,
        puskesmas=city.puskesmas_a,
        **kwargs,
    )


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def first_password_on(html: str) -> str:
    found = re.findall(r'<code class="password">([^<]+)</code>', html)
    assert len(found) == 1, found
    return found[0]


def test_a_puskesmas_creates_a_kader_login_for_a_posyandu_of_its_area(city: City) -> None:
    client = logged_in(puskesmas_admin(city))

    response = client.post(
        reverse("accounts:user_new") + "?peran=kader",
        {
            "peran": "kader",
            "username": "siti.melati",
            "first_name": "Siti",
            "last_name": "Aminah",
            "area": city.posyandu_a.pk,
        },
    )

    assert response.status_code == 200
    password = first_password_on(response.content.decode())
    assert PASSWORD_SHAPE.match(password)
    kader = User.objects.get(username="siti.melati")
    assert (kader.role, kader.posyandu, kader.puskesmas, kader.kota) == (
        Role.KADER,
        city.posyandu_a,
        None,
        None,
    )
    assert kader.must_change_password is True
    assert kader.check_password(password)
    created = AuditLog.objects.get(object_type="accounts.user", object_id=str(kader.pk))
    assert created.action == AuditAction.CREATE
    assert created.username == "pkm-utara"
    assert created.changes["posyandu_id"] == [None, city.posyandu_a.pk]
    assert created.changes["password"] == "first"
    assert password not in str(created.changes)
    assert created.kota_id == city.kota.pk


def test_the_new_login_form_offers_only_the_area_field_of_the_role(city: City) -> None:
    client = logged_in(puskesmas_admin(city))

    kader_form = client.get(reverse("accounts:user_new") + "?peran=kader").content.decode()
    bidan_form = client.get(reverse("accounts:user_new") + "?peran=bidan").content.decode()

    assert city.posyandu_a.name in kader_form and city.posyandu_a2.name in kader_form
    assert city.posyandu_b.name not in kader_form
    assert city.puskesmas_a.name not in kader_form.split("<form")[1]
    assert 'name="area"' in bidan_form and city.puskesmas_a.name in bidan_form
    assert city.puskesmas_b.name not in bidan_form


def test_a_puskesmas_cannot_bind_a_kader_to_another_puskesmas_posyandu(city: City) -> None:
    scope = Scope.of(puskesmas_admin(city))
    data = LoginData("rina", "Rina", "", Role.KADER, city.posyandu_b)

    with pytest.raises(ValidationError) as caught:
        create_login(scope=scope, data=data)

    assert "area" in caught.value.message_dict
    assert not User.objects.filter(username="rina").exists()


@pytest.mark.parametrize("role", [Role.DINKES, Role.ADMIN, Role.PUSKESMAS], ids=str)
def test_a_puskesmas_cannot_make_a_dinkes_admin_or_puskesmas_login(city: City, role: Role) -> None:
    client = logged_in(puskesmas_admin(city))
    area = {Role.DINKES: city.kota.pk, Role.PUSKESMAS: city.puskesmas_a.pk}.get(role, "")

    page = client.get(reverse("accounts:user_new")).content.decode()
    response = client.post(
        reverse("accounts:user_new"),
        {"peran": str(role), "username": "naik", "first_name": "Naik", "area": area},
    )

    assert f"?peran={role}" not in page
    assert response.status_code == 200
    assert not User.objects.filter(username="naik").exists()


def test_a_dinkes_creates_a_puskesmas_admin_but_not_an_administrator(city: City) -> None:
    scope = Scope.of(dinkes_of(city.kota, username="dinkes"))

    made = create_login(
        scope=scope, data=LoginData("pkm-baru", "Admin", "PKM", Role.PUSKESMAS, city.puskesmas_b)
    )
    with pytest.raises(ValidationError):
        create_login(scope=scope, data=LoginData("root2", "Root", "", Role.ADMIN, None))

    assert made.user.puskesmas == city.puskesmas_b
    assert not User.objects.filter(username="root2").exists()


def test_usernames_differing_only_in_case_are_refused(city: City) -> None:
    kader_of(city.posyandu_a, username="siti")
    scope = Scope.of(puskesmas_admin(city))

    with pytest.raises(ValidationError) as caught:
        create_login(scope=scope, data=LoginData("Siti", "Siti", "", Role.KADER, city.posyandu_a))

    assert "username" in caught.value.message_dict


def test_a_puskesmas_sees_only_its_own_kader_bidan_and_tenaga_gizi(city: City) -> None:
    kader_of(city.posyandu_a, username="kader-a")
    kader_of(city.posyandu_a2, username="kader-a2")
    bidan_of(city.puskesmas_a, username="bidan-a")
    kader_of(city.posyandu_b, username="kader-b")
    bidan_of(city.puskesmas_b, username="bidan-b")
    UserFactory(username="pkm-other-admin", role=Role.PUSKESMAS, puskesmas=city.puskesmas_a)
    dinkes_of(city.kota, username="dinkes-kota")
    client = logged_in(puskesmas_admin(city))

    html = client.get(reverse("accounts:users")).content.decode()

    for shown in ("kader-a", "kader-a2", "bidan-a"):
        assert f">{shown}<" in html
    for hidden in ("kader-b", "bidan-b", "pkm-other-admin", "dinkes-kota"):
        assert f">{hidden}<" not in html


def test_a_puskesmas_cannot_open_reset_or_deactivate_another_puskesmas_user(city: City) -> None:
    other = bidan_of(city.puskesmas_b, username="bidan-b")
    other.set_password("sandi-lama-bidan-b")
    other.save()
    client = logged_in(puskesmas_admin(city))

    pages = [
        client.get(reverse("accounts:user_detail", args=[other.pk])),
        client.post(reverse("accounts:user_reset_password", args=[other.pk])),
        client.post(reverse("accounts:user_set_active", args=[other.pk]), {"aktif": "0"}),
    ]

    assert [p.status_code for p in pages] == [404, 404, 404]
    other.refresh_from_db()
    assert other.is_active and other.check_password("sandi-lama-bidan-b")
    assert not other.must_change_password


def test_a_reset_shows_a_new_first_password_once_and_lifts_the_lockout(city: City) -> None:
    kader = kader_of(city.posyandu_a, username="lupa")
    kader.set_password("sandi-yang-terlupa-1")
    kader.save()
    client = logged_in(puskesmas_admin(city))

    response = client.post(reverse("accounts:user_reset_password", args=[kader.pk]))

    password = first_password_on(response.content.decode())
    kader.refresh_from_db()
    assert kader.check_password(password) and not kader.check_password("sandi-yang-terlupa-1")
    assert kader.must_change_password
    entry = AuditLog.objects.filter(object_id=str(kader.pk), action=AuditAction.UPDATE).get()
    assert entry.changes["password"] == "reset"
    assert entry.changes["must_change_password"] == [False, True]
    assert password not in str(entry.changes)
    # The detail page does not show it again.
    detail = client.get(reverse("accounts:user_detail", args=[kader.pk])).content.decode()
    assert password not in detail


def test_a_deactivated_kader_cannot_log_in_and_is_logged_out_then_can_be_reactivated(
    city: City,
) -> None:
    kader = kader_of(city.posyandu_a, username="berhenti")
    kader.set_password("sandi-kader-berhenti-7")
    kader.save()
    kader_client = logged_in(kader)
    manager = logged_in(puskesmas_admin(city))

    manager.post(reverse("accounts:user_set_active", args=[kader.pk]), {"aktif": "0"})

    refused = Client().post(
        reverse("accounts:login"), {"username": "berhenti", "password": "sandi-kader-berhenti-7"}
    )
    assert refused.status_code == 200 and "_auth_user_id" not in refused.client.session
    response = kader_client.get(reverse("children:list"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    manager.post(reverse("accounts:user_set_active", args=[kader.pk]), {"aktif": "1"})
    kader.refresh_from_db()
    assert kader.is_active
    changes = [
        e.changes["is_active"]
        for e in AuditLog.objects.filter(object_id=str(kader.pk)).order_by("id")
    ]
    assert changes == [[True, False], [False, True]]


def test_nobody_deactivates_or_resets_themselves(city: City) -> None:
    dinkes = dinkes_of(city.kota, username="dinkes")
    scope = Scope.of(dinkes)

    with pytest.raises(ValidationError):
        set_active(scope=scope, user=dinkes, active=False)
    with pytest.raises(ValidationError):
        reset_password(scope=scope, user=dinkes)

    dinkes.refresh_from_db()
    assert dinkes.is_active


def test_a_first_password_must_be_changed_before_any_other_page(city: City) -> None:
    scope = Scope.of(puskesmas_admin(city))
    made = create_login(
        scope=scope, data=LoginData("baru", "Baru", "", Role.KADER, city.posyandu_a)
    )
    client = Client()
    login = client.post(reverse("accounts:login"), {"username": "baru", "password": made.password})
    assert login.status_code == 302

    blocked = client.get(reverse("children:list"))
    assert blocked.status_code == 302
    assert blocked["Location"].startswith(reverse("accounts:password_change") + "?next=")
    htmx = client.get(reverse("children:list"), HTTP_HX_REQUEST="true")
    assert htmx["HX-Redirect"].startswith(reverse("accounts:password_change"))
    same = client.post(
        reverse("accounts:password_change"),
        {"new_password1": made.password, "new_password2": made.password},
    )
    assert "berbeda" in same.content.decode()
    changed = client.post(
        reverse("accounts:password_change") + "?next=/anak/",
        {
            "new_password1": "timbangan-melati-2026",
            "new_password2": "timbangan-melati-2026",
            "next": "/anak/",
        },
    )

    assert changed.status_code == 302 and changed["Location"] == "/anak/"
    assert client.get(reverse("children:list")).status_code == 200
    user = User.objects.get(username="baru")
    assert not user.must_change_password and user.check_password("timbangan-melati-2026")
    last = AuditLog.objects.filter(object_id=str(user.pk)).latest("id")
    assert (last.username, last.changes["password"]) == ("baru", "changed")


def test_a_voluntary_change_asks_for_the_old_password(city: City) -> None:
    kader = kader_of(city.posyandu_a, username="rutin")
    kader.set_password("sandi-lama-rutin-11")
    kader.save()
    client = logged_in(kader)

    wrong = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "salah",
            "new_password1": "sandi-baru-rutin-22",
            "new_password2": "sandi-baru-rutin-22",
        },
    )
    kader.refresh_from_db()
    assert wrong.status_code == 200 and kader.check_password("sandi-lama-rutin-11")
    with pytest.raises(ValidationError):
        change_own_password(user=kader, new_password="12345678")


def test_the_users_page_is_offered_in_the_nav_only_to_managers(city: City) -> None:
    link = f'href="{reverse("accounts:users")}"'
    kader_page = logged_in(kader_of(city.posyandu_a)).get(reverse("children:list"))
    manager_page = logged_in(puskesmas_admin(city)).get(reverse("children:list"))

    assert link not in kader_page.content.decode()
    assert link in manager_page.content.decode()


def test_the_django_admin_names_the_app_not_django(client: Client) -> None:
    root = UserFactory(username="root", role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(root)

    html = client.get(reverse("admin:index")).content.decode()

    assert "Posyandu · administrasi sistem" in html
    assert "Django" not in html.split("<body")[1].split("</header>")[0]
    assert "Akun dan peran" in html and "Registrasi anak" in html


def test_the_django_admin_keeps_only_the_area_field_of_the_role(city: City) -> None:
    root = UserFactory(username="root", role=Role.ADMIN, is_staff=True, is_superuser=True)
    kader = kader_of(city.posyandu_a, username="jadi-bidan")
    client = logged_in(root)
    form = (
        client.get(reverse("admin:accounts_user_change", args=[kader.pk])).context["adminform"].form
    )
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        {
            "role": "bidan",
            "puskesmas": city.puskesmas_a.pk,
            "posyandu": city.posyandu_a.pk,
            "kota": city.kota.pk,
            "date_joined_0": "01/01/2026",
            "date_joined_1": "08:00:00",
        }
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)
    data.pop("groups", None)
    data.pop("user_permissions", None)

    response = client.post(reverse("admin:accounts_user_change", args=[kader.pk]), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    kader.refresh_from_db()
    assert (kader.role, kader.puskesmas, kader.posyandu, kader.kota) == (
        Role.BIDAN,
        city.puskesmas_a,
        None,
        None,
    )


def test_after_a_reset_the_owner_must_choose_a_new_password_at_login(city: City) -> None:
    kader = kader_of(city.posyandu_a, username="lupa-lagi")
    made = reset_password(scope=Scope.of(puskesmas_admin(city)), user=kader)
    client = Client()

    client.post(reverse("accounts:login"), {"username": "lupa-lagi", "password": made.password})
    home = client.get(reverse("administration:home"))

    assert home.status_code == 302
    assert home["Location"].startswith(reverse("accounts:password_change"))
    form = client.get(home["Location"]).content.decode()
    assert 'name="old_password"' not in form and 'name="new_password1"' in form
