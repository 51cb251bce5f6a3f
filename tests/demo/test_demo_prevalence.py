"""The demo city's prevalence agrees with an independent computation.

The latest full month's measurements go through ``posyandu zscore`` (the CSV
command, as a survey analyst would use it) and are counted here with WHO's
rules written out in plain Python, the Wilson formula written out, and numpy's
moments; the app's prevalence report (read from its prevalence cells, kept on
every write) must give the same numerators, denominators, intervals, means
and SDs, for the city and by sex and age group.
"""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest

from posyandu.accounts.scope import Scope
from posyandu.areas.hierarchy import Level, find_area
from posyandu.areas.models import Kota
from posyandu.cli import main
from posyandu.measurements.models import Visit
from posyandu.reports.prevalence_selectors import INDICATORS, Period, prevalence_report

pytestmark = pytest.mark.django_db

GROUPS = ((0, 5), (6, 11), (12, 23), (24, 35), (36, 47), (48, 59))


def _wilson(x: int, n: int) -> tuple[float, float]:
    z = 1.959963984540054
    p = x / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return 100 * (centre - half), 100 * (centre + half)


def _zscore_file(visits, tmp_path):
    source = tmp_path / "month.csv"
    with open(source, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "visit",
                "sex",
                "birth_date",
                "measure_date",
                "weight_kg",
                "height_cm",
                "measure",
                "oedema",
            ]
        )
        for v in visits:
            writer.writerow(
                [
                    v.pk,
                    v.child.sex,
                    v.child.birth_date.isoformat(),
                    v.measured_on.isoformat(),
                    v.weight_kg or "",
                    v.height_cm or "",
                    v.position,
                    "y" if v.oedema else "n",
                ]
            )
    out = tmp_path / "month-z.csv"
    assert main(["zscore", str(source), "-o", str(out)]) == 0
    with open(out, newline="") as handle:
        return list(csv.DictReader(handle))


def _counts(rows) -> dict[str, tuple[int, int]]:
    """WHO's rules, written out: flagged z out of its indicator; oedema = severe
    wasting and severe underweight, never overweight."""

    def z(row, name):
        return (
            None
            if row[f"flag_{name}"] == "1" or row[f"z_{name}"] == ""
            else float(row[f"z_{name}"])
        )

    found = {code: [0, 0] for code in INDICATORS}
    for row in rows:
        haz, waz, whz = z(row, "lhfa"), z(row, "wfa"), z(row, "wflh")
        oedema = row["oedema"] == "y"
        if haz is not None:
            found["stunting"][1] += 1
            found["severe_stunting"][1] += 1
            found["stunting"][0] += haz < -2
            found["severe_stunting"][0] += haz < -3
        if oedema or whz is not None:
            for code in ("wasting", "severe_wasting", "overweight"):
                found[code][1] += 1
            found["wasting"][0] += oedema or whz < -2
            found["severe_wasting"][0] += oedema or whz < -3
            found["overweight"][0] += (not oedema) and whz > 2
        if oedema or waz is not None:
            found["underweight"][1] += 1
            found["severe_underweight"][1] += 1
            found["underweight"][0] += oedema or waz < -2
            found["severe_underweight"][0] += oedema or waz < -3
        if haz is not None and (oedema or whz is not None):
            found["stunting_and_wasting"][1] += 1
            found["stunting_and_wasting"][0] += haz < -2 and (oedema or whz < -2)
    return {code: (n, d) for code, (n, d) in found.items()}


def _group(row) -> str | None:
    months = math.floor(int(row["age_days"]) / 30.4375)
    for low, high in GROUPS:
        if low <= months <= high:
            return f"{low}-{high}"
    return None


def test_demo_prevalence_equals_an_independent_computation(small_city, tmp_path):
    # The latest full month: the current one has only its first days.
    months = sorted(set(Visit.objects.values_list("period", flat=True)))
    month = months[-2]
    visits = list(Visit.objects.filter(period=month).select_related("child").order_by("pk"))
    assert len(visits) > 100
    rows = _zscore_file(visits, tmp_path)
    by_visit = {int(r["visit"]): r for r in rows}
    # The stored z-scores are the command's, to two decimals.
    for v in visits:
        if v.z_lhfa is not None and by_visit[v.pk]["z_lhfa"]:
            assert abs(v.z_lhfa - float(by_visit[v.pk]["z_lhfa"])) < 0.0051

    kota = Kota.objects.get()
    root, below = prevalence_report(
        Scope.for_command_line(), find_area(kota.code), Period.month(month)
    )
    assert {row.area.level for row in below} == {Level.KECAMATAN, Level.PUSKESMAS}
    expected = _counts(rows)
    for code, indicator in INDICATORS.items():
        estimate = root.prevalence.estimate(indicator)
        assert (estimate.numerator, estimate.denominator) == expected[code], code
        if estimate.denominator:
            assert estimate.ci_pct == pytest.approx(_wilson(*expected[code]), abs=1e-9)
    assert expected["stunting"][0] > 0 and expected["wasting"][0] > 0

    for sex in (1, 2):
        for low, high in GROUPS:
            group = f"{low}-{high}"
            chosen = [r for r in rows if r["sex"] == str(sex) and _group(r) == group]
            want = _counts(chosen)
            got = root.prevalence.estimate(INDICATORS["stunting"], sex, group)
            assert (got.numerator, got.denominator) == want["stunting"], (sex, group)

    for name in ("lhfa", "wfa", "wflh"):
        values = np.array(
            [float(r[f"z_{name}"]) for r in rows if r[f"z_{name}"] and r[f"flag_{name}"] == "0"]
        )
        stats = root.prevalence.z_stats(name)
        assert stats.n == len(values)
        assert stats.mean == pytest.approx(values.mean(), abs=1e-9)
        assert stats.sd == pytest.approx(values.std(ddof=1), abs=1e-9)
