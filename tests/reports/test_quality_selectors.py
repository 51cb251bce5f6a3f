"""The data-quality selectors, pages and command on visits saved through the service.

January-February 2025, Puskesmas Bontang Utara I (Posyandu Melati A and Kenanga A2)
and Puskesmas Bontang Selatan I (Posyandu Anggrek B):

- Ani (girl, born 10/03/2024): 8.0 kg, 70.0 cm lying at A on 12/01 (kader Sari); 8.5 kg,
  71.0 cm at A2 on 12/02 (kader Tari). Measured in both months: two measurements, but
  one child, counted at A2 (its latest) for the z-score statistics.
- Budi (boy, born 01/05/2024): 7.5 kg, 66.0 cm standing at A on 12/02 (Sari): an infant
  measured standing.
- Cici (girl, born 20/01/2023): 25.0 kg, 85.0 cm standing at A on 12/02 (Sari): a
  weight no two-year-old has (flagged weight-for-age and weight-for-length).
- Dodi (boy, born 01/06/2023) at B, 10.0 kg, 80.0 cm standing on 12/02 (bidan of B).

At A: 3 measurements, 2 children (Budi, Cici). Weights 8.0, 7.5, 25.0: first decimals
0, 5, 0; chi2 = (1.7² + 0.7²)/0.3 + 8 × 0.3 = 41/3, DPS = 100 √(41/81) = 71.1458.
Lengths 70.0, 66.0, 85.0: all 0, DPS 100. Position mismatch 1 of 3; flagged WFA and
WFLH 1 of 3. Too few measurements to rate.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math

import pytest
from django.test import Client
from django.urls import reverse

from posyandu.accounts.models import Role
from posyandu.accounts.scope import Scope
from posyandu.areas.hierarchy import find_area
from posyandu.cli import main
from posyandu.core.models import AuditAction, AuditLog
from posyandu.measurements.models import Visit
from posyandu.reports.quality import quality_by_posyandu, quality_report
from posyandu.reports.quality_commands import QUALITY_COLUMNS
from tests.factories import ChildFactory, UserFactory, bidan_of, kader_of, make_city, make_visit

pytestmark = pytest.mark.django_db

FROM, TO = dt.date(2025, 1, 1), dt.date(2025, 2, 28)


@pytest.fixture
def town():
    city = make_city()
    a, a2, b = city.posyandu_a, city.posyandu_a2, city.posyandu_b
    sari = kader_of(a, username="sari", first_name="Sari", last_name="Melati")
    tari = kader_of(a2, username="tari", first_name="Tari", last_name="Kenanga")
    bidan_b = bidan_of(city.puskesmas_b, username="bidan_b")
    ani = ChildFactory(name="Ani", birth_date=dt.date(2024, 3, 10), posyandu=a, sex=2)
    budi = ChildFactory(name="Budi", birth_date=dt.date(2024, 5, 1), posyandu=a, sex=1)
    cici = ChildFactory(name="Cici", birth_date=dt.date(2023, 1, 20), posyandu=a, sex=2)
    dodi = ChildFactory(name="Dodi", birth_date=dt.date(2023, 6, 1), posyandu=b, sex=1)
    feb = dt.date(2025, 2, 12)
    values = {"position": "l"}
    make_visit(ani, dt.date(2025, 1, 12), weight_kg="8.0", height_cm="70.0", user=sari, **values)
    make_visit(ani, feb, weight_kg="8.5", height_cm="71.0", user=tari, posyandu=a2, **values)
    make_visit(budi, feb, weight_kg="7.5", height_cm="66.0", position="h", user=sari)
    make_visit(cici, feb, weight_kg="25.0", height_cm="85.0", position="h", user=sari)
    make_visit(dodi, feb, weight_kg="10.0", height_cm="80.0", position="h", user=bidan_b)
    return city, {"sari": sari, "tari": tari, "bidan_b": bidan_b}


def _stored(name: str, on: dt.date) -> Visit:
    return Visit.objects.get(child__name=name, measured_on=on)


def test_a_posyandus_row_counts_its_measurements_and_its_latest_children(town) -> None:
    city, _users = town
    scope = Scope.for_command_line()
    rows = {r.code: r.stats for r in quality_by_posyandu(scope, find_area("64.74"), FROM, TO)}
    assert list(rows) == ["PSY-A", "PSY-A2", "PSY-B"]
    a, a2 = rows["PSY-A"], rows["PSY-A2"]
    assert (a.measurements, a.children) == (3, 2)
    assert (a2.measurements, a2.children) == (1, 1)
    assert a.flagged == {"lhfa": 0, "wfa": 1, "wflh": 1}
    assert a.pct_flagged("wfa") == pytest.approx(100 / 3)
    assert a.weight_digits == (2, 0, 0, 0, 0, 1, 0, 0, 0, 0)
    assert a.dps_weight == pytest.approx(100 * math.sqrt(41 / 81))
    assert round(a.dps_weight, 4) == 71.1458
    assert a.dps_height == pytest.approx(100.0)
    assert (a.with_position, a.position_mismatch) == (3, 1)
    assert a.rating is None
    # The z statistics of A: Budi's and Cici's latest lengths (no length is flagged),
    # Budi alone for weight-for-age and weight-for-length (Cici's are flagged).
    budi, cici = _stored("Budi", dt.date(2025, 2, 12)), _stored("Cici", dt.date(2025, 2, 12))
    assert cici.flag_wfa and cici.flag_wflh and not cici.flag_lhfa
    assert a.z["lhfa"].n == 2 and a.z["wfa"].n == 1
    assert a.z["lhfa"].sd == pytest.approx(abs(budi.z_lhfa - cici.z_lhfa) / math.sqrt(2))
    # Ani counts once, at A2, with her February length.
    ani_feb = _stored("Ani", dt.date(2025, 2, 12))
    assert a2.z["lhfa"].mean == pytest.approx(ani_feb.z_lhfa)
    b = rows["PSY-B"]
    assert (b.measurements, b.position_mismatch, b.boys, b.girls) == (1, 1, 1, 0)


def test_a_puskesmas_sees_only_its_posyandu_and_its_kader(town) -> None:
    city, users = town
    pkm_a = UserFactory(username="pkm_a", role=Role.PUSKESMAS, puskesmas=city.puskesmas_a)
    scope = Scope.of(pkm_a)
    report = quality_report(scope, find_area("64.74"), FROM, TO)
    assert [r.code for r in report.posyandu] == ["PSY-A", "PSY-A2"]
    assert report.total.measurements == 4 and report.total.children == 3
    by_user = {r.user_id: r for r in report.recorders}
    assert set(by_user) == {users["sari"].pk, users["tari"].pk}
    sari = by_user[users["sari"].pk].stats
    # Sari recorded Ani's January visit, Budi and Cici; Ani's latest was recorded by Tari.
    assert (sari.measurements, sari.children) == (3, 2)
    assert by_user[users["sari"].pk].name == "Sari Melati (sari)"
    assert [(m.period, m.stats.measurements, m.stats.children) for m in report.months] == [
        (dt.date(2025, 1, 1), 1, 1),
        (dt.date(2025, 2, 1), 3, 3),
    ]
    from django.http import Http404

    with pytest.raises(Http404):
        quality_report(scope, find_area("PKM-BS"), FROM, TO)


def _cli(*argv: str, capsys) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_command_writes_one_row_per_posyandu_in_the_issues_columns(
    town, tmp_path, capsys
) -> None:
    path = tmp_path / "quality.csv"
    code, _out, _err = _cli(
        "report",
        "data-quality",
        "--area",
        "PKM-BU",
        "--from",
        "2025-01-01",
        "--to",
        "2025-02-28",
        "-o",
        str(path),
        capsys=capsys,
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    assert list(rows[0])[:16] == [
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
    ]
    assert list(rows[0]) == QUALITY_COLUMNS
    a, a2 = rows
    assert (a["posyandu_code"], a["posyandu_name"]) == ("PSY-A", "Posyandu Melati")
    assert (a["children"], a["measurements"]) == ("2", "3")
    assert (a["pct_flagged_lhfa"], a["pct_flagged_wfa"], a["pct_flagged_wflh"]) == (
        "0.0000",
        "33.3333",
        "33.3333",
    )
    assert (a["dps_weight"], a["dps_height"]) == ("71.1458", "100.0000")
    assert a["pct_position_mismatch"] == "33.3333"
    assert a["rating"] == "" and a["sd_wfa"] == ""  # one child: no SD
    assert (a2["children"], a2["measurements"], a2["pct_position_mismatch"]) == ("1", "1", "0.0000")


@pytest.mark.parametrize(
    "argv",
    [
        ["--area", "99.99", "--from", "2025-01-01", "--to", "2025-02-28"],
        ["--area", "64.74", "--from", "2025-02-30", "--to", "2025-03-01"],
        ["--area", "64.74", "--from", "2025-03-01", "--to", "2025-02-01"],
    ],
)
def test_bad_arguments_exit_2_with_one_line(town, argv, capsys) -> None:
    code, _out, err = _cli("report", "data-quality", *argv, "-o", "-", capsys=capsys)
    assert code == 2
    assert len(err.strip().splitlines()) == 1


def _audit_after(action) -> list[AuditLog]:
    before = AuditLog.objects.order_by("-id").values_list("id", flat=True).first() or 0
    action()
    return list(AuditLog.objects.filter(id__gt=before))


def test_a_puskesmas_opens_the_worst_posyandus_evidence_and_not_another_puskesmass(
    town,
) -> None:
    city, users = town
    client = Client()
    client.force_login(
        UserFactory(username="pkm_a", role=Role.PUSKESMAS, puskesmas=city.puskesmas_a)
    )
    query = "?dari=2025-01&sampai=2025-02"
    page = client.get(reverse("reports:quality") + query)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Posyandu Melati" in html and "Posyandu Anggrek" not in html
    assert "Ani" not in html  # the scorecard names no child
    url = reverse("reports:quality_posyandu", args=[city.posyandu_a.pk]) + query
    rows = _audit_after(lambda: client.get(url))
    evidence = client.get(url).content.decode()
    assert "Budi" in evidence and "Cici" in evidence and "<svg" in evidence
    shown = [r for r in rows if r.action == AuditAction.VIEW]
    assert len(shown) == 1
    assert set(shown[0].changes["children"]) == set(
        Visit.objects.filter(child__name__in=["Budi", "Cici"]).values_list("child_id", flat=True)
    )
    outside = reverse("reports:quality_posyandu", args=[city.posyandu_b.pk]) + query
    assert client.get(outside).status_code == 404
    other_pkm = (
        reverse("reports:quality") + query + "&wilayah=puskesmas:" + str(city.puskesmas_b.pk)
    )
    assert client.get(other_pkm).status_code == 404
    kader_b = reverse("reports:quality_recorder", args=[users["bidan_b"].pk]) + query
    assert client.get(kader_b).status_code == 404
    sari = client.get(reverse("reports:quality_recorder", args=[users["sari"].pk]) + query)
    assert sari.status_code == 200 and "Cici" in sari.content.decode()
    for fmt in ("csv", "xlsx"):
        export = client.get(reverse("reports:quality_export") + query + f"&format={fmt}")
        assert export.status_code == 200
    csv_text = client.get(reverse("reports:quality_export") + query + "&format=csv")
    body = b"".join(csv_text.streaming_content if csv_text.streaming else [csv_text.content])
    assert b"PSY-A" in body and b"PSY-B" not in body
    refused = reverse("reports:quality_export") + query + "&format=csv&wilayah=puskesmas:"
    assert client.get(refused + str(city.puskesmas_b.pk)).status_code == 404


def test_a_query_that_can_hold_no_visit_gives_no_measurements(town) -> None:
    from posyandu.reports.quality import measurements_of

    assert len(measurements_of(Visit.objects.filter(pk__in=[]))) == 0


def test_a_child_moved_out_of_the_area_is_counted_in_the_evidence_but_not_named(town) -> None:
    from posyandu.children.services import transfer_child

    city, _users = town
    eko = ChildFactory(name="Eko", birth_date=dt.date(2024, 5, 1), posyandu=city.posyandu_a, sex=1)
    make_visit(eko, dt.date(2025, 2, 12), weight_kg="7.5", height_cm="66.0", position="h")
    eko.refresh_from_db()
    transfer_child(
        user=bidan_of(city.puskesmas_a, username="bidan_a"),
        child=eko,
        version=eko.version,
        to_posyandu=city.posyandu_b,
        on=dt.date(2025, 3, 1),
    )
    client = Client()
    client.force_login(
        UserFactory(username="pkm_a", role=Role.PUSKESMAS, puskesmas=city.puskesmas_a)
    )
    url = reverse("reports:quality_posyandu", args=[city.posyandu_a.pk])
    html = client.get(url + "?dari=2025-01&sampai=2025-02").content.decode()
    assert "Budi" in html and "Eko" not in html
    assert "1 pengukuran lagi milik anak yang kini terdaftar di luar wilayah Anda" in html
