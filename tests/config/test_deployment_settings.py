"""A server never runs on the public built-in SECRET_KEY; HTTPS settings follow the environment.

The refusals run in subprocesses, as a user or a WSGI server meets them: this
test process itself runs on the built-in key, which is fine for tests.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from posyandu.cli import DEMO_KEY_NAME, demo_secret_key
from posyandu.config.settings import (
    INSECURE_DEFAULT_SECRET_KEY,
    MIN_SECRET_KEY_LENGTH,
    secret_key_problem,
)

POSYANDU = shutil.which("posyandu", path=str(Path(sys.executable).parent)) or "posyandu"
GOOD_KEY = "k" * MIN_SECRET_KEY_LENGTH


def _env(**overrides: str) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "POSYANDU_SECRET_KEY"):
        env.pop(name, None)
    for name in [n for n in env if n.startswith("POSYANDU_")]:
        env.pop(name)
    env.update(overrides)
    return env


def _run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, env=_env(**env), capture_output=True, text=True, timeout=120
    )


def _import_wsgi(cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return _run([sys.executable, "-c", "import posyandu.config.wsgi; print('loaded')"], cwd, **env)


def _settings_in_subprocess(cwd: Path, names: list[str], **env: str) -> dict[str, object]:
    code = (
        "import json, sys; from django.conf import settings; "
        "print(json.dumps({n: getattr(settings, n) for n in sys.argv[1:]}))"
    )
    done = _run(
        [sys.executable, "-c", code, *names],
        cwd,
        DJANGO_SETTINGS_MODULE="posyandu.config.settings",
        **env,
    )
    assert done.returncode == 0, done.stderr
    values: dict[str, object] = json.loads(done.stdout)
    return values


def test_serve_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    done = _run([POSYANDU, "serve", "--port", "1"], tmp_path)

    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("posyandu serve: POSYANDU_SECRET_KEY is not set")
    assert "secrets.token_urlsafe(50)" in lines[0]


def test_serve_refuses_a_short_secret_key(tmp_path: Path) -> None:
    done = _run([POSYANDU, "serve", "--port", "1"], tmp_path, POSYANDU_SECRET_KEY="short")

    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "POSYANDU_SECRET_KEY has only 5 characters (at least 40 needed)" in done.stderr


def test_wsgi_module_refuses_to_load_with_the_built_in_key(tmp_path: Path) -> None:
    done = _import_wsgi(tmp_path)

    assert done.returncode == 1
    assert "loaded" not in done.stdout
    assert "django.core.exceptions.ImproperlyConfigured: POSYANDU_SECRET_KEY is not set" in (
        done.stderr
    )


def test_wsgi_module_refuses_to_load_with_the_built_in_key_given_explicitly(
    tmp_path: Path,
) -> None:
    done = _import_wsgi(tmp_path, POSYANDU_SECRET_KEY=INSECURE_DEFAULT_SECRET_KEY)

    assert done.returncode == 1
    assert "ImproperlyConfigured" in done.stderr


def test_wsgi_module_loads_with_a_long_random_key(tmp_path: Path) -> None:
    done = _import_wsgi(tmp_path, POSYANDU_SECRET_KEY=GOOD_KEY)

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "loaded"


def test_wsgi_module_loads_with_the_built_in_key_in_debug_mode(tmp_path: Path) -> None:
    done = _import_wsgi(tmp_path, POSYANDU_DEBUG="1")

    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("secret_key", "debug", "refused"),
    [
        (INSECURE_DEFAULT_SECRET_KEY, False, True),
        ("x" * (MIN_SECRET_KEY_LENGTH - 1), False, True),
        ("", False, True),
        (GOOD_KEY, False, False),
        (INSECURE_DEFAULT_SECRET_KEY, True, False),
    ],
)
def test_secret_key_problem_refuses_public_or_short_keys_unless_debugging(
    secret_key: str, debug: bool, refused: bool
) -> None:
    assert (secret_key_problem(secret_key, debug=debug) is not None) is refused


def test_demo_secret_key_is_created_private_and_then_reused(tmp_path: Path) -> None:
    first = demo_secret_key(tmp_path)
    path = tmp_path / DEMO_KEY_NAME

    assert len(first) >= MIN_SECRET_KEY_LENGTH
    assert secret_key_problem(first, debug=False) is None
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert demo_secret_key(tmp_path) == first
    other = tmp_path / "other"
    other.mkdir()
    assert demo_secret_key(other) != first


HTTPS_SETTINGS = [
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "X_FRAME_OPTIONS",
    "SECURE_REFERRER_POLICY",
]


def test_plain_http_by_default_with_the_always_on_headers(tmp_path: Path) -> None:
    values = _settings_in_subprocess(tmp_path, HTTPS_SETTINGS)

    assert values == {
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_PROXY_SSL_HEADER": None,
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_REFERRER_POLICY": "same-origin",
    }


def test_https_switch_secures_cookies_and_trusts_the_proxy_header(tmp_path: Path) -> None:
    values = _settings_in_subprocess(tmp_path, HTTPS_SETTINGS, POSYANDU_HTTPS="1")

    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0


def test_https_redirect_and_hsts_come_from_the_environment(tmp_path: Path) -> None:
    values = _settings_in_subprocess(
        tmp_path,
        HTTPS_SETTINGS,
        POSYANDU_HTTPS="1",
        POSYANDU_SSL_REDIRECT="1",
        POSYANDU_HSTS_SECONDS="31536000",
    )

    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] == 31536000
