"""Role × URL matrix: every URL of the project, for every role, inside and outside its area.

The URL list is walked from the resolver, so a new URL fails
``test_every_url_of_the_project_has_a_row_in_the_matrix`` until it gets a row
in ``URLS`` below saying which kind of object its keyword arguments refer to,
which roles may open it at all, and which capability a GET and a POST need.
House rule 4: an object outside the user's area answers 404, never 403 and
never the page; inside the area, a role that may read but not change answers
403 to a write (the form page of a write is a write).

The city (tests/factories.make_city) has four sites, each with a child, a
visit and a session:

- ``A``  Posyandu Melati, Puskesmas Bontang Utara I, kota Bontang (the users' area)
- ``A2`` Posyandu Kenanga, same Puskesmas as A (outside for a kader of A only)
- ``B``  Posyandu Anggrek, Puskesmas Bontang Selatan I, same kota
- ``X``  Posyandu Samarinda, another kota (outside for dinkes too)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from posyandu.accounts.models import Role, User
from posyandu.accounts.scope import CAPABILITIES, Capability
from posyandu.areas.hierarchy import find_area
from posyandu.cadres.models import Kader, Pin, PinAward, Training, TrainingKind, TrainingParticipant
from posyandu.cadres.services import TrainingData, add_participant, create_training
from posyandu.campaigns.models import Campaign, CampaignTarget
from posyandu.campaigns.services import open_campaign
from posyandu.children.models import Child
from posyandu.children.services import ChildData, update_child
from posyandu.core import audit
from posyandu.core.models import AuditAction, AuditLog
from posyandu.exchange.models import ImportJob, JobStatus
from posyandu.measurements.models import PosyanduSession, Visit
from tests.cadres.helpers import make_kader
from tests.factories import ChildFactory, City, UserFactory, kader_of, make_city, make_visit

pytestmark = pytest.mark.django_db

# URL prefixes that are not the app's own pages: Django's admin (guarded by
# is_staff, tested by Django), the language switch (no object, no data) and
# static files (none are routed: whitenoise serves them as middleware).
SKIPPED_PREFIXES = ("admin/", "i18n/", "static/")

ANY_ROLE = frozenset(Role)


@dataclass(frozen=True)
class Row:
    """What a URL's keyword arguments refer to and who may open it.

    ``kwargs`` maps each URL keyword to an object kind (``posyandu``, ``child``,
    ``visit``, ``session``). ``roles``: roles that may use the page at all; the
    others get 404 (the app hides role-gated pages the same way as out-of-area
    objects). ``public``: answers an anonymous user. ``post_only``: the view
    takes POST only, so the matrix POSTs an empty body instead of GETting.
    ``get_needs`` / ``post_needs``: the capability a GET / a POST needs; a role
    without it gets 403 inside its area.
    """

    kwargs: tuple[tuple[str, str], ...] = ()
    roles: frozenset[Role] = ANY_ROLE
    public: bool = False
    post_only: bool = False
    get_needs: Capability | None = None
    post_needs: Capability | None = None
    child_data: bool = False
    """The page shows a child's personal data: it must write one audit row."""
    query: str = ""
    """A query string the page needs to show something; ``{posyandu}`` is the site's."""


def write(capability: Capability, **kwargs: object) -> Row:
    """A write page: its form (GET) and its save (POST) both need ``capability``."""
    return Row(get_needs=capability, post_needs=capability, **kwargs)  # type: ignore[arg-type]


CHILD = (("pk", "child"),)
VISIT = (("pk", "visit"),)
CADRE = (("pk", "cadre"),)
TRAINING = (("pk", "training"),)
HEALTH_WORKERS = frozenset({Role.BIDAN, Role.TENAGA_GIZI, Role.PUSKESMAS, Role.DINKES, Role.ADMIN})
USER = (("pk", "user"),)
MANAGERS = frozenset({Role.PUSKESMAS, Role.DINKES, Role.ADMIN})


URLS: dict[str, Row] = {
    "administration:home": Row(),
    "core:healthz": Row(public=True),
    "administration:audit": Row(roles=frozenset({Role.ADMIN, Role.DINKES}), child_data=True),
    # The export names the children of the rows it holds: its own EXPORT row lists them.
    "administration:audit_export": Row(roles=frozenset({Role.ADMIN, Role.DINKES}), child_data=True),
    "administration:policy": Row(roles=frozenset({Role.ADMIN, Role.DINKES})),
    "administration:area_import": Row(roles=frozenset({Role.ADMIN})),
    "accounts:login": Row(public=True),
    "accounts:logout": Row(post_only=True),
    "accounts:locked": Row(roles=frozenset({Role.PUSKESMAS, Role.DINKES, Role.ADMIN})),
    "accounts:unlock": Row(
        kwargs=(("pk", "user"),), post_only=True, post_needs=Capability.USERS_MANAGE
    ),
    "accounts:password_change": Row(),
    # User management: "inside" is the kader of a site the manager's area holds, so a
    # Puskesmas gets 404 for the kader of the other Puskesmas (B) and of another kota (X).
    "accounts:users": Row(roles=MANAGERS),
    "accounts:user_new": Row(roles=MANAGERS),
    "accounts:users_import": Row(roles=MANAGERS),
    "accounts:user_detail": Row(kwargs=USER, roles=MANAGERS),
    "accounts:user_reset_password": Row(kwargs=USER, roles=MANAGERS, post_only=True),
    "accounts:user_set_active": Row(kwargs=USER, roles=MANAGERS, post_only=True),
    "measurements:posyandu_list": Row(),
    "measurements:posyandu_detail": Row(kwargs=(("pk", "posyandu"),), child_data=True),
    "children:list": Row(child_data=True),
    "reports:skdn": Row(),
    "cadres:aktif": Row(),
    "reports:kader_of_the_year": Row(),
    "cadres:day_services": Row(kwargs=(("pk", "session"),), post_needs=Capability.VISITS_WRITE),
    "cadres:incentives": Row(kwargs=(("pk", "posyandu"),)),
    "cadres:incentives_csv": Row(
        kwargs=(("pk", "posyandu"),),
        get_needs=Capability.DATA_EXPORT,
        post_needs=Capability.DATA_EXPORT,
    ),
    "reports:prevalence": Row(),
    "reports:dashboard": Row(
        roles=frozenset({Role.BIDAN, Role.TENAGA_GIZI, Role.PUSKESMAS, Role.DINKES, Role.ADMIN})
    ),
    "reports:dashboard_quality": Row(
        roles=frozenset({Role.BIDAN, Role.TENAGA_GIZI, Role.PUSKESMAS, Role.DINKES, Role.ADMIN})
    ),
    # The site's visit (weight only, 30 days ago) is in the denominator of underweight.
    "reports:prevalence_children": Row(
        child_data=True,
        query="?indikator=underweight&bagian=d&dari=2000-01-01&sampai=2100-01-01"
        "&wilayah=posyandu:{posyandu}",
    ),
    "campaigns:list": Row(),
    "exchange:eppgbm_export": Row(roles=frozenset({Role.PUSKESMAS, Role.DINKES, Role.ADMIN})),
    # An upload is its uploader's own: "inside" is a job of the user (see own_jobs).
    "exchange:eppgbm_import": Row(roles=frozenset({Role.PUSKESMAS, Role.DINKES, Role.ADMIN})),
    "exchange:eppgbm_import_job": Row(
        kwargs=(("pk", "import_job"),), roles=frozenset({Role.PUSKESMAS, Role.DINKES, Role.ADMIN})
    ),
    "exchange:eppgbm_import_report": Row(
        kwargs=(("pk", "import_job"),), roles=frozenset({Role.PUSKESMAS, Role.DINKES, Role.ADMIN})
    ),
    "campaigns:new": write(Capability.CAMPAIGNS_MANAGE),
    "campaigns:detail": Row(kwargs=(("pk", "campaign"),)),
    "campaigns:not_measured": Row(
        kwargs=(("pk", "campaign"), ("posyandu_pk", "posyandu")), child_data=True
    ),
    "campaigns:record_outcome": Row(
        kwargs=(("pk", "campaign"), ("target_pk", "target")),
        post_only=True,
        post_needs=Capability.VISITS_WRITE,
    ),
    "reports:skdn_children": Row(child_data=True, query="?ukuran=s&wilayah=posyandu:{posyandu}"),
    "reports:quality": Row(),
    "reports:quality_export": Row(query="?format=csv"),
    "reports:quality_posyandu": Row(kwargs=(("pk", "posyandu"),), child_data=True),
    "reports:quality_recorder": Row(kwargs=(("pk", "user"),), child_data=True),
    "children:new": write(Capability.REGISTRY_WRITE),
    "children:edit": write(Capability.REGISTRY_WRITE, kwargs=CHILD, child_data=True),
    "children:status": write(Capability.REGISTRY_WRITE, kwargs=CHILD, child_data=True),
    "children:transfer": write(Capability.REGISTRY_TRANSFER, kwargs=CHILD, child_data=True),
    "measurements:session_pick": Row(post_needs=Capability.VISITS_WRITE),
    "measurements:session": Row(kwargs=(("pk", "session"),), child_data=True),
    "measurements:child": Row(kwargs=CHILD, child_data=True),
    "measurements:child_print": Row(kwargs=CHILD, child_data=True),
    "measurements:visit_new": write(Capability.VISITS_WRITE, kwargs=CHILD, child_data=True),
    "measurements:visit_preview": Row(
        kwargs=CHILD, post_only=True, post_needs=Capability.VISITS_WRITE, child_data=True
    ),
    "measurements:visit_edit": write(Capability.VISITS_WRITE, kwargs=VISIT, child_data=True),
    "measurements:visit_delete": write(Capability.VISITS_WRITE, kwargs=VISIT, child_data=True),
    "cadres:list": Row(),
    "cadres:new": write(Capability.POSYANDU_MANAGE),
    "cadres:detail": Row(kwargs=CADRE),
    "cadres:edit": write(Capability.POSYANDU_MANAGE, kwargs=CADRE),
    "cadres:move": write(Capability.POSYANDU_MANAGE, kwargs=CADRE),
    "cadres:assess": write(Capability.KADER_ASSESS, kwargs=CADRE),
    "cadres:award": Row(kwargs=CADRE, post_only=True, post_needs=Capability.KADER_ASSESS),
    "cadres:certificate": Row(kwargs=(("pk", "pin_award"),)),
    "cadres:coverage": Row(),
    # Trainings are the health workers' pages: a kader sees theirs on their profile.
    "cadres:trainings": Row(roles=HEALTH_WORKERS),
    "cadres:training_new": write(Capability.TRAININGS_MANAGE, roles=HEALTH_WORKERS),
    "cadres:training": Row(kwargs=TRAINING, roles=HEALTH_WORKERS),
    "cadres:participant_add": Row(
        kwargs=TRAINING,
        roles=HEALTH_WORKERS,
        post_only=True,
        post_needs=Capability.TRAININGS_MANAGE,
    ),
    "cadres:training_confirm": Row(
        kwargs=TRAINING, roles=HEALTH_WORKERS, post_only=True, post_needs=Capability.KADER_ASSESS
    ),
    "cadres:participant_result": write(
        Capability.TRAININGS_MANAGE, kwargs=(("pk", "participant"),), roles=HEALTH_WORKERS
    ),
    "cadres:credits": Row(roles=HEALTH_WORKERS),
    "cadres:participant_certificate": Row(kwargs=(("pk", "participant"),), roles=HEALTH_WORKERS),
}

# Object ids passed in the query string: (URL name, parameter, object kind).
# The URL's own kwargs get an inside object, the parameter an outside one.
QUERY_OBJECTS = [
    ("measurements:visit_new", "sesi", "session"),
    ("measurements:visit_preview", "kunjungan", "visit"),
]

# The sites each role bound to area A may see; the rest are outside.
SITES = ("A", "A2", "B", "X")
INSIDE: dict[Role, frozenset[str]] = {
    Role.KADER: frozenset({"A"}),
    Role.BIDAN: frozenset({"A", "A2"}),
    Role.TENAGA_GIZI: frozenset({"A", "A2"}),
    Role.PUSKESMAS: frozenset({"A", "A2"}),
    Role.DINKES: frozenset({"A", "A2", "B"}),
    Role.ADMIN: frozenset(SITES),
}
CHILD_NAMES = {
    "A": "Aisyah Melati",
    "A2": "Bunga Kenanga",
    "B": "Citra Anggrek",
    "X": "Dewi Samarinda",
}
MOTHER_NAMES = {
    "A": "Ratna Melati",
    "A2": "Sari Kenanga",
    "B": "Wulan Anggrek",
    "X": "Yanti Samarinda",
}


def walk(patterns: list, prefix: str = "", namespace: str = "") -> list[tuple[str, str]]:
    """(namespaced name, route) of every URL pattern, recursing into includes."""
    found: list[tuple[str, str]] = []
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if route.startswith(SKIPPED_PREFIXES):
            continue
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            found.extend(walk(entry.url_patterns, route, ns))
        elif isinstance(entry, URLPattern):
            assert entry.name, f"URL {route!r} has no name: the matrix needs one"
            found.append((f"{namespace}:{entry.name}" if namespace else entry.name, route))
    return found


@dataclass
class Site:
    posyandu_id: int
    child: Child
    visit: Visit
    session: PosyanduSession
    kader: User
    campaign: Campaign
    target: CampaignTarget
    import_job: ImportJob
    cadre: Kader
    pin_award: PinAward
    training: Training
    participant: TrainingParticipant

    def pk_of(self, kind: str) -> int:
        return {
            "posyandu": self.posyandu_id,
            "child": self.child.pk,
            "visit": self.visit.pk,
            "session": self.session.pk,
            "user": self.kader.pk,
            "campaign": self.campaign.pk,
            "target": self.target.pk,
            "import_job": self.import_job.pk,
            "cadre": self.cadre.pk,
            "pin_award": self.pin_award.pk,
            "training": self.training.pk,
            "participant": self.participant.pk,
        }[kind]


def completed(participant: TrainingParticipant) -> TrainingParticipant:
    """A participant with a certificate (its page shows only those)."""
    participant.completed = True
    participant.certificate_number = f"PEL/TEST/{participant.pk}"
    participant.save()
    return participant


def build_sites(city: City) -> dict[str, Site]:
    posyandu = {
        "A": city.posyandu_a,
        "A2": city.posyandu_a2,
        "B": city.posyandu_b,
        "X": city.other_kota_posyandu,
    }
    today = dt.date.today()
    sites = {}
    for key, where in posyandu.items():
        child = ChildFactory(
            name=CHILD_NAMES[key],
            mother_name=MOTHER_NAMES[key],
            birth_date=today - dt.timedelta(days=400),
            posyandu=where,
        )
        kader = kader_of(where, username=f"kader_site_{key}")
        # Recorded by the site's kader: the data-quality page of a recorder lists it.
        visit = make_visit(child, today - dt.timedelta(days=30), weight_kg="9.1", user=kader)
        session = PosyanduSession.objects.create(posyandu=where, date=today)
        cadre = make_kader(where, name=f"Kader {CHILD_NAMES[key]}")
        # A Puskesmas training of the site's Puskesmas: seen by that Puskesmas and
        # its kota's Dinkes, like the site's other objects.
        training = create_training(
            user=None,
            data=TrainingData(
                kind=TrainingKind.KADER,
                title=f"Pelatihan kader {key}",
                batch=1,
                kota=where.puskesmas.kota,
                puskesmas=where.puskesmas,
                days=[(today - dt.timedelta(days=3), 8)],
            ),
        )
        campaign = open_campaign(
            user=None,
            name=f"Operasi Timbang {key}",
            area=find_area(where.code),
            starts_on=today - dt.timedelta(days=7),
            ends_on=today + dt.timedelta(days=7),
        )
        sites[key] = Site(
            posyandu_id=where.pk,
            child=child,
            visit=visit,
            session=session,
            kader=kader,
            campaign=campaign,
            target=campaign.targets.get(),
            import_job=ImportJob.objects.create(
                user=kader,
                file_name=f"eppgbm-{key}.xlsx",
                sha256="0" * 64,
                size=1,
                status=JobStatus.IMPORTED,
                counts={"lines": 1},
                report="line,outcome,child_id,reason\n2,already_present,,\n",
            ),
            cadre=cadre,
            pin_award=PinAward.objects.create(
                kader=cadre,
                level=Pin.PURWA,
                awarded_on=today,
                puskesmas=where.puskesmas,
                awarded_by=kader,
                rule_version="test",
                certificate_number=f"TKK/TEST/{key}",
            ),
            training=training,
            participant=completed(add_participant(user=None, training=training, kader=cadre)),
        )
    return sites


def own_jobs(sites: dict[str, Site], user: User, role: Role) -> None:
    """The uploads of the sites "inside" for ``role`` become ``user``'s own."""
    for key in INSIDE[role]:
        ImportJob.objects.filter(pk=sites[key].import_job.pk).update(user=user)


def user_of_area_a(role: Role, city: City) -> User:
    area: dict[str, object] = {
        Role.KADER: {"posyandu": city.posyandu_a},
        Role.BIDAN: {"puskesmas": city.puskesmas_a},
        Role.TENAGA_GIZI: {"puskesmas": city.puskesmas_a},
        Role.PUSKESMAS: {"puskesmas": city.puskesmas_a},
        Role.DINKES: {"kota": city.kota},
        Role.ADMIN: {},
    }[role]
    return UserFactory(username=f"matrix_{role}", role=role, **area)


def url_for(name: str, site: Site) -> str:
    kwargs = {key: site.pk_of(kind) for key, kind in URLS[name].kwargs}
    return reverse(name, kwargs=kwargs) + URLS[name].query.format(posyandu=site.posyandu_id)


def fetch(client: Client, name: str, url: str, user: User | None, method: str) -> int:
    response = client.post(url) if method == "post" else client.get(url)
    if name == "accounts:logout" and user is not None:
        client.force_login(user)
    return response.status_code


def is_redirect(status: int) -> bool:
    return status in (301, 302, 303)


def test_every_url_of_the_project_has_a_row_in_the_matrix() -> None:
    walked = walk(get_resolver().url_patterns)
    names = {name for name, _route in walked}
    missing = sorted(names - URLS.keys())
    stale = sorted(URLS.keys() - names)
    assert not missing, f"New URLs without a row in URLS (say what their pk refers to): {missing}"
    assert not stale, f"Rows in URLS for URLs that no longer exist: {stale}"
    for name, route in walked:
        declared = {key for key, _kind in URLS[name].kwargs}
        for key in declared:
            assert f"<id:{key}>" in route, f"{name}: {route!r} has no <id:{key}>"


def expected(role: Role, row: Row, site_key: str, method: str) -> str:
    """What the matrix expects: "404", "403" or "ok" (200 or a redirect)."""
    if row.kwargs and site_key not in INSIDE[role]:
        return "404"
    if role not in row.roles:
        return "404"
    needs = row.post_needs if method == "post" else row.get_needs
    if needs is not None and needs not in CAPABILITIES[role]:
        return "403"
    return "ok"


def outcome(status: int) -> str:
    if status in (404, 403):
        return str(status)
    # A write refused for its (empty) content re-shows the form (200) or answers
    # 400; either way the user got past the area and rights checks.
    return "ok" if status in (200, 400) or is_redirect(status) else f"unexpected {status}"


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_each_role_gets_404_outside_403_for_a_write_it_may_not_do_and_the_page_otherwise(
    role: Role,
) -> None:
    city = make_city()
    sites = build_sites(city)
    user = user_of_area_a(role, city)
    own_jobs(sites, user, role)
    client = Client()
    client.force_login(user)
    failures: list[str] = []
    checked = 0
    for name, row in URLS.items():
        if row.public or name == "accounts:logout":
            continue
        methods = ("post",) if row.post_only else ("get", "post")
        site_keys = SITES if row.kwargs else ("A",)
        for site_key in site_keys:
            url = url_for(name, sites[site_key])
            for method in methods:
                want = expected(role, row, site_key, method)
                got = outcome(fetch(client, name, url, user, method))
                checked += 1
                if got != want:
                    failures.append(
                        f"{method.upper()} {url} ({name}, site {site_key}): {got}, want {want}"
                    )
    assert checked >= 100
    assert not failures, f"{role}: " + "\n".join(failures)


def test_the_matrix_expects_real_rights_for_each_role() -> None:
    """The table the matrix checks against, spelled out for the roles of the issue."""
    edit = URLS["children:edit"]
    transfer = URLS["children:transfer"]
    weigh = URLS["measurements:visit_new"]
    assert expected(Role.KADER, edit, "A", "post") == "ok"
    assert expected(Role.KADER, edit, "A2", "post") == "404"
    assert expected(Role.KADER, transfer, "A", "get") == "403"
    assert expected(Role.BIDAN, transfer, "A2", "post") == "ok"
    assert expected(Role.TENAGA_GIZI, weigh, "A2", "get") == "ok"
    assert expected(Role.PUSKESMAS, weigh, "A", "get") == "403"
    assert expected(Role.DINKES, edit, "B", "post") == "403"
    assert expected(Role.DINKES, edit, "X", "post") == "404"
    assert expected(Role.DINKES, URLS["measurements:child"], "B", "get") == "ok"
    assert expected(Role.ADMIN, edit, "X", "post") == "ok"


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_an_object_id_in_the_query_string_is_scoped_too(role: Role) -> None:
    city = make_city()
    sites = build_sites(city)
    user = user_of_area_a(role, city)
    client = Client()
    client.force_login(user)
    failures = []
    for name, param, kind in QUERY_OBJECTS:
        base = url_for(name, sites["A"])
        method = "post" if URLS[name].post_only else "get"
        for site_key in SITES:
            url = f"{base}?{param}={sites[site_key].pk_of(kind)}"
            status = fetch(client, name, url, user, method)
            inside = site_key in INSIDE[role]
            # The preview also refuses a visit of another child (404) even in the area.
            if name == "measurements:visit_preview" and site_key != "A":
                inside = False
            if Capability.VISITS_WRITE not in CAPABILITIES[role]:
                # A role that may not weigh is refused the form itself, whatever it names.
                want = 403
            else:
                want = 200 if inside else 404
            if (status if status in (403, 404) else 200) != want:
                failures.append(f"{method.upper()} {url} (site {site_key}) -> {status}")
    assert not failures, f"{role}: " + "\n".join(failures)


def test_anonymous_users_are_sent_to_the_login_form(city: City) -> None:
    sites = build_sites(city)
    client = Client()
    login_url = resolve_url(settings.LOGIN_URL)
    failures = []
    for name, row in URLS.items():
        url = url_for(name, sites["A"])
        status_response = client.post(url) if row.post_only else client.get(url)
        status = status_response.status_code
        if row.public:
            ok = status == 200
        elif name == "accounts:logout":
            # Logging out without a session just lands on the login form.
            ok = is_redirect(status) and status_response["Location"] == login_url
        else:
            ok = is_redirect(status) and status_response["Location"].startswith(
                f"{login_url}?next="
            )
        if not ok:
            failures.append(f"{url} ({name}) -> {status} {status_response.get('Location', '')}")
    assert not failures, "\n".join(failures)


LIST_ROLES = [Role.KADER, Role.BIDAN, Role.TENAGA_GIZI, Role.PUSKESMAS, Role.DINKES]


@pytest.mark.parametrize("role", LIST_ROLES, ids=str)
def test_lists_and_searches_never_show_a_child_outside_the_area(role: Role) -> None:
    city = make_city()
    sites = build_sites(city)
    user = user_of_area_a(role, city)
    client = Client()
    client.force_login(user)
    own = sites["A"]
    outside = [k for k in SITES if k not in INSIDE[role]]
    registers = Capability.REGISTRY_WRITE in CAPABILITIES[role]
    # (URL, the search text the page echoes back in its search box)
    pages: list[tuple[str, str]] = [
        (url, "")
        for url in (
            reverse("children:list"),
            *([reverse("children:new")] if registers else []),
            reverse("measurements:posyandu_list"),
            reverse("measurements:posyandu_detail", args=[own.posyandu_id]),
            reverse("measurements:session_pick"),
            reverse("measurements:session", args=[own.session.pk]),
            reverse("administration:home"),
        )
    ]
    for key in outside:
        for needle in (CHILD_NAMES[key], MOTHER_NAMES[key], CHILD_NAMES[key].split()[0]):
            query = urlencode({"q": needle})
            pages += [
                (f"{reverse('children:list')}?{query}", needle),
                (f"{reverse('children:list')}?posyandu={sites[key].posyandu_id}&{query}", needle),
                (f"{reverse('measurements:session', args=[own.session.pk])}?{query}", needle),
            ]
    leaks = []
    for url, needle in pages:
        for htmx in (False, True):
            headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
            response = client.get(url, follow=True, **headers)
            assert response.status_code == 200, url
            html = response.content.decode().replace(f'value="{needle}"', "")
            for key in outside:
                for secret in (CHILD_NAMES[key], MOTHER_NAMES[key]):
                    if secret in html:
                        leaks.append(f"{url} (htmx={htmx}) shows {secret!r} of site {key}")
    assert not leaks, "\n".join(leaks)
    # The searches really work: the user's own child is found by name.
    found = client.get(f"{reverse('children:list')}?q={CHILD_NAMES['A']}").content.decode()
    assert CHILD_NAMES["A"] in found
    table = client.get(
        f"{reverse('measurements:session', args=[own.session.pk])}?q={CHILD_NAMES['A']}"
    )
    assert CHILD_NAMES["A"] in table.content.decode()


@pytest.mark.parametrize("role", LIST_ROLES, ids=str)
def test_the_posyandu_list_shows_only_posyandu_in_the_area(role: Role) -> None:
    city = make_city()
    sites = build_sites(city)
    user = user_of_area_a(role, city)
    client = Client()
    client.force_login(user)
    names = {
        "A": city.posyandu_a.name,
        "A2": city.posyandu_a2.name,
        "B": city.posyandu_b.name,
        "X": city.other_kota_posyandu.name,
    }
    pages = [reverse("measurements:posyandu_list"), reverse("children:list")]
    if Capability.REGISTRY_WRITE in CAPABILITIES[role]:
        pages.append(reverse("children:new"))
    for url in pages:
        html = client.get(url).content.decode()
        for key in SITES:
            assert (names[key] in html) == (key in INSIDE[role]), (url, key)
    assert sites  # the sites exist, so an absent name means a filtered list


def test_the_audit_log_of_a_dinkes_user_never_shows_a_child_of_another_kota() -> None:
    city = make_city()
    sites = build_sites(city)
    admin = user_of_area_a(Role.ADMIN, city)
    for site in sites.values():
        audit.record(user=admin, action=AuditAction.VIEW, obj=site.child)
    client = Client()
    client.force_login(user_of_area_a(Role.DINKES, city))
    html = client.get(reverse("administration:audit")).content.decode()
    assert CHILD_NAMES["A"] in html
    assert CHILD_NAMES["X"] not in html


def _audit_rows_after(action: object) -> list[AuditLog]:
    before = AuditLog.objects.order_by("-id").values_list("id", flat=True).first() or 0
    action()  # type: ignore[operator]
    return list(AuditLog.objects.filter(id__gt=before).order_by("id"))


def test_every_url_that_shows_child_data_writes_one_audit_row_naming_the_child() -> None:
    city = make_city()
    sites = build_sites(city)
    admin = user_of_area_a(Role.ADMIN, city)
    # The audit page shows children too once the trail names one.
    audit.record(user=admin, action=AuditAction.UPDATE, obj=sites["A"].child)
    client = Client()
    client.force_login(admin)
    failures = []
    flagged = [name for name, row in URLS.items() if row.child_data]
    assert len(flagged) >= 12
    for name in flagged:
        row = URLS[name]
        url = url_for(name, sites["A"])
        method = "post" if row.post_only else "get"
        rows = _audit_rows_after(
            lambda name=name, url=url, method=method: fetch(client, name, url, admin, method)
        )
        reads = [r for r in rows if r.action in (AuditAction.VIEW, AuditAction.EXPORT)]
        if len(reads) != 1 or sites["A"].child.pk not in reads[0].changes.get("children", []):
            failures.append(f"{name}: {[(r.action, r.changes) for r in rows]}")
        elif reads[0].user != admin or reads[0].ip_address != "127.0.0.1":
            failures.append(f"{name}: who/where missing: {reads[0].user} {reads[0].ip_address}")
    assert not failures, "\n".join(failures)
    print_rows = _audit_rows_after(
        lambda: client.get(url_for("measurements:child_print", sites["A"]))
    )
    assert [r.action for r in print_rows] == [AuditAction.EXPORT]


def test_head_and_options_write_no_audit_row() -> None:
    city = make_city()
    sites = build_sites(city)
    client = Client()
    client.force_login(user_of_area_a(Role.KADER, city))
    url = url_for("measurements:child", sites["A"])
    assert _audit_rows_after(lambda: client.head(url)) == []
    assert _audit_rows_after(lambda: client.options(url)) == []
    assert len(_audit_rows_after(lambda: client.get(url))) == 1


def test_refused_requests_are_audited_in_the_childs_own_city() -> None:
    city = make_city()
    sites = build_sites(city)
    client = Client()
    client.force_login(user_of_area_a(Role.KADER, city))
    outside = sites["B"].child
    rows = _audit_rows_after(lambda: client.get(reverse("measurements:child", args=[outside.pk])))
    assert [(r.action, r.object_id, r.kota_id) for r in rows] == [
        (AuditAction.REFUSE, str(outside.pk), city.kota.pk)
    ]
    client.force_login(user_of_area_a(Role.PUSKESMAS, city))
    own = sites["A"].child
    rows = _audit_rows_after(lambda: client.get(reverse("children:edit", args=[own.pk])))
    assert [(r.action, r.object_id, r.changes["status"]) for r in rows] == [
        (AuditAction.REFUSE, str(own.pk), 403)
    ]


def test_the_trail_keeps_niks_masked_and_the_audit_page_shows_them_masked() -> None:
    city = make_city()
    sites = build_sites(city)
    bidan = user_of_area_a(Role.BIDAN, city)
    child = sites["A"].child
    update_child(
        user=bidan,
        child=child,
        version=child.version,
        data=replace(ChildData.of(child), nik="6474015501240003"),
    )
    stored = AuditLog.objects.filter(object_id=str(child.pk), action=AuditAction.UPDATE).get()
    assert stored.changes["nik"] == ["", "••••••••••••0003"]
    client = Client()
    client.force_login(user_of_area_a(Role.DINKES, city))
    html = client.get(reverse("administration:audit")).content.decode()
    assert "0003" in html and "6474015501240003" not in html


@pytest.mark.parametrize("role", [Role.PUSKESMAS, Role.DINKES], ids=str)
def test_read_only_roles_are_not_offered_links_to_changes_they_may_not_make(role: Role) -> None:
    city = make_city()
    sites = build_sites(city)
    client = Client()
    client.force_login(user_of_area_a(role, city))
    own = sites["A"]
    pages = [
        reverse("measurements:child", args=[own.child.pk]),
        reverse("measurements:posyandu_detail", args=[own.posyandu_id]),
        reverse("measurements:session", args=[own.session.pk]),
        reverse("children:list"),
        reverse("measurements:session_pick"),
    ]
    write_links = [
        reverse("measurements:visit_new", args=[own.child.pk]),
        reverse("children:edit", args=[own.child.pk]),
        reverse("measurements:visit_edit", args=[own.visit.pk]),
        reverse("children:new"),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        for link in write_links:
            assert f'href="{link}' not in html, (url, link)
        assert 'name="date"' not in html, url
