"""How fast is the e-PPGBM import, and how much memory does it take?

(issue 10: 100,000 rows in under 60 s, memory flat.)

For each database (SQLite in a temporary file, and PostgreSQL on
``--server`` in a database of its own, dropped at the end) the demo's
Bontang areas (124 Posyandu) are created once, then for each size of
``--sizes``: an e-PPGBM by-name file of that many lines (``size / 5`` new
children with five monthly measurements each, spread over every Posyandu,
NIKs as text, decimal commas in the CSV) is written as .xlsx and as .csv,
and each of these is measured in a process of its own (so that one
measurement's peak memory is not another's):

* **read**: the baseline, reading every row of the file with the same
  library the import uses (python-calamine for .xlsx, the csv module for
  .csv), nothing else;
* **import**: ``exchange.importer.import_eppgbm`` on the file's bytes (a
  real import, one transaction, z-scores, N/T, aggregates, audit record);
* **again**: a second import of the same file (every line already present).

Each process gives its wall-clock time and its peak memory: the growth of
the process's maximum resident set (``ru_maxrss``) from just before the
measured call to its end, which counts every allocator (Python's, SQLite's,
python-calamine's); with ``--tracemalloc`` also Python's own peak
(``tracemalloc``, which slows the run: its times are not the ones printed).
Memory that grows with the file shows as MB that grow with the size.

Prints rows/s, the ratio to the read-only baseline, the memory, and
PASS/FAIL for the 60 s target at 100,000 lines; the exit status is 0 either way.

    .venv/bin/python benchmarks/import_speed.py [--sizes 10000,50000,100000]
        [--db sqlite,postgresql] [--tracemalloc]
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


def _read_only(path: Path) -> int:
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
    return count - 1


def _import(path: Path) -> dict[str, int]:
    from posyandu.accounts.scope import Scope
    from posyandu.exchange.importer import import_eppgbm

    result = import_eppgbm(
        data=path.read_bytes(), file_name=path.name, scope=Scope.for_command_line(), user=None
    )
    try:
        if result.bad_lines:
            first = result.bad_lines[0]
            raise SystemExit(f"bad line {first.number}: {first.errors}")
        return result.counts
    finally:
        result.close()


def _reset() -> None:
    from posyandu.children.models import Child
    from posyandu.core.models import AuditLog
    from posyandu.measurements.models import Visit
    from posyandu.reports.models import MonthlyAggregate

    Visit.objects.all().delete()
    Child.objects.all().delete()
    MonthlyAggregate.objects.all().delete()
    AuditLog.objects.all().delete()


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "posyandu.config.settings")
    import django

    django.setup()


def step(what: str, path: Path, rows: int, traced: bool) -> dict[str, object]:
    """In a fresh process whose DATABASE_URL is set: one step, measured."""
    _django()
    if what == "setup":
        from django.core.management import call_command

        from posyandu.demo.generator import _create_areas

        call_command("migrate", verbosity=0)
        _create_areas()
        return {}
    if what == "files":
        _write_files(rows, path)
        return {}
    if what == "reset":
        _reset()
        return {}
    # Imported before the mark: the measured memory is the step's, not the code's.
    import python_calamine  # noqa: F401

    from posyandu.exchange import importer  # noqa: F401

    if traced:
        import tracemalloc

        tracemalloc.start()
    before = _rss_mb()
    started = time.perf_counter()
    out: dict[str, object] = {}
    if what == "read":
        out["rows"] = _read_only(path)
    else:
        out.update(_import(path))
    out["seconds"] = time.perf_counter() - started
    out["rss_mb"] = _rss_mb() - before
    if traced:
        out["traced_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    return out


def _child(env: dict[str, str], *args: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, __file__, "--step", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{args}: {done.stdout} {done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _measure(env: dict[str, str], sizes: list[int], traced: bool) -> list[dict[str, object]]:
    _child(env, "setup", "-", "0")
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            _child(env, "files", folder, str(size))
            for kind in ("xlsx", "csv"):
                path = str(Path(folder) / f"eppgbm.{kind}")
                row: dict[str, object] = {"size": size, "kind": kind}
                row["file_mb"] = Path(path).stat().st_size / 1e6
                row["read"] = _child(env, "read", path, str(size))
                row["import"] = _child(env, "import", path, str(size))
                row["again"] = _child(env, "again", path, str(size))
                _child(env, "reset", path, str(size))
                if traced:
                    for what in ("read", "import"):
                        row[f"{what}_traced"] = _child(env, what, path, str(size), "--traced")
                        _child(env, "reset", path, str(size))
                results.append(row)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,50000,100000")
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--server", default=SERVER)
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--step", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        what, path, rows = args.step
        print(json.dumps(step(what, Path(path), int(rows), args.traced)))
        return 0
    sizes = [int(s) for s in args.sizes.split(",")]
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
                _print(db, _measure(env, sizes, args.tracemalloc), args.tracemalloc)
            finally:
                if db != "sqlite":
                    import psycopg

                    with psycopg.connect(f"{args.server}/postgres", autocommit=True) as conn:
                        conn.execute(f"DROP DATABASE IF EXISTS {name}")
    return 0


def _print(db: str, results: list[dict[str, object]], traced: bool) -> None:
    print(f"\n== {db}")
    print(
        f"{'lines':>7} {'file':<5} {'MB':>5} {'read s':>7} {'import s':>9} {'rows/s':>7} "
        f"{'x read':>7} {'again s':>8} {'children':>9} {'visits':>7} "
        f"{'peak MB read/import/again':>26}"
        + ("  traced MB read/import" if traced else "")
        + "  target"
    )
    for r in results:
        read, imp, again = r["read"], r["import"], r["again"]
        assert isinstance(read, dict) and isinstance(imp, dict) and isinstance(again, dict)
        size = int(r["size"])  # type: ignore[call-overload]
        rate = size / imp["seconds"]
        verdict = ("PASS" if imp["seconds"] < TARGET_S else "FAIL") if size >= 100_000 else ""
        peaks = f"{read['rss_mb']:.0f} / {imp['rss_mb']:.0f} / {again['rss_mb']:.0f}"
        line = (
            f"{size:>7} {r['kind']:<5} {r['file_mb']:>5.1f} {read['seconds']:>7.2f} "
            f"{imp['seconds']:>9.2f} {rate:>7.0f} {imp['seconds'] / read['seconds']:>7.1f} "
            f"{again['seconds']:>8.2f} {imp['children_created']:>9} {imp['visits_created']:>7} "
            f"{peaks:>26}"
        )
        if traced:
            t_read, t_imp = r["read_traced"], r["import_traced"]
            assert isinstance(t_read, dict) and isinstance(t_imp, dict)
            line += f"  {t_read['traced_mb']:>10.1f} / {t_imp['traced_mb']:.1f}"
        print(f"{line}  {verdict}")


if __name__ == "__main__":
    sys.exit(main())
