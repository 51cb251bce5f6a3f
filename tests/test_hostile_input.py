"""No server error from any input: every URL and form, as every role, with hostile values.

The role x URL matrix (tests/test_role_url_matrix.py) lists every URL of the
app; this walks each of them inside the user's area with query strings and
form fields drawn from hostile values (unicode digits, year 1 and 9999, NaN,
huge numbers, 10k strings, NUL bytes, malformed dates, wrong ids) and fails
on any 5xx or exception. Runs on SQLite and, in CI, on PostgreSQL too.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from posyandu.accounts.models import Role
from posyandu.administration.forms import PolicyChoiceForm
from posyandu.campaigns.forms import CampaignForm, OutcomeForm
from posyandu.children.forms import ChildEditForm, ChildRegisterForm, StatusForm, TransferForm
from posyandu.exchange.forms import EppgbmExportForm, EppgbmImportForm
from posyandu.measurements.forms import SessionPickForm, VisitForm
from tests.factories import make_city
from tests.test_role_url_matrix import URLS, build_sites, url_for, user_of_area_a

pytestmark = pytest.mark.django_db

HOSTILE = [
    "",
    " ",
    "²",
    "١٢٣",
    "١٠/٠١/٢٠٢٥",
    "𝟙𝟚",
    "0",
    "-0",
    "-1",
    "9" * 30,
    str(2**63),
    str(2**70),
    "1e309",
    "-1e309",
    "NaN",
    "inf",
    "-Infinity",
    "0001-01",
    "9999-12",
    "0001-01-01",
    "01/01/0001",
    "31/12/9999",
    "9999-12-31",
    "2025-13",
    "2025-02-30",
    "30/02/2025",
    "12-2025",
    "\x00",
    "a\x00b",
    "x" * 10_000,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "%00",
    "\ufeff",
    "☃",
    "10,4",
    "1,2,3",
    "on",
    "00000000-0000-0000-0000-000000000000",
    "not-a-uuid",
]

hostile = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40))

FORMS = [
    VisitForm,
    ChildRegisterForm,
    ChildEditForm,
    StatusForm,
    TransferForm,
    SessionPickForm,
    PolicyChoiceForm,
    CampaignForm,
    OutcomeForm,
    EppgbmExportForm,
    EppgbmImportForm,
]
FIELDS = sorted(
    {name for form in FORMS for name in form.base_fields}
    | {"policy", "version", "client_id", "client_token", "next", "sesi"}
)
PARAMS = [
    "q",
    "posyandu",
    "bulan",
    "page",
    "sesi",
    "kunjungan",
    "jenis",
    "aturan",
    "next",
    "wilayah",
    "ukuran",
    "dari",
    "sampai",
    "indikator",
    "bagian",
    "jk",
    "umur",
    "hal",
    "tingkat",
    "format",
]
SKIPPED = {"accounts:logout", "accounts:login", "core:healthz"}


def _walk(client: Client, sites: dict, fields: dict[str, str], params: dict[str, str]) -> None:
    for name, row in URLS.items():
        if name in SKIPPED:
            continue
        url = url_for(name, sites["A"])
        if not row.post_only:
            response = client.get(url, params)
            assert response.status_code < 500, (name, "GET", params)
        response = client.post(url, fields)
        assert response.status_code < 500, (name, "POST", fields)


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_no_page_answers_a_server_error_to_hostile_values(role: Role) -> None:
    city = make_city()
    sites = build_sites(city)
    client = Client()
    client.force_login(user_of_area_a(role, city))

    @settings(
        max_examples=6,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        fields=st.fixed_dictionaries({name: hostile for name in FIELDS}),
        params=st.fixed_dictionaries({name: hostile for name in PARAMS}),
    )
    def walk(fields: dict[str, str], params: dict[str, str]) -> None:
        _walk(client, sites, fields, params)

    walk()


def test_every_hostile_value_in_every_field_and_parameter_of_every_page() -> None:
    """Each listed value on its own, everywhere at once, as the role that reaches
    every form (an administrator)."""
    city = make_city()
    sites = build_sites(city)
    client = Client()
    client.force_login(user_of_area_a(Role.ADMIN, city))
    for value in HOSTILE:
        _walk(client, sites, dict.fromkeys(FIELDS, value), dict.fromkeys(PARAMS, value))


@pytest.mark.parametrize("pk", ["0", "99999999999", str(2**63), str(2**70), "1" * 40])
def test_a_huge_or_zero_id_in_a_url_is_a_missing_record(pk: str) -> None:
    city = make_city()
    sites = build_sites(city)
    client = Client()
    client.force_login(user_of_area_a(Role.ADMIN, city))
    for name, row in URLS.items():
        if not row.kwargs:
            continue
        good = url_for(name, sites["A"])
        real = str(sites["A"].pk_of(row.kwargs[0][1]))
        bad = good.replace(f"/{real}/", f"/{pk}/", 1)
        response = client.post(bad) if row.post_only else client.get(bad)
        assert response.status_code == 404, (name, bad, response.status_code)


def test_the_login_form_survives_hostile_values() -> None:
    client = Client()
    for value in HOSTILE:
        response = client.post(reverse("accounts:login"), {"username": value, "password": value})
        assert response.status_code in (200, 429), repr(value)


def test_the_examples_of_the_issue_answer_without_a_server_error() -> None:
    city = make_city()
    sites = build_sites(city)
    client = Client()
    client.force_login(user_of_area_a(Role.KADER, city))
    for url in [
        "/anak/?posyandu=%C2%B2",
        "/anak/baru/?posyandu=%C2%B2",
        "/penimbangan/posyandu/?bulan=0001-01",
        f"/penimbangan/posyandu/{sites['A'].posyandu_id}/?bulan=0001-01",
    ]:
        assert client.get(url).status_code == 200, url
    response = client.post(
        reverse("measurements:session_pick"),
        {"posyandu": sites["A"].posyandu_id, "date": "01/01/0001"},
    )
    assert response.status_code == 200
    assert "Tahun 1 tidak masuk akal" in response.content.decode()
    assert not sites["A"].session.posyandu.sessions.filter(date__year=1).exists()
    assert dt.date.today().year > 1
