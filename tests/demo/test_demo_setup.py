"""``setup_demo``: logins in demo-users.csv, and a second run that reuses everything."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from posyandu.accounts.models import Role, User
from posyandu.areas.models import Kota, Posyandu, Puskesmas
from posyandu.children.models import Child
from posyandu.demo.generator import NotADemoDatabase
from posyandu.demo.setup import format_summary, setup_demo
from posyandu.measurements.models import Visit


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == ["role", "username", "password", "area_code", "area_name"]
        return list(reader)


def test_demo_users_csv_lists_one_login_per_role_and_area(
    db: None, fast_hashes: None, tmp_path: Path
) -> None:
    summary = setup_demo(children=100, seed=5, directory=tmp_path, say=lambda _m: None)
    rows = _rows(tmp_path / "demo-users.csv")
    by_role: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_role.setdefault(row["role"], []).append(row)
    assert {r: len(v) for r, v in by_role.items()} == {
        "admin": 1,
        "dinkes": 1,
        "puskesmas": 6,
        "bidan": 6,
        "tenaga_gizi": 6,
        "kader": 124,
    }
    gizi = User.objects.get(username=by_role["tenaga_gizi"][0]["username"])
    assert (gizi.role, gizi.puskesmas.code) == (
        "tenaga_gizi",
        by_role["tenaga_gizi"][0]["area_code"],
    )
    assert by_role["admin"][0]["username"] == "admin"
    assert User.objects.get(username="admin").is_superuser
    logins = {row["username"] for row in by_role["kader"]}
    kader_posyandu = [
        u.posyandu_id for u in User.objects.filter(role=Role.KADER, username__in=logins)
    ]
    assert sorted(kader_posyandu) == sorted(Posyandu.objects.values_list("pk", flat=True))
    # The other kader who record the demo's visits have no password to log in with.
    others = User.objects.filter(role=Role.KADER).exclude(username__in=logins)
    assert others.exists() and not any(u.has_usable_password() for u in others)
    for row in by_role["kader"]:
        user = User.objects.get(username=row["username"])
        assert user.posyandu.code == row["area_code"]
        assert user.posyandu.name == row["area_name"]
    for row in by_role["bidan"] + by_role["puskesmas"]:
        assert User.objects.get(username=row["username"]).puskesmas == Puskesmas.objects.get(
            code=row["area_code"]
        )
    assert User.objects.get(username="dinkes").kota == Kota.objects.get(code="64.74")
    for row in (by_role["admin"][0], by_role["dinkes"][0], by_role["kader"][7]):
        assert User.objects.get(username=row["username"]).check_password(row["password"])
    assert len({row["password"] for row in rows}) == len(rows)
    # The printed passwords keep working: no demo login is sent to change its password.
    assert not User.objects.filter(must_change_password=True).exists()

    text = format_summary(summary, "http://127.0.0.1:8000/")
    assert "124 posyandu" in text and "demo-users.csv" in text
    assert "menu Pengguna" in text and "menu Audit" in text
    assert by_role["admin"][0]["password"] in text and by_role["dinkes"][0]["password"] in text


def test_second_run_reuses_the_city_and_the_logins(
    db: None, fast_hashes: None, tmp_path: Path
) -> None:
    first = setup_demo(children=80, seed=5, directory=tmp_path, say=lambda _m: None)
    csv_before = (tmp_path / "demo-users.csv").read_text(encoding="utf-8")
    counts = (Child.objects.count(), Visit.objects.count(), User.objects.count())

    second = setup_demo(children=80, seed=6, directory=tmp_path, say=lambda _m: None)

    assert first.created and not second.created and not second.passwords_reset
    assert (Child.objects.count(), Visit.objects.count(), User.objects.count()) == counts
    assert (tmp_path / "demo-users.csv").read_text(encoding="utf-8") == csv_before
    assert second.counts == first.counts


def test_a_lost_csv_gets_new_passwords_that_work(
    db: None, fast_hashes: None, tmp_path: Path
) -> None:
    setup_demo(children=50, seed=5, directory=tmp_path, say=lambda _m: None)
    old = {r["username"]: r["password"] for r in _rows(tmp_path / "demo-users.csv")}
    (tmp_path / "demo-users.csv").unlink()
    users = User.objects.count()

    again = setup_demo(children=50, seed=5, directory=tmp_path, say=lambda _m: None)

    assert again.passwords_reset
    new = {r["username"]: r["password"] for r in _rows(tmp_path / "demo-users.csv")}
    assert new.keys() == old.keys()
    assert User.objects.count() == users
    kader = next(name for name in new if name.startswith("kader-"))
    assert User.objects.get(username=kader).check_password(new[kader])
    assert not User.objects.get(username=kader).check_password(old[kader])


def test_demo_refuses_a_database_with_other_areas(
    db: None, fast_hashes: None, tmp_path: Path
) -> None:
    Kota.objects.create(code="64.71", name="Kota Balikpapan")

    with pytest.raises(NotADemoDatabase):
        setup_demo(children=50, seed=5, directory=tmp_path, say=lambda _m: None)

    assert not Posyandu.objects.exists()
    assert not (tmp_path / "demo-users.csv").exists()


def test_a_csv_from_another_demo_gets_new_passwords(
    db: None, fast_hashes: None, tmp_path: Path
) -> None:
    setup_demo(children=50, seed=5, directory=tmp_path, say=lambda _m: None)
    path = tmp_path / "demo-users.csv"
    stale = path.read_text(encoding="utf-8").replace(",admin,", ",admin,x", 1)
    path.write_text(stale, encoding="utf-8")

    again = setup_demo(children=50, seed=5, directory=tmp_path, say=lambda _m: None)

    assert again.passwords_reset
    admin = next(r for r in _rows(path) if r["role"] == "admin")
    assert User.objects.get(username="admin").check_password(admin["password"])
