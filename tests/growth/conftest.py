"""Fixtures for the growth engine tests: WHO's own tables and reference results.

Expected values in these tests are computed here, in plain Python, from the
WHO LMS rows in /work/shared/who2006 (not from the package's copy or loader),
so that a test proves a rule rather than repeating the engine.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

RESTRICTED_TABLES = frozenset({"wfa", "wfl", "wfh", "bfa", "acfa", "tsfa", "ssfa"})
LENGTH_TABLES = frozenset({"wfl", "wfh"})


def _shared_dir() -> Path:
    # tests/growth/conftest.py -> parents: growth, tests, the repo, its parent.
    shared = Path(__file__).resolve().parents[3] / "shared"
    needed = [shared / "who2006", shared / "reference" / "who_igrowup_survey_public.csv"]
    missing = [str(path) for path in needed if not path.exists()]
    if missing:
        pytest.fail(
            "the shared WHO data is missing: " + ", ".join(missing) + ". The growth tests "
            "need the repository checked out next to 'shared/' (WHO tables and reference).",
            pytrace=False,
        )
    return shared


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """/work/shared, or a loud failure saying what is missing."""
    return _shared_dir()


@pytest.fixture(scope="session")
def reference_children(shared_dir: Path) -> list[dict[str, str]]:
    """WHO's igrowup example survey rows (odd ids) with WHO's own results."""
    path = shared_dir / "reference" / "who_igrowup_survey_public.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 249, f"expected 249 reference children in {path}, found {len(rows)}"
    return rows


def round_half_up(value: float, decimals: int = 2) -> float:
    """WHO's rounding, restated: halves go toward +infinity."""
    factor = 10**decimals
    return math.floor(value * factor + 0.5) / factor


@dataclass
class WhoTables:
    """The WHO LMS tables read straight from the shared CSVs, in plain Python."""

    folder: Path
    _rows: dict[str, dict[tuple[int, int], tuple[float, float, float]]] = field(
        default_factory=dict
    )

    def lms(self, table: str, sex: int, index: float) -> tuple[float, float, float]:
        """(L, M, S) of ``table`` for ``sex`` at age in days or cm (0.1 cm rows)."""
        if table not in self._rows:
            self._rows[table] = dict(self._read(table))
        key = round(index * 10) if table in LENGTH_TABLES else int(index)
        return self._rows[table][(sex, key)]

    def _read(self, table: str) -> Iterator[tuple[tuple[int, int], tuple[float, float, float]]]:
        with (self.folder / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                index_column = next(k for k in row if k not in ("sex", "L", "M", "S"))
                index = float(row[index_column])
                key = round(index * 10) if table in LENGTH_TABLES else int(index)
                yield (int(row["sex"]), key), (float(row["L"]), float(row["M"]), float(row["S"]))

    def sd(self, table: str, sex: int, index: float, k: float) -> float:
        """The measurement at k SD on the row: ``M·(1 + L·S·k)^(1/L)``."""
        L, M, S = self.lms(table, sex, index)
        return M * (1 + L * S * k) ** (1 / L)

    def raw_z(self, table: str, sex: int, index: float, y: float) -> float:
        """The plain Box-Cox z: ``((y/M)^L − 1)/(S·L)``."""
        L, M, S = self.lms(table, sex, index)
        return ((y / M) ** L - 1) / (S * L)

    def z(self, table: str, sex: int, index: float, y: float) -> float:
        """The unrounded WHO z, re-scaled beyond ±3 SD for restricted tables."""
        z = self.raw_z(table, sex, index, y)
        if table in RESTRICTED_TABLES and z > 3:
            sd3, sd2 = self.sd(table, sex, index, 3), self.sd(table, sex, index, 2)
            return 3 + (y - sd3) / (sd3 - sd2)
        if table in RESTRICTED_TABLES and z < -3:
            sd3, sd2 = self.sd(table, sex, index, -3), self.sd(table, sex, index, -2)
            return -3 - (sd3 - y) / (sd2 - sd3)
        return z

    def y_at(self, table: str, sex: int, index: float, z: float) -> float:
        """The measurement with WHO z ``z`` on one row (inverse of :meth:`z`)."""
        if table in RESTRICTED_TABLES and z > 3:
            sd3, sd2 = self.sd(table, sex, index, 3), self.sd(table, sex, index, 2)
            return sd3 + (z - 3) * (sd3 - sd2)
        if table in RESTRICTED_TABLES and z < -3:
            sd3, sd2 = self.sd(table, sex, index, -3), self.sd(table, sex, index, -2)
            return sd3 - (-3 - z) * (sd2 - sd3)
        return self.sd(table, sex, index, z)


@pytest.fixture(scope="session")
def who(shared_dir: Path) -> WhoTables:
    """WHO's LMS tables and the z-score formulas, independent of the engine."""
    return WhoTables(shared_dir / "who2006")
