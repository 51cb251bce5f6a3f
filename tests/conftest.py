"""Fixtures shared by the test packages; factories live in tests/factories.py."""

from __future__ import annotations

import pytest

from tests.factories import City, make_city


@pytest.fixture
def city(db: None) -> City:
    return make_city()
