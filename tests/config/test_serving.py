"""``posyandu serve`` does not stall on idle connections, and never serves the public key.

The server runs as a user starts it: the real command in a subprocess, on a
fresh SQLite database in a temporary folder, on a free loopback port.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from posyandu.config.settings import INSECURE_DEFAULT_SECRET_KEY, MIN_SECRET_KEY_LENGTH
from posyandu.serving import (
    MIN_CONNECTION_LIMIT,
    MIN_WORKER_LIFE_S,
    RESERVED_FILES,
    server_settings,
    worker_count,
)

POSYANDU = shutil.which("posyandu", path=str(Path(sys.executable).parent)) or "posyandu"
GOOD_KEY = "k" * MIN_SECRET_KEY_LENGTH
IDLE_CONNECTIONS = 500
# waitress' old defaults stopped accepting at 100 connections and kept an
# idle one for 120 s: a new client then hung for two minutes. 10 s only
# tells "answers" from "stalled"; it is no speed requirement.
STALL_TIMEOUT_S = 10


def _env(**overrides: str) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("POSYANDU_")
        and name not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(overrides)
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str, timeout_s: float) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=timeout_s) as response:
        return response.status, response.read()


@contextlib.contextmanager
def _enough_open_files(needed: int) -> Iterator[None]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        if hard != resource.RLIM_INFINITY and hard < needed:
            pytest.skip(f"needs {needed} open files, the hard limit is {hard}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@dataclass
class Server:
    url: str
    pid: int


@pytest.fixture
def served(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Server]:
    """``posyandu serve --migrate`` (with ``--workers`` if parametrized) on a free port."""
    port = _free_port()
    workers = ["--workers", str(request.param)] if hasattr(request, "param") else []
    process = subprocess.Popen(
        [POSYANDU, "serve", "--migrate", "--port", str(port), *workers],
        cwd=tmp_path,
        env=_env(POSYANDU_SECRET_KEY=GOOD_KEY),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                output = process.stdout.read() if process.stdout else ""
                pytest.fail(f"posyandu serve exited with {process.returncode}:\n{output}")
            try:
                if _get(base + "/healthz", timeout_s=5)[0] == 200:
                    break
            except (urllib.error.URLError, ConnectionError):
                pass
            assert time.monotonic() < deadline, "posyandu serve did not answer /healthz in 90 s"
            time.sleep(0.2)
        yield Server(base, process.pid)
    finally:
        process.terminate()
        try:
            process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


@pytest.fixture
def server(served: Server) -> str:
    return served.url


@pytest.mark.parametrize("served", [1, 2], indirect=True, ids=["one process", "two workers"])
def test_a_new_client_is_answered_while_500_idle_connections_are_open(server: str) -> None:
    port = int(server.rsplit(":", 1)[1])
    # This process holds the idle sockets (the server raises its own limit).
    with _enough_open_files(IDLE_CONNECTIONS + 200), contextlib.ExitStack() as stack:
        idle = []
        for i in range(IDLE_CONNECTIONS):
            sock = stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=10))
            # Half say nothing at all, half start a request and stop halfway
            # (a phone that lost its signal).
            if i % 2:
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            idle.append(sock)

        status, body = _get(server + "/healthz", timeout_s=STALL_TIMEOUT_S)

        assert status == 200
        assert b'"status": "ok"' in body
        # The idle connections were kept, not dropped to make room: one that
        # finishes its request now gets its answer.
        halfway = idle[1]
        halfway.sendall(b"Connection: close\r\n\r\n")
        answer = b""
        while chunk := halfway.recv(65536):
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 200 OK")
        assert b'"status": "ok"' in answer


def _workers_of(pid: int) -> set[int]:
    children = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if stat[1] == str(pid) and stat[0] != "Z":
                    children.add(int(entry.name))
    return children


def _wait_for(condition: object, what: str, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
@pytest.mark.parametrize("served", [2], indirect=True)
def test_workers_share_the_port_a_dead_one_is_replaced_and_all_stop_together(
    served: Server,
) -> None:
    workers = _workers_of(served.pid)
    assert len(workers) == 2
    for _ in range(20):
        assert _get(served.url + "/healthz", timeout_s=STALL_TIMEOUT_S)[0] == 200

    # A worker that dies after a normal start (killed, out of memory) is replaced.
    time.sleep(max(0, MIN_WORKER_LIFE_S + 0.5 - _uptime_s(min(workers))))
    dead = min(workers)
    os.kill(dead, signal.SIGKILL)
    _wait_for(lambda: len(_workers_of(served.pid) - {dead}) == 2, "no new worker started")
    assert _get(served.url + "/healthz", timeout_s=STALL_TIMEOUT_S)[0] == 200

    # SIGTERM to the parent (systemd, docker stop) stops every worker with it.
    left = _workers_of(served.pid)
    os.kill(served.pid, signal.SIGTERM)
    _wait_for(lambda: not any(Path(f"/proc/{pid}").exists() for pid in left), "workers left")
    _wait_for(lambda: not _alive(served.pid), "the parent did not stop")


def _uptime_s(pid: int) -> float:
    started_ticks = int((Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split())[19])
    boot_s = float(Path("/proc/uptime").read_text().split()[0])
    return boot_s - started_ticks / os.sysconf("SC_CLK_TCK")


def _alive(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


def test_connection_limit_fits_the_open_file_limit() -> None:
    assert server_settings(None).connection_limit >= 2 * IDLE_CONNECTIONS
    assert server_settings(1024).connection_limit == 1024 - RESERVED_FILES
    assert server_settings(150).connection_limit == MIN_CONNECTION_LIMIT


def test_idle_connections_are_closed_long_before_waitress_default_two_minutes() -> None:
    settings = server_settings(None)

    assert settings.idle_timeout_s + settings.cleanup_interval_s <= 60
    assert settings.waitress_options()["asyncore_use_poll"] is True


def _serve_refusal(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [POSYANDU, "serve", "--port", "1"],
        cwd=tmp_path,
        env=_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_serve_refuses_the_built_in_key_even_in_debug_mode(tmp_path: Path) -> None:
    done = _serve_refusal(tmp_path, POSYANDU_DEBUG="1")

    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("posyandu serve: POSYANDU_SECRET_KEY is not set")
    assert "secrets.token_urlsafe(50)" in lines[0]


def test_serve_refuses_the_built_in_key_given_explicitly_in_debug_mode(tmp_path: Path) -> None:
    done = _serve_refusal(
        tmp_path, POSYANDU_DEBUG="1", POSYANDU_SECRET_KEY=INSECURE_DEFAULT_SECRET_KEY
    )

    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "the built-in key is public" in done.stderr


def test_serve_in_debug_mode_still_accepts_a_short_local_key(tmp_path: Path) -> None:
    # Past the key check, an empty folder's database stops it before serving.
    done = _serve_refusal(tmp_path, POSYANDU_DEBUG="1", POSYANDU_SECRET_KEY="short")

    assert done.returncode == 2
    assert "SECRET_KEY" not in done.stderr
    assert "posyandu serve: the database lacks" in done.stderr


@pytest.mark.parametrize("text", ["0", "-1", "two", ""])
def test_workers_must_be_a_whole_number_of_processes(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        worker_count(text)

    assert worker_count("3") == 3
