"""``manage.py import_areas FILE.csv``: load kota ... Posyandu, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from posyandu.areas.importer import import_areas


class Command(BaseCommand):
    help = (
        "Import areas from CSV (columns level,code,name,parent_code[,kelurahan_codes]"
        "[,puskesmas_code]). Nothing is saved if any line is bad."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file without saving anything"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: file not found")
        report = import_areas(path.read_bytes(), dry_run=options["dry_run"])
        if not report.ok:
            for error in report.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(report.errors)} bad line(s) in {path}; nothing was imported.")
        prefix = "dry run, nothing saved: " if options["dry_run"] else ""
        self.stdout.write(self.style.SUCCESS(prefix + report.summary()))
