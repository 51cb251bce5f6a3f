"""The demo's Posyandu days: services per life stage and the kader present.

Runs after the kader demo (it reads their postings). From January of last
year to today every Posyandu opens once a month (the generator's days where
children came, plus a day where none did), each day serves its life stages,
and the kader posted that day come or not by their own habit. One Posyandu
loses kader in the middle of last year and ends it with fewer than the
Posyandu-aktif rule needs: the one Posyandu not aktif, as in Bontang's 2024
(99.17% aktif). In last year's Operasi Timbang, the kader with the Posyandu's
login visit the homes of some children not yet measured (refused or not
found: outcomes that leave the child's record alone), so the kader-of-the-year
score has home visits to count.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.db.models import Count

from posyandu.areas.models import Posyandu
from posyandu.cadres.models import Kader, KaderPosting, SessionAttendance, SessionService
from posyandu.campaigns.models import Campaign, CampaignTarget, HomeVisitOutcome
from posyandu.measurements import bulk
from posyandu.measurements.models import PosyanduSession, Visit
from posyandu.policy.posyandu_aktif import AKTIF_SCHEDULE, BALITA_STAGE, LIFE_STAGES

STAGE_SHARE = {
    "ibu_hamil": 0.9,
    "usia_sekolah_remaja": 0.45,
    "usia_produktif": 0.6,
    "lansia": 0.75,
}
"""How often a demo Posyandu day serves each life stage besides balita."""

PEOPLE_MEAN = {
    "ibu_hamil": 6,
    "usia_sekolah_remaja": 12,
    "usia_produktif": 15,
    "lansia": 14,
}

KADER_LEAVES_ON = (6, 30)
"""(month, day) last year on which the kader of the not-aktif Posyandu stop."""

HOME_VISITED_SHARE = 0.4
"""Share of a campaign's children not yet measured whose home the kader visit."""
REFUSED_SHARE = 0.3
"""Of those visits, the families who refused (the others were not found)."""


@dataclass
class PosyanduDays:
    year: int
    sessions_added: int
    services: int
    attendance: int
    not_aktif_code: str
    kader_stopped: int
    home_visits: int
    seconds: float


def _ensure_days(
    posyandu: list[Posyandu], first_month: dt.date, today: dt.date, rng: np.random.Generator
) -> tuple[list[PosyanduSession], int]:
    """A day in every month from ``first_month`` to today for every Posyandu, on the
    Posyandu's usual day of the month."""
    existing = list(PosyanduSession.objects.filter(date__gte=first_month, date__lte=today))
    have = {(s.posyandu_id, s.date.year, s.date.month) for s in existing}
    usual: dict[int, int] = {}
    for s in existing:
        usual.setdefault(s.posyandu_id, s.date.day)
    months = []
    month = first_month
    while month <= today:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    new = []
    for p in posyandu:
        day = usual.get(p.pk) or int(rng.integers(3, 26))
        for month in months:
            date = month.replace(day=day)
            if (p.pk, month.year, month.month) not in have and date <= today:
                new.append(PosyanduSession(posyandu=p, date=date))
    created: list[PosyanduSession] = []
    for batch in bulk.batched(new):
        created.extend(PosyanduSession.objects.bulk_create(batch))
    return existing + created, len(created)


def _stop_kader_of(posyandu: Posyandu, keep: int, on: dt.date) -> int:
    """End the open postings of all but ``keep`` kader of ``posyandu`` on ``on``."""
    open_postings = list(
        KaderPosting.objects.filter(
            posyandu=posyandu, ended_on__isnull=True, started_on__lte=on
        ).order_by("started_on", "pk")
    )
    leaving = open_postings[keep:]
    for posting in leaving:
        posting.ended_on = on
    KaderPosting.objects.bulk_update(leaving, ["ended_on"])
    Kader.objects.filter(pk__in=[p.kader_id for p in leaving]).update(
        posyandu=None, is_active=False
    )
    return len(leaving)


def _home_visits(year: int, rng: np.random.Generator) -> int:
    """Outcomes of home visits by each Posyandu's kader with a login, in the
    campaigns that started in ``year``."""
    by_posyandu = dict(
        Kader.objects.filter(user__isnull=False, posyandu__isnull=False).values_list(
            "posyandu_id", "user_id"
        )
    )
    visited = []
    for campaign in Campaign.objects.filter(starts_on__year=year):
        window_days = (campaign.ends_on - campaign.starts_on).days + 1
        for target in CampaignTarget.objects.filter(
            campaign=campaign, measured_on__isnull=True, outcome=""
        ).order_by("pk"):
            user_id = by_posyandu.get(target.posyandu_id)
            if user_id is None or rng.random() >= HOME_VISITED_SHARE:
                continue
            refused = rng.random() < REFUSED_SHARE
            target.outcome = HomeVisitOutcome.REFUSED if refused else HomeVisitOutcome.NOT_FOUND
            target.outcome_on = campaign.starts_on + dt.timedelta(
                days=int(rng.integers(window_days))
            )
            target.outcome_by_id = user_id
            visited.append(target)
    CampaignTarget.objects.bulk_update(
        visited, ["outcome", "outcome_on", "outcome_by"], batch_size=2000
    )
    return len(visited)


@transaction.atomic
def add_posyandu_days(*, today: dt.date, seed: int = 6474) -> PosyanduDays:
    """Services and attendance for every Posyandu day since January of last year."""
    started = time.perf_counter()
    rng = np.random.default_rng(seed + 13)
    year = today.year - 1
    first_month = dt.date(year, 1, 1)
    posyandu = list(Posyandu.objects.order_by("code"))
    if not posyandu:
        raise ValueError("the demo city has no Posyandu yet")
    sessions, added = _ensure_days(posyandu, first_month, today, rng)

    rule = AKTIF_SCHEDULE.in_force(first_month)
    failing = posyandu[int(rng.integers(len(posyandu)))]
    stopped = _stop_kader_of(failing, rule.min_kader - 1, dt.date(year, *KADER_LEAVES_ON))

    weighed = dict(
        Visit.objects.filter(session_id__in=[s.pk for s in sessions])
        .values_list("session_id")
        .annotate(n=Count("pk"))
        .values_list("session_id", "n")
    )
    services = []
    for session in sessions:
        for stage in LIFE_STAGES:
            # Balita served are the children weighed; the other stages are drawn.
            if stage == BALITA_STAGE:
                people = weighed.get(session.pk, 0)
            elif rng.random() < STAGE_SHARE[stage]:
                people = int(rng.poisson(PEOPLE_MEAN[stage])) + 1
            else:
                people = 0
            if people:
                services.append(
                    SessionService(session=session, life_stage=stage, people_served=people)
                )
    for batch in bulk.batched(services):
        SessionService.objects.bulk_create(batch)

    postings: dict[int, list[tuple[int, dt.date, dt.date | None]]] = defaultdict(list)
    for posyandu_id, kader_id, started_on, ended_on in KaderPosting.objects.values_list(
        "posyandu_id", "kader_id", "started_on", "ended_on"
    ):
        postings[posyandu_id].append((kader_id, started_on, ended_on))
    kader_ids = sorted({k for rows in postings.values() for k, _s, _e in rows})
    # Each kader's own habit: most come nearly always, a few often miss.
    habit = dict(zip(kader_ids, rng.beta(9.0, 1.2, len(kader_ids)).tolist(), strict=True))
    attendance = []
    for session in sessions:
        for kader_id, started_on, ended_on in postings.get(session.posyandu_id, ()):
            posted = started_on <= session.date and (ended_on is None or ended_on >= session.date)
            if posted and rng.random() < habit[kader_id]:
                attendance.append(SessionAttendance(session=session, kader_id=kader_id))
    for batch in bulk.batched(attendance):
        SessionAttendance.objects.bulk_create(batch)
    home_visits = _home_visits(year, rng)
    return PosyanduDays(
        year=year,
        sessions_added=added,
        services=len(services),
        attendance=len(attendance),
        not_aktif_code=failing.code,
        kader_stopped=stopped,
        home_visits=home_visits,
        seconds=time.perf_counter() - started,
    )
