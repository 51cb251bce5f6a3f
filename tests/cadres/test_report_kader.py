"""``posyandu report kader --area CODE -o FILE.csv``: one row per kader."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from posyandu.cadres.models import TrainingKind
from posyandu.cadres.services import (
    TrainingData,
    add_participant,
    award_pin,
    create_training,
    record_assessments,
    record_training_result,
)
from posyandu.cli import main
from tests.cadres.helpers import make_kader, skill_ids
from tests.factories import City, bidan_of


def test_the_kader_report_has_skills_per_package_pin_next_pin_and_hours(
    city: City, tmp_path, capsys
) -> None:
    bidan = bidan_of(city.puskesmas_a)
    purwa = make_kader(city.posyandu_a, name="Ani")
    ready = make_kader(city.posyandu_a2, name="Budi")
    make_kader(city.posyandu_b, name="Citra")  # another Puskesmas: not in the report
    day = dt.date(2025, 2, 10)
    for kader, packages in ((purwa, ("A", "B", "D")), (ready, ("A", "B", "C", "E"))):
        record_assessments(
            assessor=bidan,
            kader=kader,
            assessed_on=day,
            method="praktik",
            results=dict.fromkeys(skill_ids(*packages), True),
        )
    award_pin(user=bidan, kader=purwa, awarded_on=day)
    training = create_training(
        user=None,
        data=TrainingData(
            kind=TrainingKind.KADER,
            title="Pelatihan kader",
            batch=1,
            kota=city.kota,
            days=[(dt.date(2025, 3, 3), 8), (dt.date(2025, 3, 4), 8)],
        ),
    )
    participant = add_participant(user=None, training=training, kader=ready)
    record_training_result(
        user=None,
        participant=participant,
        jpl_by_day={training.days.get(date=dt.date(2025, 3, 4)).pk: 6},
        pre_test=None,
        post_test=Decimal("70"),
    )
    path = tmp_path / "kader.csv"
    assert main(["report", "kader", "--area", "PKM-BU", "-o", str(path)]) == 0
    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    assert [
        (
            r["name"],
            r["posyandu_code"],
            [r[f"skills_{p}"] for p in "ABCDE"],
            r["skills_total"],
            r["pin"],
            r["eligible_pin"],
            r["trainings"],
            r["jpl"],
        )
        for r in rows
    ] == [
        ("Ani", "PSY-A", ["4", "7", "0", "3", "0"], "14", "purwa", "", "0", "0"),
        # A + B + C + E = 4 + 7 + 6 + 5 = 22: two more packages, Madya to award.
        ("Budi", "PSY-A2", ["4", "7", "6", "0", "5"], "22", "", "madya", "1", "14"),
    ]
    assert "2 kader written" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["report", "kader", "--area", "99.99", "-o", "x.csv"],
        ["report", "kader", "--area", "PSY-A", "-o", "/no/such/dir/x.csv"],
    ],
)
def test_bad_arguments_exit_2_with_one_line(city: City, argv: list[str], capsys) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("posyandu report: ") and err.count("\n") == 1
