"""The Puskesmas sees the locked logins of its area and unlocks one from a page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.accounts.test_lockout_and_session import PASSWORD, _lock, _login, _with_password
from tests.factories import UserFactory, kader_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_a_puskesmas_admin_unlocks_its_kader_from_the_locked_page(city) -> None:
    kader = _with_password(kader_of(city.posyandu_a, username="kader_lupa"))
    outsider = _with_password(kader_of(city.posyandu_b, username="kader_lain"))
    _lock(kader.username)
    _lock(outsider.username)
    admin = UserFactory(username="pkm_admin", role="puskesmas", puskesmas=city.puskesmas_a)
    client = Client()
    client.force_login(admin)
    page = client.get(reverse("accounts:locked")).content.decode()
    assert "kader_lupa" in page and "terkunci" in page
    assert "kader_lain" not in page  # another Puskesmas's kader
    response = client.post(
        reverse("accounts:unlock", args=[kader.pk]), {"next": reverse("accounts:locked")}
    )
    assert response["Location"] == reverse("accounts:locked")
    after = client.get(reverse("accounts:locked"), follow=True)
    assert "Akun kader_lupa dapat masuk lagi" in after.content.decode()
    assert [u.username for u, _n in after.context["rows"]] == []
    assert _login(Client(), "kader_lupa", PASSWORD).status_code == 302


def test_the_locked_page_is_hidden_from_field_roles(city) -> None:
    client = Client()
    client.force_login(kader_of(city.posyandu_a, username="kader_biasa"))
    assert client.get(reverse("accounts:locked")).status_code == 404


def test_a_wrong_login_says_so_in_plain_indonesian(city) -> None:
    _with_password(kader_of(city.posyandu_a, username="kader_salah"))
    html = _login(Client(), "kader_salah", "bukan-sandinya").content.decode()
    assert "Nama pengguna atau sandi salah." in html
    assert "nama pengguna nama pengguna" not in html.lower()
