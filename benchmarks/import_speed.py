"""How fast is the e-PPGBM import? (issue: 100,000 rows in under 60 s, memory flat)

For each database (SQLite in a temporary file, and PostgreSQL on
``--server`` in a database of its own, dropped at the end), in a fresh
process: migrate, create the demo's Bontang areas (124 Posyandu), write an
e-PPGBM by-name file of ``--rows`` lines (``--rows / 5`` new children with
five monthly measurements each, spread over every Posyandu, NIKs as text,
decimal commas in the CSV) as .xlsx and as .csv, then measure

* the baseline: reading every row of the file with the same library the
  import uses (python-calamine for .xlsx, the csv module for .csv), nothing
  else;
* ``exchange.importer.import_eppgbm`` on it (a real import, one transaction,
  z-scores, N/T, aggregates and the audit record included), and a second
  import of the same file (every line already present);
* peak memory (the process's maximum resident set) before and after, at
  ``--rows / 10`` and at ``--rows``, so a memory that grows with the file
  shows as MB per 1,000 rows.

Prints rows/s, the ratio to the read-only baseline, and PASS/FAIL for the
60 s target; the exit status is 0 either way.

    .venv/bin/python benchmarks/import_speed.py [--rows 100000] [--db sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SERVER = "postgresql://postgres@127.0.0.1:5432"
TARGET_S = 60.0
MEASUREMENTS_PER_CHILD = 5


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _write_files(rows: int, folder: Path) -> tuple[Path, Path]:
    import numpy as np

    from posyandu.areas.models import Posyandu
    from posyandu.demo import names
    from posyandu.exchange.eppgbm import COLUMNS, write_csv, write_xlsx
    from posyandu.growth.curves import measurement_at_z

    rng = np.random.default_rng(10)
    places = list(
        Posyandu.objects.values_list(
            "name", "kelurahan__name", "kelurahan__kecamatan__name", "puskesmas__name"
        )
    )
    children = rows // MEASUREMENTS_PER_CHILD
    today = dt.date.today()
    first_month = (today.replace(day=1) - dt.timedelta(days=31 * MEASUREMENTS_PER_CHILD)).replace(
        day=1
    )
    data = []
    for c in range(children):
        posyandu, kelurahan, kecamatan, puskesmas = places[c % len(places)]
        female = bool(c % 2)
        birth = today - dt.timedelta(days=int(rng.integers(200, 1700)))
        first_names = names.GIRLS if female else names.BOYS
        given = first_names[c % len(first_names)]
        surname = names.SECOND_NAMES[(c // 7) % len(names.SECOND_NAMES)]
        day = birth.day + (40 if female else 0)
        # Region and serial from the child's number: every NIK distinct.
        region = f"6474{(c // 10000) % 100:02d}"
        nik = f"{region}{day:02d}{birth.month:02d}{birth.year % 100:02d}{c % 10000:04d}"
        # Each child keeps its z-scores (a Posyandu's plausible children),
        # measured from the WHO curves at its age on each visit.
        z_height, z_weight = rng.normal(-0.8, 1.0), rng.normal(-0.4, 1.0)
        for m in range(MEASUREMENTS_PER_CHILD):
            month = (first_month + dt.timedelta(days=31 * m)).replace(day=1)
            on = month.replace(day=1 + (c % 25))
            if on <= birth:
                on = birth + dt.timedelta(days=1 + m)
            age = (on - birth).days
            sex = 2 if female else 1
            height = float(measurement_at_z("lhfa", sex, age, z_height))
            weight = float(measurement_at_z("wfa", sex, age, z_weight))
            row = [""] * len(COLUMNS)
            values = {
                "No": len(data) + 1,
                "NIK": nik,
                "Nama": f"{given} {surname} {c}",
                "JK": "P" if female else "L",
                "Tgl Lahir": birth.strftime("%d-%m-%Y"),
                "Nama Ortu": f"{names.MOTHERS[(c * 3) % len(names.MOTHERS)]} {surname}",
                "Prov": "Kalimantan Timur",
                "Kab/Kota": "Bontang",
                "Kec": kecamatan,
                "Pukesmas": puskesmas,
                "Desa/Kel": kelurahan,
                "Posyandu": posyandu,
                "Tanggal Pengukuran": on.strftime("%d-%m-%Y"),
                "Berat": round(weight, 1),
                "Tinggi": round(height, 1),
                "Cara Ukur": "Berdiri" if (on - birth).days >= 731 else "Terlentang",
            }
            for name, value in values.items():
                row[COLUMNS.index(name)] = value
            data.append(tuple(row))
    xlsx, csv_path = folder / "eppgbm.xlsx", folder / "eppgbm.csv"
    with xlsx.open("wb") as out:
        write_xlsx(out, data)
    with csv_path.open("w", newline="", encoding="utf-8-sig") as out:
        write_csv(out, data)
    return xlsx, csv_path


def _read_only(path: Path) -> tuple[int, float]:
    started = time.perf_counter()
    count = 0
    if path.suffix == ".xlsx":
        from python_calamine import CalamineWorkbook

        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        for _row in sheet.iter_rows():
            count += 1
    else:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            for _row in csv.reader(handle, delimiter=";"):
                count += 1
    return count - 1, time.perf_counter() - started


def _import(path: Path) -> tuple[float, dict[str, int]]:
    from posyandu.accounts.scope import Scope
    from posyandu.exchange.importer import import_eppgbm

    data = path.read_bytes()
    started = time.perf_counter()
    result = import_eppgbm(
        data=data, file_name=path.name, scope=Scope.for_command_line(), user=None
    )
    seconds = time.perf_counter() - started
    if result.bad_lines:
        first = result.bad_lines[0]
        raise SystemExit(f"bad line {first.number}: {first.errors}")
    return seconds, result.counts


def _reset() -> None:
    from posyandu.children.models import Child
    from posyandu.core.models import AuditLog
    from posyandu.measurements.models import Visit
    from posyandu.reports.models import MonthlyAggregate

    Visit.objects.all().delete()
    Child.objects.all().delete()
    MonthlyAggregate.objects.all().delete()
    AuditLog.objects.all().delete()


def run_one(rows: int) -> dict[str, object]:
    """In a fresh process whose DATABASE_URL is set: everything for one database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "posyandu.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from posyandu.demo.generator import _create_areas

    call_command("migrate", verbosity=0)
    _create_areas()
    out: dict[str, object] = {"vendor": connection.vendor, "rows": rows}
    with tempfile.TemporaryDirectory() as folder:
        for label, n in (("small", max(rows // 10, MEASUREMENTS_PER_CHILD)), ("full", rows)):
            xlsx, csv_path = _write_files(n, Path(folder))
            for path in (xlsx, csv_path):
                kind = path.suffix[1:]
                read_rows, read_s = _read_only(path)
                rss_before = _rss_mb()
                seconds, counts = _import(path)
                again_s, again = _import(path)
                out[f"{label}_{kind}"] = {
                    "rows": read_rows,
                    "file_mb": path.stat().st_size / 1e6,
                    "read_s": read_s,
                    "import_s": seconds,
                    "again_s": again_s,
                    "children": counts["children_created"],
                    "visits": counts["visits_created"],
                    "again_present": again["already_present"],
                    "rss_before_mb": rss_before,
                    "rss_after_mb": _rss_mb(),
                }
                _reset()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--server", default=SERVER)
    parser.add_argument("--run-one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_one:
        print(json.dumps(run_one(args.rows)))
        return 0
    for db in args.db.split(","):
        with tempfile.TemporaryDirectory() as folder:
            env = dict(os.environ)
            name = f"posyandu_import_bench_{os.getpid()}"
            if db == "sqlite":
                env["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
            else:
                import psycopg

                with psycopg.connect(f"{args.server}/postgres", autocommit=True) as conn:
                    conn.execute(f"DROP DATABASE IF EXISTS {name}")
                    conn.execute(f"CREATE DATABASE {name}")
                env["DATABASE_URL"] = f"{args.server}/{name}"
            try:
                done = subprocess.run(
                    [sys.executable, __file__, "--run-one", "--rows", str(args.rows)],
                    env=env,
                    capture_output=True,
                    text=True,
                    check=False,
                )
            finally:
                if db != "sqlite":
                    import psycopg

                    with psycopg.connect(f"{args.server}/postgres", autocommit=True) as conn:
                        conn.execute(f"DROP DATABASE IF EXISTS {name}")
            if done.returncode != 0:
                print(done.stdout, done.stderr, file=sys.stderr)
                return 1
            _print(json.loads(done.stdout.strip().splitlines()[-1]))
    return 0


def _print(result: dict[str, object]) -> None:
    print(f"\n== {result['vendor']}")
    print(
        f"{'file':<11} {'rows':>8} {'MB':>6} {'read s':>7} {'import s':>9} {'rows/s':>8} "
        f"{'x read':>7} {'again s':>8} {'children':>9} {'visits':>8} {'RSS MB':>13}  target"
    )
    for key in ("small_xlsx", "small_csv", "full_xlsx", "full_csv"):
        r = result[key]
        assert isinstance(r, dict)
        rate = r["rows"] / r["import_s"]
        verdict = "PASS" if r["import_s"] < TARGET_S else "FAIL"
        print(
            f"{key:<11} {r['rows']:>8} {r['file_mb']:>6.1f} {r['read_s']:>7.2f} "
            f"{r['import_s']:>9.2f} {rate:>8.0f} {r['import_s'] / r['read_s']:>7.1f} "
            f"{r['again_s']:>8.2f} {r['children']:>9} {r['visits']:>8} "
            f"{r['rss_before_mb']:>6.0f}->{r['rss_after_mb']:<6.0f} "
            f"{verdict if key.startswith('full') else ''}"
        )


if __name__ == "__main__":
    sys.exit(main())
