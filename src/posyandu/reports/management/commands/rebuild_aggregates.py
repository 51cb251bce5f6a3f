from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from posyandu.areas.hierarchy import UnknownArea, find_area, posyandu_of
from posyandu.reports.aggregates import rebuild


class Command(BaseCommand):
    help = "Rebuild the monthly aggregates per Posyandu from the registry and the visits."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--area", help="only the Posyandu of this area (its code)")

    def handle(self, *args: Any, **options: Any) -> None:
        posyandu_ids = None
        if options["area"]:
            try:
                area = find_area(options["area"])
            except UnknownArea as exc:
                raise CommandError(str(exc)) from None
            posyandu_ids = list(posyandu_of(area).values_list("pk", flat=True))
        started = time.perf_counter()
        rows = rebuild(
            posyandu_ids=posyandu_ids,
            say=lambda text: self.stdout.write(f"  {text} anak", ending="\r"),
        )
        seconds = time.perf_counter() - started
        self.stdout.write(f"\n{rows} baris agregat bulanan dibangun ulang dalam {seconds:.1f} s.")
