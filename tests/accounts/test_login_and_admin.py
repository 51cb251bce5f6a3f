from __future__ import annotations

import pytest
from django.urls import reverse

from posyandu.accounts.models import Role, User
from tests.factories import UserFactory

LOGIN = "accounts:login"


@pytest.fixture
def kader_with_password(city):
    user = UserFactory(username="siti", role=Role.KADER, posyandu=city.posyandu_a)
    user.set_password("benar-sekali-123")
    user.save()
    return user


@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2(kader_with_password):
    stored = User.objects.get(username="siti").password
    assert stored.startswith("argon2")
    assert "benar-sekali-123" not in stored


@pytest.mark.django_db
def test_the_right_password_logs_in(client, kader_with_password):
    response = client.post(reverse(LOGIN), {"username": "siti", "password": "benar-sekali-123"})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(kader_with_password.pk)


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(client, kader_with_password):
    for _ in range(5):
        wrong = client.post(reverse(LOGIN), {"username": "siti", "password": "salah"})
        assert "_auth_user_id" not in client.session
        assert wrong.status_code in (200, 429)

    response = client.post(reverse(LOGIN), {"username": "siti", "password": "benar-sekali-123"})

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_lock_on_one_user_does_not_stop_another(client, city, kader_with_password):
    other = UserFactory(username="rina", role=Role.KADER, posyandu=city.posyandu_b)
    other.set_password("rina-punya-sandi-9")
    other.save()
    for _ in range(5):
        client.post(reverse(LOGIN), {"username": "siti", "password": "salah"})

    response = client.post(reverse(LOGIN), {"username": "rina", "password": "rina-punya-sandi-9"})

    assert response.status_code == 302


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_the_login_form(client):
    response = client.get(reverse("children:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(LOGIN))


@pytest.fixture
def superuser_client(client):
    admin = UserFactory(username="root", role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name",
    [
        "admin:areas_kota_changelist",
        "admin:areas_kecamatan_changelist",
        "admin:areas_kelurahan_changelist",
        "admin:areas_puskesmas_changelist",
        "admin:areas_posyandu_changelist",
        "admin:accounts_user_changelist",
        "admin:accounts_user_add",
        "admin:areas_puskesmas_add",
        "admin:children_child_changelist",
    ],
)
def test_admin_screens_open(superuser_client, city, url_name):
    assert superuser_client.get(reverse(url_name)).status_code == 200


@pytest.mark.django_db
def test_user_admin_shows_role_and_area_fields(superuser_client, city):
    kader = UserFactory(username="ani", role=Role.KADER, posyandu=city.posyandu_a)
    body = superuser_client.get(reverse("admin:accounts_user_change", args=[kader.pk])).content
    assert b'name="role"' in body
    assert b'name="posyandu"' in body
    assert b'name="puskesmas"' in body
    assert b'name="kota"' in body


@pytest.mark.django_db
def test_user_admin_refuses_a_kader_without_a_posyandu(superuser_client, city):
    kader = UserFactory(username="ani", role=Role.KADER, posyandu=city.posyandu_a)
    response = superuser_client.post(
        reverse("admin:accounts_user_change", args=[kader.pk]),
        {
            "username": "ani",
            "role": Role.KADER,
            "posyandu": "",
            "is_active": "on",
            "date_joined_0": "01/01/2025",
            "date_joined_1": "08:00:00",
        },
    )
    assert response.status_code == 200
    assert "Peran ini harus terikat pada wilayahnya." in response.content.decode()
    kader.refresh_from_db()
    assert kader.posyandu_id == city.posyandu_a.pk
