"""WHO Child Growth Standards (2006): the LMS tables, loaded once.

Each table is held as three dense arrays (L, M, S) of shape ``(2, n_rows)``:
index 0 is boys (sex 1), index 1 girls (sex 2). Age tables are indexed by
whole days (row = age_days); length/height tables by tenths of a centimetre
(row = round(cm * 10) - first_row). Rows that WHO does not publish (arm
circumference and skinfolds before 91 days) are NaN, so a lookup there gives
NaN without a special case.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Final

import numpy as np
import numpy.typing as npt

from posyandu.policy.growth import WHO_MEASURING

FloatArray = npt.NDArray[np.float64]

MAX_AGE_DAYS: Final = WHO_MEASURING.max_age_days
"""WHO gives age-based z-scores only up to 1856 days (just under 61 months)."""

LENGTH_HEIGHT_SWITCH_DAYS: Final = WHO_MEASURING.length_height_switch_days
"""From this age (24 months) children are measured standing."""

LYING_STANDING_DIFF_CM: Final = WHO_MEASURING.lying_standing_diff_cm


@dataclass(frozen=True)
class LmsTable:
    """One WHO table: L, M, S per sex and row, plus how rows map to the index."""

    name: str
    index_name: str
    first_index: float
    step: float
    last_index: float
    L: FloatArray
    M: FloatArray
    S: FloatArray

    @property
    def n_rows(self) -> int:
        return int(self.L.shape[1])

    def index_values(self) -> FloatArray:
        """The index (age in days, or cm) of every row."""
        return self.first_index + self.step * np.arange(self.n_rows, dtype=np.float64)


# name -> (index column, step, restricted?)
TABLE_SPECS: Final[dict[str, tuple[str, float]]] = {
    "wfa": ("age_days", 1.0),
    "lhfa": ("age_days", 1.0),
    "bfa": ("age_days", 1.0),
    "hcfa": ("age_days", 1.0),
    "acfa": ("age_days", 1.0),
    "tsfa": ("age_days", 1.0),
    "ssfa": ("age_days", 1.0),
    "wfl": ("length_cm", 0.1),
    "wfh": ("height_cm", 0.1),
}


def _read_table(name: str) -> LmsTable:
    index_name, step = TABLE_SPECS[name]
    source = resources.files("posyandu.growth").joinpath("data", f"{name}.csv")
    rows = list(csv.DictReader(io.StringIO(source.read_text(encoding="utf-8"))))
    if not rows:
        raise RuntimeError(f"WHO table {name}.csv is empty")
    index = np.array([float(r[index_name]) for r in rows])
    sex = np.array([int(r["sex"]) for r in rows])
    # Age tables start at 0 even where WHO starts later (acfa at 91 days), so
    # that row == age_days everywhere; length tables start at their first cm.
    first = 0.0 if index_name == "age_days" else float(index.min())
    last = float(index.max())
    n_rows = int(round((last - first) / step)) + 1
    arrays = {k: np.full((2, n_rows), np.nan) for k in ("L", "M", "S")}
    row = np.rint((index - first) / step).astype(np.int64)
    for key in ("L", "M", "S"):
        values = np.array([float(r[key]) for r in rows])
        arrays[key][sex - 1, row] = values
    for key in arrays:
        arrays[key].setflags(write=False)
    return LmsTable(
        name=name,
        index_name=index_name,
        first_index=first,
        step=step,
        last_index=last,
        L=arrays["L"],
        M=arrays["M"],
        S=arrays["S"],
    )


@cache
def table(name: str) -> LmsTable:
    """The WHO table ``name`` (wfa, lhfa, bfa, hcfa, acfa, tsfa, ssfa, wfl, wfh)."""
    if name not in TABLE_SPECS:
        raise ValueError(f"unknown WHO table {name!r}; expected one of {sorted(TABLE_SPECS)}")
    return _read_table(name)
