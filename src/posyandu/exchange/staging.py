"""Where an import keeps its lines while it runs: a private SQLite file on disk.

An import is all or nothing, so no line can be written before every line was
read and checked; kept in Python, 100,000 lines took more than 100 MB. Here
each pass reads a batch of lines from this store, works on it and writes it
back, so the import's memory is that of one batch whatever the size of the
file. The same store serves SQLite and PostgreSQL (it is not the project's
database, so a dry run writes nothing there), and its lookups by NIK, by
name and by month are indexed lookups in this file, not dictionaries.

SQLite's empty file name gives a temporary database that lives on disk
beyond a small page cache and is deleted when it is closed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any, Final

CACHE_KIB: Final = 8192
"""SQLite's page cache for the store; beyond it pages go to the file."""

SCHEMA: Final = """
CREATE TABLE line (
    number INTEGER PRIMARY KEY,
    errors TEXT, notes TEXT,
    nik TEXT, name TEXT, sex INTEGER, birth_date INTEGER,
    birth_weight TEXT, birth_length TEXT, mother_name TEXT,
    kota TEXT, kelurahan TEXT, posyandu_name TEXT, rt TEXT, rw TEXT, address TEXT,
    measured_on INTEGER, weight TEXT, height TEXT, position TEXT,
    muac TEXT, pmt_kg TEXT, vitamin_a INTEGER, kpsp TEXT, kia INTEGER,
    posyandu_id INTEGER, group_id INTEGER, outcome TEXT, visit_id INTEGER,
    name_key TEXT
);
-- One child of the file: matched to a stored one (pk) or to be created.
CREATE TABLE child_group (
    id INTEGER PRIMARY KEY,
    pk INTEGER, birth_date INTEGER, sex INTEGER, nik TEXT,
    first_line INTEGER, created INTEGER
);
CREATE INDEX child_group_pk ON child_group (pk);
CREATE TABLE group_by_nik (key TEXT PRIMARY KEY, group_id INTEGER) WITHOUT ROWID;
CREATE TABLE group_by_name (key TEXT PRIMARY KEY, group_id INTEGER) WITHOUT ROWID;
-- The stored children the lines may be, and their stored measurements.
CREATE TABLE stored (
    pk INTEGER PRIMARY KEY, nik TEXT, birth_date INTEGER, sex INTEGER, posyandu_id INTEGER
);
CREATE TABLE stored_by_nik (key TEXT PRIMARY KEY, pk INTEGER) WITHOUT ROWID;
CREATE TABLE stored_by_name (key TEXT PRIMARY KEY, pk INTEGER) WITHOUT ROWID;
CREATE TABLE stored_visit (
    pk INTEGER, period INTEGER, measured_on INTEGER, weight TEXT, height TEXT,
    PRIMARY KEY (pk, period)
) WITHOUT ROWID;
-- The first measurement of each file child in each month, by line.
CREATE TABLE seen (
    group_id INTEGER, period INTEGER, number INTEGER,
    measured_on INTEGER, weight TEXT, height TEXT,
    PRIMARY KEY (group_id, period)
) WITHOUT ROWID;
"""

INDEXES: Final = """
CREATE INDEX line_name_key ON line (name_key) WHERE errors IS NULL;
CREATE INDEX line_group ON line (group_id, number);
"""
"""Made once every line is in: building them at the end is faster than keeping them."""


class Store:
    """The store of one import (closed, and so deleted, with :meth:`close`)."""

    def __init__(self) -> None:
        self.db = sqlite3.connect("", isolation_level=None)
        self.db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        # Nothing here outlives the import: no journal, no waiting for the disk.
        self.db.execute("PRAGMA journal_mode = OFF")
        self.db.execute("PRAGMA synchronous = OFF")
        self.db.execute("PRAGMA temp_store = FILE")
        self.db.executescript(SCHEMA)
        self.db.execute("BEGIN")

    def indexed(self) -> None:
        self.commit()
        self.db.executescript(INDEXES)
        self.db.execute("BEGIN")

    def commit(self) -> None:
        """End a batch's writes (and start the next one's)."""
        if self.db.in_transaction:
            self.db.execute("COMMIT")
        self.db.execute("BEGIN")

    def one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self.db.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def row(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        return self.db.execute(sql, params).fetchone()  # type: ignore[no-any-return]

    def batches(
        self, sql: str, params: Sequence[Any] = (), *, size: int, start: Any = None
    ) -> Iterator[list[tuple[Any, ...]]]:
        """The rows of ``sql`` a batch at a time, in the order of their first column.

        ``sql`` has ``{after}`` where the condition on that column goes (after
        every other ``?``) and ends with ``ORDER BY`` it: each batch is its own
        query (keyset paging), so no cursor stays open while the batch is worked
        on and written back.
        """
        last = start
        while True:
            after = "1" if last is None else "{key} > ?"
            query = sql.replace("{after}", after.replace("{key}", _order_key(sql)))
            rows = self.db.execute(
                f"{query} LIMIT {int(size)}", (*params, *(() if last is None else (last,)))
            ).fetchall()
            if not rows:
                return
            yield rows
            last = rows[-1][0]

    def close(self) -> None:
        self.db.close()


def _order_key(sql: str) -> str:
    return sql.rsplit("ORDER BY", 1)[1].strip()
