"""Can 200 kader log in and save visits at the same moment without a stall?

Sets up its own city and server, on the loopback only:

* a temporary folder with a SQLite database holding the demo city
  (``--children``, 10,000 by default, as ``posyandu demo`` makes it) and
  ``--kader`` extra kader users spread over its 124 Posyandu. They share one
  real Argon2 hash (one password), so that set-up takes one hash, not 200,
  while every login still verifies Argon2 as in production;
* ``posyandu serve --workers N`` on a free port: the real command and server
  configuration (``posyandu.serving``), in its own process(es).

Then one thread per kader, each with its own cookies and keep-alive
connection, goes through three phases, all kader starting each phase
together. By default they go as fast as the server lets them, a worst case
(200 kader pressing "save" at the same instant); ``--pause-seconds S``
makes each wait a random 0 to S seconds before its login and before each
visit, as while weighing the next child:

1. baseline: GET ``/healthz`` (one database query, no session, no template);
2. login: the login form (CSRF token), the login POST (Argon2), and the
   Posyandu page the login redirects to;
3. visits: for ``--visits`` children of the kader's own Posyandu with no
   visit this month, each a different child (one visit per child and
   month), the visit form, the save POST (with ``confirm_warnings``, as a
   kader confirming an unusual value), and the child page it redirects to.

Printed per request kind: count, errors, p50/p95/max latency; per phase:
throughput, its ratio to the baseline's, and the CPU the server (with its
workers) and this process used (two cores shared by both). Visits in the
database are counted before and after, so a lost or doubled save shows.

    .venv/bin/python benchmarks/load_entry.py [--kader 200] [--visits 5] [--max-seconds 300]
        [--pause-seconds 0] [--idle 0] [--children 10000] [--workers 1]

Needs a checkout's virtualenv; SQLite only (``DATABASE_URL`` is ignored).
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import http.client
import http.cookies
import os
import random
import re
import resource
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

HOST = "127.0.0.1"
PASSWORD = "timbang-" + secrets.token_hex(8)
CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
ERROR_TEXT = re.compile(rb'class="errorlist[^"]*"[^>]*>\s*<li>(.*?)</li>', re.S)
CHILD_PAGE = re.compile(r"/penimbangan/anak/(\d+)/$")


# --- set-up (Django in this process, on the benchmark's own database) ------


@dataclass(frozen=True)
class PlannedVisit:
    child_pk: int
    weight_kg: str
    height_cm: str
    position: str


@dataclass(frozen=True)
class Kader:
    username: str
    visits: list[PlannedVisit]


@dataclass(frozen=True)
class City:
    posyandu: int
    children: int
    visits: int
    kader: list[Kader]
    today: dt.date


def _django(folder: Path, secret_key: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "posyandu.config.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'posyandu.sqlite3'}"
    os.environ["POSYANDU_SECRET_KEY"] = secret_key
    os.environ.pop("POSYANDU_DEBUG", None)
    import django

    django.setup()


def _comma(value: Decimal) -> str:
    # As a kader types it: one decimal, a decimal comma.
    return str(Decimal(value).quantize(Decimal("0.1"))).replace(".", ",")


def set_up_city(*, children: int, kader: int, visits: int, seed: int) -> City:
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import OuterRef, Subquery
    from django.utils import timezone

    from posyandu.accounts.models import Role, User
    from posyandu.areas.models import Posyandu
    from posyandu.children.models import Child, ChildStatus
    from posyandu.demo.generator import generate
    from posyandu.measurements.models import Position, Visit

    call_command("migrate", interactive=False, verbosity=0)
    generate(children=children, seed=seed)
    today = timezone.localdate()
    period = today.replace(day=1)
    posyandu = list(Posyandu.objects.order_by("pk"))
    password = make_password(PASSWORD)
    users = [
        User(
            username=f"bench-kader-{i:04d}",
            password=password,
            role=Role.KADER,
            posyandu=posyandu[i % len(posyandu)],
            first_name="Bench",
            last_name=f"Kader {i}",
        )
        for i in range(kader)
    ]
    User.objects.bulk_create(users)

    latest = Visit.objects.filter(child=OuterRef("pk")).order_by("-measured_on")
    free = (
        Child.objects.filter(status=ChildStatus.ACTIVE, birth_date__gt=today - dt.timedelta(1800))
        .exclude(visits__period=period)
        .annotate(
            last_weight=Subquery(latest.values("weight_kg")[:1]),
            last_height=Subquery(latest.values("height_cm")[:1]),
        )
        .filter(last_weight__isnull=False, last_height__isnull=False)
        .order_by("pk")
    )
    pool: dict[int, list[PlannedVisit]] = {}
    for child in free:
        # A little heavier and taller than last time, as a growing child.
        pool.setdefault(child.posyandu_id, []).append(
            PlannedVisit(
                child_pk=child.pk,
                weight_kg=_comma(child.last_weight + Decimal("0.2")),
                height_cm=_comma(child.last_height + Decimal("0.5")),
                # The form's default: lying under 731 days, standing from then (WHO).
                position=Position.LYING
                if (today - child.birth_date).days < 731
                else Position.STANDING,
            )
        )
    planned = []
    for i, user in enumerate(users):
        own = pool.get(posyandu[i % len(posyandu)].pk, [])
        # Each child once: a second visit in the same month is refused.
        planned.append(
            Kader(user.username, [own.pop() for _ in range(visits)] if len(own) >= visits else [])
        )
    city = City(
        posyandu=len(posyandu),
        children=Child.objects.count(),
        visits=Visit.objects.count(),
        kader=planned,
        today=today,
    )
    connection.close()
    return city


def count_visits(client_ids: list[str]) -> tuple[int, int]:
    from django.db import connection

    from posyandu.measurements.models import Visit

    total = Visit.objects.count()
    ours = Visit.objects.filter(client_id__in=client_ids).count()
    connection.close()
    return total, ours


# --- the server ---------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_server(folder: Path, secret_key: str, workers: int) -> Iterator[tuple[int, int]]:
    """``posyandu serve`` on a free loopback port; yields (port, pid)."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSYANDU_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        DATABASE_URL=os.environ["DATABASE_URL"],
        POSYANDU_SECRET_KEY=secret_key,
        POSYANDU_ALLOWED_HOSTS=HOST,
    )
    with (folder / "server.log").open("w") as log:
        server = subprocess.Popen(
            [
                *(sys.executable, "-m", "posyandu.cli", "serve"),
                *("--host", HOST, "--port", str(port), "--workers", str(workers)),
            ],
            cwd=folder,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                if server.poll() is not None:
                    raise SystemExit(
                        "posyandu serve stopped:\n" + (folder / "server.log").read_text()
                    )
                try:
                    connection = http.client.HTTPConnection(HOST, port, timeout=5)
                    connection.request("GET", "/healthz")
                    if connection.getresponse().status == 200:
                        connection.close()
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit("posyandu serve did not answer /healthz in 60 s")
                time.sleep(0.2)
            yield port, server.pid
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def cpu_seconds(pid: int) -> float:
    """User + system CPU so far of process ``pid`` and its workers (Linux /proc)."""
    fields = _stat(pid)
    if fields is None:
        return float("nan")
    ticks = int(fields[11]) + int(fields[12])
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            child = _stat(int(entry.name))
            if child is not None and child[1] == str(pid):
                ticks += int(child[11]) + int(child[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- the simulated phones -------------------------------------------------------


@dataclass
class Response:
    status: int
    location: str
    body: bytes


class RequestFailed(Exception):
    pass


@dataclass
class Samples:
    """Latencies by request kind; ``list.append`` is atomic, so threads share it."""

    seconds: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    not_started: int = 0

    def add(self, kind: str, seconds: float) -> None:
        self.seconds.setdefault(kind, []).append(seconds)

    def fail(self, kind: str, why: str) -> None:
        self.errors.setdefault(kind, []).append(why)


class Phone:
    """One kader's browser: its cookies and one keep-alive connection."""

    def __init__(self, port: int, timeout_s: float, samples: Samples) -> None:
        self.port = port
        self.timeout_s = timeout_s
        self.samples = samples
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def _send(self, method: str, path: str, body: bytes | None) -> Response:
        headers = {"Host": f"{HOST}:{self.port}", "Accept-Language": "id"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(2):
            reused = self.connection is not None
            if self.connection is None:
                self.connection = http.client.HTTPConnection(
                    HOST, self.port, timeout=self.timeout_s
                )
            try:
                self.connection.request(method, path, body=body, headers=headers)
                answer = self.connection.getresponse()
                data = answer.read()
            except (ConnectionResetError, BrokenPipeError, http.client.BadStatusLine):
                self.close()
                # The server closes a keep-alive connection idle for 30 s;
                # a browser then sends again on a new one. Safe for the
                # save POST too: it carries a client_id, so a retry never
                # makes a second visit.
                if reused and attempt == 0:
                    continue
                raise
            except BaseException:
                self.close()
                raise
            for header in answer.headers.get_all("Set-Cookie") or []:
                for name, morsel in http.cookies.SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            if answer.will_close:
                self.close()
            return Response(answer.status, answer.headers.get("Location", ""), data)
        raise AssertionError("unreachable")

    def call(
        self,
        kind: str,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        expect: int = 200,
    ) -> Response:
        body = urllib.parse.urlencode(form).encode() if form is not None else None
        started = time.perf_counter()
        try:
            response = self._send(method, path, body)
        except (OSError, http.client.HTTPException) as exc:
            self.samples.fail(kind, f"{type(exc).__name__}: {exc}")
            raise RequestFailed from exc
        self.samples.add(kind, time.perf_counter() - started)
        if response.status != expect:
            found = ERROR_TEXT.search(response.body)
            why = html.unescape(found.group(1).decode()) if found else response.body[:120].decode()
            self.samples.fail(kind, f"{method} {path}: {response.status} {why.strip()}")
            raise RequestFailed
        return response


def _csrf(phone: Phone, kind: str, response: Response) -> str:
    found = CSRF_FIELD.search(response.body)
    if not found:
        phone.samples.fail(kind, "no csrfmiddlewaretoken in the page")
        raise RequestFailed
    return found.group(1).decode()


def healthz(phone: Phone, times: int, deadline: float) -> None:
    for _ in range(times):
        if time.monotonic() > deadline:
            phone.samples.not_started += 1
            continue
        phone.call("GET /healthz", "GET", "/healthz")


def _pause(pause_s: float) -> None:
    if pause_s:
        time.sleep(random.uniform(0, pause_s))


def log_in(phone: Phone, username: str, deadline: float, pause_s: float) -> None:
    _pause(pause_s)
    if time.monotonic() > deadline:
        phone.samples.not_started += 1
        return
    form = phone.call("GET login form", "GET", "/akun/masuk/")
    done = phone.call(
        "POST login (Argon2)",
        "POST",
        "/akun/masuk/",
        {
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": _csrf(phone, "GET login form", form),
        },
        expect=302,
    )
    home = phone.call("GET / (redirect)", "GET", done.location, expect=302)
    phone.call("GET Posyandu page", "GET", home.location)


def save_visits(
    phone: Phone,
    visits: list[PlannedVisit],
    *,
    today: dt.date,
    deadline: float,
    pause_s: float,
    saved: list[str],
) -> None:
    if "sessionid" not in phone.cookies:
        for _visit in visits:
            phone.samples.fail("POST visit save", "not logged in")
        return
    for visit in visits:
        _pause(pause_s)
        if time.monotonic() > deadline:
            phone.samples.not_started += 1
            continue
        path = f"/penimbangan/anak/{visit.child_pk}/kunjungan/baru/"
        try:
            form = phone.call("GET visit form", "GET", path)
            client_id = str(uuid.uuid4())
            done = phone.call(
                "POST visit save",
                "POST",
                path,
                {
                    "csrfmiddlewaretoken": _csrf(phone, "GET visit form", form),
                    "measured_on": today.strftime("%d/%m/%Y"),
                    "weight_kg": visit.weight_kg,
                    "height_cm": visit.height_cm,
                    "position": visit.position,
                    "client_id": client_id,
                    "confirm_warnings": "on",
                },
                expect=302,
            )
            saved.append(client_id)
            if not CHILD_PAGE.search(done.location):
                phone.samples.fail("POST visit save", f"redirected to {done.location}")
                continue
            phone.call("GET child page", "GET", done.location)
        except RequestFailed:
            continue


@dataclass(frozen=True)
class Phase:
    name: str
    wall_s: float
    server_cpu_s: float
    own_cpu_s: float
    samples: Samples

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.samples.seconds.values())

    @property
    def errors(self) -> int:
        return sum(len(v) for v in self.samples.errors.values())

    @property
    def per_second(self) -> float:
        return self.requests / self.wall_s if self.wall_s else float("nan")


def run_phase(
    name: str, work: list[Callable[[Samples], None]], server_pid: int, samples: Samples
) -> Phase:
    """Run every kader's ``work`` in its own thread, all released at once."""
    start = threading.Barrier(len(work) + 1)

    def kader(job: Callable[[Samples], None]) -> None:
        start.wait()
        try:
            job(samples)
        except RequestFailed:
            pass  # recorded where it failed; this kader stops here
        except Exception as exc:  # a bug here must count, not vanish in a thread
            samples.fail("load generator", f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=kader, args=(job,), daemon=True) for job in work]
    for thread in threads:
        thread.start()
    server_before, own_before = cpu_seconds(server_pid), own_cpu_seconds()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    return Phase(
        name,
        wall,
        cpu_seconds(server_pid) - server_before,
        own_cpu_seconds() - own_before,
        samples,
    )


def _quantile(sorted_values: list[float], q: float) -> float:
    # Nearest rank: the value below which a fraction q of the requests fall.
    index = max(0, min(len(sorted_values) - 1, int(round(q * len(sorted_values) + 0.5)) - 1))
    return sorted_values[index]


def report(phase: Phase, baseline: Phase | None) -> None:
    ratio = f"{phase.per_second / baseline.per_second:5.2f}× baseline" if baseline else "baseline"
    print(
        f"\n{phase.name}: {phase.requests} requests, {phase.errors} errors in {phase.wall_s:.1f} s"
        f" = {phase.per_second:.1f} req/s ({ratio}); CPU: server {phase.server_cpu_s:.1f} s"
        f" ({phase.server_cpu_s / phase.wall_s:.2f} cores), load generator"
        f" {phase.own_cpu_s:.1f} s ({phase.own_cpu_s / phase.wall_s:.2f} cores)"
    )
    if phase.samples.not_started:
        print(f"  not started (--max-seconds reached): {phase.samples.not_started}")
    print(f"  {'request':<22} {'count':>6} {'errors':>6} {'p50 s':>7} {'p95 s':>7} {'max s':>7}")
    for kind, values in phase.samples.seconds.items():
        values = sorted(values)
        print(
            f"  {kind:<22} {len(values):>6} {len(phase.samples.errors.get(kind, [])):>6}"
            f" {_quantile(values, 0.50):7.3f} {_quantile(values, 0.95):7.3f} {values[-1]:7.3f}"
        )
    for kind, whys in phase.samples.errors.items():
        for why in sorted(set(whys))[:3]:
            print(f"  error, {kind}: {why[:200]}")


@contextmanager
def idle_connections(port: int, count: int) -> Iterator[None]:
    """``count`` connections that never send a request (the server closes them when idle)."""
    with ExitStack() as stack:
        for _ in range(count):
            stack.enter_context(socket.create_connection((HOST, port), timeout=10))
        yield


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kader", type=int, default=200, help="simulated kader (default 200)")
    parser.add_argument("--visits", type=int, default=5, help="visits each kader saves (5)")
    parser.add_argument("--healthz", type=int, default=20, help="baseline GETs per kader (20)")
    parser.add_argument(
        "--max-seconds", type=float, default=300, help="stop starting requests after (300)"
    )
    parser.add_argument(
        "--timeout-seconds", type=float, default=60, help="one request's socket timeout (60)"
    )
    parser.add_argument("--children", type=int, default=10_000, help="demo city size (10000)")
    parser.add_argument(
        "--pause-seconds",
        type=float,
        default=0,
        help="each kader waits a random 0..S s before its login and each visit, as when "
        "weighing the next child (default 0: all at once, the worst case)",
    )
    parser.add_argument("--idle", type=int, default=0, help="idle connections held open (0)")
    parser.add_argument(
        "--workers", type=int, default=1, help="posyandu serve --workers: processes (1)"
    )
    parser.add_argument("--seed", type=int, default=6474)
    args = parser.parse_args(argv)

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 2 * (args.kader + args.idle) + 200
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))

    with tempfile.TemporaryDirectory(prefix="posyandu-load-") as tmp:
        folder = Path(tmp)
        secret_key = secrets.token_urlsafe(50)
        _django(folder, secret_key)
        started = time.perf_counter()
        city = set_up_city(
            children=args.children, kader=args.kader, visits=args.visits, seed=args.seed
        )
        planned = sum(len(k.visits) for k in city.kader)
        print(
            f"set-up {time.perf_counter() - started:.1f} s: {city.posyandu} posyandu, "
            f"{city.children} children, {city.visits} visits, {len(city.kader)} kader, "
            f"{planned} visits planned ({args.visits} each; "
            f"{sum(1 for k in city.kader if not k.visits)} kader without enough children)"
        )
        with (
            running_server(folder, secret_key, args.workers) as (port, pid),
            idle_connections(port, args.idle),
        ):
            print(
                f"server: posyandu serve --workers {args.workers} on {HOST}:{port} (pid {pid}), "
                "SQLite; "
                f"{args.idle} idle connections held; pauses 0..{args.pause_seconds:g} s; "
                f"{os.cpu_count()} CPUs shared with the load generator, load average "
                f"{os.getloadavg()[0]:.1f} at the start"
            )
            deadline = time.monotonic() + args.max_seconds
            phones = [Phone(port, args.timeout_seconds, Samples()) for _ in city.kader]

            def each(job: Callable[[Phone, Kader], None]) -> list[Callable[[Samples], None]]:
                def bound(phone: Phone, kader: Kader) -> Callable[[Samples], None]:
                    def run(samples: Samples) -> None:
                        phone.samples = samples
                        job(phone, kader)

                    return run

                return [bound(p, k) for p, k in zip(phones, city.kader, strict=True)]

            baseline = run_phase(
                "baseline, GET /healthz",
                each(lambda p, k: healthz(p, args.healthz, deadline)),
                pid,
                Samples(),
            )
            report(baseline, None)
            logins = run_phase(
                "login",
                each(lambda p, k: log_in(p, k.username, deadline, args.pause_seconds)),
                pid,
                Samples(),
            )
            report(logins, baseline)
            saved: list[str] = []
            visits = run_phase(
                "visit entry",
                each(
                    lambda p, k: save_visits(
                        p,
                        k.visits,
                        today=city.today,
                        deadline=deadline,
                        pause_s=args.pause_seconds,
                        saved=saved,
                    )
                ),
                pid,
                Samples(),
            )
            report(visits, baseline)
            for phone in phones:
                phone.close()
        total, ours = count_visits(saved)
        errors = baseline.errors + logins.errors + visits.errors
        print(
            f"\nrows: visits {city.visits} before, {total} after (+{total - city.visits}); "
            f"saves answered as done {len(saved)}, found in the database {ours}"
        )
        print(f"errors in all: {errors}")
        return 0 if errors == 0 and total - city.visits == len(saved) == ours else 1


if __name__ == "__main__":
    sys.exit(main())
