"""A file to try the e-PPGBM import with on the demo's first start.

``contoh-impor-eppgbm.xlsx`` is what a Puskesmas brings from its own
spreadsheet: one Posyandu's measurements of last month, which the demo city
already holds (they are found and skipped), and a few children the register
does not know yet, typed with the quirks of real files (decimal commas,
weights in grams, dates in several forms), each with three monthly
measurements. Invented children, fake NIK-shaped numbers.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Final

import numpy as np

from posyandu.accounts.scope import Scope
from posyandu.areas.hierarchy import find_area
from posyandu.areas.models import Posyandu
from posyandu.demo import names
from posyandu.demo.generator import fake_nik
from posyandu.exchange.eppgbm import COLUMNS, PROVINCES, rows, visits_to_export, write_xlsx
from posyandu.growth.curves import measurement_at_z
from posyandu.measurements.assessment import position_for_age

SAMPLE_NAME: Final = "contoh-impor-eppgbm.xlsx"
NEW_CHILDREN: Final = 12


def write_sample(path: Path, *, today: dt.date, seed: int = 6474) -> int:
    """Write the sample file; returns its number of data lines."""
    posyandu = (
        Posyandu.objects.select_related("kelurahan__kecamatan__kota", "puskesmas")
        .order_by("code")
        .first()
    )
    if posyandu is None:
        return 0
    last_month_end = today.replace(day=1) - dt.timedelta(days=1)
    start = last_month_end.replace(day=1)
    visits = visits_to_export(
        Scope.for_command_line(), find_area(posyandu.code), start, last_month_end
    )
    data: list[tuple[Any, ...]] = list(rows(visits, mask=False))
    rng = np.random.default_rng(seed)
    kelurahan = posyandu.kelurahan
    for c in range(NEW_CHILDREN):
        female = bool(c % 2)
        sex = 2 if female else 1
        birth = today - dt.timedelta(days=int(rng.integers(120, 1500)))
        given = (names.GIRLS if female else names.BOYS)[int(rng.integers(0, 40))]
        second = (names.SECOND_NAMES_GIRLS if female else names.SECOND_NAMES)[c]
        mother = f"{names.MOTHERS[int(rng.integers(0, 30))]} {names.MOTHERS_SECOND[c]}"
        nik = fake_nik(kelurahan.kecamatan.code, birth, female, c)
        z_length, z_weight = rng.normal(-0.9, 0.9), rng.normal(-0.5, 0.9)
        for m in (3, 2, 1):
            on = (today.replace(day=1) - dt.timedelta(days=30 * m - 5)).replace(day=8 + c)
            age = (on - birth).days
            height = float(measurement_at_z("lhfa", sex, age, z_length))
            weight = float(measurement_at_z("wfa", sex, age, z_weight))
            values = {
                "No": len(data) + 1,
                "NIK": nik,
                "Nama": f"{given} {second}",
                "JK": "Perempuan" if female else "Laki-laki",
                # The same child's dates in three forms, as a real file has them.
                "Tgl Lahir": (birth.strftime("%d-%m-%Y"), birth.strftime("%d/%m/%Y"), birth)[m % 3],
                "Nama Ortu": mother,
                "Prov": PROVINCES.get(kelurahan.kecamatan.kota.code[:2], ""),
                "Kab/Kota": kelurahan.kecamatan.kota.name,
                "Kec": kelurahan.kecamatan.name,
                "Pukesmas": posyandu.puskesmas.name,
                "Desa/Kel": kelurahan.name.upper(),
                "Posyandu": f"  {posyandu.name.lower()} ",
                "RT": f"{c % 9 + 1:03d}",
                "RW": "002",
                "Alamat": f"Jl. {names.STREETS[c % len(names.STREETS)]} No. {c + 3}",
                "Tanggal Pengukuran": on.strftime("%d-%m-%Y"),
                # Weights in grams on one line in three, decimal commas elsewhere.
                "Berat": str(round(weight * 1000)) if m == 2 else f"{weight:.1f}".replace(".", ","),
                "Tinggi": f"{height:.1f}".replace(".", ","),
                "Cara Ukur": "TELENTANG" if position_for_age(age) == "l" else "berdiri",
            }
            data.append(tuple(values.get(name, "") for name in COLUMNS))
    with path.open("wb") as out:
        return write_xlsx(out, data)
