"""Data quality of the demo city agrees with a computation of its own, and finds the
demo's poor measurers.

The independent computation reads the stored visits row by row, picks each child's
latest measurement in plain Python, and takes numpy's moments (``np.std`` with
``ddof=1``; skewness and kurtosis from ``np.mean`` of powers) and a digit count of
the stored decimals: nothing of :mod:`posyandu.reports.quality` is used.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal

import numpy as np
import pytest

from posyandu.accounts.models import User
from posyandu.accounts.scope import Scope
from posyandu.areas.hierarchy import find_area
from posyandu.areas.models import Posyandu
from posyandu.demo import habits
from posyandu.demo.generator import generate
from posyandu.measurements.models import Visit
from posyandu.policy import LENGTH_HEIGHT_SWITCH_DAYS
from posyandu.reports.quality import quality_by_posyandu, quality_report

pytestmark = pytest.mark.django_db


def _dps(values: list[Decimal]) -> float | None:
    digits = Counter(int(str(v.quantize(Decimal("0.01")))[-2]) for v in values)
    n = len(values)
    if not n:
        return None
    chi2 = sum((digits.get(d, 0) - n / 10) ** 2 / (n / 10) for d in range(10))
    return float(100 * np.sqrt(chi2 / (n * 9)))


def _moments(values: list[float]) -> tuple[float, float, float] | None:
    x = np.array(values)
    if len(x) < 3:
        return None
    centred = x - x.mean()
    return (
        float(np.std(x, ddof=1)),
        float(np.mean(centred**3) / np.std(x) ** 3),
        float(np.mean(centred**4) / np.var(x) ** 2),
    )


@pytest.fixture
def demo():
    return generate(children=1500, seed=17)


def test_each_posyandus_numbers_agree_with_numpys(demo) -> None:
    last = demo.report_period
    first = (last - dt.timedelta(days=62)).replace(day=1)
    end = (last + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    rows = quality_by_posyandu(Scope.for_command_line(), find_area("64.74"), first, end)
    visits = list(
        Visit.objects.filter(measured_on__gte=first, measured_on__lte=end)
        .order_by("measured_on")
        .values()
    )
    assert len(visits) > 500
    latest: dict[int, dict] = {}
    for v in visits:
        latest[v["child_id"]] = v  # ordered by date: the last one stays
    by_posyandu: dict[int, list[dict]] = defaultdict(list)
    for v in visits:
        by_posyandu[v["posyandu_id"]].append(v)
    latest_at: dict[int, list[dict]] = defaultdict(list)
    for v in latest.values():
        latest_at[v["posyandu_id"]].append(v)
    compared = 0
    for row in rows:
        mine = by_posyandu.get(row.posyandu_id, [])
        stats = row.stats
        assert stats.measurements == len(mine)
        assert stats.children == len(latest_at.get(row.posyandu_id, []))
        weights = [v["weight_kg"] for v in mine if v["weight_kg"] is not None]
        heights = [v["height_cm"] for v in mine if v["height_cm"] is not None]
        assert stats.dps_weight == pytest.approx(_dps(weights), abs=1e-9)
        assert stats.dps_height == pytest.approx(_dps(heights), abs=1e-9)
        positioned = [v for v in mine if v["position"]]
        wrong = [
            v
            for v in positioned
            if (v["position"] == "l") != (v["age_days"] < LENGTH_HEIGHT_SWITCH_DAYS)
        ]
        assert stats.position_mismatch == len(wrong)
        for ind in ("lhfa", "wfa", "wflh"):
            assert stats.flagged[ind] == sum(1 for v in mine if v[f"flag_{ind}"])
            z = [
                v[f"z_{ind}"]
                for v in latest_at.get(row.posyandu_id, [])
                if v[f"z_{ind}"] is not None and not v[f"flag_{ind}"]
            ]
            expected = _moments(z)
            if expected is None:
                continue
            got = stats.z[ind]
            assert (got.sd, got.skew, got.kurtosis) == pytest.approx(expected, rel=1e-9)
            compared += 1
    assert compared > 200


def test_the_demos_poor_measurers_are_the_worst_recorders(demo) -> None:
    last = demo.report_period
    first = dt.date(last.year - 1, last.month, 1)
    end = (last + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    report = quality_report(Scope.for_command_line(), find_area("64.74"), first, end)
    poor_names = Posyandu.objects.filter(code__in=demo.poor_posyandu).values_list("name", flat=True)
    poor = set(
        User.objects.filter(
            username__in=[habits.kader_username(name, habits.POOR_KADER) for name in poor_names]
        ).values_list("pk", flat=True)
    )
    assert len(poor) == habits.POOR_POSYANDU
    by_user = {r.user_id: r.stats for r in report.recorders}
    for pk in poor:
        # Every weight ends in .0 or .5 (at best half and half: DPS 66.7), every
        # length in .0 (DPS 100), and many infants stand.
        assert by_user[pk].dps_weight >= 66.6
        assert by_user[pk].dps_height == pytest.approx(100.0)
        assert by_user[pk].pct_position_mismatch > 3
    others = [s for pk, s in by_user.items() if pk not in poor and s.measurements >= 100]
    assert len(others) > 10
    assert all((s.dps_weight or 0) < 20 and (s.pct_position_mismatch or 0) < 3 for s in others)
