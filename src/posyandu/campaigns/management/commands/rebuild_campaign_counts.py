from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from posyandu.campaigns.counts import rebuild
from posyandu.campaigns.models import Campaign


class Command(BaseCommand):
    help = "Count the Operasi Timbang counts per Posyandu again from the campaigns' targets."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--campaign", type=int, help="only this campaign (its id)")

    def handle(self, *args: Any, **options: Any) -> None:
        campaign_ids = None
        if options["campaign"] is not None:
            if not Campaign.objects.filter(pk=options["campaign"]).exists():
                raise CommandError(f"no campaign with id {options['campaign']}")
            campaign_ids = [options["campaign"]]
        started = time.perf_counter()
        rows = rebuild(campaign_ids)
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"{rows} baris jumlah operasi timbang dibangun ulang dalam {seconds:.1f} s."
        )
