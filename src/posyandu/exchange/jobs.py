"""Web imports: check the uploaded file (a dry run), then import it on confirmation.

A large file takes a while, so each step runs in a thread of the server
process (``POSYANDU_IMPORT_IN_BACKGROUND``, on by default) while the page
polls its progress. Progress goes to a small file beside the server, not to
the database: the import holds its transaction (and, on SQLite, the write
lock) until it is done, and any server process may answer the poll.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import logging
import os
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Final

from django.conf import settings
from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from posyandu.accounts.models import User
from posyandu.accounts.scope import Scope
from posyandu.areas.models import Posyandu
from posyandu.core.ui import format_date
from posyandu.exchange.importer import ImportResult, import_eppgbm
from posyandu.exchange.models import ImportJob, JobStatus
from posyandu.exchange.tables import UnusableFile

log = logging.getLogger(__name__)

SHOWN_BAD_LINES: Final = 1000
"""Bad lines kept for the page; the report file has every line."""
SHOWN_NOTES: Final = 200
"""Notes on good lines (NIK warnings, values not used) kept for the page."""
SHOWN_NEW_CHILDREN: Final = 100
"""Children to be created listed on the page (the counts say how many in all)."""
STALLED_AFTER_S: Final = 900
"""A running job with no progress for this long was cut off (the server stopped)."""
PROGRESS_EVERY_S: Final = 0.3


def _progress_dir() -> Path:
    folder = Path(getattr(settings, "POSYANDU_IMPORT_PROGRESS_DIR", "") or tempfile.gettempdir())
    path = folder / "posyandu-imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _progress_file(job_id: int) -> Path:
    return _progress_dir() / f"{job_id}.json"


def read_progress(job_id: int) -> dict[str, Any] | None:
    """{"stage", "done", "total", "at"} of a running job, or None."""
    try:
        return json.loads(_progress_file(job_id).read_text())  # type: ignore[no-any-return]
    except (OSError, ValueError):
        return None


class _Progress:
    def __init__(self, job_id: int) -> None:
        self.path = _progress_file(job_id)
        self.last = 0.0
        self("start", 0, 0)

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_EVERY_S and not (total and done == total):
            return
        self.last = now
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(
            json.dumps({"stage": stage, "done": done, "total": total, "at": time.time()})
        )
        os.replace(temporary, self.path)

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


def submit(*, user: User, file_name: str, data: bytes) -> ImportJob:
    """Store an uploaded file and start checking it."""
    job = ImportJob.objects.create(
        user=user,
        file_name=file_name[:200],
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        data=data,
    )
    _start(job.pk, dry_run=True)
    return job


def confirm(job: ImportJob) -> bool:
    """Start importing a checked file; False if it is not (or no longer) waiting."""
    started = ImportJob.objects.filter(pk=job.pk, status=JobStatus.CHECKED).update(
        status=JobStatus.IMPORTING, finished_at=None
    )
    if started:
        _start(job.pk, dry_run=False)
    return bool(started)


def mark_stalled(job: ImportJob) -> ImportJob:
    """A job still 'running' long after its last progress was cut off by a restart."""
    if not job.running:
        return job
    progress = read_progress(job.pk)
    last = progress["at"] if progress else job.created_at.timestamp()
    if time.time() - last > STALLED_AFTER_S:
        ImportJob.objects.filter(pk=job.pk, status=job.status).update(
            status=JobStatus.FAILED,
            message=_("Pemeriksaan terputus (server dimulai ulang). Unggah berkasnya lagi."),
            data=None,
            finished_at=timezone.now(),
        )
        job.refresh_from_db()
    return job


def _start(job_id: int, *, dry_run: bool) -> None:
    language = translation.get_language() or settings.LANGUAGE_CODE
    if getattr(settings, "POSYANDU_IMPORT_IN_BACKGROUND", True):
        thread = threading.Thread(
            target=_run_in_thread, args=(job_id, dry_run, language), daemon=True
        )
        thread.start()
    else:
        _run(job_id, dry_run, language)


def _run_in_thread(job_id: int, dry_run: bool, language: str) -> None:
    try:
        _run(job_id, dry_run, language)
    finally:
        connection.close()


def _run(job_id: int, dry_run: bool, language: str) -> None:
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    progress = _Progress(job_id)
    updates: dict[str, Any] = {"finished_at": timezone.now()}
    try:
        with translation.override(language):
            result = import_eppgbm(
                data=bytes(job.data or b""),
                file_name=job.file_name,
                scope=Scope.of(job.user),
                user=job.user,
                dry_run=dry_run,
                progress=progress,
            )
    except UnusableFile as exc:
        updates.update(status=JobStatus.UNUSABLE, message=str(exc)[:300], data=None)
    except Exception:
        log.exception("e-PPGBM import %s failed", job_id)
        updates.update(
            status=JobStatus.FAILED,
            message=_("Terjadi kesalahan di server; tidak ada yang diimpor. Hubungi admin."),
            data=None,
        )
    else:
        try:
            updates.update(_outcome(result, dry_run))
        finally:
            result.close()
    finally:
        progress.remove()
    updates["finished_at"] = timezone.now()
    ImportJob.objects.filter(pk=job_id).update(**updates)


def _outcome(result: ImportResult, dry_run: bool) -> dict[str, Any]:
    report = io.StringIO()
    result.write_report(report)
    counts = result.counts
    shown = itertools.islice(result.bad_lines, SHOWN_BAD_LINES)
    values: dict[str, Any] = {
        "counts": counts,
        "bad_lines": [[line.number, "; ".join(line.errors)] for line in shown],
        "notes": [
            [line.number, "; ".join(line.notes)]
            for line in itertools.islice(result.noted_lines, SHOWN_NOTES)
        ],
        "new_children": _new_children(result),
        "report": report.getvalue(),
        "message": "",
    }
    if counts["errors"]:
        values.update(status=JobStatus.REJECTED, data=None)
    elif dry_run:
        values.update(status=JobStatus.CHECKED)
    else:
        values.update(status=JobStatus.IMPORTED, data=None)
    return values


def _new_children(result: ImportResult) -> list[list[str]]:
    children = result.new_children(SHOWN_NEW_CHILDREN)
    names = dict(
        Posyandu.objects.filter(pk__in={p for _n, _b, p in children}).values_list("pk", "name")
    )
    return [[name, format_date(birth), names.get(p, "")] for name, birth, p in children]
