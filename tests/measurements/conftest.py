"""Fixtures for the weighing table: one Posyandu's kader and a girl born 15/01/2024."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from posyandu.accounts.models import User
from posyandu.children.models import Child, Sex
from tests.factories import ChildFactory, City, kader_of


@pytest.fixture
def kader(city: City) -> User:
    return kader_of(city.posyandu_a, username="kader_melati")


@pytest.fixture
def other_kader(city: City) -> User:
    return kader_of(city.posyandu_b, username="kader_anggrek")


@pytest.fixture
def siti(city: City) -> Child:
    return ChildFactory(
        name="Siti Aminah",
        sex=Sex.FEMALE,
        birth_date=dt.date(2024, 1, 15),
        mother_name="Rina",
        nik="6474015501240003",
        posyandu=city.posyandu_a,
    )


@pytest.fixture
def kader_client(kader: User) -> Client:
    client = Client()
    client.force_login(kader)
    return client


@pytest.fixture
def other_client(other_kader: User) -> Client:
    client = Client()
    client.force_login(other_kader)
    return client
