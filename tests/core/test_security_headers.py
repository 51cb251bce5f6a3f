"""No caching of pages a logged-in user sees; a Content-Security-Policy on every HTML page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse

from posyandu.accounts.models import User
from posyandu.children.models import Child
from tests.factories import ChildFactory, City, kader_of

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "posyandu"
TEMPLATES = sorted(PACKAGE.glob("*/templates/**/*.html"))
STATIC_FILE = "/static/vendor/htmx.min.js"


@pytest.fixture
def kader(city: City) -> User:
    return kader_of(city.posyandu_a, username="kader_melati")


@pytest.fixture
def child(city: City) -> Child:
    return ChildFactory(name="Siti Aminah", mother_name="Rina", posyandu=city.posyandu_a)


@pytest.fixture
def kader_client(kader: User) -> Client:
    client = Client()
    client.force_login(kader)
    return client


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {name: values for name, *values in directives}


@pytest.mark.django_db
def test_a_childs_page_is_neither_stored_nor_open_to_inline_scripts(kader_client, child):
    response = kader_client.get(reverse("measurements:child", args=[child.pk]))

    assert response.status_code == 200
    assert "Siti Aminah" in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert response["Pragma"] == "no-cache"
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name",
    [settings.LOGIN_REDIRECT_URL, "children:list", "measurements:posyandu_list", "core:healthz"],
)
def test_every_response_to_a_logged_in_user_is_no_store(kader_client, url_name):
    response = kader_client.get(resolve_url(url_name))
    assert response.status_code in (200, 302)
    assert response["Cache-Control"] == "no-store"
    assert response["Pragma"] == "no-cache"


@pytest.mark.django_db
def test_the_printable_kms_card_is_no_store_too(kader_client, child):
    response = kader_client.get(reverse("measurements:child_print", args=[child.pk]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" in response


@pytest.mark.django_db
def test_healthz_and_static_files_stay_cacheable(client, kader_client):
    healthz = client.get(reverse("core:healthz"))
    assert healthz.status_code == 200
    assert "no-store" not in healthz.get("Cache-Control", "")
    assert "Pragma" not in healthz
    assert "Content-Security-Policy" not in healthz  # JSON, not HTML

    for browser in (client, kader_client):
        static = browser.get(STATIC_FILE)
        assert static.status_code == 200
        assert "no-store" not in static.get("Cache-Control", "")
        assert "max-age" in static["Cache-Control"]
        assert "Pragma" not in static


@pytest.mark.django_db
def test_the_login_page_has_the_policy_but_may_be_cached_like_before(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert _policy(response)["script-src"] == ["'self'"]
    assert "Pragma" not in response


@pytest.mark.django_db
def test_error_pages_have_the_policy(kader_client):
    response = kader_client.get("/anak/999999/tidak-ada/")
    assert response.status_code == 404
    assert "Content-Security-Policy" in response
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_templates_have_no_inline_script_the_policy_would_block(template):
    html = template.read_text(encoding="utf-8")
    inline_scripts = [
        tag for tag in re.findall(r"<script\b[^>]*>", html, re.IGNORECASE) if "src=" not in tag
    ]
    handlers = re.findall(r"\son[a-z]+\s*=", html, re.IGNORECASE)
    assert not inline_scripts, inline_scripts
    assert not handlers, handlers
    assert "javascript:" not in html.lower()
