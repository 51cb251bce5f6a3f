"""The ``posyandu`` command: ``zscore``, ``demo``, ``serve``, ``campaign``, ``export``,
``report``, ``manage``."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Final

DEFAULT_HOST: Final = "127.0.0.1"
DEFAULT_PORT: Final = 8000
DEMO_KEY_NAME: Final = "posyandu-demo.key"


def _zscore(args: argparse.Namespace) -> int:
    from posyandu.zscore_csv import run

    return run(args.input, args.output)


def _setup_django(host: str | None = None) -> None:
    """Point Django at the project settings, letting it answer on ``host``.

    Runs before anything reads the settings.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "posyandu.config.settings")
    if host and "POSYANDU_ALLOWED_HOSTS" not in os.environ:
        local = {"127.0.0.1", "localhost"}
        # On every interface, phones on the clinic's Wi-Fi use the laptop's
        # address, which cannot be known here.
        wanted = ["*"] if host in ("0.0.0.0", "::") else sorted(local | {host})
        os.environ["POSYANDU_ALLOWED_HOSTS"] = ",".join(wanted)
    import django

    django.setup()


def _secret_key_problem(*, public_key_even_in_debug: bool = False) -> str | None:
    """Why the configured SECRET_KEY must not serve requests (after ``_setup_django``).

    ``public_key_even_in_debug``: refuse the built-in key with DEBUG on too.
    A debug server is still reachable by others (``--host 0.0.0.0``), and
    whoever knows the key, which is in the source, can forge its sessions.
    """
    from django.conf import settings

    from posyandu.config.settings import INSECURE_DEFAULT_SECRET_KEY, secret_key_problem

    if public_key_even_in_debug and settings.SECRET_KEY == INSECURE_DEFAULT_SECRET_KEY:
        return secret_key_problem(settings.SECRET_KEY, debug=False)
    return secret_key_problem(settings.SECRET_KEY, debug=settings.DEBUG)


def demo_secret_key(directory: Path) -> str:
    """The demo's own SECRET_KEY, kept in ``directory`` so sessions survive restarts.

    Created on first use, readable by its owner only.
    """
    import secrets

    path = directory / DEMO_KEY_NAME
    try:
        # O_EXCL: two demos started together must not overwrite each other's key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    key = secrets.token_urlsafe(50)
    with os.fdopen(fd, "w", encoding="ascii") as file:
        file.write(key + "\n")
    return key


def _unapplied_migrations() -> list[str]:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def _serve_forever(host: str, port: int, workers: int = 1) -> None:
    from posyandu.config.wsgi import application
    from posyandu.serving import serve

    try:
        serve(application, host=host, port=port, workers=workers)
    except KeyboardInterrupt:
        print("\nposyandu: stopped.", flush=True)


def _url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    return f"http://{shown}:{port}/"


def _port_problem(host: str, port: int) -> str | None:
    """Why the server could not listen on ``host:port`` (checked before any set-up)."""
    import socket

    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        return (
            f"cannot listen on {host}:{port} ({exc.strerror}); "
            f"another program uses it: choose another port with --port, e.g. --port {port + 1}"
        )
    return None


def _demo(args: argparse.Namespace) -> int:
    import time

    started = time.perf_counter()
    if not args.no_serve:
        problem = _port_problem(args.host, args.port)
        if problem:
            print(f"posyandu demo: {problem}", file=sys.stderr)
            return 2
    # The demo needs no configuration, yet serves with a key nobody else knows.
    key_from_file = "POSYANDU_SECRET_KEY" not in os.environ
    if key_from_file:
        os.environ["POSYANDU_SECRET_KEY"] = demo_secret_key(Path.cwd())
    _setup_django(args.host)
    problem = _secret_key_problem()
    if problem:
        hint = f" (or delete {DEMO_KEY_NAME} to get a new one)" if key_from_file else ""
        print(f"posyandu demo: {problem}{hint}", file=sys.stderr)
        return 2
    from django.core.management import call_command

    from posyandu.demo.generator import NotADemoDatabase
    from posyandu.demo.setup import format_summary, setup_demo

    try:
        summary = setup_demo(children=args.children, seed=args.seed, directory=Path.cwd())
    except NotADemoDatabase as exc:
        print(f"posyandu demo: {exc}", file=sys.stderr)
        return 2
    t = time.perf_counter()
    # Whitenoise serves the compressed copies from here, quietly.
    call_command("collectstatic", interactive=False, verbosity=0)
    summary.timings_s["collectstatic"] = time.perf_counter() - t
    summary.timings_s["total"] = time.perf_counter() - started
    url = None if args.no_serve else _url(args.host, args.port)
    print(format_summary(summary, url), flush=True)
    if args.timings:
        for name, seconds in summary.timings_s.items():
            print(f"    {name:<32} {seconds:6.2f} s")
    if args.no_serve:
        return 0
    _serve_forever(args.host, args.port)
    return 0


def _serve(args: argparse.Namespace) -> int:
    port_problem = _port_problem(args.host, args.port)
    if port_problem:
        print(f"posyandu serve: {port_problem}", file=sys.stderr)
        return 2
    # A deployment names its hosts in POSYANDU_ALLOWED_HOSTS; only the demo
    # widens them on its own.
    _setup_django()
    problem = _secret_key_problem(public_key_even_in_debug=True)
    if problem:
        print(f"posyandu serve: {problem}", file=sys.stderr)
        return 2
    if args.migrate:
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=1)
    pending = _unapplied_migrations()
    if pending:
        print(
            f"posyandu serve: the database lacks {len(pending)} migration(s) "
            f"({', '.join(pending[:3])}{', …' if len(pending) > 3 else ''}).\n"
            "Run `posyandu manage migrate` first, or `posyandu serve --migrate`.",
            file=sys.stderr,
        )
        return 2
    print(f"posyandu: serving on {_url(args.host, args.port)}", flush=True)
    _serve_forever(args.host, args.port, args.workers)
    return 0


def _manage(argv: Sequence[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "posyandu.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["posyandu manage", *argv])
    return 0


def build_parser() -> argparse.ArgumentParser:
    from posyandu.serving import worker_count

    parser = argparse.ArgumentParser(
        prog="posyandu",
        description="Child growth monitoring for Posyandu, Puskesmas and Dinas Kesehatan.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    zscore = commands.add_parser(
        "zscore",
        help="compute WHO 2006 z-scores for a CSV file of children",
        description="Read children from a CSV file, write it back with WHO 2006 z-scores, "
        "flags and Permenkes 2/2020 categories appended.",
    )
    zscore.add_argument("input", help="input CSV file, or - for standard input")
    zscore.add_argument("-o", "--output", default="-", help="output CSV file (default: - = stdout)")
    zscore.set_defaults(handler=_zscore)

    demo = commands.add_parser(
        "demo",
        help="create a synthetic city (Bontang) in ./posyandu.sqlite3 and serve it",
        description="Migrate the database (./posyandu.sqlite3, or DATABASE_URL), fill it once "
        "with a synthetic city shaped like Kota Bontang (invented children, fake NIK-shaped "
        "numbers), write the demo logins to ./demo-users.csv and serve the app. Its secret key "
        "is kept in ./posyandu-demo.key unless POSYANDU_SECRET_KEY is set. A second run "
        "reuses the data and the key.",
    )
    demo.add_argument("--host", default=DEFAULT_HOST, help=f"default {DEFAULT_HOST}")
    demo.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}")
    demo.add_argument("--no-serve", action="store_true", help="set up, print the logins, exit")
    demo.add_argument(
        "--children", type=int, default=10_000, help="children to invent (default 10000)"
    )
    demo.add_argument("--seed", type=int, default=6474, help="random seed (default 6474)")
    demo.add_argument("--timings", action="store_true", help="print how long each step took")
    demo.set_defaults(handler=_demo)

    serve = commands.add_parser(
        "serve",
        help="serve the app with waitress on the configured database",
        description="Serve the app with waitress and whitenoise on the database of DATABASE_URL "
        "(or ./posyandu.sqlite3). Refuses to start while migrations are pending, or without "
        "a long random POSYANDU_SECRET_KEY (a short one only with POSYANDU_DEBUG=1, the "
        "public built-in one never).",
    )
    serve.add_argument("--host", default=DEFAULT_HOST, help=f"default {DEFAULT_HOST}")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}")
    serve.add_argument("--migrate", action="store_true", help="apply pending migrations first")
    serve.add_argument(
        "--workers",
        type=worker_count,
        default=1,
        help="server processes, e.g. one per CPU core (default 1)",
    )
    serve.set_defaults(handler=_serve)

    from posyandu.reports.commands import add_commands

    add_commands(commands)

    from posyandu.exchange.commands import add_import_command

    add_import_command(commands)

    commands.add_parser(
        "manage",
        help="Django's manage.py, e.g. `posyandu manage createsuperuser`",
        add_help=False,
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "manage":
        # Everything after "manage" belongs to Django, --help included.
        return _manage(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
