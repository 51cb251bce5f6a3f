"""How ``posyandu serve`` and ``posyandu demo`` serve: waitress, set up not to stall.

waitress answers from one event loop that holds every open connection, and
hands a request to a worker thread only once it has fully arrived, so an
idle connection costs a file descriptor, not a thread. Its defaults stall
anyway: past ``connection_limit=100`` open connections it stops accepting,
and an idle one is closed only after ``channel_timeout=120`` s, so a
hundred idle phones (or one careless script) lock every new client out for
two minutes or more; behind 500 idle connections a new client had no answer
after 300 s (measured: each hundred waits out its own two minutes). Here:

- the limit is 4,000 connections, bounded by the process' open-file limit
  (raised towards its hard limit first), keeping descriptors in reserve for
  the database, templates and static files. Not more: waitress walks every
  open connection on each turn of its loop, about 10 ms at 3,000;
- ``poll()`` instead of ``select()``, which cannot watch a descriptor
  numbered 1024 or more;
- a connection with no request in progress is closed after 30 s of silence
  (checked every 5 s), so that even past the limit a new client waits
  seconds, not minutes. A request being worked on is never cut (waitress
  only times out connections with no request queued), nor a response the
  client is still reading (every byte sent counts as activity); a slow
  2G phone sends and reads far more often than every 30 s.

One process runs Python on one core at a time (the GIL). ``workers`` above
one forks that many waitress processes after binding one listening socket,
which they all accept from: a busy process comes back to ``accept`` later,
so new connections go mostly to the idle one. Each keeps the settings above
(its own connection limit, threads and idle timeout). The parent only starts
them, starts a new one when one dies, and stops them all on SIGTERM/SIGINT.
On SQLite every process writes the same file: WAL mode, ``BEGIN IMMEDIATE``
and a busy timeout (``config/settings.py``) make a writer wait its turn,
never lose a write.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType
from typing import Any, Final

# Worker threads run Django requests. Python runs one at a time (the GIL), so
# more threads add no throughput on CPU-bound pages (4, 8 and 16 gave the same
# in benchmarks/load_entry.py); a few let a slow request (a large register)
# leave others running. Not more: each thread may keep a database connection
# and, while it logs someone in, Argon2's 19 MiB of memory. More throughput
# comes from more processes (``workers``), one per core.
THREADS: Final = 8
CONNECTION_LIMIT: Final = 4000
IDLE_TIMEOUT_S: Final = 30
CLEANUP_INTERVAL_S: Final = 5
# Descriptors kept for everything but client connections: the listening
# sockets, waitress' trigger pipe, one database connection per thread,
# SQLite's WAL files, templates, static files, logs.
RESERVED_FILES: Final = 100
# Never fewer than waitress' own default, however low the open-file limit.
MIN_CONNECTION_LIMIT: Final = 100
# Pending connections the kernel queues for accept(), waitress' default.
LISTEN_BACKLOG: Final = 1024
# A worker that dies sooner than this after its start is not restarted: it
# would only die again (a broken database, a bad setting), in a tight loop.
MIN_WORKER_LIFE_S: Final = 5
# How long the parent lets its workers finish on SIGTERM before killing them.
STOP_GRACE_S: Final = 10


@dataclass(frozen=True)
class ServerSettings:
    threads: int
    connection_limit: int
    idle_timeout_s: int
    cleanup_interval_s: int

    def waitress_options(self) -> dict[str, Any]:
        return {
            "threads": self.threads,
            "connection_limit": self.connection_limit,
            "channel_timeout": self.idle_timeout_s,
            "cleanup_interval": self.cleanup_interval_s,
            "asyncore_use_poll": True,
            "ident": "posyandu",
        }


def server_settings(open_files: int | None) -> ServerSettings:
    """The settings for a process that may open ``open_files`` files (None: no limit)."""
    limit = CONNECTION_LIMIT
    if open_files is not None:
        limit = max(MIN_CONNECTION_LIMIT, min(limit, open_files - RESERVED_FILES))
    return ServerSettings(
        threads=THREADS,
        connection_limit=limit,
        idle_timeout_s=IDLE_TIMEOUT_S,
        cleanup_interval_s=CLEANUP_INTERVAL_S,
    )


def raise_open_file_limit(wanted: int) -> int | None:
    """Raise this process' soft open-file limit towards ``wanted``; return the limit.

    Many systems start processes at a soft limit of 1024 with a far higher
    hard limit, which any process may raise itself to. None where there is
    no such limit (Windows).
    """
    try:
        import resource
    except ImportError:
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return None
    if soft < wanted:
        new_soft = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (new_soft, hard))
        except (ValueError, OSError):
            return soft
        soft = new_soft
    return int(soft)


def worker_count(text: str) -> int:
    """``--workers``: a whole number of processes, at least one."""
    try:
        count = int(text)
    except ValueError:
        count = 0
    if count < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of processes (1 or more)")
    if count > 1 and not hasattr(os, "fork"):
        raise argparse.ArgumentTypeError("more than one worker needs fork() (Linux, macOS)")
    return count


def serve(application: Any, *, host: str, port: int, workers: int = 1) -> None:
    """Serve ``application`` on ``host:port`` in ``workers`` processes until interrupted."""
    from waitress import serve as waitress_serve

    open_files = raise_open_file_limit(CONNECTION_LIMIT + RESERVED_FILES)
    options = server_settings(open_files).waitress_options()
    if workers == 1:
        waitress_serve(application, host=host, port=port, **options)
        return
    listener = _listening_socket(host, port)
    # A database connection opened before the fork (the migration check)
    # must not be shared by the workers.
    from django.db import connections

    connections.close_all()
    Workers(lambda: _run_worker(application, listener, options), workers).run()


def _listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        listener.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    listener.bind((host, port))
    listener.listen(LISTEN_BACKLOG)
    return listener


def _run_worker(application: Any, listener: socket.socket, options: dict[str, Any]) -> None:
    from waitress.server import create_server

    create_server(application, sockets=[listener], **options).run()


class _StopRequested(Exception):
    pass


class Workers:
    """Forked copies of ``work``, kept at ``count`` until SIGTERM or SIGINT."""

    def __init__(self, work: Callable[[], None], count: int) -> None:
        self.work = work
        self.count = count
        self.started: dict[int, float] = {}

    def run(self) -> None:
        previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            for _ in range(self.count):
                self._start_one()
            self._watch()
        except _StopRequested:
            raise KeyboardInterrupt from None
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self._stop_all()

    def _watch(self) -> None:
        while self.started:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                return
            born = self.started.pop(pid, None)
            if born is None:
                continue
            code = os.waitstatus_to_exitcode(status)
            if time.monotonic() - born < MIN_WORKER_LIFE_S:
                print(
                    f"posyandu: worker {pid} stopped at once ({code}); stopping all",
                    file=sys.stderr,
                    flush=True,
                )
                raise SystemExit(1)
            print(f"posyandu: worker {pid} stopped ({code}); starting another", flush=True)
            self._start_one()

    def _start_one(self) -> None:
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                for sig in (signal.SIGTERM, signal.SIGINT):
                    signal.signal(sig, signal.SIG_DFL)
                self.work()
            except BaseException:
                code = 1
            finally:
                # Never return into the parent's code (its finally blocks, atexit).
                os._exit(code)
        self.started[pid] = time.monotonic()

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        # Raised, not flagged: os.wait() would resume after the handler (PEP 475).
        raise _StopRequested

    def _stop_all(self) -> None:
        for pid in self.started:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_S
        while self.started and time.monotonic() < deadline:
            for pid in list(self.started):
                try:
                    done, _status = os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    done = pid
                if done:
                    del self.started[pid]
            time.sleep(0.05)
        for pid in self.started:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
        self.started.clear()
