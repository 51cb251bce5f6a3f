"""Passwords: Argon2id at OWASP's parameters, and older hashes upgraded at login."""

from __future__ import annotations

import argon2
import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password
from django.urls import reverse

from posyandu.accounts.hashers import MEMORY_KIB, PARALLELISM, TIME_COST
from posyandu.accounts.models import Role, User
from tests.factories import UserFactory

PASSWORD = "benar-sekali-123"


def _parameters(encoded: str) -> argon2.Parameters:
    algorithm, rest = encoded.split("$", 1)
    assert algorithm == "argon2"
    return argon2.extract_parameters("$" + rest)


def test_new_passwords_get_argon2id_at_owasp_minimum() -> None:
    parameters = _parameters(make_password(PASSWORD))

    assert parameters.type is argon2.Type.ID
    assert (parameters.memory_cost, parameters.time_cost, parameters.parallelism) == (
        19 * 1024,
        2,
        1,
    )
    assert (MEMORY_KIB, TIME_COST, PARALLELISM) == (19 * 1024, 2, 1)


@pytest.mark.django_db
def test_a_hash_with_django_default_parameters_is_upgraded_at_login(client, city) -> None:
    user = UserFactory(username="siti", role=Role.KADER, posyandu=city.posyandu_a)
    user.password = Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt())
    user.save()
    assert _parameters(user.password).memory_cost == Argon2PasswordHasher.memory_cost

    response = client.post(reverse("accounts:login"), {"username": "siti", "password": PASSWORD})

    assert response.status_code == 302
    stored = _parameters(User.objects.get(pk=user.pk).password)
    assert (stored.memory_cost, stored.time_cost, stored.parallelism) == (
        MEMORY_KIB,
        TIME_COST,
        PARALLELISM,
    )
    client.logout()
    again = client.post(reverse("accounts:login"), {"username": "siti", "password": PASSWORD})
    assert again.status_code == 302
