"""``posyandu zscore``: WHO z-scores for a CSV file, through the command line.

Most tests call ``posyandu.cli.main`` in-process; the reference set, standard
input/output and the error exits also run the real command in a subprocess.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from posyandu import zscore_csv
from posyandu.cli import main
from posyandu.growth import INDICATORS, zscores_for_child

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
REFERENCE = SHARED / "reference" / "who_igrowup_survey_public.csv"
REFERENCE_INPUTS = [
    "id",
    "sex",
    "age_months",
    "weight_kg",
    "height_cm",
    "measure",
    "oedema",
    "head_cm",
    "muac_cm",
    "triceps_mm",
    "subscapular_mm",
]
REFERENCE_RESULTS = [
    "age_days",
    *(f"z_{i}" for i in INDICATORS),
    *(f"flag_{i}" for i in INDICATORS),
]

# Two children of WHO's reference set, with WHO's own results.
GIRL_HEADER = "sex,age_months,weight_kg,height_cm,measure"
GIRL = "2,22.45,10.4,84.8,l"  # id 1: 683 days
GIRL_Z = {"age_days": "683", "z_wfa": "-0.57", "z_lhfa": "-0.07", "z_wflh": "-0.81"}
BOY = "1,28.52,12.9,85.9,l"  # id 7: 868 days, lying after 731 days
BOY_Z = {"age_days": "868", "z_wfa": "-0.08", "z_lhfa": "-1.69", "z_wflh": "1.16"}


def zscore(tmp_path: Path, text: str | bytes, name: str = "in.csv") -> list[dict[str, str]]:
    """Run ``posyandu zscore`` in-process on ``text``; the output rows."""
    source, target = tmp_path / name, tmp_path / f"out-{name}"
    if isinstance(text, str):
        source.write_text(text, encoding="utf-8")
    else:
        source.write_bytes(text)
    assert main(["zscore", str(source), "-o", str(target)]) == 0
    with target.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def zscore_rows(tmp_path: Path, text: str) -> list[list[str]]:
    """Like :func:`zscore`, but the raw rows, header first."""
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(text, encoding="utf-8")
    assert main(["zscore", str(source), "-o", str(target)]) == 0
    with target.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def run_command(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "posyandu.cli", "zscore", *args],
        input=stdin,
        capture_output=True,
        check=False,
        timeout=120,
    )


def picked(row: dict[str, str], keys: dict[str, str]) -> dict[str, str]:
    return {key: row[key] for key in keys}


def reference_children() -> list[dict[str, str]]:
    with REFERENCE.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def reference_inputs_csv() -> str:
    lines = [",".join(REFERENCE_INPUTS)]
    lines += [",".join(child[c] for c in REFERENCE_INPUTS) for child in reference_children()]
    return "\n".join(lines) + "\n"


# --- WHO's reference children -------------------------------------------


@pytest.mark.parametrize("way", ["main", "subprocess"])
def test_every_reference_child_is_reproduced_to_two_decimals_with_identical_flags(
    tmp_path: Path, way: str
) -> None:
    source, target = tmp_path / "survey.csv", tmp_path / "z.csv"
    source.write_text(reference_inputs_csv(), encoding="utf-8")
    if way == "main":
        assert main(["zscore", str(source), "-o", str(target)]) == 0
    else:
        finished = run_command(str(source), "-o", str(target))
        assert finished.returncode == 0, finished.stderr.decode()
        assert finished.stderr == b""
    with target.open(newline="", encoding="utf-8") as handle:
        got = list(csv.DictReader(handle))

    expected = reference_children()
    assert len(got) == len(expected) == 249
    mismatches = [
        (want["id"], column, want[column], have[column])
        for want, have in zip(expected, got, strict=True)
        for column in REFERENCE_RESULTS
        if want[column] != have[column]
    ]
    assert mismatches == []
    assert [row["id"] for row in got] == [child["id"] for child in expected]


def test_the_reference_file_fed_whole_keeps_its_columns_and_suffixes_the_computed_ones(
    tmp_path: Path,
) -> None:
    # The reference file already has age_days, z_* and flag_* columns: they
    # stay as they are, and the computed ones arrive as *_calc beside them.
    rows = zscore_rows(tmp_path, REFERENCE.read_text(encoding="utf-8"))
    header = rows[0]
    original = next(csv.reader(io.StringIO(REFERENCE.read_text(encoding="utf-8"))))
    assert header[: len(original)] == original
    assert header[len(original) : len(original) + 4] == [
        "age_days_calc",
        "height_adj_cm",
        "bmi",
        "z_wfa_calc",
    ]
    assert header[-1] == "problems"
    table = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    for column in REFERENCE_RESULTS:
        assert [r[column] for r in table] == [r[f"{column}_calc"] for r in table], column


# --- input formats --------------------------------------------------------


def test_columns_come_in_any_order_and_other_columns_stay_in_place(tmp_path: Path) -> None:
    text = (
        "nama,height_cm,catatan,SEX, Measure ,posyandu,weight_kg,age_months\n"
        'Siti,84.8,"kurus, rujuk","P",l,Mawar 1,10.4,22.45\n'
        'Budi,85.9,"kata ""ibu"" sehat",L,l,Melati,12.9,28.52\n'
    )
    rows = zscore_rows(tmp_path, text)
    original_header = "nama,height_cm,catatan,SEX, Measure ,posyandu,weight_kg,age_months"
    assert rows[0][:8] == original_header.split(",")
    assert rows[1][:8] == ["Siti", "84.8", "kurus, rujuk", "P", "l", "Mawar 1", "10.4", "22.45"]
    assert rows[2][:8] == ["Budi", "85.9", 'kata "ibu" sehat', "L", "l", "Melati", "12.9", "28.52"]
    girl, boy = (dict(zip(rows[0], row, strict=True)) for row in rows[1:])
    assert picked(girl, GIRL_Z) == GIRL_Z
    assert picked(boy, BOY_Z) == BOY_Z


def test_the_output_columns_follow_the_input_in_the_documented_order(tmp_path: Path) -> None:
    header = zscore_rows(tmp_path, f"id,{GIRL_HEADER}\n7,{GIRL}\n")[0]
    assert header == [
        "id", "sex", "age_months", "weight_kg", "height_cm", "measure",
        "age_days", "height_adj_cm", "bmi",
        "z_wfa", "z_lhfa", "z_wflh", "z_bfa", "z_hcfa", "z_acfa", "z_tsfa", "z_ssfa",
        "flag_wfa", "flag_lhfa", "flag_wflh", "flag_bfa",
        "flag_hcfa", "flag_acfa", "flag_tsfa", "flag_ssfa",
        "cat_wfa", "cat_lhfa", "cat_wflh", "cat_bfa", "problems",
    ]  # fmt: skip


def test_a_full_row_reads_like_who_computed_it(tmp_path: Path) -> None:
    [girl] = zscore(tmp_path, f"{GIRL_HEADER},oedema,muac_cm\n{GIRL},n,14.9\n")
    assert girl["age_days"] == "683"
    assert girl["height_adj_cm"] == "84.80"
    assert girl["bmi"] == "14.46"
    assert (girl["z_wfa"], girl["z_lhfa"], girl["z_wflh"], girl["z_bfa"]) == (
        "-0.57",
        "-0.07",
        "-0.81",
        "-0.79",
    )
    assert girl["z_acfa"] == "0.11"
    assert girl["z_hcfa"] == girl["z_tsfa"] == girl["flag_hcfa"] == ""
    assert girl["flag_wfa"] == girl["flag_acfa"] == "0"
    assert (girl["cat_wfa"], girl["cat_lhfa"], girl["cat_wflh"], girl["cat_bfa"]) == (
        "normal",
        "normal",
        "gizi_baik",
        "gizi_baik",
    )
    assert girl["problems"] == ""


@pytest.mark.parametrize("girl_code", ["2", "F", "f", "P", "p", " P "])
@pytest.mark.parametrize("boy_code", ["1", "M", "m", "L", "l"])
def test_sex_is_read_from_1_2_m_f_and_l_p_in_any_case(
    tmp_path: Path, girl_code: str, boy_code: str
) -> None:
    girl, boy = zscore(tmp_path, f"{GIRL_HEADER}\n{girl_code}{GIRL[1:]}\n{boy_code}{BOY[1:]}\n")
    assert picked(girl, GIRL_Z) == GIRL_Z
    assert picked(boy, BOY_Z) == BOY_Z


def test_birth_and_measure_dates_give_the_same_age_as_months(tmp_path: Path) -> None:
    born = dt.date(2021, 12, 25)
    measured = born + dt.timedelta(days=683)  # over a leap day and a year end
    text = (
        "sex,birth_date,measure_date,weight_kg,height_cm,measure\n"
        f"2,{born.isoformat()},{measured.isoformat()},10.4,84.8,l\n"
    )
    [girl] = zscore(tmp_path, text)
    assert picked(girl, GIRL_Z) == GIRL_Z


def test_age_days_wins_then_age_months_then_dates_and_blank_cells_fall_through(
    tmp_path: Path,
) -> None:
    text = (
        "sex,age_days,age_months,birth_date,measure_date,weight_kg\n"
        "2,683,1.0,2020-01-01,2020-01-02,10.4\n"  # age_days wins
        "2,,22.45,2020-01-01,2020-01-02,10.4\n"  # blank age_days: months
        "2,,,2022-01-01,2023-11-15,10.4\n"  # blank both: dates (683 days)
        "2,,,2022-01-01,,10.4\n"  # nothing usable
    )
    rows = zscore(tmp_path, text)
    # The input has its own age_days column, so ours is age_days_calc.
    assert [r["age_days_calc"] for r in rows] == ["683", "683", "683", ""]
    assert [r["z_wfa"] for r in rows] == ["-0.57", "-0.57", "-0.57", ""]
    assert rows[3]["problems"] == "age unknown"


def test_age_months_convert_with_who_rounding(tmp_path: Path) -> None:
    # 0.5 days round up: 2 months = 60.875 days = 61; 1 month = 30.4375 = 30.
    rows = zscore(tmp_path, "sex,age_months\n1,2\n1,1\n1,0\n1,60.97\n1,61\n")
    assert [r["age_days"] for r in rows] == ["61", "30", "0", "1856", "1857"]
    assert [r["problems"] for r in rows][-2:] == ["", "age over 1856 days"]


def test_decimal_commas_are_read_as_decimal_points(tmp_path: Path) -> None:
    [girl] = zscore(tmp_path, f'{GIRL_HEADER}\n2,"22,45","10,4","84,8",l\n')
    assert picked(girl, GIRL_Z) == GIRL_Z
    assert girl["weight_kg"] == "10,4"  # passed through as written


def test_a_semicolon_file_with_decimal_commas_comes_back_semicolon_separated(
    tmp_path: Path,
) -> None:
    source, target = tmp_path / "excel.csv", tmp_path / "z.csv"
    source.write_text("nama;sex;age_months;weight_kg;height_cm\nSiti;P;22,45;10,4;84,8\n")
    assert main(["zscore", str(source), "-o", str(target)]) == 0
    header, row = target.read_text().splitlines()
    assert header.startswith("nama;sex;age_months;weight_kg;height_cm;age_days;height_adj_cm;")
    assert row.startswith("Siti;P;22,45;10,4;84,8;683;84.80;14.46;-0.57;-0.07;-0.81;-0.79;")


@pytest.mark.parametrize(
    ("measure", "height_adj_cm"),
    [
        ("l", "99.30"),
        ("L", "99.30"),
        ("lying", "99.30"),
        ("Terlentang", "99.30"),
        ("telentang", "99.30"),
        ("h", "100.00"),
        ("H", "100.00"),
        ("standing", "100.00"),
        ("BERDIRI", "100.00"),
        ("", "100.00"),  # blank: standing, as expected at 1200 days
    ],
)
def test_measure_synonyms_set_the_lying_standing_adjustment(
    tmp_path: Path, measure: str, height_adj_cm: str
) -> None:
    [child] = zscore(tmp_path, f"sex,age_days,height_cm,measure\n1,1200,100,{measure}\n")
    assert child["height_adj_cm"] == height_adj_cm
    assert child["problems"] == ""


def test_oedema_removes_the_weight_based_z_scores_only(tmp_path: Path) -> None:
    rows = zscore(tmp_path, f"{GIRL_HEADER},oedema\n{GIRL},Y\n{GIRL},\n{GIRL},n\n")
    assert [(r["z_wfa"], r["z_lhfa"], r["z_wflh"]) for r in rows] == [
        ("", "-0.07", ""),
        ("-0.57", "-0.07", "-0.81"),
        ("-0.57", "-0.07", "-0.81"),
    ]
    assert [r["problems"] for r in rows] == ["oedema", "", ""]


def test_an_implausible_z_is_flagged_and_gets_no_category(tmp_path: Path) -> None:
    # A boy of two years measured at 60 cm: a typing error, not a diagnosis.
    [child] = zscore(tmp_path, "sex,age_days,height_cm,weight_kg\n1,731,60,12\n")
    assert float(child["z_lhfa"]) < -6
    assert child["flag_lhfa"] == "1"
    assert child["cat_lhfa"] == ""
    assert child["flag_wfa"] == "0"
    assert child["cat_wfa"] == "normal"


def test_a_stunted_and_wasted_child_gets_the_permenkes_categories(tmp_path: Path) -> None:
    [child] = zscore(tmp_path, "sex,age_days,weight_kg,height_cm\n2,674,7.5,76.9\n")
    assert (child["z_wfa"], child["z_lhfa"], child["z_wflh"]) == ("-3.32", "-2.51", "-2.75")
    assert (child["cat_wfa"], child["cat_lhfa"], child["cat_wflh"]) == (
        "sangat_kurang",
        "pendek",
        "gizi_kurang",
    )


def test_z_scores_are_written_with_two_decimals_and_never_as_minus_zero() -> None:
    values = np.array([-0.0, -0.004, 0.004, 1.5, -1.235, 0.125, np.nan, 1e6 + 0.5])
    assert zscore_csv._fixed(values, 2) == [
        "0.00",
        "0.00",
        "0.00",
        "1.50",
        f"{-1.235:.2f}",
        f"{0.125:.2f}",
        "",
        "1000000.50",
    ]
    assert zscore_csv._fixed(np.array([-0.4, 683.0, 12345678.0]), 0) == ["0", "683", "12345678"]


def test_a_header_without_rows_gives_a_header_without_rows(tmp_path: Path) -> None:
    rows = zscore_rows(tmp_path, "id,sex,age_days\n")
    assert rows == [["id", "sex", "age_days", "age_days_calc", *zscore_csv.OUTPUT_COLUMNS[1:]]]


def test_the_example_file_runs_and_shows_its_deliberate_mistakes(tmp_path: Path) -> None:
    example = REPO / "examples" / "children.csv"
    rows = zscore(tmp_path, example.read_bytes())
    assert len(rows) == 25
    problems = {row["nama"]: row["problems"] for row in rows if row["problems"]}
    assert problems == {
        "Nanda Firmansyah": "oedema",
        "Taufik Hidayat": "age over 1856 days",
        "Vino Alamsyah": "measure not recognised (position assumed from age)",
        "Wulan Sari": "sex not recognised (1/M/L or 2/F/P)",
        "Yusuf Habibi": "birth_date not a date (YYYY-MM-DD)",
    }
    salsabila = next(row for row in rows if row["nama"] == "Salsabila")
    assert (salsabila["cat_lhfa"], salsabila["cat_wflh"]) == ("pendek", "gizi_kurang")


# --- standard input and output -------------------------------------------


def test_dash_reads_standard_input_and_writes_standard_output_in_a_real_process() -> None:
    finished = run_command("-", "-o", "-", stdin=f"{GIRL_HEADER}\n{GIRL}\n".encode())
    assert finished.returncode == 0
    assert finished.stderr == b""
    [girl] = csv.DictReader(io.StringIO(finished.stdout.decode()))
    assert picked(girl, GIRL_Z) == GIRL_Z


def test_output_defaults_to_standard_output(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(f"{GIRL_HEADER}\n{GIRL}\n")
    finished = run_command(str(source))
    assert finished.returncode == 0
    [girl] = csv.DictReader(io.StringIO(finished.stdout.decode()))
    assert picked(girl, GIRL_Z) == GIRL_Z


def test_dash_works_through_main_too(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A spreadsheet's byte order mark must not spoil the first column's name.
    data = f"\ufeff{GIRL_HEADER}\r\n{GIRL}\r\n".encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["zscore", "-", "-o", "-"]) == 0
    [girl] = csv.DictReader(io.StringIO(capsys.readouterr().out))
    assert picked(girl, GIRL_Z) == GIRL_Z


# --- bad rows and unusable files -----------------------------------------


def test_bad_rows_are_explained_in_problems_and_the_run_goes_on(tmp_path: Path) -> None:
    text = (
        "id,sex,birth_date,measure_date,weight_kg,height_cm,measure,oedema\n"
        "1,P,2021-01-01,2022-11-15,10.4,84.8,l,n\n"
        "2,X,2021-01-01,2022-11-15,10.4,84.8,l,n\n"
        "3,P,15/01/2021,2022-11-15,10.4,84.8,l,n\n"
        "4,P,2021-01-01,2022-11-15,ten,84.8,l,n\n"
        "5,P,2021-01-01,2022-11-15,10.4,84.8,duduk,n\n"
        "6,P,2021-01-01,2022-11-15,10.4,84.8,l,maybe\n"
        "7,P,2021-01-01\n"
        "8,P,2021-01-01,2022-11-15,10,4,84,8,l,n\n"
        "9,P,2022-11-16,2022-11-15,10.4,84.8,l,n\n"
        "10,P,2015-01-01,2022-11-15,10.4,84.8,l,n\n"
        "11,,2021-01-01,2022-11-15,-3,84.8,l,n\n"
        "12,P,2021-01-01,2022-11-15,10.4,84.8,l,n\n"
    )
    rows = zscore(tmp_path, text)
    problems = {row["id"]: row["problems"] for row in rows}
    assert problems == {
        "1": "",
        "2": "sex not recognised (1/M/L or 2/F/P)",
        "3": "birth_date not a date (YYYY-MM-DD)",
        "4": "weight not a number",
        "5": "measure not recognised (position assumed from age)",
        "6": "oedema not recognised (y/n): no weight-based z-score",
        "7": "row has 3 cells, header has 8: missing cells read as blank; age unknown",
        "8": "row has 10 cells, header has 8 (an unquoted decimal comma?): "
        "no z-score computed; extra cells: l,n",
        "9": "age negative (measured before birth)",
        "10": "age over 1856 days",
        "11": "sex missing or not 1/2; weight not above 0",
        "12": "",
    }
    z_wfa = {row["id"]: row["z_wfa"] for row in rows}
    assert z_wfa["1"] == z_wfa["12"] == "-0.57"
    lying_as_given = {row["id"]: row["z_lhfa"] for row in rows}["1"]
    assert {row["id"]: row["z_lhfa"] for row in rows}["5"] == lying_as_given == "-0.07"
    assert [row["id"] for row in rows if row["z_wfa"] == ""] == [
        "2", "3", "4", "6", "7", "8", "9", "10", "11",
    ]  # fmt: skip
    assert rows[6]["weight_kg"] == "" and rows[6]["birth_date"] == "2021-01-01"
    assert rows[7]["weight_kg"] == "10"  # the shifted row is passed through as read


def test_blank_lines_are_skipped_and_trailing_empty_cells_are_harmless(tmp_path: Path) -> None:
    rows = zscore(tmp_path, f"\n{GIRL_HEADER}\n\n{GIRL},,\n\r\n{BOY}\n")
    assert [picked(r, GIRL_Z) for r in rows] == [GIRL_Z, BOY_Z]
    assert [r["problems"] for r in rows] == ["", ""]


UNUSABLE = [
    ("missing file", None, "does-not-exist.csv: no such file"),
    ("empty file", "", "is empty (no header row)"),
    ("only blank lines", "\n\n", "is empty (no header row)"),
    ("no sex column", "id,age_months\n1,3\n", "has no sex column (columns: id, age_months)"),
    (
        "no age column",
        "sex,weight_kg\n1,3\n",
        "has no age column: need age_days, age_months, or birth_date with measure_date",
    ),
    ("birth date alone", "sex,birth_date\n1,2020-01-01\n", "(birth_date alone is not enough)"),
    ("sex twice", "sex,age_days,Sex\n", "column 'sex' appears twice (columns 1 and 3)"),
]


@pytest.mark.parametrize(("case", "text", "message"), UNUSABLE, ids=[u[0] for u in UNUSABLE])
def test_an_unusable_file_exits_2_with_one_line_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str, text: str | None, message: str
) -> None:
    source, target = tmp_path / "does-not-exist.csv", tmp_path / "out.csv"
    if text is not None:
        source.write_text(text)
    assert main(["zscore", str(source), "-o", str(target)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("posyandu zscore: error: ")
    assert message in captured.err
    assert captured.err.count("\n") == 1
    assert not target.exists()
    assert list(tmp_path.iterdir()) == ([source] if text is not None else [])


@pytest.mark.parametrize(("case", "text", "message"), UNUSABLE, ids=[u[0] for u in UNUSABLE])
def test_an_unusable_file_exits_2_without_a_traceback_in_a_real_process(
    tmp_path: Path, case: str, text: str | None, message: str
) -> None:
    source = tmp_path / "does-not-exist.csv"
    if text is not None:
        source.write_text(text)
    finished = run_command(str(source), "-o", str(tmp_path / "out.csv"))
    assert finished.returncode == 2
    stderr = finished.stderr.decode()
    assert stderr.startswith("posyandu zscore: error: ")
    assert message in stderr
    assert stderr.count("\n") == 1
    assert "Traceback" not in stderr


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path: Path) -> None:
    source = tmp_path / "many.csv"
    source.write_text(GIRL_HEADER + "\n" + f"{GIRL}\n" * 20_000)
    command = [sys.executable, "-m", "posyandu.cli", "zscore", str(source)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        assert process.stdout.readline().startswith(b"sex,age_months,")
        process.stdout.close()  # like `| head -1`
        stderr = process.stderr.read()
    assert process.returncode == 1
    assert stderr == b""


def test_a_quote_never_closed_stops_the_run_and_points_at_its_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Everything after the quote would be one cell: no row after it is real.
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    lines = ["sex,age_days,nama", "1,300,Ani", '1,300,"Budi', *["1,300,Citra Lestari"] * 20_000]
    source.write_text("\n".join(lines) + "\n")
    assert main(["zscore", str(source), "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"posyandu zscore: error: {source}: the row starting on line 3 ")
    assert err.endswith("a quote that is never closed?)\n")
    assert not target.exists()


def test_empty_standard_input_is_reported_as_such() -> None:
    finished = run_command("-")
    assert finished.returncode == 2
    assert finished.stderr == b"posyandu zscore: error: standard input is empty (no header row)\n"


def test_an_unwritable_output_exits_2_and_names_the_path_asked_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.csv"
    source.write_text(f"{GIRL_HEADER}\n{GIRL}\n")
    target = tmp_path / "no-such-dir" / "out.csv"
    assert main(["zscore", str(source), "-o", str(target)]) == 2
    assert capsys.readouterr().err == (
        f"posyandu zscore: error: cannot write {target}: No such file or directory\n"
    )
    assert main(["zscore", str(source), "-o", str(tmp_path)]) == 2
    assert "it is a directory" in capsys.readouterr().err


def test_writing_over_the_input_file_keeps_every_input_cell(tmp_path: Path) -> None:
    source = tmp_path / "children.csv"
    source.write_text(f"id,{GIRL_HEADER}\nA1,{GIRL}\n")
    assert main(["zscore", str(source), "-o", str(source)]) == 0
    [girl] = csv.DictReader(io.StringIO(source.read_text()))
    assert girl["id"] == "A1"
    assert picked(girl, GIRL_Z) == GIRL_Z
    assert [p.name for p in tmp_path.iterdir()] == ["children.csv"]


# --- cells that need care on the way out ----------------------------------


def test_quoted_cells_line_breaks_and_other_encodings_round_trip_unchanged(
    tmp_path: Path,
) -> None:
    cells = ["Siti, binti Ahmad", 'kata "sehat"', "dua\nbaris", "cr\rdi tengah", "  spasi  "]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(["a", "b", "c", "d", "e", *GIRL_HEADER.split(",")])
    writer.writerow([*cells, *GIRL.split(",")])
    latin1 = "Désirée".encode("latin-1")  # an old spreadsheet export
    data = buffer.getvalue().encode() + latin1 + b",,,,," + GIRL.encode() + b"\n"
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_bytes(data)
    assert main(["zscore", str(source), "-o", str(target)]) == 0

    assert latin1 + b",,,,," + GIRL.encode() + b",683," in target.read_bytes()
    with target.open(newline="", encoding="utf-8", errors="surrogateescape") as handle:
        header, first, second = csv.reader(handle)
    assert first[:5] == cells
    assert second[0].encode("utf-8", "surrogateescape") == latin1
    assert first[header.index("z_wfa")] == second[header.index("z_wfa")] == "-0.57"


def test_a_problem_text_with_the_delimiter_is_quoted(tmp_path: Path) -> None:
    rows = zscore_rows(tmp_path, "sex,age_days,weight_kg\n1,300,9,5\n")
    assert rows[1][-1] == (
        "row has 4 cells, header has 3 (an unquoted decimal comma?): "
        "no z-score computed; extra cells: 5"
    )
    assert len(rows[1]) == len(rows[0])


def test_an_input_column_named_like_an_output_column_is_kept_and_ours_is_suffixed(
    tmp_path: Path,
) -> None:
    header = zscore_rows(tmp_path, "sex,age_days,Problems,bmi\n1,300,,\n")[0]
    assert header[:4] == ["sex", "age_days", "Problems", "bmi"]
    assert header[4:7] == ["age_days_calc", "height_adj_cm", "bmi_calc"]
    assert header[-1] == "problems_calc"


# --- large files -----------------------------------------------------------


def synthetic_children(count: int, seed: int) -> list[list[str]]:
    """Plausible children in a mixture of formats, a few with quoted names."""
    rng = np.random.default_rng(seed)
    age_days = rng.integers(0, 1857, count)
    sex = rng.integers(1, 3, count)
    height = np.round(np.clip(49.0 + 0.055 * age_days + rng.normal(0, 4, count), 40, 125), 1)
    weight = np.round(np.clip(3.3 + 0.0075 * age_days + rng.normal(0, 1.5, count), 1.5, 30), 1)
    muac = np.round(rng.normal(15, 1.3, count), 1)
    sex_codes = [("1", "M", "L", "l"), ("2", "F", "P", "p")]
    positions = ["l", "h", "", "terlentang", "berdiri"]
    born = dt.date(2019, 1, 1)
    rows = []
    for i in range(count):
        # Quotes (a name with a comma, a decimal comma) in some stretches only,
        # so that both the plain and the quoted way of reading are exercised.
        quotes = not 50_000 <= i < 100_000
        name = f'"Anak, {i}"' if quotes and i % 997 == 0 else f"Anak {i}"
        code = sex_codes[sex[i] - 1][i % 4]
        weight_text = f"{weight[i]:.1f}"
        if i % 3 == 0:  # months rather than dates
            age = [f"{age_days[i] / 30.4375:.2f}", "", ""]
            if quotes and i % 2:
                weight_text = f'"{weight_text.replace(".", ",")}"'
        else:
            age = ["", born.isoformat(), (born + dt.timedelta(days=int(age_days[i]))).isoformat()]
        oedema = "y" if i % 500 == 0 else "n"
        height_text, muac_text = f"{height[i]:.1f}", f"{muac[i]:.1f}"
        rows.append(
            [
                str(i),
                name,
                code,
                *age,
                weight_text,
                height_text,
                positions[i % 5],
                oedema,
                muac_text,
            ]
        )
    return rows


LARGE_HEADER = (
    "id,nama,sex,age_months,birth_date,measure_date,weight_kg,height_cm,measure,oedema,muac_cm"
)


def test_a_file_of_several_chunks_matches_children_computed_one_by_one(tmp_path: Path) -> None:
    count = 120_000  # more than two chunks of 50,000
    rows = synthetic_children(count, seed=7)
    text = LARGE_HEADER + "\n" + "\n".join(",".join(row) for row in rows) + "\n"
    got = zscore(tmp_path, text)
    assert len(got) == count
    assert [r["id"] for r in got[::9973]] == [str(i) for i in range(0, count, 9973)]

    sample = np.random.default_rng(11).choice(count, 400, replace=False).tolist()
    sample += [0, 997, 49_999, 50_000, 50_001, 99_999, 100_000, count - 1]
    for i in sample:
        child = got[i]
        expected = one_child(child)
        assert {k: child[k] for k in expected} == expected, f"row {i}"


def one_child(row: dict[str, str]) -> dict[str, str]:
    """What WHO's scalar helper says about one output row's inputs, as text."""
    if row["age_months"]:
        age_days = math.floor(float(row["age_months"]) * 30.4375 + 0.5)
    else:
        born, measured = dt.date.fromisoformat(row["birth_date"]), row["measure_date"]
        age_days = (dt.date.fromisoformat(measured) - born).days
    measure = {"terlentang": "l", "berdiri": "h"}.get(row["measure"], row["measure"])
    result = zscores_for_child(
        sex=row["sex"],
        age_days=float(age_days),
        weight_kg=float(row["weight_kg"].replace(",", ".")),
        height_cm=float(row["height_cm"]),
        measure=measure,
        oedema=row["oedema"] == "y",
        muac_cm=float(row["muac_cm"]),
    )
    expected = {"age_days": str(age_days)}
    for indicator in INDICATORS:
        z, flag = result[f"z_{indicator}"], result[f"flag_{indicator}"]
        expected[f"z_{indicator}"] = "" if z is None else f"{z:.2f}"
        expected[f"flag_{indicator}"] = "" if flag is None else str(int(flag))
    expected["problems"] = str(result["problems"])
    return expected


def test_chunk_boundaries_inside_quoted_multi_line_cells_change_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [GIRL_HEADER + ",catatan"]
    for i in range(40):
        note = f'"baris {i}\nlanjut, ""kutip"""' if i % 3 == 0 else f"catatan {i}"
        lines.append(f"{GIRL if i % 2 else BOY},{note}")
        if i % 7 == 0:
            lines.append("")
    text = "\n".join(lines) + "\n"
    whole = zscore_rows(tmp_path, text)
    assert len(whole) == 41
    for chunk_rows in (1, 2, 3, 5, 8):
        monkeypatch.setattr(zscore_csv, "CHUNK_ROWS", chunk_rows)
        assert zscore_rows(tmp_path, text) == whole, chunk_rows
    assert whole[1][5] == 'baris 0\nlanjut, "kutip"'
