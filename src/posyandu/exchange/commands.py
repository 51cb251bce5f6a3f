"""``posyandu import eppgbm FILE [--dry-run] [--report REPORT.csv]``.

Exit status 0 when the file was imported (or a dry run found no bad line),
1 when a line is bad (nothing imported), 2 when the file cannot be used at
all: one line on standard error, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def import_eppgbm(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "posyandu.config.settings")
    import django

    django.setup()
    from django.utils import translation

    from posyandu.accounts.scope import Scope
    from posyandu.exchange.importer import import_eppgbm as run_import
    from posyandu.exchange.tables import UnusableFile

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        print(f"posyandu import: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    last_stage = [""]

    def progress(stage: str, done: int, total: int) -> None:
        if stage != last_stage[0] or (total and done == total):
            last_stage[0] = stage
            print(f"  {stage}: {done}" + (f"/{total}" if total else ""), file=sys.stderr)

    report = None
    if args.report:
        # Opened before the import: a report that cannot be written must not
        # leave an import done behind an exit status that says "unusable".
        try:
            report = open(args.report, "w", newline="", encoding="utf-8")  # noqa: SIM115
        except OSError as exc:
            print(f"posyandu import: cannot write {args.report}: {exc.strerror}", file=sys.stderr)
            return 2
    with translation.override("id"):
        try:
            result = run_import(
                data=data,
                file_name=path.name,
                scope=Scope.for_command_line(),
                user=None,
                dry_run=args.dry_run,
                progress=progress,
            )
        except UnusableFile as exc:
            print(f"posyandu import: {args.file}: {exc}", file=sys.stderr)
            if report is not None:
                report.close()
            return 2
        try:
            if report is not None:
                with report:
                    result.write_report(report)
            for line in result.bad_lines:
                print(f"line {line.number}: {'; '.join(line.errors)}", file=sys.stderr)
            counts = result.counts
        finally:
            result.close()
    summary = ", ".join(f"{name} {value}" for name, value in counts.items())
    if counts["errors"]:
        print(f"{counts['errors']} bad lines: nothing imported ({summary})")
        return 1
    verb = "dry run, nothing written" if args.dry_run else "imported"
    print(f"{verb}: {summary}")
    return 0


def add_import_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``import eppgbm`` to the ``posyandu`` parser (handlers set by the caller)."""
    imports = commands.add_parser("import", help="import files from other systems")
    sub = imports.add_subparsers(dest="what", required=True)
    eppgbm = sub.add_parser(
        "eppgbm",
        help="an e-PPGBM by-name file or a spreadsheet in its layout (.xlsx, .xls, .csv)",
        description="Import children and measurements from an e-PPGBM download or a "
        "spreadsheet in its layout. Every bad line is reported with its line number as Excel "
        "shows it, and if any line is bad nothing is imported.",
    )
    eppgbm.add_argument("file", metavar="FILE")
    eppgbm.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    eppgbm.add_argument(
        "--report",
        metavar="REPORT.csv",
        help="write one row per line: line, outcome, child_id, reason",
    )
    eppgbm.set_defaults(handler=import_eppgbm)
