"""The monthly kader incentive roster of a Posyandu, by the rule in force.

For each kader posted at the Posyandu during the month: paid or not, and
every reason when not (:data:`~posyandu.policy.posyandu_aktif.INCENTIVE_SCHEDULE`
decides; this module gathers the facts it judges).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from posyandu.areas.models import Posyandu
from posyandu.cadres.models import KaderPosting, SessionAttendance, SessionService
from posyandu.measurements.models import PosyanduSession, Visit
from posyandu.measurements.selectors import month_end
from posyandu.policy.posyandu_aktif import (
    ABSENT,
    BALITA_STAGE,
    DATA_NOT_ENTERED,
    INCENTIVE_SCHEDULE,
    NO_POSTING,
    NO_POSYANDU_DAY,
    NO_SK,
    NOT_INCENTIVE_ELIGIBLE,
    SK_AFTER_DAY,
    SK_EXPIRED,
    IncentiveRule,
)


@dataclass
class RosterLine:
    kader_id: int
    name: str
    role: str
    sk_number: str
    sk_date: dt.date | None
    present: bool
    reasons: list[str]
    reason_texts: list[str]

    @property
    def paid(self) -> bool:
        return not self.reasons


@dataclass
class Roster:
    posyandu: Posyandu
    period: dt.date
    rule: IncentiveRule
    sessions: list[PosyanduSession]
    data_entered: bool
    lines: list[RosterLine]

    @property
    def days(self) -> list[dt.date]:
        return [s.date for s in self.sessions]

    @property
    def paid(self) -> list[RosterLine]:
        return [line for line in self.lines if line.paid]

    @property
    def left_out(self) -> list[RosterLine]:
        return [line for line in self.lines if not line.paid]


def reason_text(code: str, rule: IncentiveRule) -> str:
    texts = {
        NO_POSTING: _("tidak bertugas di posyandu ini pada hari buka"),
        NOT_INCENTIVE_ELIGIBLE: _("tidak berhak insentif menurut penugasannya"),
        NO_SK: _("belum ada SK (nomor dan tanggal)"),
        SK_AFTER_DAY: _("SK terbit setelah hari buka"),
        SK_EXPIRED: _("SK sudah lewat %(n)s bulan") % {"n": rule.sk_valid_months},
        NO_POSYANDU_DAY: _("posyandu tidak buka bulan ini"),
        ABSENT: _("tidak hadir pada hari buka"),
        DATA_NOT_ENTERED: _("data hari buka belum diisi (penimbangan dan layanan)"),
    }
    return texts.get(code, code)


def roster(posyandu: Posyandu, period: dt.date) -> Roster:
    """The roster of ``posyandu`` for the month starting ``period`` (the caller has
    checked the user may read the Posyandu)."""
    last = month_end(period)
    rule = INCENTIVE_SCHEDULE.in_force(period)
    sessions = list(
        PosyanduSession.objects.filter(
            posyandu=posyandu, date__gte=period, date__lte=last
        ).order_by("date")
    )
    session_ids = [s.pk for s in sessions]
    # Entered: every day of the month has its services recorded, and a day that
    # served balita has its weighing recorded too.
    weighed = set(
        Visit.objects.filter(session_id__in=session_ids)
        .order_by()
        .values_list("session_id", flat=True)
        .distinct()
    )
    served: dict[int, set[str]] = {}
    for session_id, stage in SessionService.objects.filter(session_id__in=session_ids).values_list(
        "session_id", "life_stage"
    ):
        served.setdefault(session_id, set()).add(stage)
    data_entered = bool(sessions) and all(
        s.pk in served and (BALITA_STAGE not in served[s.pk] or s.pk in weighed) for s in sessions
    )
    present_on: dict[int, dt.date] = {}
    for kader_id, attended_on in (
        SessionAttendance.objects.filter(session_id__in=session_ids)
        .order_by("session__date")
        .values_list("kader_id", "session__date")
    ):
        present_on.setdefault(kader_id, attended_on)
    postings = (
        KaderPosting.objects.filter(posyandu=posyandu, started_on__lte=last)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=period))
        .select_related("kader")
        .order_by("kader__name", "kader_id", "-started_on")
    )
    lines = []
    seen: set[int] = set()
    for posting in postings:
        if posting.kader_id in seen:
            continue
        seen.add(posting.kader_id)
        day: dt.date | None = present_on.get(posting.kader_id) or (
            sessions[0].date if sessions else None
        )
        posted = day is None or (
            posting.started_on <= day and (posting.ended_on is None or posting.ended_on >= day)
        )
        codes = rule.reasons(
            posted=posted,
            incentive_eligible=posting.incentive_eligible,
            sk_number=posting.sk_number,
            sk_date=posting.sk_date,
            posyandu_day=day,
            present=posting.kader_id in present_on,
            data_entered=data_entered,
        )
        lines.append(
            RosterLine(
                kader_id=posting.kader_id,
                name=posting.kader.name,
                role=posting.get_role_display(),
                sk_number=posting.sk_number,
                sk_date=posting.sk_date,
                present=posting.kader_id in present_on,
                reasons=codes,
                reason_texts=[reason_text(code, rule) for code in codes],
            )
        )
    return Roster(
        posyandu=posyandu,
        period=period,
        rule=rule,
        sessions=sessions,
        data_entered=data_entered,
        lines=lines,
    )


CSV_COLUMNS = [
    "posyandu_code",
    "posyandu_name",
    "month",
    "kader_id",
    "kader_name",
    "role",
    "sk_number",
    "sk_date",
    "present",
    "paid",
    "reasons",
]


def csv_rows(found: Roster) -> list[list[object]]:
    """The roster for payment: ISO dates, 1/0, reasons in words joined by ``; ``."""
    return [
        [
            found.posyandu.code,
            found.posyandu.name,
            found.period.strftime("%Y-%m"),
            line.kader_id,
            line.name,
            line.role,
            line.sk_number,
            line.sk_date.isoformat() if line.sk_date else "",
            1 if line.present else 0,
            1 if line.paid else 0,
            "; ".join(line.reason_texts),
        ]
        for line in found.lines
    ]
