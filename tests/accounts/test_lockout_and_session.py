"""Login lockout per username (whatever the address), its unlock, and fresh sessions on login."""

from __future__ import annotations

import io

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import CommandError, call_command
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse

from posyandu.accounts.models import Role, User
from posyandu.core.models import AuditLog
from tests.factories import City, UserFactory

LOGIN = "accounts:login"


def _home() -> str:
    return resolve_url(settings.LOGIN_REDIRECT_URL)


PASSWORD = "benar-sekali-123"


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    """Argon2 costs ~0.2 s a check; these tests check many passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _with_password(user: User, password: str = PASSWORD) -> User:
    user.set_password(password)
    user.save()
    return user


@pytest.fixture
def siti(city: City) -> User:
    return _with_password(UserFactory(username="siti", role=Role.KADER, posyandu=city.posyandu_a))


def _login(client: Client, username: str, password: str, ip: str = "127.0.0.1"):
    return client.post(reverse(LOGIN), {"username": username, "password": password}, REMOTE_ADDR=ip)


def _lock(username: str) -> None:
    """Five wrong passwords, each from another address and another browser."""
    for n in range(settings.AXES_FAILURE_LIMIT):
        _login(Client(), username, "salah", ip=f"10.0.0.{n + 1}")


def _session_key(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


# --- lockout per username ----------------------------------------------------------


@pytest.mark.django_db
def test_wrong_passwords_from_several_addresses_add_up_to_a_lockout(siti):
    _lock("siti")

    client = Client()
    response = _login(client, "siti", PASSWORD, ip="192.0.2.99")

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_fewer_failures_than_the_limit_do_not_lock(siti):
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(Client(), "siti", "salah", ip=f"10.0.0.{n + 1}")

    assert _login(Client(), "siti", PASSWORD, ip="192.0.2.99").status_code == 302


@pytest.mark.django_db
def test_the_locked_page_says_in_indonesian_for_how_long_and_who_can_unlock(siti):
    _lock("siti")

    response = _login(Client(), "siti", PASSWORD, ip="192.0.2.99")

    body = response.content.decode()
    assert "Terlalu banyak percobaan masuk" in body
    assert "Akun siti dikunci sementara" in body
    assert "Coba lagi 15 menit lagi" in body
    assert "admin Puskesmas membuka kuncinya" in body
    assert reverse(LOGIN) in body


@pytest.mark.django_db
def test_a_locked_username_does_not_lock_another_user_at_the_same_address(city, siti):
    rina = UserFactory(username="rina", role=Role.KADER, posyandu=city.posyandu_b)
    _with_password(rina, "rina-punya-sandi-9")
    _lock("siti")

    assert _login(Client(), "rina", "rina-punya-sandi-9", ip="10.0.0.1").status_code == 302


# --- unlock from the command line ---------------------------------------------------


@pytest.mark.django_db
def test_unlock_user_command_lets_the_user_in_again_and_is_audited(siti):
    _lock("siti")
    out = io.StringIO()

    call_command("unlock_user", "siti", stdout=out)

    assert "siti may log in again (5 failed login(s) cleared)" in out.getvalue()
    assert not AccessAttempt.objects.filter(username="siti").exists()
    entry = AuditLog.objects.get(object_type="accounts.user", object_id=str(siti.pk))
    assert entry.action == "update"
    assert entry.user is None
    assert entry.changes == {"failed_logins": [5, 0]}
    assert _login(Client(), "siti", PASSWORD, ip="10.0.0.1").status_code == 302


@pytest.mark.django_db
def test_unlock_user_command_refuses_an_unknown_username():
    with pytest.raises(CommandError, match="no user named 'nobody'"):
        call_command("unlock_user", "nobody")


# --- unlock from the web: who may unlock whom ---------------------------------------


def _unlock_url(user: User) -> str:
    return reverse("accounts:unlock", kwargs={"pk": user.pk})


def _users(city: City) -> dict[str, User]:
    """One user per role and place: ``A`` Puskesmas A, ``B`` Puskesmas B, ``X`` other kota."""
    other_pkm = city.other_kota_posyandu.puskesmas
    return {
        "kader A": UserFactory(username="kader_a", role=Role.KADER, posyandu=city.posyandu_a),
        "kader A2": UserFactory(username="kader_a2", role=Role.KADER, posyandu=city.posyandu_a2),
        "kader B": UserFactory(username="kader_b", role=Role.KADER, posyandu=city.posyandu_b),
        "kader X": UserFactory(
            username="kader_x", role=Role.KADER, posyandu=city.other_kota_posyandu
        ),
        "bidan A": UserFactory(username="bidan_a", role=Role.BIDAN, puskesmas=city.puskesmas_a),
        "gizi A": UserFactory(username="gizi_a", role=Role.TENAGA_GIZI, puskesmas=city.puskesmas_a),
        "bidan B": UserFactory(username="bidan_b", role=Role.BIDAN, puskesmas=city.puskesmas_b),
        "bidan X": UserFactory(username="bidan_x", role=Role.BIDAN, puskesmas=other_pkm),
        "pkm A": UserFactory(username="pkm_a", role=Role.PUSKESMAS, puskesmas=city.puskesmas_a),
        "pkm B": UserFactory(username="pkm_b", role=Role.PUSKESMAS, puskesmas=city.puskesmas_b),
        "dinkes": UserFactory(username="dinkes", role=Role.DINKES, kota=city.kota),
        "dinkes X": UserFactory(
            username="dinkes_x", role=Role.DINKES, kota=city.other_kota_posyandu.puskesmas.kota
        ),
        "admin": UserFactory(username="admin", role=Role.ADMIN),
        "root": UserFactory(username="root", role=Role.ADMIN, is_superuser=True, is_staff=True),
    }


# Whose lock each unlocking user may lift; every other user answers 404.
MAY_UNLOCK = {
    "pkm A": {"kader A", "kader A2", "bidan A", "gizi A", "pkm A"},
    "dinkes": {"kader A", "kader A2", "kader B", "bidan A", "gizi A", "bidan B", "pkm A", "pkm B"}
    | {"dinkes"},
    "admin": "everyone",
}


@pytest.mark.django_db
@pytest.mark.parametrize("actor", MAY_UNLOCK.keys())
def test_puskesmas_dinkes_and_admin_unlock_only_users_of_their_own_area(city, actor):
    users = _users(city)
    client = Client()
    client.force_login(users[actor])
    allowed = MAY_UNLOCK[actor]
    wrong = []
    for name, target in users.items():
        AccessAttempt.objects.create(
            username=target.username, ip_address="10.0.0.1", user_agent="t", failures_since_start=5
        )
        response = client.post(_unlock_url(target))
        inside = allowed == "everyone" or name in allowed
        expected = 302 if inside else 404
        still_locked = AccessAttempt.objects.filter(username=target.username).exists()
        if response.status_code != expected or still_locked == inside:
            wrong.append(f"{actor} -> {name}: {response.status_code}, locked={still_locked}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.django_db
def test_a_puskesmas_unlock_lets_the_kader_in_and_is_audited(city, siti):
    pkm = UserFactory(username="pkm_a", role=Role.PUSKESMAS, puskesmas=city.puskesmas_a)
    _lock("siti")
    client = Client()
    client.force_login(pkm)

    response = client.post(_unlock_url(siti), {"next": reverse("children:list")})

    assert response.status_code == 302
    assert response["Location"] == reverse("children:list")
    message = "Akun siti dapat masuk lagi (5 percobaan gagal dihapus)."
    assert message in client.get(_home(), follow=True).content.decode()
    entry = AuditLog.objects.get(object_type="accounts.user", object_id=str(siti.pk))
    assert (entry.user, entry.action, entry.changes) == (pkm, "update", {"failed_logins": [5, 0]})
    assert _login(Client(), "siti", PASSWORD, ip="10.0.0.1").status_code == 302


@pytest.mark.django_db
def test_unlock_never_redirects_to_another_site(city, siti):
    client = Client()
    client.force_login(UserFactory(role=Role.ADMIN))

    response = client.post(_unlock_url(siti), {"next": "https://example.com/"})

    assert response["Location"] == _home()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.KADER, Role.BIDAN, Role.TENAGA_GIZI])
def test_field_roles_may_not_unlock_users_of_their_area_and_see_none_outside(city, siti, role):
    area = {"posyandu": city.posyandu_a} if role == Role.KADER else {"puskesmas": city.puskesmas_a}
    client = Client()
    client.force_login(UserFactory(username=f"u_{role}", role=role, **area))
    elsewhere = UserFactory(username="kader_b", role=Role.KADER, posyandu=city.posyandu_b)
    _lock("siti")
    _lock("kader_b")

    assert client.post(_unlock_url(siti)).status_code == 403
    assert client.post(_unlock_url(elsewhere)).status_code == 404
    assert AccessAttempt.objects.filter(username="siti").exists()
    assert AccessAttempt.objects.filter(username="kader_b").exists()
    assert not AuditLog.objects.exists()


@pytest.mark.django_db
def test_unlock_takes_post_only_and_needs_a_login(city, siti):
    anonymous = Client()
    response = anonymous.post(_unlock_url(siti))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(LOGIN))

    client = Client()
    client.force_login(UserFactory(role=Role.ADMIN))
    assert client.get(_unlock_url(siti)).status_code == 405


# --- session fixation ---------------------------------------------------------------


@pytest.fixture
def attacker(city: City) -> User:
    return _with_password(
        UserFactory(username="penyusup", role=Role.KADER, posyandu=city.posyandu_b), "sandi-lain-77"
    )


@pytest.mark.django_db
def test_the_login_page_shows_the_form_even_to_a_logged_in_browser(attacker):
    browser = Client()
    browser.force_login(attacker)

    response = browser.get(reverse(LOGIN))

    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="password"' in body
    assert "Peramban ini sedang masuk sebagai penyusup" in body


@pytest.mark.django_db
def test_logging_in_over_a_planted_session_gives_a_new_session_of_the_new_user(attacker, siti):
    attackers_browser = Client()
    attackers_browser.force_login(attacker)
    planted = _session_key(attackers_browser)
    victims_browser = Client()
    victims_browser.cookies[settings.SESSION_COOKIE_NAME] = planted

    response = _login(victims_browser, "siti", PASSWORD)

    assert response.status_code == 302
    assert _session_key(victims_browser) != planted
    assert victims_browser.session["_auth_user_id"] == str(siti.pk)
    assert not SessionStore().exists(planted)
    # The attacker's copy of the cookie opens nothing any more.
    home = attackers_browser.get(_home())
    assert home.status_code == 302 and home["Location"].startswith(reverse(LOGIN))


@pytest.mark.django_db
def test_logging_in_again_as_the_same_user_still_changes_the_session_key(siti):
    browser = Client()
    assert _login(browser, "siti", PASSWORD).status_code == 302
    first = _session_key(browser)

    assert _login(browser, "siti", PASSWORD).status_code == 302

    assert _session_key(browser) != first
    assert not SessionStore().exists(first)
    assert browser.session["_auth_user_id"] == str(siti.pk)


@pytest.mark.django_db
def test_a_session_from_before_the_login_is_not_kept(siti):
    browser = Client()
    session = browser.session
    session["planted"] = "yes"
    session.save()
    browser.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    before = session.session_key

    assert _login(browser, "siti", PASSWORD).status_code == 302

    assert _session_key(browser) != before
