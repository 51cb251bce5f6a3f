"""``posyandu demo``: migrate, generate the city once, write the logins, summarise."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from posyandu.accounts.models import Role, User
from posyandu.areas.models import Kecamatan, Kelurahan, Posyandu, Puskesmas
from posyandu.children.models import Child
from posyandu.demo import city
from posyandu.demo.generator import demo_city_exists, generate
from posyandu.demo.kader import create_kader
from posyandu.demo.posyandu_days import add_posyandu_days
from posyandu.demo.sample_import import SAMPLE_NAME, write_sample
from posyandu.demo.users import (
    CSV_NAME,
    PRIVATE_FILE_MODE,
    DemoLogin,
    PasswordHashes,
    plan_logins,
    read_csv,
    save_demo_users,
    write_csv,
)
from posyandu.measurements.models import Visit


@dataclass
class DemoSummary:
    created: bool
    csv_path: Path
    passwords_reset: bool
    counts: dict[str, int]
    report_period: dt.date | None
    measured: int
    stunted: int
    logins: list[DemoLogin]
    timings_s: dict[str, float] = field(default_factory=dict)

    @property
    def stunting_pct(self) -> float:
        return 100.0 * self.stunted / self.measured if self.measured else float("nan")


def latest_complete_period() -> dt.date | None:
    """The newest month in which every Posyandu with visits had its day."""
    per_month = list(
        Visit.objects.values("period")
        .annotate(posyandu=Count("posyandu", distinct=True))
        .order_by("period")
    )
    if not per_month:
        return None
    most = max(row["posyandu"] for row in per_month)
    complete: list[dt.date] = [row["period"] for row in per_month if row["posyandu"] == most]
    return complete[-1]


def stunting_in(period: dt.date) -> tuple[int, int]:
    """(measured, stunted) children in ``period``: z length/height-for-age < −2."""
    row = Visit.objects.filter(period=period, z_lhfa__isnull=False).aggregate(
        measured=Count("id"), stunted=Count("id", filter=Q(z_lhfa__lt=-2))
    )
    return row["measured"], row["stunted"]


def _csv_matches_database(csv_path: Path) -> bool:
    """Whether the admin's password in the file opens this database (one hash check)."""
    try:
        admin = next(x for x in read_csv(csv_path) if x.role == Role.ADMIN)
    except (StopIteration, KeyError, TypeError, ValueError):
        return False
    user = User.objects.filter(username=admin.username).first()
    return user is not None and user.check_password(admin.password)


def sqlite_database_file() -> Path | None:
    """The file of the default database when it is SQLite on disk, else None."""
    if connection.vendor != "sqlite":
        return None
    name = str(connection.settings_dict["NAME"])
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    return Path(name)


def create_private_file(path: Path) -> bool:
    """Create ``path`` empty and owner-only unless it exists; True if created.

    The demo database holds (invented) children's records and the users'
    password hashes. SQLite creates a missing database file with the umask
    (usually world-readable 0644), but keeps the mode of an existing one,
    also for its ``-wal`` and ``-shm`` files; an empty file is a valid new
    database.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def setup_demo(
    *,
    children: int = 10_000,
    seed: int = 6474,
    directory: Path | None = None,
    say: Callable[[str], None] = print,
) -> DemoSummary:
    """Migrate; build the demo city unless it exists; make sure the logins work."""
    directory = directory or Path.cwd()
    csv_path = directory / CSV_NAME
    timings: dict[str, float] = {}
    start = time.perf_counter()
    sqlite_file = sqlite_database_file()
    if sqlite_file is not None:
        create_private_file(sqlite_file)
    call_command("migrate", interactive=False, verbosity=0)
    timings["migrate"] = time.perf_counter() - start

    created = False
    passwords_reset = False
    if not demo_city_exists():
        say(f"Membuat kota contoh {city.KOTA_NAME} ({children:,} anak)…".replace(",", "."))
        logins = plan_logins()
        hashes = PasswordHashes(logins)
        try:
            t = time.perf_counter()
            report = generate(children=children, seed=seed, say=say)
            timings["generate"] = time.perf_counter() - t
            t = time.perf_counter()
            hashed = hashes.result()
            timings["wait for password hashes"] = time.perf_counter() - t
        except BaseException:
            hashes.cancel()
            raise
        save_demo_users(logins, hashed)
        timings["kader"] = create_kader(seed=seed)
        write_csv(csv_path, logins)
        write_sample(directory / SAMPLE_NAME, today=timezone.localdate())
        timings["posyandu days"] = add_posyandu_days(today=timezone.localdate(), seed=seed).seconds
        created = True
        timings.update({f"generate: {k}": v for k, v in report.timings_s.items()})
    elif csv_path.exists() and _csv_matches_database(csv_path):
        logins = read_csv(csv_path)
    else:
        # Hashes cannot be turned back into passwords: give the demo users new
        # ones, so the file a trainer hands out always works.
        say(f"{CSV_NAME} tidak ada atau tidak cocok: kata sandi pengguna demo dibuat ulang.")
        logins = plan_logins()
        t = time.perf_counter()
        save_demo_users(logins, PasswordHashes(logins).result())
        timings["reset passwords"] = time.perf_counter() - t
        write_csv(csv_path, logins)
        passwords_reset = True

    period = latest_complete_period()
    measured, stunted = stunting_in(period) if period else (0, 0)
    counts = {
        "kecamatan": Kecamatan.objects.count(),
        "kelurahan": Kelurahan.objects.count(),
        "puskesmas": Puskesmas.objects.count(),
        "posyandu": Posyandu.objects.count(),
        "anak": Child.objects.count(),
        "kunjungan": Visit.objects.count(),
    }
    timings["total"] = time.perf_counter() - start
    return DemoSummary(
        created=created,
        csv_path=csv_path,
        passwords_reset=passwords_reset,
        counts=counts,
        report_period=period,
        measured=measured,
        stunted=stunted,
        logins=logins,
        timings_s=timings,
    )


def format_summary(summary: DemoSummary, url: str | None) -> str:
    def n(value: int) -> str:
        return f"{value:,}".replace(",", ".")

    lines = [
        "",
        "Kota contoh " + ("dibuat" if summary.created else "sudah ada: dipakai lagi") + ".",
        "  " + ", ".join(f"{n(v)} {k}" for k, v in summary.counts.items()),
    ]
    if summary.report_period:
        pct = f"{summary.stunting_pct:.1f}".replace(".", ",")
        lines.append(
            f"  Stunting {summary.report_period:%m/%Y}: {pct}% "
            f"({n(summary.stunted)} dari {n(summary.measured)} anak yang diukur)"
        )
    lines.append(
        f"  Satu login per peran; semua {n(len(summary.logins))} login ada di {summary.csv_path}"
    )
    shown = {role.value for role in Role}
    for login in summary.logins:
        if login.role in shown:
            shown.discard(login.role)
            lines.append(
                f"  {login.role:<11} {login.username:<26} {login.password:<26} {login.area_name}"
            )
    sample = summary.csv_path.parent / SAMPLE_NAME
    if sample.exists():
        lines.append(f"  Coba impor e-PPGBM (login puskesmas atau dinkes, menu Impor): {sample}")
    lines.append(
        "  Login kader, bidan dan tenaga gizi dikelola oleh puskesmas dan dinkes (menu Pengguna);"
        " log audit: login dinkes, menu Audit."
    )
    if url:
        lines.append(f"  Buka {url} (Ctrl+C untuk berhenti)")
    seconds = summary.timings_s.get("total")
    if seconds is not None:
        lines.append(f"  Persiapan selesai dalam {seconds:.1f} detik.".replace(".", ",", 1))
    return "\n".join(lines)
