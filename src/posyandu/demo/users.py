"""The demo logins: one user per role and area, passwords a trainer can read out.

Passwords are hashed with the project's hasher (Argon2id,
``accounts/hashers.py``), never a weaker one. The ~140 hashes (about 0.025 s
each here, 0.2 s at Django's default parameters) start in two worker
processes before the city is generated and are collected afterwards,
overlapping with the generation.
"""

from __future__ import annotations

import csv
import multiprocessing
import os
from collections.abc import Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.text import slugify

from posyandu.accounts.models import Role, User
from posyandu.accounts.passwords import readable_password
from posyandu.areas.models import Kota, Posyandu, Puskesmas
from posyandu.demo import city
from posyandu.demo.generator import plan_posyandu
from posyandu.demo.habits import kader_username
from posyandu.demo.hashing import hash_password, start_worker

CSV_NAME: Final = "demo-users.csv"
CSV_COLUMNS: Final = ("role", "username", "password", "area_code", "area_name")
HASH_WORKERS = 2
# Owner read/write only: the CSV holds the demo passwords in clear.
PRIVATE_FILE_MODE: Final = 0o600


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    password: str
    area_code: str
    area_name: str


def _short(puskesmas_name: str) -> str:
    return slugify(puskesmas_name.removeprefix("Puskesmas "))


def plan_logins() -> list[DemoLogin]:
    """Every demo login with a fresh password, from the city plan (no database)."""
    logins = [
        DemoLogin(Role.ADMIN.value, "admin", readable_password(), city.KOTA_CODE, city.KOTA_NAME),
        DemoLogin(Role.DINKES.value, "dinkes", readable_password(), city.KOTA_CODE, city.KOTA_NAME),
    ]
    for code, name, _kelurahan in city.PUSKESMAS:
        logins.append(
            DemoLogin(Role.PUSKESMAS.value, f"pkm-{_short(name)}", readable_password(), code, name)
        )
        logins.append(
            DemoLogin(Role.BIDAN.value, f"bidan-{_short(name)}", readable_password(), code, name)
        )
        logins.append(
            DemoLogin(
                Role.TENAGA_GIZI.value, f"gizi-{_short(name)}", readable_password(), code, name
            )
        )
    for plan in plan_posyandu():
        logins.append(
            DemoLogin(
                Role.KADER.value,
                kader_username(plan.name),
                readable_password(),
                plan.code,
                plan.name,
            )
        )
    return logins


class PasswordHashes:
    """Argon2 hashes of the logins' passwords, computed in worker processes.

    Processes, not threads: a thread hashing holds the GIL for a whole hash,
    which stalled the generator's database writes behind it.
    ``workers=0`` hashes in this process when :meth:`result` is called (tests
    use it with a fast hasher in their settings).
    """

    def __init__(self, logins: Iterable[DemoLogin], workers: int | None = None) -> None:
        self._logins = list(logins)
        workers = HASH_WORKERS if workers is None else workers
        self._pool: ProcessPoolExecutor | None = None
        self._futures: dict[str, Future[str]] = {}
        if workers > 0:
            self._pool = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=start_worker,
            )
            self._futures = {
                login.username: self._pool.submit(hash_password, login.password)
                for login in self._logins
            }

    def result(self) -> dict[str, str]:
        if self._pool is None:
            return {login.username: make_password(login.password) for login in self._logins}
        try:
            return {username: f.result() for username, f in self._futures.items()}
        finally:
            self._pool.shutdown(wait=True)

    def cancel(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)


@transaction.atomic
def save_demo_users(logins: list[DemoLogin], hashes: dict[str, str]) -> None:
    """Create the demo users, or give existing ones these passwords and areas."""
    kota = Kota.objects.get(code=city.KOTA_CODE)
    puskesmas = {p.code: p for p in Puskesmas.objects.filter(kota=kota)}
    posyandu = {p.code: p for p in Posyandu.objects.filter(puskesmas__kota=kota)}
    usernames = [login.username for login in logins]
    existing = {u.username: u for u in User.objects.filter(username__in=usernames)}
    new: list[User] = []
    changed: list[User] = []
    for login in logins:
        user = existing.get(login.username) or User(username=login.username)
        user.password = hashes[login.username]
        user.role = login.role
        user.is_superuser = user.is_staff = login.role == Role.ADMIN
        user.is_active = True
        # The console and demo-users.csv print these passwords for everyone to
        # try: no forced change, so the printed logins keep working.
        user.must_change_password = False
        user.kota = kota if login.role in (Role.ADMIN, Role.DINKES) else None
        user.puskesmas = (
            puskesmas[login.area_code]
            if login.role in (Role.PUSKESMAS, Role.BIDAN, Role.TENAGA_GIZI)
            else None
        )
        user.posyandu = posyandu[login.area_code] if login.role == Role.KADER else None
        first, _, rest = login.username.partition("-")
        user.first_name = first.capitalize()
        user.last_name = rest.replace("-", " ").title()
        (changed if user.pk else new).append(user)
    User.objects.bulk_create(new)
    User.objects.bulk_update(
        changed,
        [
            "password",
            "role",
            "is_superuser",
            "is_staff",
            "is_active",
            "must_change_password",
            "kota",
            "puskesmas",
            "posyandu",
            "first_name",
            "last_name",
        ],
    )


def write_csv(path: Path, logins: Iterable[DemoLogin]) -> None:
    """Write the logins, passwords in clear, to a file only its owner may read."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    # A .tmp left by an interrupted run keeps its old mode through os.open.
    os.fchmod(fd, PRIVATE_FILE_MODE)
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for login in logins:
            writer.writerow(
                [login.role, login.username, login.password, login.area_code, login.area_name]
            )
    tmp.replace(path)


def read_csv(path: Path) -> list[DemoLogin]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [DemoLogin(**{k: row[k] for k in CSV_COLUMNS}) for row in csv.DictReader(handle)]
