"""Posyandu aktif: each Posyandu's months and year judged by the rule in force.

The figures come from what the Posyandu days recorded: the opening days
(:class:`~posyandu.measurements.models.PosyanduSession`), the life stages
served (:class:`~posyandu.cadres.models.SessionService`; a day with weighed
children has served balita whether or not the services were ticked), the kader
present (:class:`~posyandu.cadres.models.SessionAttendance`) and the kader
posted (:class:`~posyandu.cadres.models.KaderPosting`). The rules themselves
are in :mod:`posyandu.policy.posyandu_aktif`; this module only gathers.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from posyandu.accounts.scope import Scope
from posyandu.areas.hierarchy import Area
from posyandu.areas.models import Posyandu
from posyandu.cadres.models import KaderPosting, LifeStage, SessionAttendance, SessionService
from posyandu.measurements.models import PosyanduSession, Visit
from posyandu.measurements.selectors import month_end, participation
from posyandu.policy.posyandu_aktif import (
    AKTIF_SCHEDULE,
    AKTIF_TARGETS,
    BALITA_STAGE,
    NO_CORE_SERVICE,
    NOT_OPEN_THIS_MONTH,
    STRATA_LOW_DS,
    STRATA_LOW_HEALTH_FUND,
    STRATA_LOW_IMMUNISATION,
    STRATA_LOW_KB,
    STRATA_LOW_KIA,
    STRATA_NO_EXTRA_PROGRAMME,
    STRATA_NOT_RECORDED,
    STRATA_SCHEDULE,
    STRATA_TOO_FEW_KADER_ON_DUTY,
    STRATA_TOO_FEW_OPENINGS,
    TOO_FEW_KADER,
    TOO_FEW_OPENINGS,
    AktifRule,
    AktifTargets,
    StrataInputs,
    StrataResult,
    StrataRule,
)


class NoRuleInForce(ValueError):
    """No Posyandu-aktif rule applies to the year asked for."""


@dataclass
class MonthStatus:
    month: dt.date
    days: int
    stages: frozenset[str]
    kader: int
    reasons: list[str]

    @property
    def opened(self) -> bool:
        return self.days > 0

    @property
    def aktif(self) -> bool:
        return not self.reasons


@dataclass
class PosyanduYear:
    pk: int
    code: str
    name: str
    months: list[MonthStatus]
    stages: frozenset[str]
    kader: int
    """Kader posted on the last day judged (31 December, or today in the current year)."""
    reasons: list[str]
    mean_kader_on_duty: float | None
    strata: StrataResult | None = None
    mean_ds: float | None = None

    @property
    def months_open(self) -> int:
        return sum(1 for m in self.months if m.opened)

    @property
    def aktif(self) -> bool:
        return not self.reasons

    @property
    def stages_in_order(self) -> list[str]:
        return [s for s in LifeStage.values if s in self.stages]


@dataclass
class AreaYear:
    area: Area
    year: int
    judged_until: dt.date
    """The last day counted: 31 December, or today while the year runs."""
    rule: AktifRule
    targets: AktifTargets
    rows: list[PosyanduYear] = field(default_factory=list)
    strata_rule: StrataRule | None = None

    @property
    def complete(self) -> bool:
        return self.judged_until == dt.date(self.year, 12, 31)

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def aktif_count(self) -> int:
        return sum(1 for r in self.rows if r.aktif)

    @property
    def share(self) -> float | None:
        return self.aktif_count / self.total if self.total else None

    @property
    def meets_target(self) -> bool:
        return self.share is not None and self.share >= self.targets.city_target_ratio

    @property
    def meets_national_line(self) -> bool:
        return self.share is not None and self.share >= self.targets.national_line_ratio

    @property
    def not_aktif(self) -> list[PosyanduYear]:
        return [r for r in self.rows if not r.aktif]


def rule_for_year(year: int) -> AktifRule:
    try:
        return AKTIF_SCHEDULE.in_force(dt.date(year, 1, 1))
    except ValueError:
        raise NoRuleInForce(
            _("Tidak ada aturan Posyandu aktif yang berlaku pada tahun %(year)s.") % {"year": year}
        ) from None


def _kader_on(postings: list[tuple[dt.date, dt.date | None]], day: dt.date) -> int:
    return sum(1 for start, end in postings if start <= day and (end is None or end >= day))


def posyandu_aktif(
    scope: Scope, area: Area, year: int, *, today: dt.date, with_strata: bool = False
) -> AreaYear:
    """Every Posyandu of ``area`` the user may see, judged for ``year`` (404 when the
    user sees none of the area; :class:`NoRuleInForce` for a year without a rule)."""
    rule = rule_for_year(year)
    judged_until = min(dt.date(year, 12, 31), today)
    if judged_until < dt.date(year, 1, 1):
        raise NoRuleInForce(_("Tahun %(year)s belum dimulai.") % {"year": year})
    posyandu = list(
        Posyandu.objects.filter(scope.rows_in(area, prefix=""))
        .order_by("code")
        .values_list("pk", "code", "name")
    )
    ids = [pk for pk, _code, _name in posyandu]
    months = [dt.date(year, m, 1) for m in range(1, judged_until.month + 1)]

    sessions = list(
        PosyanduSession.objects.filter(
            posyandu_id__in=ids, date__gte=months[0], date__lte=judged_until
        ).values_list("pk", "posyandu_id", "date")
    )
    session_ids = [pk for pk, _p, _d in sessions]
    stages_of: dict[int, set[str]] = defaultdict(set)
    for session_id, stage in SessionService.objects.filter(session_id__in=session_ids).values_list(
        "session_id", "life_stage"
    ):
        stages_of[session_id].add(stage)
    # A day where children were weighed served balita, ticked or not.
    for session_id in (
        Visit.objects.filter(session_id__in=session_ids)
        .order_by()  # the model's ordering would join every child into the DISTINCT
        .values_list("session_id", flat=True)
        .distinct()
    ):
        stages_of[session_id].add(BALITA_STAGE)
    on_duty = dict(
        SessionAttendance.objects.filter(session_id__in=session_ids)
        .values_list("session_id")
        .annotate(n=Count("kader_id"))
        .values_list("session_id", "n")
    )
    postings: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    for posyandu_id, started_on, ended_on in KaderPosting.objects.filter(
        posyandu_id__in=ids, started_on__lte=judged_until
    ).values_list("posyandu_id", "started_on", "ended_on"):
        postings[posyandu_id].append((started_on, ended_on))

    days_by: dict[tuple[int, int], list[int]] = defaultdict(list)
    for session_id, posyandu_id, day in sessions:
        days_by[(posyandu_id, day.month)].append(session_id)

    result = AreaYear(
        area=area, year=year, judged_until=judged_until, rule=rule, targets=AKTIF_TARGETS
    )
    for pk, code, name in posyandu:
        statuses = []
        year_stages: set[str] = set()
        duty_counts: list[int] = []
        for month in months:
            day_ids = days_by.get((pk, month.month), [])
            stages = frozenset(s for sid in day_ids for s in stages_of.get(sid, ()))
            year_stages |= stages
            duty_counts += [on_duty.get(sid, 0) for sid in day_ids]
            kader = _kader_on(postings[pk], min(month_end(month), judged_until))
            statuses.append(
                MonthStatus(
                    month=month,
                    days=len(day_ids),
                    stages=stages,
                    kader=kader,
                    reasons=rule.month_reasons(
                        opened=bool(day_ids), stages_served=stages, kader=kader
                    ),
                )
            )
        kader_now = _kader_on(postings[pk], judged_until)
        months_open = sum(1 for s in statuses if s.opened)
        result.rows.append(
            PosyanduYear(
                pk=pk,
                code=code,
                name=name,
                months=statuses,
                stages=frozenset(year_stages),
                kader=kader_now,
                reasons=rule.year_reasons(
                    months_open=months_open, stages_served=year_stages, kader=kader_now
                ),
                mean_kader_on_duty=sum(duty_counts) / len(duty_counts) if duty_counts else None,
            )
        )
    if with_strata:
        _add_strata(scope, result, months)
    return result


@dataclass(frozen=True)
class YearShare:
    year: int
    aktif: int
    total: int
    share: float | None
    complete: bool

    @property
    def pct(self) -> float | None:
        return None if self.share is None else 100 * self.share

    @property
    def meets_target(self) -> bool:
        return self.share is not None and self.share >= AKTIF_TARGETS.city_target_ratio

    @property
    def meets_national_line(self) -> bool:
        return self.share is not None and self.share >= AKTIF_TARGETS.national_line_ratio


def shares_by_year(scope: Scope, area: Area, *, today: dt.date) -> list[YearShare]:
    """The area's share of Posyandu aktif in every year with a rule in force and a
    recorded Posyandu day, oldest first (the current year judged until today)."""
    first_day = (
        PosyanduSession.objects.filter(scope.rows_in(area))
        .order_by("date")
        .values_list("date", flat=True)
        .first()
    )
    if first_day is None:
        return []
    found = []
    for year in range(first_day.year, today.year + 1):
        try:
            result = posyandu_aktif(scope, area, year, today=today)
        except NoRuleInForce:
            continue
        found.append(
            YearShare(year, result.aktif_count, result.total, result.share, result.complete)
        )
    return found


def _add_strata(scope: Scope, result: AreaYear, months: list[dt.date]) -> None:
    """The older strata: openings, kader on duty and the mean monthly D/S are recorded
    here; KIA, KB and immunisation coverage, extra programmes and the health fund are
    not, so no Posyandu climbs above Madya and the page says why."""
    strata_rule = STRATA_SCHEDULE.in_force(dt.date(result.year, 1, 1))
    result.strata_rule = strata_rule
    ids = [r.pk for r in result.rows]
    ratios: dict[int, list[float]] = defaultdict(list)
    for month in months:
        for pk, found in participation(scope, ids, month).items():
            if found.d_over_s is not None:
                ratios[pk].append(found.d_over_s)
    for row in result.rows:
        values = ratios.get(row.pk)
        row.mean_ds = sum(values) / len(values) if values else None
        row.strata = strata_rule.classify(
            StrataInputs(
                openings=row.months_open,
                mean_kader_on_duty=row.mean_kader_on_duty,
                ds_ratio=row.mean_ds,
            )
        )


# --- words ---------------------------------------------------------------------


def year_reason_text(code: str, row: PosyanduYear, rule: AktifRule) -> str:
    if code == TOO_FEW_OPENINGS:
        return ngettext(
            "buka %(n)s bulan, kurang dari %(min)s kali setahun",
            "buka %(n)s bulan, kurang dari %(min)s kali setahun",
            row.months_open,
        ) % {"n": row.months_open, "min": rule.min_openings_per_year}
    if code == NO_CORE_SERVICE:
        return _("tidak melayani %(stages)s") % {"stages": core_stages_text(rule)}
    if code == TOO_FEW_KADER:
        return _("%(n)s kader, kurang dari %(min)s") % {"n": row.kader, "min": rule.min_kader}
    return code


def month_reason_text(code: str, status: MonthStatus, rule: AktifRule) -> str:
    if code == NOT_OPEN_THIS_MONTH:
        return _("tidak buka bulan ini")
    if code == NO_CORE_SERVICE:
        return _("tidak melayani %(stages)s") % {"stages": core_stages_text(rule)}
    if code == TOO_FEW_KADER:
        return _("%(n)s kader, kurang dari %(min)s") % {"n": status.kader, "min": rule.min_kader}
    return code


def core_stages_text(rule: AktifRule) -> str:
    labels = [str(label) for value, label in LifeStage.choices if value in rule.core_life_stages]
    return _(" atau ").join(labels)


STRATA_LABELS = {
    "pratama": "Pratama",
    "madya": "Madya",
    "purnama": "Purnama",
    "mandiri": "Mandiri",
}


def strata_reason_text(code: str, rule: StrataRule) -> str:
    pct = {
        "ds": round(100 * rule.min_ds_ratio),
        "cov": round(100 * rule.min_cumulative_coverage),
        "fund": round(100 * rule.min_health_fund_coverage),
    }
    texts = {
        STRATA_TOO_FEW_OPENINGS: _("buka kurang dari %(n)s kali setahun")
        % {"n": rule.min_openings_per_year},
        STRATA_TOO_FEW_KADER_ON_DUTY: _("rata-rata kader bertugas kurang dari %(n)s")
        % {"n": f"{rule.min_mean_kader_on_duty:g}"},
        STRATA_LOW_DS: _("rata-rata D/S kurang dari %(n)s%%") % {"n": pct["ds"]},
        STRATA_LOW_KIA: _("cakupan KIA kurang dari %(n)s%%") % {"n": pct["cov"]},
        STRATA_LOW_KB: _("cakupan KB kurang dari %(n)s%%") % {"n": pct["cov"]},
        STRATA_LOW_IMMUNISATION: _("cakupan imunisasi kurang dari %(n)s%%") % {"n": pct["cov"]},
        STRATA_NO_EXTRA_PROGRAMME: _("tidak ada program tambahan"),
        STRATA_LOW_HEALTH_FUND: _("cakupan dana sehat kurang dari %(n)s%%") % {"n": pct["fund"]},
    }
    if code in texts:
        return texts[code]
    what = code.removeprefix(f"{STRATA_NOT_RECORDED}:")
    names = {
        "kader_on_duty": _("kehadiran kader"),
        "ds": _("D/S"),
        "kia": _("cakupan KIA"),
        "kb": _("cakupan KB"),
        "immunisation": _("cakupan imunisasi"),
        "extra_programmes": _("program tambahan"),
        "health_fund": _("cakupan dana sehat"),
    }
    return _("%(what)s tidak tercatat") % {"what": names.get(what, what)}


# --- the CSV of ``posyandu report posyandu-aktif`` ------------------------------

CSV_COLUMNS = [
    "posyandu_code",
    "posyandu_name",
    "months_open",
    "kader_active",
    "life_stages_served",
    "aktif",
    "reasons",
]


def csv_rows(result: AreaYear) -> list[list[object]]:
    """One row per Posyandu, then the area's row: its share aktif in percent in the
    ``aktif`` column and the counts in ``reasons``. Life stages are codes joined by
    ``;``, as are the reasons (in words)."""
    rows: list[list[object]] = [
        [
            r.code,
            r.name,
            r.months_open,
            r.kader,
            ";".join(r.stages_in_order),
            1 if r.aktif else 0,
            "; ".join(year_reason_text(code, r, result.rule) for code in r.reasons),
        ]
        for r in result.rows
    ]
    share = result.share
    rows.append(
        [
            result.area.code,
            result.area.name,
            "",
            "",
            "",
            "" if share is None else f"{100 * share:.2f}",
            _("%(aktif)s dari %(total)s Posyandu aktif")
            % {
                "aktif": result.aktif_count,
                "total": result.total,
            },
        ]
    )
    return rows
