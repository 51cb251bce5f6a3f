"""``posyandu report data-quality``: the data-quality scorecard of an area, one row
per Posyandu, as CSV (definitions in :mod:`posyandu.reports.quality`)."""

from __future__ import annotations

import argparse
import csv
from typing import Any

from posyandu.reports.commands import CommandProblem, _area, _date, _output

QUALITY_COLUMNS = [
    "posyandu_code",
    "posyandu_name",
    "children",
    "measurements",
    "pct_flagged_lhfa",
    "pct_flagged_wfa",
    "pct_flagged_wflh",
    "sd_lhfa",
    "sd_wfa",
    "sd_wflh",
    "skew_lhfa",
    "kurtosis_lhfa",
    "dps_weight",
    "dps_height",
    "pct_position_mismatch",
    "rating",
    "points",
    "skew_wfa",
    "kurtosis_wfa",
    "skew_wflh",
    "kurtosis_wflh",
    "n_lhfa",
    "n_wfa",
    "n_wflh",
    "flagged_lhfa",
    "flagged_wfa",
    "flagged_wflh",
    "missing_birth_date",
    "missing_weight",
    "missing_height",
    "missing_position",
    "pct_weight_whole",
    "pct_weight_half",
    "pct_height_whole",
    "pct_height_half",
    "position_mismatch",
    "boys",
    "girls",
    "pct_birth_day_heaped",
    "length_shrinks",
    "weight_implausible",
    "visits_too_close",
]
"""The issue's columns in its order, then the rest of the scorecard."""


def quality_values(code: str, name: str, stats: Any) -> list[object]:
    """One row of :data:`QUALITY_COLUMNS` for a group's stats, as numbers (None
    where a value cannot be computed)."""
    z = stats.z
    return [
        code,
        name,
        stats.children,
        stats.measurements,
        *(stats.pct_flagged(i) for i in ("lhfa", "wfa", "wflh")),
        *(z[i].sd for i in ("lhfa", "wfa", "wflh")),
        z["lhfa"].skew,
        z["lhfa"].kurtosis,
        stats.dps_weight,
        stats.dps_height,
        stats.pct_position_mismatch,
        "" if stats.rating is None else stats.rating.name.lower(),
        stats.points,
        z["wfa"].skew,
        z["wfa"].kurtosis,
        z["wflh"].skew,
        z["wflh"].kurtosis,
        *(z[i].n for i in ("lhfa", "wfa", "wflh")),
        *(stats.flagged[i] for i in ("lhfa", "wfa", "wflh")),
        stats.missing_birth_date,
        stats.missing_weight,
        stats.missing_height,
        stats.missing_position,
        stats.pct_weight_whole,
        stats.pct_weight_half,
        stats.pct_height_whole,
        stats.pct_height_half,
        stats.position_mismatch,
        stats.boys,
        stats.girls,
        stats.pct_birth_day_heaped,
        stats.length_shrinks,
        stats.weight_implausible,
        stats.visits_too_close,
    ]


def _text(value: object) -> object:
    if value is None:
        return ""
    return f"{value:.4f}" if isinstance(value, float) else value


def report_data_quality(args: argparse.Namespace) -> int:
    from posyandu.accounts.scope import Scope
    from posyandu.reports.quality import quality_by_posyandu

    area = _area(args.area)
    date_from, date_to = _date(args.date_from, "--from"), _date(args.date_to, "--to")
    if date_from > date_to:
        raise CommandProblem(f"--from {date_from} is after --to {date_to}")
    rows = quality_by_posyandu(Scope.for_command_line(), area, date_from, date_to)
    with _output(args.output) as out:
        writer = csv.writer(out)
        writer.writerow(QUALITY_COLUMNS)
        for row in rows:
            writer.writerow([_text(v) for v in quality_values(row.code, row.name, row.stats)])
    return 0


def add_data_quality(report_sub: Any, run: Any) -> None:
    """``report data-quality`` under ``posyandu report``."""
    parser = report_sub.add_parser(
        "data-quality",
        help="data-quality scorecard of an area, one row per Posyandu",
        description="WHO-UNICEF 2019 checks and a SMART-style rating per Posyandu: "
        "z-score SD/skewness/kurtosis on each child's latest measurement in the "
        "period, digit preference, flagged values and position mismatch on all "
        "measurements.",
    )
    parser.add_argument("--area", required=True, metavar="CODE")
    parser.add_argument("--from", dest="date_from", required=True, metavar="YYYY-MM-DD")
    parser.add_argument("--to", dest="date_to", required=True, metavar="YYYY-MM-DD")
    parser.add_argument("-o", "--output", required=True, metavar="FILE.csv")
    parser.set_defaults(handler=run(report_data_quality))
