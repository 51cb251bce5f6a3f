from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from posyandu.measurements.services import recompute_weight_gain


class Command(BaseCommand):
    help = (
        "Recompute N/T/O/B and 2T of every visit (or of children with visits from --since), "
        "each visit by the rules in force on its date."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", help="YYYY-MM-DD: only children with visits from then")

    def handle(self, *args: Any, **options: Any) -> None:
        since = None
        if options["since"]:
            try:
                since = dt.date.fromisoformat(options["since"])
            except ValueError:
                raise CommandError(f"--since {options['since']!r} is not YYYY-MM-DD") from None
        with transaction.atomic():
            changed = recompute_weight_gain(since=since)
        self.stdout.write(f"Status N/T dihitung ulang: {changed} kunjungan berubah.")
