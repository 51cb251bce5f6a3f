"""Operasi Timbang on a small hand-built city where every answer is written down."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse

from posyandu.accounts.scope import Scope
from posyandu.areas.hierarchy import Level, area_by_key, find_area
from posyandu.campaigns import counts
from posyandu.campaigns.models import COUNTED, CampaignCount, CampaignTarget, HomeVisitOutcome
from posyandu.campaigns.selectors import not_measured, previous_campaign, results
from posyandu.campaigns.services import open_campaign, record_outcome
from posyandu.children.models import ChildStatus
from posyandu.children.services import set_status, transfer_child
from posyandu.cli import main
from tests.factories import ChildFactory, bidan_of, dinkes_of, kader_of, make_city, make_visit

pytestmark = pytest.mark.django_db

START, END = dt.date(2026, 2, 1), dt.date(2026, 2, 14)


@pytest.fixture
def town():
    """Kota Bontang: Melati (A) and Kenanga (A2) of Puskesmas A, Anggrek (B) of B.

    - Ani (A): measured at A on 5 February, 79 cm at 25 months: stunted.
    - Budi (A): weighed on 25 January only (before the window): not measured.
    - Cici (A): moved away on 20 January: not a target.
    - Dodi (A): born on 3 February, after the start: not a target.
    - Eka: lived at B on the start date, moved to A on 8 February, measured at A
      on 10 February: a target of B, measured, not stunted.
    - Fajar (A): died on 9 February: still a target (alive on the start date).
    - Gita (A): 60 months old on 15 January 2026: no longer a balita, not a target.
    """
    city = make_city()
    a, b = city.posyandu_a, city.posyandu_b
    bidan = bidan_of(city.puskesmas_a)
    kids = {
        "Ani": ChildFactory(name="Ani", birth_date=dt.date(2024, 1, 10), posyandu=a),
        "Budi": ChildFactory(name="Budi", birth_date=dt.date(2023, 6, 1), posyandu=a, sex=1),
        "Cici": ChildFactory(name="Cici", birth_date=dt.date(2024, 5, 5), posyandu=a),
        "Dodi": ChildFactory(name="Dodi", birth_date=dt.date(2026, 2, 3), posyandu=a, sex=1),
        "Eka": ChildFactory(name="Eka", birth_date=dt.date(2023, 9, 9), posyandu=b, sex=1),
        "Fajar": ChildFactory(name="Fajar", birth_date=dt.date(2024, 3, 3), posyandu=a, sex=1),
        "Gita": ChildFactory(name="Gita", birth_date=dt.date(2021, 1, 15), posyandu=a),
    }
    cici = kids["Cici"]
    set_status(
        user=bidan,
        child=cici,
        version=cici.version,
        status=ChildStatus.MOVED,
        on=dt.date(2026, 1, 20),
    )
    eka = kids["Eka"]
    transfer_child(
        user=bidan, child=eka, version=eka.version, to_posyandu=a, on=dt.date(2026, 2, 8)
    )
    make_visit(kids["Ani"], dt.date(2026, 2, 5), weight_kg="10.00", height_cm="79.0")
    make_visit(kids["Budi"], dt.date(2026, 1, 25), weight_kg="12.00")
    make_visit(kids["Eka"], dt.date(2026, 2, 10), weight_kg="13.00", height_cm="92.0")
    fajar = kids["Fajar"]
    set_status(
        user=bidan,
        child=fajar,
        version=fajar.version,
        status=ChildStatus.DIED,
        on=dt.date(2026, 2, 9),
    )
    campaign = open_campaign(
        user=dinkes_of(city.kota),
        name="Operasi Timbang Februari",
        area=find_area("64.74"),
        starts_on=START,
        ends_on=END,
    )
    return city, kids, campaign


def _by_name(results_by_area):
    return {area.name: result for area, result in results_by_area.items()}


def test_the_target_list_is_frozen_as_of_the_start_date(town) -> None:
    city, kids, campaign = town
    targets = {
        t.child.name: t.posyandu.name for t in campaign.targets.select_related("child", "posyandu")
    }
    assert targets == {
        "Ani": "Posyandu Melati",
        "Budi": "Posyandu Melati",
        "Eka": "Posyandu Anggrek",
        "Fajar": "Posyandu Melati",
    }


def test_coverage_per_area_counts_visits_inside_the_window_at_any_posyandu(town) -> None:
    city, kids, campaign = town
    scope = Scope.of(dinkes_of(city.kota, username="dinkes_cov"))
    _tree, by_area = results(scope, campaign)
    rows = _by_name(by_area)
    assert (rows["Bontang"].count("target"), rows["Bontang"].count("measured")) == (4, 2)
    assert rows["Bontang"].coverage_pct == pytest.approx(50.0)
    assert (rows["Posyandu Melati"].count("target"), rows["Posyandu Melati"].count("measured")) == (
        3,
        1,
    )
    assert (
        rows["Posyandu Anggrek"].count("target"),
        rows["Posyandu Anggrek"].count("measured"),
    ) == (1, 1)
    assert rows["Puskesmas Bontang Utara I"].count("target") == 3
    # Screening: Ani (79 cm at 25 months) is stunted, Eka is not; both weighed.
    assert (
        rows["Bontang"].count("stunting_numerator"),
        rows["Bontang"].count("stunting_denominator"),
    ) == (1, 2)
    assert rows["Bontang"].stunting_pct == pytest.approx(50.0)
    assert rows["Bontang"].count("underweight_denominator") == 2


def test_the_sweeping_list_has_the_targets_not_yet_measured_of_one_posyandu(town) -> None:
    city, kids, campaign = town
    kader = kader_of(city.posyandu_a, username="kader_sweep")
    names = [t.child.name for t in not_measured(Scope.of(kader), campaign, city.posyandu_a.pk)]
    assert names == ["Budi", "Fajar"]
    client = Client()
    client.force_login(kader)
    own = client.get(reverse("campaigns:not_measured", args=[campaign.pk, city.posyandu_a.pk]))
    assert own.status_code == 200
    html = own.content.decode()
    assert "Budi" in html and "Fajar" in html and "Eka" not in html and "Ani" not in html
    other = client.get(reverse("campaigns:not_measured", args=[campaign.pk, city.posyandu_b.pk]))
    assert other.status_code == 404


def test_a_home_measurement_marks_the_target_measured_and_coverage_rises(town) -> None:
    city, kids, campaign = town
    kader = kader_of(city.posyandu_a, username="kader_home")
    make_visit(kids["Budi"], dt.date(2026, 2, 12), weight_kg="12.30", user=kader)
    target = CampaignTarget.objects.get(campaign=campaign, child=kids["Budi"])
    assert target.measured_on == dt.date(2026, 2, 12)
    _tree, by_area = results(
        Scope.of(kader), campaign, area_by_key(f"{Level.POSYANDU}:{city.posyandu_a.pk}")
    )
    assert _by_name(by_area)["Posyandu Melati"].count("measured") == 2


def test_a_deleted_visit_makes_the_target_unmeasured_again(town) -> None:
    from posyandu.measurements.services import delete_visit

    city, kids, campaign = town
    visit = kids["Ani"].visits.get()
    delete_visit(
        user=bidan_of(city.puskesmas_a, username="bidan_del"), visit=visit, version=visit.version
    )
    assert CampaignTarget.objects.get(campaign=campaign, child=kids["Ani"]).measured_on is None


def test_home_visit_outcomes_update_the_registry_through_its_services(town) -> None:
    city, kids, campaign = town
    kader = kader_of(city.posyandu_a, username="kader_outcome")
    budi = CampaignTarget.objects.get(campaign=campaign, child=kids["Budi"])
    record_outcome(user=kader, target=budi, outcome=HomeVisitOutcome.MOVED, on=dt.date(2026, 2, 11))
    budi.refresh_from_db()
    budi.child.refresh_from_db()
    assert (budi.outcome, budi.outcome_on) == ("pindah", dt.date(2026, 2, 11))
    assert (budi.child.status, budi.child.status_date) == (ChildStatus.MOVED, dt.date(2026, 2, 11))
    fajar = CampaignTarget.objects.get(campaign=campaign, child=kids["Fajar"])
    record_outcome(
        user=kader, target=fajar, outcome=HomeVisitOutcome.NOT_FOUND, on=dt.date(2026, 2, 12)
    )
    fajar.refresh_from_db()
    assert fajar.outcome == "tidak_ditemukan"


def test_the_results_page_shows_the_previous_round_beside_this_one(town) -> None:
    city, kids, campaign = town
    earlier = open_campaign(
        user=None,
        name="Operasi Timbang Agustus",
        area=find_area("64.74"),
        starts_on=dt.date(2025, 8, 1),
        ends_on=dt.date(2025, 8, 14),
    )
    assert previous_campaign(campaign) == earlier
    client = Client()
    client.force_login(dinkes_of(city.kota, username="dinkes_page"))
    html = client.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert "Operasi Timbang Agustus" in html
    assert "50,0%" in html or "50.0%" in html


def test_only_dinkes_and_admin_open_a_campaign(town) -> None:
    city, kids, campaign = town
    client = Client()
    client.force_login(bidan_of(city.puskesmas_a, username="bidan_open"))
    assert client.get(reverse("campaigns:new")).status_code == 403
    client.force_login(dinkes_of(city.kota, username="dinkes_open"))
    response = client.post(
        reverse("campaigns:new"),
        {
            "name": "OT Maret",
            "area": f"kota:{city.kota.pk}",
            "starts_on": "01/03/2026",
            "ends_on": "14/03/2026",
        },
    )
    assert response.status_code == 302


def _cli(*argv: str, capsys) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_command_line_opens_exports_and_reports(town, tmp_path, capsys) -> None:
    city, kids, campaign = town
    code, out, _err = _cli(
        "campaign",
        "create",
        "--name",
        "OT CLI",
        "--area",
        "PSY-A",
        "--from",
        "2026-02-01",
        "--to",
        "2026-02-14",
        capsys=capsys,
    )
    assert code == 0
    new_id = int(out.strip().splitlines()[-1].removeprefix("campaign "))
    path = tmp_path / "sasaran.csv"
    assert (
        _cli("export", "sasaran", "--campaign", str(new_id), "-o", str(path), capsys=capsys)[0] == 0
    )
    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    assert list(rows[0])[:11] == [
        "child_id",
        "local_id",
        "nik",
        "name",
        "sex",
        "birth_date",
        "mother_name",
        "posyandu_code",
        "posyandu_name",
        "measured",
        "measured_on",
    ]
    assert {(r["name"], r["measured"]) for r in rows} == {
        ("Ani", "1"),
        ("Budi", "0"),
        ("Fajar", "0"),
    }
    assert (
        _cli(
            "export",
            "sasaran",
            "--campaign",
            str(new_id),
            "--not-measured",
            "-o",
            str(path),
            capsys=capsys,
        )[0]
        == 0
    )
    assert {r["name"] for r in csv.DictReader(io.StringIO(path.read_text()))} == {"Budi", "Fajar"}
    report = tmp_path / "campaign.csv"
    assert (
        _cli(
            "report", "campaign", "--campaign", str(campaign.pk), "-o", str(report), capsys=capsys
        )[0]
        == 0
    )
    by_code = {r["area_code"]: r for r in csv.DictReader(io.StringIO(report.read_text()))}
    assert (
        by_code["64.74"]["level"],
        by_code["64.74"]["target"],
        by_code["64.74"]["measured"],
    ) == ("kota", "4", "2")
    assert by_code["64.74"]["coverage_pct"] == "50.0"
    assert (by_code["64.74"]["stunting_numerator"], by_code["64.74"]["stunting_denominator"]) == (
        "1",
        "2",
    )
    assert by_code["PSY-A"]["target"] == "3"


def test_the_skdn_report_lists_the_area_and_every_level_below(town, tmp_path, capsys) -> None:
    path = tmp_path / "skdn.csv"
    assert (
        _cli(
            "report",
            "skdn",
            "--area",
            "64.74",
            "--month",
            "2026-02",
            "-o",
            str(path),
            capsys=capsys,
        )[0]
        == 0
    )
    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    assert list(rows[0])[:13] == [
        "area_code",
        "area_name",
        "level",
        "S",
        "K",
        "D",
        "D_prime",
        "N",
        "T",
        "O",
        "B",
        "BGM",
        "two_t",
    ]
    levels = [r["level"] for r in rows]
    assert levels[0] == "kota" and {"kecamatan", "kelurahan", "puskesmas", "posyandu"} <= set(
        levels
    )
    kota = rows[0]
    # February 2026: Ani, Budi, Eka (at A from the 8th), Dodi (born the 3rd),
    # Fajar (died the 9th) live in the city; Cici moved in January, Gita aged out.
    assert kota["S"] == "5"
    assert kota["D"] == "2"


@pytest.mark.parametrize(
    "argv",
    [
        ["report", "skdn", "--area", "99.99", "--month", "2026-02", "-o", "-"],
        ["report", "skdn", "--area", "64.74", "--month", "2026-13", "-o", "-"],
        ["report", "campaign", "--campaign", "9999", "-o", "-"],
        ["export", "sasaran", "--campaign", "abc", "-o", "-"],
        [
            "campaign",
            "create",
            "--name",
            "X",
            "--area",
            "64.74",
            "--from",
            "2026-02-30",
            "--to",
            "2026-03-01",
        ],
        [
            "campaign",
            "create",
            "--name",
            "X",
            "--area",
            "64.74",
            "--from",
            "2026-03-01",
            "--to",
            "2026-02-01",
        ],
    ],
)
def test_bad_arguments_exit_2_with_one_line(town, capsys, argv) -> None:
    code, _out, err = _cli(*argv, capsys=capsys)
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def _row(campaign, posyandu):
    return counts.stored([campaign.pk])[(campaign.pk, posyandu.pk)]


def test_the_counts_per_posyandu_follow_each_visit_write(town) -> None:
    city, kids, campaign = town
    zero = dict.fromkeys(COUNTED, 0)
    # Melati: Ani (stunted, weighed and measured), Budi and Fajar not measured.
    # Anggrek: Eka, measured at Melati after moving there, not stunted.
    assert counts.stored([campaign.pk]) == {
        (campaign.pk, city.posyandu_a.pk): zero
        | {"target": 3, "measured": 1, "lhfa_counted": 1, "stunted": 1}
        | {"wflh_counted": 1, "wfa_counted": 1},
        (campaign.pk, city.posyandu_b.pk): zero
        | {"target": 1, "measured": 1, "lhfa_counted": 1}
        | {"wflh_counted": 1, "wfa_counted": 1},
    }
    kader = kader_of(city.posyandu_a, username="kader_counts")
    make_visit(kids["Budi"], dt.date(2026, 2, 12), weight_kg="12.30", user=kader)
    assert _row(campaign, city.posyandu_a) == zero | {
        "target": 3,
        "measured": 2,
        "lhfa_counted": 1,
        "stunted": 1,
        "wflh_counted": 1,
        "wfa_counted": 2,
    }
    from posyandu.measurements.services import delete_visit

    visit = kids["Ani"].visits.get()
    delete_visit(user=kader, visit=visit, version=visit.version)
    assert _row(campaign, city.posyandu_a) == zero | {
        "target": 3,
        "measured": 1,
        "wfa_counted": 1,
    }
    assert counts.stored() == counts.recounted()


def test_rebuild_campaign_counts_recounts_them_from_the_targets(town) -> None:
    from django.core.management import call_command

    city, kids, campaign = town
    before = counts.stored()
    CampaignCount.objects.filter(campaign=campaign, posyandu=city.posyandu_a).update(target=99)
    CampaignCount.objects.filter(campaign=campaign, posyandu=city.posyandu_b).delete()
    out = io.StringIO()
    call_command("rebuild_campaign_counts", "--campaign", str(campaign.pk), stdout=out)
    assert counts.stored() == before
    assert out.getvalue().startswith("2 baris")


def test_the_campaign_list_shows_each_users_part_of_the_coverage(town) -> None:
    city, kids, campaign = town
    client = Client()
    client.force_login(dinkes_of(city.kota, username="dinkes_list"))
    html = client.get(reverse("campaigns:list")).content.decode()
    assert "Operasi Timbang Februari" in html and "2/4" in html and "50,0%" in html
    client.force_login(kader_of(city.posyandu_b, username="kader_list"))
    html = client.get(reverse("campaigns:list")).content.decode()
    assert "1/1" in html and "100,0%" in html
    client.force_login(kader_of(city.other_kota_posyandu, username="kader_elsewhere"))
    html = client.get(reverse("campaigns:list")).content.decode()
    assert "Operasi Timbang Februari" not in html
