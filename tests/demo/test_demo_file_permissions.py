"""The demo's files with secrets in them are readable by their owner only (0600).

``demo-users.csv`` holds the demo passwords in clear and ``posyandu.sqlite3``
the children's records and password hashes; both used to be created 0644.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from posyandu.demo import setup
from posyandu.demo.setup import create_private_file, setup_demo, sqlite_database_file
from posyandu.demo.users import DemoLogin, write_csv

OWNER_ONLY = 0o600


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def _usual_umask() -> Iterator[None]:
    """The common umask 022, under which files are created world-readable."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_the_logins_csv_is_written_owner_only_even_over_a_world_readable_one(
    tmp_path: Path,
) -> None:
    path = tmp_path / "demo-users.csv"
    path.write_text("old\n", encoding="utf-8")
    stale_tmp = tmp_path / "demo-users.csv.tmp"
    stale_tmp.write_text("left by an interrupted run\n", encoding="utf-8")
    assert _mode(path) == _mode(stale_tmp) == 0o644

    write_csv(path, [DemoLogin("admin", "admin", "durian-camar-4821", "64.74", "Kota")])

    assert _mode(path) == OWNER_ONLY
    assert "durian-camar-4821" in path.read_text(encoding="utf-8")
    assert not stale_tmp.exists()


def test_a_new_database_file_is_created_owner_only_and_sqlite_keeps_it_so(
    tmp_path: Path,
) -> None:
    path = tmp_path / "posyandu.sqlite3"

    assert create_private_file(path) is True

    assert _mode(path) == OWNER_ONLY
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE anak (nama TEXT)")
        db.execute("INSERT INTO anak VALUES ('Siti')")
        db.commit()
        companions = [Path(f"{path}-wal"), Path(f"{path}-shm")]
        assert all(p.exists() for p in companions)
        assert [_mode(p) for p in [path, *companions]] == [OWNER_ONLY] * 3


def test_an_existing_database_file_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "posyandu.sqlite3"
    path.write_bytes(b"")
    path.chmod(0o640)

    assert create_private_file(path) is False
    assert _mode(path) == 0o640


@pytest.mark.django_db
def test_the_database_file_is_the_configured_sqlite_one() -> None:
    expected = Path(connection.settings_dict["NAME"]) if connection.vendor == "sqlite" else None
    assert sqlite_database_file() == expected


@pytest.mark.django_db
def test_setup_demo_creates_the_database_and_the_logins_owner_only(
    fast_hashes: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The tests' database already exists; stand in a fresh path for it.
    database = tmp_path / "posyandu.sqlite3"
    monkeypatch.setattr(setup, "sqlite_database_file", lambda: database)

    summary = setup_demo(children=30, seed=3, directory=tmp_path, say=lambda _m: None)

    assert summary.created
    assert _mode(database) == OWNER_ONLY
    assert _mode(tmp_path / "demo-users.csv") == OWNER_ONLY


@pytest.mark.django_db
def test_new_passwords_for_a_lost_csv_are_written_owner_only(
    fast_hashes: None, tmp_path: Path
) -> None:
    setup_demo(children=30, seed=3, directory=tmp_path, say=lambda _m: None)
    csv_path = tmp_path / "demo-users.csv"
    csv_path.write_text("role,username,password,area_code,area_name\n", encoding="utf-8")
    csv_path.chmod(0o644)

    summary = setup_demo(children=30, seed=3, directory=tmp_path, say=lambda _m: None)

    assert summary.passwords_reset
    assert _mode(csv_path) == OWNER_ONLY
