"""``posyandu demo`` as a user runs it: a subprocess in an empty folder.

These run the real command, Argon2 hashing included, so they take a while.
The served test reuses the folder of the first: a second run must find the
city and the logins already there.
"""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

POSYANDU = shutil.which("posyandu", path=str(Path(sys.executable).parent)) or "posyandu"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    # The command must use its own SQLite file, never a test database.
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    # Without configuration the demo must keep its own key (posyandu-demo.key).
    env.pop("POSYANDU_SECRET_KEY", None)
    env.pop("POSYANDU_DEBUG", None)
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("demo")
    done = subprocess.run(
        [POSYANDU, "demo", "--no-serve", "--children", "300"],
        cwd=folder,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return folder, done.stdout


def test_demo_no_serve_creates_the_database_and_the_logins(demo_folder: tuple[Path, str]) -> None:
    folder, output = demo_folder
    assert (folder / "posyandu.sqlite3").stat().st_size > 100_000
    lines = (folder / "demo-users.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "role,username,password,area_code,area_name"
    assert len(lines) == 1 + 144  # admin, dinkes, 6 × (puskesmas, bidan, tenaga gizi), 124 kader
    assert "124 posyandu" in output and "300 anak" in output
    assert "Stunting" in output and "demo-users.csv" in output


def test_demo_keeps_its_own_private_secret_key(demo_folder: tuple[Path, str]) -> None:
    folder, _output = demo_folder
    key_file = folder / "posyandu-demo.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(key_file.read_text(encoding="ascii").strip()) >= 60


def test_demo_serves_the_login_page_and_healthz(demo_folder: tuple[Path, str]) -> None:
    folder, _output = demo_folder
    csv_before = (folder / "demo-users.csv").read_text(encoding="utf-8")
    key_before = (folder / "posyandu-demo.key").read_text(encoding="ascii")
    port = _free_port()
    server = subprocess.Popen(
        [POSYANDU, "demo", "--children", "200", "--port", str(port)],
        cwd=folder,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        status = None
        while time.monotonic() < deadline:
            assert server.poll() is None, server.stdout.read() if server.stdout else ""
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=5) as response:
                    status = response.status
                    break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.5)
        assert status == 200

        with urllib.request.urlopen(base + "/", timeout=10) as response:
            assert response.url.startswith(base + "/akun/masuk/")
            page = response.read().decode("utf-8")
        assert 'name="username"' in page and 'name="password"' in page
        with urllib.request.urlopen(base + "/static/vendor/htmx.min.js", timeout=10) as response:
            assert response.status == 200
    finally:
        server.terminate()
        try:
            output, _ = server.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            output, _ = server.communicate()
    assert "sudah ada" in output, output
    assert (folder / "demo-users.csv").read_text(encoding="utf-8") == csv_before
    # Same key on the second run: sessions signed before a restart stay valid.
    assert (folder / "posyandu-demo.key").read_text(encoding="ascii") == key_before


def test_the_demo_leaves_an_eppgbm_file_that_the_import_accepts(
    demo_folder: tuple[Path, str],
) -> None:
    """The sample: last month's visits of one Posyandu (already stored) and 12
    new children with three measurements each; a dry run on the demo database."""
    import csv

    folder, output = demo_folder
    sample = folder / "contoh-impor-eppgbm.xlsx"
    assert sample.exists() and "contoh-impor-eppgbm.xlsx" in output
    done = subprocess.run(
        [POSYANDU, "import", "eppgbm", str(sample), "--dry-run", "--report", "r.csv"],
        cwd=folder,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    with (folder / "r.csv").open(newline="", encoding="utf-8") as handle:
        outcomes = [row["outcome"] for row in csv.DictReader(handle)]
    assert outcomes.count("child_created") == 12
    assert outcomes.count("visit_created") == 24
    assert outcomes.count("already_present") == len(outcomes) - 36 > 0
    assert "dry run, nothing written" in done.stdout
