"""The import's memory is one batch of lines, whatever the size of the file.

Every line goes to the import's store on disk as it is read; each later pass
(matching, measurements, new children, visits) reads a batch back, works on
it and writes it back. These tests import real files with the batch made
tiny (7 lines) and count the parsed lines alive at any moment, and check that
the result is the one of an import in a single batch.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from posyandu.accounts.scope import Scope
from posyandu.children.models import Child
from posyandu.exchange import importer
from posyandu.measurements.models import Visit
from tests.exchange.test_eppgbm_import import _csv, _row, _xlsx
from tests.factories import ChildFactory, make_city, make_visit

pytestmark = pytest.mark.django_db

BATCH = 7
CHILDREN = 12
MONTHS = 5


def _rows() -> list[dict[str, object]]:
    """Twelve new children, five months each, month by month as an e-PPGBM
    download lists them (so each child's lines are in several batches); the
    first child's first line has no NIK (its later lines do: one child); one
    line repeated; and a stored child, one of its lines already stored."""
    rows = []
    for month in range(MONTHS):
        for c in range(CHILDREN):
            nik = f"6474{c + 1:02d}{c + 1:02d}0324{c:04d}"
            rows.append(
                _row(
                    NIK="" if (c, month) == (0, 0) else nik,
                    Nama=f"Anak {c}",
                    JK="L",
                    **{
                        "Nama Ortu": f"Ibu {c}",
                        "Tgl Lahir": f"{c + 1:02d}-03-2024",
                        "Tanggal Pengukuran": f"10-{6 + month:02d}-2025",
                        "Berat": f"{8 + c / 10 + month / 5:.1f}".replace(".", ","),
                        "Tinggi": str(70 + month),
                    },
                )
            )
    rows.insert(30, dict(rows[2 * CHILDREN + 3]))  # child 3, third month, again
    for on, weight, height in (("03-06-2025", "9", "72"), ("05-07-2025", "9,3", "73")):
        rows.append(
            _row(
                NIK="6474010101240005",
                Nama="Eka",
                JK="L",
                **{
                    "Nama Ortu": "Sari",
                    "Tgl Lahir": "01-01-2024",
                    "Tanggal Pengukuran": on,
                    "Berat": weight,
                    "Tinggi": height,
                },
            )
        )
    return rows


@pytest.fixture
def eka():
    city = make_city()
    child = ChildFactory(
        name="Eka",
        sex=1,
        nik="6474010101240005",
        mother_name="Sari",
        birth_date=dt.date(2024, 1, 1),
        posyandu=city.posyandu_a,
    )
    make_visit(child, dt.date(2025, 6, 3), weight_kg="9.00", height_cm="72.0")
    return child


class _Counted(importer.Line):
    """A Line that counts how many of its kind are alive when one is made."""

    alive = 0
    most = 0

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        _Counted.alive += 1
        _Counted.most = max(_Counted.most, _Counted.alive)

    def __del__(self) -> None:
        _Counted.alive -= 1


def _import(data: bytes, *, dry_run: bool):
    return importer.import_eppgbm(
        data=data,
        file_name="besar.xlsx",
        scope=Scope.for_command_line(),
        user=None,
        dry_run=dry_run,
    )


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_the_import_holds_one_batch_of_lines_at_a_time(eka, monkeypatch, kind) -> None:
    rows = _rows()
    data = _xlsx(rows) if kind == "xlsx" else _csv(rows)
    monkeypatch.setattr(importer, "LINE_BATCH", BATCH)
    monkeypatch.setattr(importer, "Line", _Counted)
    _Counted.alive = _Counted.most = 0

    result = _import(data, dry_run=False)

    made = _Counted.most
    # Every line was read (a Line each), staged, read back in later passes...
    assert result.store.one("SELECT count(*) FROM line") == len(rows) == 63
    assert result.store.one("SELECT count(*) FROM child_group WHERE created") == CHILDREN
    # ...and never more than one batch of them was alive at once.
    assert 1 <= made <= BATCH
    assert result.imported
    assert result.counts == {
        "lines": 63,
        "children_created": 12,
        "children_matched": 1,
        "visits_created": 12 * 5 + 1,  # Eka's June visit is stored already
        "already_present": 2,
        "errors": 0,
    }
    assert Child.objects.count() == 13
    assert Visit.objects.count() == 1 + 61
    first = Child.objects.get(name="Anak 0")
    assert first.nik == "6474010103240000"  # from its later lines
    assert first.visits.count() == MONTHS
    assert list(
        Child.objects.get(name="Anak 11")
        .visits.order_by("measured_on")
        .values_list("weight_kg", flat=True)
    ) == [Decimal(w) for w in ("9.10", "9.30", "9.50", "9.70", "9.90")]
    # The repeated line (Excel line 32: the header is line 1) names the first one.
    lines = list(result.lines)
    assert (lines[30].number, lines[30].outcome) == (32, "already_present")
    assert lines[30].notes == ["sama dengan baris 29"]
    assert [line.outcome for line in lines[-2:]] == ["already_present", "visit_created"]
    assert all(line.visit_id for line in lines if line.outcome.endswith("created"))


def test_a_report_in_tiny_batches_is_the_report_in_one_batch(eka, monkeypatch) -> None:
    rows = _rows()
    # Two bad lines, one in the store's first batch, one far after it.
    rows[2] = _row(**{**rows[2], "Berat": "sembilan"})
    rows[50] = _row(**{**rows[50], "Tanggal Pengukuran": "10-06-2025", "Berat": "12"})
    data = _csv(rows)
    whole = _import(data, dry_run=True)
    monkeypatch.setattr(importer, "LINE_BATCH", BATCH)
    batched = _import(data, dry_run=True)
    assert list(batched.report_rows()) == list(whole.report_rows())
    assert [line.number for line in batched.bad_lines] == [4, 52]
    assert (
        "Pengukuran lain anak ini di bulan yang sama ada di baris"
        in (batched.bad_lines[1].errors[0])
    )
    assert batched.counts == whole.counts and batched.counts["errors"] == 2
