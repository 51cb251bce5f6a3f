"""The child's page: identity, visits, N/T strip and WHO charts drawn as SVG."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from posyandu.core.models import AuditLog
from posyandu.growth.curves import measurement_at_z
from posyandu.measurements.charts import Chart, chart_specs, child_charts
from posyandu.measurements.models import Visit
from posyandu.measurements.services import VisitValues, record_visit

pytestmark = pytest.mark.django_db


def polyline(svg: str, z: str) -> list[tuple[float, float]]:
    match = re.search(rf'class="sd-line" data-z="{z}"[^>]*points="([^"]+)"', svg)
    assert match, f"no SD line {z}"
    return [tuple(map(float, p.split(","))) for p in match.group(1).split()]


@pytest.fixture
def siti_visits(siti, kader) -> list[Visit]:
    visits = []
    for day, kg, cm in [
        (dt.date(2024, 6, 15), "7.0", "65.0"),
        (dt.date(2024, 7, 15), "7.5", "66.5"),
        (dt.date(2024, 8, 15), "7.6", "67.5"),
        (dt.date(2024, 9, 15), "7.6", "68.4"),
    ]:
        visits.append(
            record_visit(
                user=kader,
                child=siti,
                values=VisitValues(
                    measured_on=day,
                    weight_kg=Decimal(kg),
                    height_cm=Decimal(cm),
                    position="l",
                    head_cm=Decimal("42.5"),
                ),
            )
        )
    return visits


def test_the_median_weight_line_starts_at_the_who_birth_weight_for_girls():
    chart = Chart(chart_specs()["wfa"], 2, [], 0.0, 24.0)
    svg = chart.svg()
    first_x, first_y = polyline(svg, "0")[0]
    median_at_birth = float(measurement_at_z("wfa", 2, 0, 0))
    assert median_at_birth == pytest.approx(3.2322, abs=1e-4)
    assert (first_x, first_y) == (round(chart.px(0), 1), round(chart.py(median_at_birth), 1))
    assert [m for m in re.findall(r'data-z="([^"]+)"', svg)] == [
        "-3",
        "-2",
        "-1",
        "0",
        "1",
        "2",
        "3",
    ]


def test_the_child_page_shows_identity_visits_and_nt_history(kader_client, siti, siti_visits):
    response = kader_client.get(reverse("measurements:child", args=[siti.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Siti Aminah" in html
    assert "••••••••••••0003" in html
    assert "6474015501240003" not in html
    assert reverse("children:edit", args=[siti.pk]) in html
    assert "15/09/2024" in html and "Berat badan normal" in html
    assert 'class="pill t2">2T</span>' in html
    assert re.search(r'class="cell T t2"', html)
    assert AuditLog.objects.filter(action="view", object_id=str(siti.pk)).exists()


def test_the_child_page_draws_four_charts_with_sd_lines_and_the_childs_points(
    kader_client, siti, siti_visits
):
    html = kader_client.get(reverse("measurements:child", args=[siti.pk])).content.decode()
    indicators = re.findall(r'<svg [^>]*data-indicator="(\w+)"', html)
    # Siti is now over 2 years old but was measured lying before: BB/PB, no BB/TB.
    assert indicators == ["wfa", "lhfa", "wfl", "hcfa"]
    assert html.count('class="sd-line"') == 4 * 7
    assert html.count('class="child-point"') == 4 * 4

    charts = child_charts(sex=2, age_days_now=1000, visits=siti_visits)
    wfa = charts[0]
    june = siti_visits[0]
    expected = f'cx="{wfa.px(june.age_days / 30.4375):.1f}" cy="{wfa.py(7.0):.1f}"'
    assert expected in html
    lhfa = charts[1]
    assert f'cy="{lhfa.py(june.height_adj_cm):.1f}"' in html
    assert "Umur (bulan)" in html and "Berat (kg)" in html and "Panjang badan (cm)" in html


def test_visits_on_both_sides_of_two_years_get_both_weight_for_length_and_height(siti, kader):
    young = record_visit(
        user=kader,
        child=siti,
        values=VisitValues(
            measured_on=dt.date(2025, 12, 10),
            weight_kg=Decimal("11.0"),
            height_cm=Decimal("84.0"),
            position="l",
        ),
    )
    old = record_visit(
        user=kader,
        child=siti,
        values=VisitValues(
            measured_on=dt.date(2026, 2, 10),
            weight_kg=Decimal("11.4"),
            height_cm=Decimal("85.5"),
            position="h",
        ),
    )
    charts = {
        c.spec.indicator: c for c in child_charts(sex=2, age_days_now=800, visits=[young, old])
    }
    assert [p.x for p in charts["wfl"].points] == [young.height_adj_cm]
    assert [p.x for p in charts["wfh"].points] == [old.height_adj_cm] == [85.5]
    assert charts["wfa"].x_max == 60.0


def test_the_kms_print_view_has_the_weight_chart_and_monthly_weights(
    kader_client, siti, siti_visits
):
    response = kader_client.get(reverse("measurements:child_print", args=[siti.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "KARTU MENUJU SEHAT (KMS)" in html
    assert re.findall(r'<svg [^>]*data-indicator="(\w+)"', html) == ["wfa"]
    assert html.count('class="child-point"') == 4
    assert "@media print" in html
    assert "T (2T)" in html


def test_no_head_circumference_chart_without_a_head_measurement(kader_client, siti, kader):
    record_visit(
        user=kader,
        child=siti,
        values=VisitValues(
            measured_on=dt.date(2024, 6, 15),
            weight_kg=Decimal("7.0"),
            height_cm=Decimal("65.0"),
            position="l",
        ),
    )
    html = kader_client.get(reverse("measurements:child", args=[siti.pk])).content.decode()
    assert "hcfa" not in re.findall(r'<svg [^>]*data-indicator="(\w+)"', html)
    assert "Lingkar kepala belum pernah diukur" in html


def test_chart_labels_are_readable_on_a_360_px_phone(siti_visits):
    """About 305 px of a 360 px screen are left for a chart: labels must draw >= 10 px there."""
    chart = child_charts(sex=2, age_days_now=300, visits=siti_visits)[0]
    svg = chart.svg()
    scale = 305 / chart.width
    sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)"', svg)]
    assert sizes and min(sizes) * scale >= 10
    radius = float(re.search(r'class="child-point"[^>]* r="([\d.]+)"', svg).group(1))
    assert radius * scale >= 4
    assert 'stroke="#fff"' in re.search(r'<circle class="child-point"[^>]*>', svg).group()


def test_the_visits_table_stacks_on_a_phone_and_the_z_table_scrolls_in_its_own_box(
    kader_client, siti, siti_visits
):
    html = kader_client.get(reverse("measurements:child", args=[siti.pk])).content.decode()
    assert '<table class="visits stack">' in html
    assert re.search(r'<div class="table-scroll">\s*<table class="zscores">', html)
    assert "terlentang" not in html
    assert re.search(r'<small class="muted" title="Terlentang \(panjang badan\)">PB</small>', html)
