"""Fixtures for the demo city: the generator run on a small city in the test database."""

from __future__ import annotations

import pytest

from posyandu.demo import users
from posyandu.demo.generator import GenerationReport, generate

SMALL_CITY = 300


@pytest.fixture
def fast_hashes(settings: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hash the ~140 demo passwords in-process with a fast hasher (tests only)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]
    monkeypatch.setattr(users, "HASH_WORKERS", 0)


@pytest.fixture
def small_city(db: None) -> GenerationReport:
    return generate(children=SMALL_CITY, seed=11)
