"""Kader of the year: a transparent score, ranked per area, every component shown.

The four components (each 0..1) and their weights are in
:data:`~posyandu.policy.posyandu_aktif.KADER_SCORE_SCHEDULE`:

- **attendance**: days present / days their Posyandu opened while they were posted;
- **data**: the share of complete measurements (weight, length or height and the
  measuring position) among the visits of the days they were present — the
  Posyandu day is team work and most kader have no login to sign a visit with —
  averaged with the data-quality rating (:mod:`posyandu.reports.quality`) of the
  visits recorded with their login when those were enough to be rated;
- **skills**: skills assessed competent / the active basic skills (25);
- **home visits**: the Operasi Timbang home visits recorded with the kader's login,
  up to the number that earns the whole component.

It lives in ``reports`` because it reads the kader app, the visits and the
campaigns' home visits, which no single app may import together.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q

from posyandu.accounts.scope import Scope
from posyandu.areas.hierarchy import Area
from posyandu.cadres.models import KaderPosting, SessionAttendance
from posyandu.cadres.selectors import active_skills, profiles
from posyandu.campaigns.models import CampaignTarget
from posyandu.measurements.models import PosyanduSession, Visit
from posyandu.policy.posyandu_aktif import KADER_SCORE_SCHEDULE, KaderScoreWeights
from posyandu.policy.quality import Rating
from posyandu.reports.quality import measurements_of, score


@dataclass
class KaderScore:
    kader_id: int
    name: str
    posyandu: str
    days_present: int
    days_held: int
    visits: int
    complete_visits: int
    quality_rating: Rating | None
    """The SMART-style rating of the visits recorded with their login (None: none)."""
    skills_competent: int
    skills_total: int
    home_visits: int
    attendance: float
    completeness: float
    data: float
    skills: float
    home_visit_part: float
    score: float
    rank: int = 0


@dataclass
class Ranking:
    area: Area
    year: int
    weights: KaderScoreWeights
    rows: list[KaderScore]


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def kader_of_the_year(scope: Scope, area: Area, year: int) -> Ranking:
    """Every kader posted at a Posyandu of ``area`` (that the user sees) during
    ``year``, best first; ties share a rank. 404 when the user sees none of it."""
    weights = KADER_SCORE_SCHEDULE.in_force(dt.date(year, 12, 31))
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    postings = list(
        KaderPosting.objects.filter(scope.rows_in(area), started_on__lte=last)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=first))
        .select_related("kader", "posyandu")
        .order_by("kader_id", "started_on")
    )
    posyandu_ids = {p.posyandu_id for p in postings}
    sessions = list(
        PosyanduSession.objects.filter(
            posyandu_id__in=posyandu_ids, date__gte=first, date__lte=last
        ).values_list("pk", "posyandu_id", "date")
    )
    session_ids = [pk for pk, _p, _d in sessions]
    present: dict[int, set[int]] = defaultdict(set)
    for kader_id, session_id in SessionAttendance.objects.filter(
        session_id__in=session_ids
    ).values_list("kader_id", "session_id"):
        present[kader_id].add(session_id)
    complete = Q(weight_kg__isnull=False, height_cm__isnull=False) & ~Q(position="")
    per_session = {
        row["session_id"]: (row["n"], row["complete"])
        for row in Visit.objects.filter(session_id__in=session_ids)
        .values("session_id")
        .annotate(n=Count("pk"), complete=Count("pk", filter=complete))
    }
    users = {p.kader.user_id: p.kader_id for p in postings if p.kader.user_id}
    home_visits: dict[int, int] = defaultdict(int)
    for user_id, n in (
        CampaignTarget.objects.filter(
            outcome_by_id__in=list(users), outcome_on__gte=first, outcome_on__lte=last
        )
        .exclude(outcome="")
        .values_list("outcome_by_id")
        .annotate(n=Count("pk"))
        .values_list("outcome_by_id", "n")
    ):
        home_visits[users[user_id]] += n
    recorded = Visit.objects.filter(
        scope.rows_in(area), recorded_by_id__in=list(users), measured_on__gte=first
    ).filter(measured_on__lte=last)
    m = measurements_of(recorded)
    quality: dict[int, Rating | None] = {
        users[user_id]: stats.rating
        for user_id, stats in score(m, m.recorder_id).items()
        if user_id in users
    }
    kader_ids = sorted({p.kader_id for p in postings})
    skill_total = len(active_skills())
    skill_profiles = profiles(kader_ids)

    held: dict[int, set[int]] = defaultdict(set)
    latest: dict[int, KaderPosting] = {}
    for posting in postings:
        latest[posting.kader_id] = posting
        end = posting.ended_on or last
        held[posting.kader_id] |= {
            pk
            for pk, posyandu_id, day in sessions
            if posyandu_id == posting.posyandu_id and posting.started_on <= day <= end
        }
    rows = []
    for kader_id in kader_ids:
        days = held[kader_id]
        came = present[kader_id] & days
        visits = sum(per_session.get(pk, (0, 0))[0] for pk in came)
        complete_visits = sum(per_session.get(pk, (0, 0))[1] for pk in came)
        competent = skill_profiles[kader_id].competent_count
        attendance = _ratio(len(came), len(days))
        completeness = _ratio(complete_visits, visits)
        rating = quality.get(kader_id)
        data = weights.data_component(completeness, None if rating is None else int(rating))
        skills = _ratio(competent, skill_total)
        posting = latest[kader_id]
        rows.append(
            KaderScore(
                kader_id=kader_id,
                name=posting.kader.name,
                posyandu=posting.posyandu.name,
                days_present=len(came),
                days_held=len(days),
                visits=visits,
                complete_visits=complete_visits,
                quality_rating=rating,
                skills_competent=competent,
                skills_total=skill_total,
                home_visits=home_visits[kader_id],
                attendance=attendance,
                completeness=completeness,
                data=data,
                skills=skills,
                home_visit_part=weights.home_visit_component(home_visits[kader_id]),
                score=weights.score(
                    attendance=attendance,
                    data=data,
                    skills=skills,
                    home_visit_count=home_visits[kader_id],
                ),
            )
        )
    rows.sort(key=lambda r: (-round(r.score, 6), r.name, r.kader_id))
    for position, row in enumerate(rows):
        same = position and round(rows[position - 1].score, 6) == round(row.score, 6)
        row.rank = rows[position - 1].rank if same else position + 1
    return Ranking(area=area, year=year, weights=weights, rows=rows)
