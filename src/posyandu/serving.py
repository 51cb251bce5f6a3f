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
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

# Worker threads run Django requests. Python runs one at a time (the GIL), so
# more threads add no throughput on CPU-bound pages (4, 8 and 16 gave the same
# in benchmarks/load_entry.py); a few let a slow request (an Argon2 login,
# ~0.2 s) leave others running. Not more: each thread may keep a database
# connection and, while it logs someone in, Argon2's 100 MiB of memory.
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


def serve(application: Any, *, host: str, port: int) -> None:
    """Serve ``application`` on ``host:port`` until interrupted."""
    from waitress import serve as waitress_serve

    open_files = raise_open_file_limit(CONNECTION_LIMIT + RESERVED_FILES)
    options = server_settings(open_files).waitress_options()
    waitress_serve(application, host=host, port=port, **options)
