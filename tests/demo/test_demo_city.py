"""The demo city: its shape, and stored values that agree with the engine and services."""

from __future__ import annotations

import datetime as dt

import numpy as np

from posyandu.areas.models import Kecamatan, Kelurahan, Kota, Posyandu, Puskesmas
from posyandu.children.models import Child, ChildStatus, ChildTransfer
from posyandu.children.nik import nik_warnings
from posyandu.demo.generator import GenerationReport, generate
from posyandu.growth import compute_zscores
from posyandu.growth.classify import classify_codes
from posyandu.growth.weight_gain import completed_months
from posyandu.measurements.assessment import assess
from posyandu.measurements.models import Visit
from posyandu.measurements.services import refresh_weight_gain
from tests.demo.conftest import SMALL_CITY

STORED = ("wfa", "lhfa", "wflh", "bfa", "hcfa", "acfa")


def _f(value: object) -> float:
    return np.nan if value is None else float(value)  # type: ignore[arg-type]


def test_demo_city_is_shaped_like_bontang(small_city: GenerationReport) -> None:
    assert Kota.objects.get().code == "64.74"
    assert list(Kecamatan.objects.values_list("code", "name")) == [
        ("64.74.01", "Bontang Utara"),
        ("64.74.02", "Bontang Selatan"),
        ("64.74.03", "Bontang Barat"),
    ]
    assert Kelurahan.objects.count() == 15
    assert Kelurahan.objects.get(name="Bontang Kuala").code == "64.74.01.1001"
    assert Kelurahan.objects.get(name="Kanaan").code == "64.74.03.1003"
    assert Puskesmas.objects.count() == 6
    assert Posyandu.objects.count() == 124
    # The requested balita, and those who turned 60 months during the last year.
    balita = Child.objects.exclude(status=ChildStatus.AGED_OUT).count()
    assert Child.objects.count() == small_city.children
    assert 0.85 * SMALL_CITY <= balita <= 1.15 * SMALL_CITY
    # Every kelurahan is in exactly one Puskesmas's working area, and each
    # Posyandu's Puskesmas covers the Posyandu's kelurahan.
    for kelurahan in Kelurahan.objects.all():
        assert kelurahan.puskesmas_set.count() == 1
    for posyandu in Posyandu.objects.select_related("puskesmas", "kelurahan"):
        assert posyandu.puskesmas.kelurahan.filter(pk=posyandu.kelurahan_id).exists()
    assert Posyandu.objects.values("name").distinct().count() == 124


def test_children_are_balita_with_at_most_one_visit_a_month(small_city: GenerationReport) -> None:
    today = dt.date.today()
    for child in Child.objects.all():
        months = completed_months(child.birth_date, today)
        if child.status == ChildStatus.AGED_OUT:
            # Aged out during the last year, on the day of its 60th month.
            assert 60 <= months < 72
            assert completed_months(child.birth_date, child.status_date) == 60
            assert (
                completed_months(child.birth_date, child.status_date - dt.timedelta(days=1)) == 59
            )
        else:
            assert 0 <= months < 60
    visits = list(Visit.objects.select_related("child", "session"))
    assert len(visits) == small_city.visits
    transfers = {t.child_id: t for t in ChildTransfer.objects.all()}
    for visit in visits:
        child = visit.child
        assert visit.period == visit.measured_on.replace(day=1)
        assert visit.age_days == (visit.measured_on - child.birth_date).days
        assert completed_months(child.birth_date, visit.measured_on) < 60
        if child.pk in transfers:
            moved = transfers[child.pk]
            expected = (
                moved.to_posyandu_id
                if visit.period >= moved.transferred_on.replace(day=1)
                else moved.from_posyandu_id
            )
            assert visit.posyandu_id == expected
        else:
            assert visit.posyandu_id == child.posyandu_id
        if child.status in (ChildStatus.MOVED, ChildStatus.DIED):
            assert visit.measured_on < child.status_date
        assert visit.session is not None and visit.session.date == visit.measured_on
        assert visit.session.posyandu_id == visit.posyandu_id
        assert visit.measured_on >= child.birth_date
    assert Visit.objects.values("period").distinct().count() <= 24


def test_stored_zscores_are_the_engines_for_the_stored_values(
    small_city: GenerationReport,
) -> None:
    visits = list(Visit.objects.select_related("child").order_by("?")[:400])
    res = compute_zscores(
        sex=[v.child.sex for v in visits],
        age_days=[v.age_days for v in visits],
        weight_kg=[_f(v.weight_kg) for v in visits],
        height_cm=[_f(v.height_cm) for v in visits],
        measure=[v.position for v in visits],
        oedema=[v.oedema for v in visits],
        head_cm=[_f(v.head_cm) for v in visits],
        muac_cm=[_f(v.muac_cm) for v in visits],
    )
    for ind in STORED:
        stored = np.array([_f(getattr(v, f"z_{ind}")) for v in visits])
        np.testing.assert_array_equal(stored, res[f"z_{ind}"], err_msg=ind)
        flags = [getattr(v, f"flag_{ind}") for v in visits]
        assert flags == [bool(f == 1.0) for f in res[f"flag_{ind}"]], ind
    for ind in ("wfa", "lhfa", "wflh", "bfa"):
        assert [getattr(v, f"cat_{ind}") for v in visits] == list(
            classify_codes(ind, res[f"z_{ind}"])
        ), ind
    np.testing.assert_array_equal([_f(v.height_adj_cm) for v in visits], res["height_adj_cm"])
    assert [v.is_bgm for v in visits] == [bool(z < -3) for z in res["z_wfa"]]
    assert sum(not np.isnan(z) for z in res["z_lhfa"]) > 0.9 * len(visits)


def test_stored_warnings_are_what_the_visit_service_would_show(
    small_city: GenerationReport,
) -> None:
    warned = list(Visit.objects.exclude(warnings=[]).select_related("child"))
    quiet = list(Visit.objects.filter(warnings=[]).select_related("child").order_by("?")[:150])
    assert warned, "the demo should contain a few position mistakes"
    for visit in warned + quiet:
        previous = (
            Visit.objects.filter(child=visit.child, period__lt=visit.period)
            .order_by("-period")
            .first()
        )
        expected = assess(
            sex=visit.child.sex,
            birth_date=visit.child.birth_date,
            measured_on=visit.measured_on,
            weight_kg=visit.weight_kg,
            height_cm=visit.height_cm,
            position=visit.position,
            oedema=visit.oedema,
            head_cm=visit.head_cm,
            muac_cm=visit.muac_cm,
            previous_height_adj_cm=previous.height_adj_cm if previous else None,
            previous_weight_kg=previous.weight_kg if previous else None,
            previous_measured_on=previous.measured_on if previous else None,
        )
        assert visit.warnings == [{"code": w.code, "message": w.message} for w in expected.warnings]
        assert visit.warnings_confirmed == bool(expected.warnings)


def test_weight_gain_is_what_refresh_weight_gain_computes(small_city: GenerationReport) -> None:
    fields = ("id", "weight_gain", "weight_gain_g", "kbm_g", "is_2t")
    children = list(Child.objects.order_by("?")[:60])
    before = {
        c.pk: list(Visit.objects.filter(child=c).order_by("period").values_list(*fields))
        for c in children
    }
    for child in children:
        refresh_weight_gain(child)
    after = {
        c.pk: list(Visit.objects.filter(child=c).order_by("period").values_list(*fields))
        for c in children
    }
    assert after == before
    statuses = set(Visit.objects.values_list("weight_gain", flat=True))
    assert {"N", "T", "O", "B"} <= statuses
    assert Visit.objects.filter(is_2t=True).exists()


def test_niks_are_fake_nik_shaped_and_match_the_child(small_city: GenerationReport) -> None:
    today = dt.date.today()
    with_nik = 0
    infants = infants_without = 0
    for child in Child.objects.select_related("posyandu__kelurahan__kecamatan"):
        if (today - child.birth_date).days < 365:
            infants += 1
            infants_without += not child.nik
        for nik in (child.nik, child.mother_nik):
            if nik:
                assert len(nik) == 16 and nik.isdigit()
                assert nik[:6] == child.posyandu.kelurahan.kecamatan.code.replace(".", "")
                assert nik[12] == "9", "the serial 9xxx marks the number as fake"
        if child.nik:
            with_nik += 1
            assert (
                nik_warnings(
                    child.nik, birth_date=child.birth_date, sex=child.sex, kota_code="64.74"
                )
                == []
            )
            day = int(child.nik[6:8])
            assert (day > 40) == (child.sex == 2)
    assert with_nik > 0.6 * SMALL_CITY
    assert 0.1 < infants_without / infants < 0.55


def test_prevalence_of_stunting_is_realistic(db: None) -> None:
    report = generate(children=2000, seed=2026)
    assert report.measured_in_report_period > 1000
    assert 14.0 <= report.stunting_pct <= 22.0
    # Attendance in the reported month: most but not all balita come.
    balita = Child.objects.filter(
        birth_date__lt=report.report_period, status=ChildStatus.ACTIVE
    ).count()
    assert 0.7 <= report.measured_in_report_period / balita <= 0.9


def test_the_demo_history_has_transfers_leavers_and_two_campaign_rounds(
    small_city: GenerationReport,
) -> None:
    from posyandu.accounts.scope import Scope
    from posyandu.campaigns import counts
    from posyandu.campaigns.models import Campaign
    from posyandu.campaigns.selectors import results

    assert ChildTransfer.objects.exists()
    assert Child.objects.filter(status=ChildStatus.MOVED, status_date__isnull=False).exists()
    assert Child.objects.filter(status=ChildStatus.AGED_OUT).exists()
    first, second = Campaign.objects.order_by("starts_on")
    scope = Scope.for_command_line()
    found, by_area = results(scope, first)
    a = by_area[found.areas[0]]
    found, by_area = results(scope, second)
    b = by_area[found.areas[0]]
    # The story of Bontang: coverage 64% -> 99%, screened stunting 27% -> 17.5%.
    assert 50 <= a.coverage_pct <= 78
    assert b.coverage_pct >= 95
    assert a.stunting_pct > b.stunting_pct + 4
    # The pages read the per-Posyandu counts: built for both rounds, as the targets say.
    assert counts.stored() == counts.recounted() != {}
