"""Are the city reports fast enough for a city the size of Jakarta? (parts 1 and 2)

Builds its own PostgreSQL database (``posyandu_bench_<pid>`` on
``--server``, dropped at the end unless ``--keep``), migrates it, and fills it
through ``_bigcity.build_city``: ``--children`` children (1,000,000) over
``--posyandu`` Posyandu (10,000) in one kota, with ``--months`` months (12) of
visits ending last month, loaded with COPY. The monthly aggregates and the
prevalence cells are counted with numpy and checked against the reference
``posyandu.reports.aggregates.computed_counts`` on a sample of Posyandu
(``--check-posyandu``; ``--check-all`` for every one, ``--reference-rebuild``
to also time the reference ``rebuild()`` and compare the whole table: both
for small runs). Then it opens an Operasi Timbang over the whole kota for
the last visit month, and measures, each ``--repeat`` times after one
warm-up run (median and max wall-clock; the number of SQL queries and their
time from one more run), ``--parts`` of:

1. * the city SKDN table: the selector ``reports.selectors.skdn`` (and
     ``skdn_overview``, the page's own, where it exists) and the page
     ``/laporan/skdn/`` through Django's test client, as a Dinkes user;
   * the campaign coverage: ``campaigns.selectors.results(coverage_only=True)``
     and the page ``campaigns:detail``;
2. * the prevalence of the last visit month: ``prevalence_report`` of the kota
     (Dinkes) and of the Puskesmas with the most balita (its own user);
   * ``posyandu report prevalence`` of the kota (the kota and its kecamatan,
     every indicator by sex x age group, to CSV), run in this process: for the
     last month, and once over ``--prevalence-months`` months (each child's
     latest visit of the period, read from the visits);
   * the children behind the city's stunting number: the selector
     ``children_behind_prevalence``, and the page ``reports:prevalence_children``
     reached by the stunting number's own link on the city dashboard;
   * the dashboards ``reports:dashboard`` of the kota (Dinkes) and of that
     Puskesmas (its own user);
saves. saving one visit (``measurements.services.record_visit``) of a child not
   yet weighed this month, ``--writes`` times with the aggregate watcher
   (``reports.aggregates.follow_child_write``) on and as many with it removed
   from ``children.signals._watchers``, in alternating blocks so that a busy
   machine hurts both alike. The saves without it catch the aggregates up
   outside their timing, and the Posyandu written to are checked afterwards.

A page or command not written yet is waited for, reloading the URLconf and
the commands every minute, up to ``--wait-pages`` minutes in all.

Baselines from the same run: pages beside ``/healthz`` (one query, no
template) through the same client, visit saves with aggregates beside saves
without. The issue's targets are printed as PASS/FAIL (city SKDN table,
campaign coverage page, dashboards and the city prevalence report under 1 s
by their median, the first page of a list of children behind a number under
300 ms, a visit save with the aggregates at most 2x one without); the exit
status is 0 either way. ``--explain`` prints EXPLAIN ANALYZE of each read's
slowest SELECTs, ``--profile`` a cProfile of one run of each read.

    .venv/bin/python benchmarks/reports_speed.py [--children 1000000] [--posyandu 10000]
        [--months 12] [--repeat 5] [--writes 300] [--parts 1,2,saves] [--keep]
        [--explain] [--profile]

Building the 1M city takes about 9 minutes on two busy cores (3.2 GiB); with
``--keep`` it stays, and ``--reuse posyandu_bench_<pid>`` measures on it again
in a few minutes (it is then never dropped). ``--keep --build-only`` builds
and checks the city and opens the campaign without measuring anything, so that
a timed ``--reuse`` run later (under a lock, say) only measures.

More measurements: add a function taking a :class:`Bench` to ``MEASUREMENTS``.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import importlib
import io
import os
import pstats
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import psycopg

SERVER = "postgresql://postgres@127.0.0.1:5432"
PAGE_TARGET_S = 1.0
CHILD_PAGE_TARGET_S = 0.3
WRITE_RATIO_TARGET = 2.0


def say(text: str = "") -> None:
    print(text, flush=True)


# --- the database and Django ---------------------------------------------------------


def create_database(server: str, name: str) -> None:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(server: str, name: str) -> None:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def set_up_django(database_url: str, static_root: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "posyandu.config.settings"
    os.environ["DATABASE_URL"] = database_url
    # Production-like: no debug (no query log, no debug templates); a key of
    # its own, since the built-in one is public.
    os.environ["POSYANDU_DEBUG"] = "0"
    os.environ["POSYANDU_SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ["POSYANDU_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    # An empty folder for collected static files: whitenoise only warns that
    # there is none, the pages are served from the app folders anyway.
    os.environ["POSYANDU_STATIC_ROOT"] = static_root
    import django

    django.setup()
    # Import every view now: other people edit this tree while a run builds
    # its city for half an hour, and a module half-written then must not
    # break the measurements at the end.
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018


# --- measuring -------------------------------------------------------------------------


@dataclass
class Timing:
    label: str
    seconds: list[float]
    first_s: float | None
    queries: int | None = None
    sql_s: float | None = None
    size_kb: float | None = None
    note: str = ""
    cpu_seconds: list[float] = field(default_factory=list)
    """This process's CPU time per run (the Python side; PostgreSQL's is not in it)."""

    @property
    def median_s(self) -> float:
        return statistics.median(self.seconds)

    @property
    def max_s(self) -> float:
        return max(self.seconds)

    def line(self) -> str:
        parts = [f"median {self.median_s:7.3f} s", f"max {self.max_s:7.3f} s"]
        if self.cpu_seconds:
            parts.append(f"cpu {statistics.median(self.cpu_seconds):6.3f} s")
        if self.first_s is not None:
            parts.append(f"first {self.first_s:7.3f} s")
        parts.append(f"({len(self.seconds)} runs)")
        if self.queries is not None:
            parts.append(f"{self.queries} queries, SQL {self.sql_s or 0:.3f} s")
        if self.size_kb is not None:
            parts.append(f"{self.size_kb:.0f} KB")
        if self.note:
            parts.append(self.note)
        return f"  {self.label:<44} " + "  ".join(parts)


@dataclass
class Target:
    what: str
    value: float
    limit: float
    unit: str

    @property
    def passed(self) -> bool:
        return self.value < self.limit if self.unit == "s" else self.value <= self.limit

    def line(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        sign = "<" if self.unit == "s" else "<="
        value = f"{self.value:.3f} s" if self.unit == "s" else f"{self.value:.2f}x"
        limit = f"{self.limit:g} s" if self.unit == "s" else f"{self.limit:g}x"
        return f"  {verdict}  {self.what}: {value} (target {sign} {limit})"


@dataclass
class Bench:
    """Everything a measurement needs; a measurement appends to ``timings`` and ``targets``."""

    args: argparse.Namespace
    city: Any
    kota_area: Any
    dinkes: Any
    admin: Any
    client: Any
    campaign: Any
    puskesmas_user: Any = None
    puskesmas_area: Any = None
    """The Puskesmas with the most balita, and a user of it (part 2)."""
    timings: list[Timing] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Lines to print after the timings of the measurement that wrote them."""
    baseline_page_s: float | None = None
    pages_deadline: float | None = None

    @property
    def period(self) -> dt.date:
        return self.city.report_period  # type: ignore[no-any-return]


def timed(label: str, fn: Callable[[], Any], repeat: int) -> Timing:
    started = time.perf_counter()
    fn()
    first = time.perf_counter() - started
    runs, cpu = [], []
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        fn()
        runs.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    return Timing(label, runs, first, cpu_seconds=cpu)


@contextmanager
def captured() -> Iterator[list[dict[str, Any]]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        queries: list[dict[str, Any]] = []
        yield queries
    queries.extend(ctx.captured_queries)


def count_queries(timing: Timing, fn: Callable[[], Any], bench: Bench) -> None:
    with captured() as queries:
        fn()
    timing.queries = len(queries)
    timing.sql_s = sum(float(q["time"]) for q in queries)
    if bench.args.explain:
        explain_slowest(queries)


def explain_slowest(queries: list[dict[str, Any]], top: int = 2) -> None:
    """EXPLAIN ANALYZE of the slowest SELECTs (never a write: ANALYZE runs it)."""
    from django.db import connection

    selects = [q for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]
    for q in sorted(selects, key=lambda q: -float(q["time"]))[:top]:
        sql = q["sql"]
        say(f"    slow query ({float(q['time']):.3f} s): {clip(sql, 400)}")
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            for (line,) in cursor.fetchall():
                say(f"      {clip(line, 200)}")


def clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def profile(fn: Callable[[], Any], bench: Bench) -> None:
    if not bench.args.profile:
        return
    profiler = cProfile.Profile()
    profiler.runcall(fn)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
    for line in out.getvalue().splitlines()[4:]:
        if line.strip():
            say("    " + line.replace(os.getcwd() + "/", "").replace(sys.prefix + "/", ""))


def get_page(bench: Bench, url: str) -> Callable[[], int]:
    def get() -> int:
        response = bench.client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url}: HTTP {response.status_code}")
        return len(response.content)

    return get


def measure_page(bench: Bench, label: str, url: str) -> Timing:
    get = get_page(bench, url)
    timing = timed(label, get, bench.args.repeat)
    timing.size_kb = get() / 1024
    count_queries(timing, get, bench)
    if bench.baseline_page_s:
        timing.note = f"{timing.median_s / bench.baseline_page_s:,.0f}x /healthz"
    profile(get, bench)
    return timing


def measure_selector(bench: Bench, label: str, fn: Callable[[], Any]) -> Timing:
    timing = timed(label, fn, bench.args.repeat)
    count_queries(timing, fn, bench)
    profile(fn, bench)
    return timing


# --- the measurements ----------------------------------------------------------------


def measure_baseline(bench: Bench) -> None:
    timing = timed("GET /healthz (baseline)", get_page(bench, "/healthz"), bench.args.repeat * 4)
    count_queries(timing, get_page(bench, "/healthz"), bench)
    bench.baseline_page_s = timing.median_s
    bench.timings.append(timing)


def measure_skdn(bench: Bench) -> None:
    from posyandu.accounts.scope import Scope
    from posyandu.reports import selectors

    def table() -> None:
        selectors.skdn(Scope.of(bench.dinkes), bench.kota_area, bench.period)

    selector = measure_selector(bench, "skdn() selector, whole kota", table)
    bench.timings.append(selector)
    bench.targets.append(
        Target("city SKDN table, skdn() selector", selector.median_s, PAGE_TARGET_S, "s")
    )
    # The page's own selector where there is one (the kota and one level below,
    # summed in the database).
    overview = getattr(selectors, "skdn_overview", None)
    if overview is not None:

        def summed() -> None:
            overview(Scope.of(bench.dinkes), bench.kota_area, bench.period)

        timing = measure_selector(bench, "skdn_overview() selector, whole kota", summed)
        bench.timings.append(timing)
        bench.targets.append(
            Target("city SKDN table, skdn_overview()", timing.median_s, PAGE_TARGET_S, "s")
        )
    url = f"/laporan/skdn/?wilayah={bench.kota_area.key}&bulan={bench.period:%Y-%m}"
    page = measure_page(bench, "SKDN page " + url.split("?")[0], url)
    bench.timings.append(page)
    bench.targets.append(Target("city SKDN page", page.median_s, PAGE_TARGET_S, "s"))


def url_when_ready(bench: Bench, name: str, args: list[Any] | None = None) -> str | None:
    """The URL of view ``name``; while it does not exist yet (it is being written),
    wait a minute and reload the URLconf (the reports app's views and urls first),
    up to ``--wait-pages`` minutes in all for every page of the run."""
    from django.conf import settings
    from django.urls import NoReverseMatch, clear_url_caches, reverse

    if bench.pages_deadline is None:
        bench.pages_deadline = time.monotonic() + 60 * bench.args.wait_pages
    while True:
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            if time.monotonic() >= bench.pages_deadline:
                return None
        say(f"  ({name} does not exist yet: trying again in a minute)")
        time.sleep(60)
        importlib.invalidate_caches()
        try:
            for module in (
                "posyandu.reports.views",
                "posyandu.reports.urls",
                settings.ROOT_URLCONF,
            ):
                importlib.reload(importlib.import_module(module))
        except Exception as exc:  # a file half-written by its author: try again later
            say(f"  (reloading the URLconf: {type(exc).__name__}: {exc})")
        clear_url_caches()


def measure_campaign(bench: Bench) -> None:
    from posyandu.accounts.scope import Scope
    from posyandu.campaigns.selectors import results

    def coverage() -> None:
        results(Scope.of(bench.dinkes), bench.campaign, coverage_only=True)

    selector = measure_selector(bench, "campaign results(coverage_only=True)", coverage)
    bench.timings.append(selector)
    bench.targets.append(
        Target("campaign coverage, results() selector", selector.median_s, PAGE_TARGET_S, "s")
    )
    url = url_when_ready(bench, "campaigns:detail", [bench.campaign.pk])
    if url is None:
        bench.notes.append("  campaigns:detail still does not exist: campaign page not measured")
        return
    page = measure_page(bench, f"campaign page {url}", url)
    bench.timings.append(page)
    bench.targets.append(Target("campaign coverage page", page.median_s, PAGE_TARGET_S, "s"))


# --- part 2: prevalence and the dashboards ------------------------------------------------


def once(label: str, fn: Callable[[], Any]) -> Timing:
    """One run, no warm-up: for reads too slow to repeat."""
    started, cpu_started = time.perf_counter(), time.process_time()
    fn()
    return Timing(
        label,
        [time.perf_counter() - started],
        None,
        cpu_seconds=[time.process_time() - cpu_started],
    )


def prevalence_rows(bench: Bench, scope: Any, area: Any) -> str:
    """How much a month's prevalence of ``area`` stands on: cells, children measured."""
    from posyandu.reports.models import PrevalenceCell

    cells = PrevalenceCell.objects.filter(scope.rows_in(area), period=bench.period)
    return f"{cells.count():,} cells"


def measure_prevalence_selectors(bench: Bench) -> None:
    from posyandu.accounts.scope import Scope
    from posyandu.reports.prevalence_selectors import Period, prevalence_report

    period = Period.month(bench.period)
    for what, user, area in (
        ("kota", bench.dinkes, bench.kota_area),
        ("Puskesmas", bench.puskesmas_user, bench.puskesmas_area),
    ):
        scope = Scope.of(user)
        found: list[Any] = []

        def report(scope: Any = scope, area: Any = area, found: list[Any] = found) -> None:
            found[:] = [prevalence_report(scope, area, period)]

        timing = measure_selector(bench, f"prevalence_report(), {what}, one month", report)
        root, below = found[0]
        timing.note = (
            f"{prevalence_rows(bench, scope, area)}, {root.measured:,} measured of "
            f"{root.sasaran:,} S, {len(below)} areas below"
        )
        bench.timings.append(timing)
        bench.targets.append(
            Target(f"{what} prevalence, prevalence_report()", timing.median_s, PAGE_TARGET_S, "s")
        )


def prevalence_command(bench: Bench) -> Callable[[list[str]], int] | None:
    """``posyandu.cli.main`` once ``report prevalence`` exists in it (reloaded each
    minute while the page wait lasts: it is being written)."""
    from posyandu import cli
    from posyandu.reports import commands

    if bench.pages_deadline is None:
        bench.pages_deadline = time.monotonic() + 60 * bench.args.wait_pages
    while True:
        choices = cli.build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
        report = choices.get("report")
        if report is not None and "prevalence" in report._subparsers._group_actions[0].choices:
            return cli.main
        if time.monotonic() >= bench.pages_deadline:
            return None
        say("  (posyandu report prevalence does not exist yet: trying again in a minute)")
        time.sleep(60)
        importlib.invalidate_caches()
        try:
            importlib.reload(commands)
            importlib.reload(cli)
        except Exception as exc:  # a file half-written by its author: try again later
            say(f"  (reloading the commands: {type(exc).__name__}: {exc})")


def measure_prevalence_command(bench: Bench) -> None:
    """``posyandu report prevalence`` of the kota, in this process (no start-up):
    the kota and its kecamatan, every indicator by sex x age group, to CSV."""
    from posyandu.reports.aggregates import month_end

    main = prevalence_command(bench)
    if main is None:
        bench.notes.append("  posyandu report prevalence still does not exist: not measured")
        return
    with tempfile.TemporaryDirectory(prefix="posyandu-bench-csv-") as folder:
        out = os.path.join(folder, "prevalence.csv")

        def command(date_from: dt.date, date_to: dt.date) -> Callable[[], None]:
            argv = ["report", "prevalence", "--area", bench.city.kota_code]
            argv += ["--from", date_from.isoformat(), "--to", date_to.isoformat(), "-o", out]

            def run() -> None:
                code = main(argv)
                if code != 0:
                    raise RuntimeError(f"posyandu {' '.join(argv)}: exit status {code}")

            return run

        def rows() -> str:
            with open(out, encoding="utf-8-sig") as f:
                lines = f.read().splitlines()
            return f"{len(lines) - 1:,} CSV rows"

        month = command(bench.period, month_end(bench.period))
        timing = measure_selector(bench, "report prevalence, kota, one month", month)
        timing.note = rows()
        bench.timings.append(timing)
        bench.targets.append(
            Target(
                "city prevalence by sex x age group (report prevalence, one month)",
                timing.median_s,
                PAGE_TARGET_S,
                "s",
            )
        )
        months = bench.args.prevalence_months
        if months > 1:
            first = bench.city.periods[-min(months, len(bench.city.periods))]
            label = f"report prevalence, kota, {months} months"
            longer = command(first, month_end(bench.period))
            timing = once(label, longer)
            count_queries(timing, longer, bench)
            timing.note = rows() + " (one run: each child's latest visit, read from the visits)"
            bench.timings.append(timing)
            profile(longer, bench)


def measure_prevalence_children(bench: Bench) -> None:
    """The list behind the city's stunting number: the selector, then the page's
    first page, reached by the stunting number's own link on the city dashboard."""
    from posyandu.accounts.scope import Scope
    from posyandu.reports.prevalence_selectors import (
        INDICATORS,
        Period,
        children_behind_prevalence,
    )

    found: list[Any] = []

    def stunted() -> None:
        found[:] = [
            children_behind_prevalence(
                Scope.of(bench.dinkes),
                bench.kota_area,
                Period.month(bench.period),
                INDICATORS["stunting"],
                part="n",
                page=1,
            )
        ]

    timing = measure_selector(bench, "children_behind_prevalence(), stunting, page 1", stunted)
    timing.note = f"{found[0].total:,} children, {len(found[0].rows):,} on the first page"
    bench.timings.append(timing)
    bench.targets.append(
        Target(
            "first page of the children behind the city stunting number, selector",
            timing.median_s,
            CHILD_PAGE_TARGET_S,
            "s",
        )
    )
    url = stunting_list_url(bench)
    if url is None:
        bench.notes.append("  no link to reports:prevalence_children found: page not measured")
        return
    page = measure_page(bench, "stunting children page " + url.split("?")[0], url)
    page.note += f"  {url}"
    bench.timings.append(page)
    bench.targets.append(
        Target(
            "first page of the children behind the city stunting number",
            page.median_s,
            CHILD_PAGE_TARGET_S,
            "s",
        )
    )


def stunting_list_url(bench: Bench) -> str | None:
    """The link of the city's stunting number to its children (numerator), as the
    dashboard (or the prevalence page) draws it."""
    import html
    import re
    from urllib.parse import parse_qs, urlsplit

    from django.urls import NoReverseMatch, reverse

    base = url_when_ready(bench, "reports:prevalence_children")
    if base is None:
        return None
    for name in ("reports:dashboard", "reports:prevalence"):
        try:
            page = reverse(name)
        except NoReverseMatch:
            continue
        query = f"?wilayah={bench.kota_area.key}&bulan={bench.period:%Y-%m}"
        content = bench.client.get(page + query).content.decode()
        links = [html.unescape(h) for h in re.findall(r'href="([^"]+)"', content)]
        links = [
            h
            for h in links
            if h.split("?")[0] == base
            and {"stunting", "n"} <= {v for vs in parse_qs(urlsplit(h).query).values() for v in vs}
        ]
        if links:
            return links[0]
    return None


def puskesmas_with_most_balita(city: Any) -> Any:
    from django.db.models import Sum

    from posyandu.areas.models import Puskesmas
    from posyandu.reports.models import MonthlyAggregate

    top = (
        MonthlyAggregate.objects.filter(period=city.report_period)
        .values("posyandu__puskesmas")
        .annotate(s=Sum("s"))
        .order_by("-s")
        .first()
    )
    return Puskesmas.objects.get(pk=top["posyandu__puskesmas"])


def measure_dashboards(bench: Bench) -> None:
    """``reports:dashboard`` of the kota (Dinkes) and of a Puskesmas (its own user)."""
    from django.test import Client

    url = url_when_ready(bench, "reports:dashboard")
    if url is None:
        bench.notes.append("  reports:dashboard still does not exist: dashboards not measured")
        return
    own = Client()
    own.force_login(bench.puskesmas_user)
    for what, client, area in (
        ("kota (Dinkes)", bench.client, bench.kota_area),
        ("Puskesmas", own, bench.puskesmas_area),
    ):
        query = f"?wilayah={area.key}&bulan={bench.period:%Y-%m}"
        page = measure_page(replace(bench, client=client), f"dashboard {url}, {what}", url + query)
        bench.timings.append(page)
        bench.targets.append(Target(f"{what} dashboard", page.median_s, PAGE_TARGET_S, "s"))


@contextmanager
def aggregates_off() -> Iterator[None]:
    """The aggregate watcher out of ``_watchers`` (the campaign watcher stays)."""
    from posyandu.children.signals import _watchers
    from posyandu.reports.aggregates import follow_child_write

    at = _watchers.index(follow_child_write)
    _watchers.pop(at)
    try:
        yield
    finally:
        _watchers.insert(at, follow_child_write)


def fresh_children(count: int, today: dt.date, seed: int) -> list[tuple[int, Decimal]]:
    """``count`` random balita not weighed this month, each with its last weight."""
    from django.db.models import Max

    from posyandu.children.models import Child, ChildStatus
    from posyandu.measurements.models import Visit
    from posyandu.policy import BALITA

    rng = random.Random(seed)
    n = Child.objects.aggregate(Max("pk"))["pk__max"]
    this_month = today.replace(day=1)
    found: dict[int, Decimal] = {}
    while len(found) < count:
        sample = rng.sample(range(1, n + 1), min(n, 3 * count))
        ids = list(
            Child.objects.filter(
                pk__in=sample,
                status=ChildStatus.ACTIVE,
                birth_date__gt=BALITA.last_birth_date_aged_out(today),
                birth_date__lt=today,
            )
            .exclude(pk__in=found)
            .exclude(visits__period=this_month)
            .values_list("pk", flat=True)
        )
        for child_id, weight in (
            Visit.objects.filter(child_id__in=ids, weight_kg__isnull=False)
            .order_by("child_id", "-period")
            .distinct("child_id")
            .values_list("child_id", "weight_kg")
        ):
            if len(found) < count:
                found[child_id] = weight
    items = list(found.items())
    rng.shuffle(items)
    return items


def measure_visit_saves(bench: Bench) -> None:
    from django.utils import timezone

    import _bigcity
    from posyandu.children.models import Child
    from posyandu.measurements.services import VisitValues, record_visit
    from posyandu.reports.aggregates import follow_child_write

    args = bench.args
    today = timezone.localdate()
    warmup = 5
    pool = fresh_children(2 * (args.writes + warmup + 1), today, args.seed)
    touched: set[int] = set()

    def save(
        child_id: int,
        weight: Decimal,
        *,
        with_aggregates: bool,
        queries: list[dict[str, Any]] | None = None,
    ) -> tuple[float, float]:
        """One save, timed (wall-clock, CPU). Without the watcher the aggregates
        are still brought up to date, outside the timed part, so that the table
        stays true."""
        child = Child.objects.get(pk=child_id)
        touched.add(child.posyandu_id)
        values = VisitValues(
            measured_on=today, weight_kg=(weight + Decimal("0.2")).quantize(Decimal("0.1"))
        )
        catch_up = None if with_aggregates else follow_child_write(child_id)
        with ExitStack() as stack:
            if catch_up is not None:
                stack.enter_context(aggregates_off())
            if queries is not None:
                seen = stack.enter_context(captured())
            started, cpu_started = time.perf_counter(), time.process_time()
            record_visit(user=bench.admin, child=child, values=values, confirm_warnings=True)
            seconds = (time.perf_counter() - started, time.process_time() - cpu_started)
        if queries is not None:
            queries.extend(seen)
        if catch_up is not None:
            catch_up(child_id)
        return seconds

    # Warm-up saves of both kinds (not counted), then alternating blocks.
    plan = [(True, False)] * warmup + [(False, False)] * warmup
    left, on = {True: args.writes, False: args.writes}, True
    while left[True] or left[False]:
        n = min(max(1, args.write_block), left[on])
        plan += [(on, True)] * n
        left[on] -= n
        on = not on
    times: dict[bool, list[float]] = {True: [], False: []}
    cpu: dict[bool, list[float]] = {True: [], False: []}
    for on, counted in plan:
        seconds, cpu_seconds = save(*pool.pop(), with_aggregates=on)
        if counted:
            times[on].append(seconds)
            cpu[on].append(cpu_seconds)
    queries: dict[bool, list[dict[str, Any]]] = {True: [], False: []}
    for on in (True, False):
        save(*pool.pop(), with_aggregates=on, queries=queries[on])
    with_aggregates, without = (
        Timing(
            f"record_visit, aggregates {'on' if on else 'off'}",
            times[on],
            None,
            len(queries[on]),
            sum(float(q["time"]) for q in queries[on]),
            cpu_seconds=cpu[on],
        )
        for on in (True, False)
    )
    ratio = with_aggregates.median_s / without.median_s
    mean_ratio = statistics.fmean(times[True]) / statistics.fmean(times[False])
    with_aggregates.note = f"ratio {ratio:.2f}x (mean {mean_ratio:.2f}x)"
    bench.timings += [with_aggregates, without]
    bench.targets.append(
        Target("visit save with aggregates / without (median)", ratio, WRITE_RATIO_TARGET, "x")
    )
    # The saves without the watcher caught up outside their timing: the table
    # must still be what the registry says.
    sample = random.Random(args.seed).sample(sorted(touched), min(len(touched), 25))
    result = _bigcity.check_aggregates(sample)
    bench.notes.append(
        f"  after the saves: {result.posyandu} of the {len(touched)} Posyandu written to "
        f"against computed_counts(): {result.rows:,} rows "
        + ("equal" if result.ok else f"{len(result.differences)} rows DIFFER")
    )
    bench.notes += [f"    {line}" for line in result.differences[:10]]


PART_1: list[Callable[[Bench], None]] = [measure_skdn, measure_campaign]
PART_2: list[Callable[[Bench], None]] = [
    measure_prevalence_selectors,
    measure_prevalence_command,
    measure_prevalence_children,
    measure_dashboards,
]
MEASUREMENTS: dict[str, list[Callable[[Bench], None]]] = {
    "1": PART_1,
    "2": PART_2,
    "saves": [measure_visit_saves],
}
"""Run in this order on one city, after the /healthz baseline (``--parts``); the
visit saves last, since they write."""


# --- the run -----------------------------------------------------------------------


def build(args: argparse.Namespace) -> Any:
    from django.core.management import call_command

    import _bigcity

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    say(f"migrate: {time.perf_counter() - started:.1f} s")
    if args.reuse:
        city = _bigcity.load_city()
        say(f"reusing the city in {args.reuse} (built by an earlier run)")
    else:
        say(
            f"building the city: {args.children:,} children, {args.posyandu:,} Posyandu, "
            f"{args.months} months of visits"
        )
        started = time.perf_counter()
        city = _bigcity.build_city(
            children=args.children,
            posyandu=args.posyandu,
            months=args.months,
            seed=args.seed,
            live_order=not args.bulk_order,
            say=say,
        )
        total = time.perf_counter() - started
        say(f"city built in {total:.0f} s ({total / 60:.1f} min)")
        for name, seconds in city.timings.laps.items():
            say(f"  {name:<24} {seconds:8.1f} s")
    args.children, args.posyandu = city.rows["children"], city.rows["posyandu"]
    say(f"database size {_bigcity.database_size() / 2**30:.1f} GiB; rows:")
    for name, count in city.rows.items():
        say(f"  {name:<24} {count:>12,}")
    say(f"visit months {city.periods[0]:%Y-%m} .. {city.periods[-1]:%Y-%m}; today {city.today}")
    return city


def check(args: argparse.Namespace, city: Any) -> None:
    import _bigcity
    from posyandu.reports import aggregates

    say("checking the aggregates:")
    problems = _bigcity.check_totals(city)
    say(
        "  whole tables against the visits and the register (measured, D, N+T+O+B, S; "
        "prevalence cells' measured and zn): " + ("equal" if not problems else "; ".join(problems))
    )
    rng = random.Random(args.seed)
    all_posyandu = [int(p) for p in city.posyandu_pks]
    if args.check_all:
        sample, special = all_posyandu, city.special_posyandu
    else:
        special = rng.sample(city.special_posyandu, min(5, len(city.special_posyandu)))
        rest = [p for p in all_posyandu if p not in set(special)]
        sample = special + rng.sample(rest, min(len(rest), max(0, args.check_posyandu - 5)))
    result = _bigcity.check_aggregates(sample)
    say(
        f"  {result.posyandu} Posyandu ({'all' if args.check_all else 'random'}, {len(special)} "
        f"with moves or children who left): {result.rows:,} Posyandu-months, "
        f"{result.counts_compared:,} non-zero counts ({result.prevalence_compared:,} of them "
        f"in prevalence cells) from computed_counts() of {result.children:,} related children: "
        + ("equal" if result.ok else f"{len(result.differences)} rows DIFFER")
        + f" ({result.seconds:.1f} s)"
    )
    for line in result.differences[:10]:
        say(f"    {line}")
    if args.reference_rebuild:
        ours = aggregates.stored_counts()
        started = time.perf_counter()
        rows = aggregates.rebuild()
        seconds = time.perf_counter() - started
        same = aggregates.stored_counts() == ours
        say(
            f"  reference rebuild(): {rows:,} rows in {seconds:.1f} s "
            f"({seconds / args.children * 1e4:.1f} s per 10,000 children); "
            f"whole table {'equal' if same else 'DIFFERENT'} to ours"
        )


def open_city_campaign(city: Any, reuse: bool) -> tuple[Any, Any]:
    from django.db import connection

    from posyandu.areas.hierarchy import find_area
    from posyandu.campaigns.models import Campaign, CampaignTarget
    from posyandu.campaigns.services import open_campaign

    area = find_area(city.kota_code)
    starts_on = city.report_period
    ends_on = (starts_on.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(1)
    earlier = Campaign.objects.filter(area_level=area.level, area_id=area.pk, starts_on=starts_on)
    if reuse and earlier.exists():
        campaign = earlier.latest("pk")
        count = CampaignTarget.objects.filter(campaign=campaign).count()
        say(f"reusing campaign {campaign.pk} ({campaign}): {count:,} targets")
        return area, campaign
    started = time.perf_counter()
    campaign = open_campaign(
        user=None,
        name=f"Operasi Timbang {starts_on:%B %Y} (benchmark)",
        area=area,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    seconds = time.perf_counter() - started
    targets = CampaignTarget.objects.filter(campaign=campaign)
    count = targets.count()
    measured = targets.filter(measured_on__isnull=False).count()
    say(
        f"open_campaign over the kota, {starts_on:%d/%m/%Y}-{ends_on:%d/%m/%Y}: {seconds:.1f} s, "
        f"{count:,} targets ({measured:,} already measured in the window)"
    )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {CampaignTarget._meta.db_table}")
    seconds = time.perf_counter() - started
    say(f"  VACUUM ANALYZE of the targets (autovacuum's job): {seconds:.1f} s")
    return area, campaign


def run(args: argparse.Namespace) -> None:
    from django.test import Client

    from posyandu.accounts.models import Role, User
    from posyandu.areas.hierarchy import find_area

    city = build(args)
    check(args, city)
    area, campaign = open_city_campaign(city, bool(args.reuse))
    if args.build_only:
        return
    dinkes, _new = User.objects.update_or_create(
        username="bench-dinkes", defaults={"role": Role.DINKES, "kota_id": city.kota_pk}
    )
    admin, _new = User.objects.update_or_create(
        username="bench-admin", defaults={"role": Role.ADMIN}
    )
    puskesmas = puskesmas_with_most_balita(city)
    puskesmas_user, _new = User.objects.update_or_create(
        username="bench-puskesmas", defaults={"role": Role.PUSKESMAS, "puskesmas": puskesmas}
    )
    for user in (dinkes, admin, puskesmas_user):
        user.set_unusable_password()
        user.save()
    client = Client()
    client.force_login(dinkes)
    bench = Bench(args, city, area, dinkes, admin, client, campaign)
    bench.puskesmas_user, bench.puskesmas_area = puskesmas_user, find_area(puskesmas.code)
    say(
        f"Puskesmas measured: {puskesmas.code} ({puskesmas.name}), the one with the most balita: "
        f"{puskesmas.posyandu_set.count()} Posyandu"
    )
    say(
        f"measuring (wall-clock; each read {args.repeat} runs after a warm-up; "
        f"load average {load_average()}):"
    )
    shown = 0
    chosen = [measure_baseline]
    for part in args.parts.split(","):
        chosen += MEASUREMENTS[part]
    for measurement in chosen:
        try:
            measurement(bench)
        except Exception as exc:  # one broken page must not hide the others' figures
            say(f"  {measurement.__name__} failed: {type(exc).__name__}: {exc}")
        for timing in bench.timings[shown:]:
            say(timing.line())
        shown = len(bench.timings)
        for line in bench.notes:
            say(line)
        bench.notes.clear()
    say(f"load average at the end {load_average()} (on {os.cpu_count()} cores)")
    say(
        f"targets ({args.children:,} children, {args.posyandu:,} Posyandu; "
        "pages and selectors by their median):"
    )
    for target in bench.targets:
        say(target.line())


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--children", type=int, default=1_000_000)
    parser.add_argument(
        "--posyandu", type=int, default=None, help="default: one per 100 children (10,000)"
    )
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each read")
    parser.add_argument("--writes", type=int, default=300, help="visit saves of each kind")
    parser.add_argument("--write-block", type=int, default=25, help="saves per alternating block")
    parser.add_argument("--check-posyandu", type=int, default=25)
    parser.add_argument("--check-all", action="store_true", help="check every Posyandu")
    parser.add_argument(
        "--reference-rebuild", action="store_true", help="also time rebuild() (small runs)"
    )
    parser.add_argument(
        "--wait-pages",
        type=float,
        default=10.0,
        help="minutes to wait in all for pages not yet written (campaign, dashboard, lists)",
    )
    parser.add_argument(
        "--parts",
        default="1,2,saves",
        help="what to measure, in order: 1 (SKDN, campaign), 2 (prevalence, dashboards), "
        "saves (visit saves); default 1,2,saves",
    )
    parser.add_argument(
        "--prevalence-months",
        type=int,
        default=12,
        help="also time report prevalence over this many months once (1: not)",
    )
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE slowest queries")
    parser.add_argument("--profile", action="store_true", help="cProfile each read once")
    parser.add_argument(
        "--bulk-order",
        action="store_true",
        help="leave the visits and prevalence cells in the child-by-child order COPY "
        "wrote them (as after a bulk import), not laid out by date as a running system "
        "writes them",
    )
    parser.add_argument("--seed", type=int, default=3171)
    parser.add_argument("--server", default=SERVER, help="PostgreSQL, without a database name")
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    parser.add_argument(
        "--build-only",
        action="store_true",
        help="build and check the city and open the campaign, measure nothing "
        "(with --keep, for a later --reuse run that only measures)",
    )
    parser.add_argument(
        "--reuse", metavar="DATABASE", help="measure on a database an earlier --keep run left"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.posyandu is None:
        args.posyandu = max(1, round(args.children / 100))
    name = args.reuse or f"posyandu_bench_{os.getpid()}"
    if not args.reuse:
        create_database(args.server, name)
    say(f"database {name} on {args.server}")
    try:
        with tempfile.TemporaryDirectory(prefix="posyandu-bench-static-") as static_root:
            set_up_django(f"{args.server}/{name}", static_root)
            run(args)
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if args.keep or args.reuse:
            say(f"kept: DATABASE_URL={args.server}/{name}")
        else:
            drop_database(args.server, name)
            say(f"dropped database {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
