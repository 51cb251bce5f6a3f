from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from posyandu.children.models import Child
from posyandu.core.settings_store import current_kbm_version
from posyandu.measurements.services import refresh_weight_gain


class Command(BaseCommand):
    help = "Recompute N/T/O/B and 2T of every visit with the KBM table in force."

    def handle(self, *args: Any, **options: Any) -> None:
        version = current_kbm_version()
        with_visits = Child.objects.filter(visits__isnull=False).distinct()
        ids = list(with_visits.values_list("pk", flat=True))
        for start in range(0, len(ids), 500):
            with transaction.atomic():
                for child in Child.objects.filter(pk__in=ids[start : start + 500]):
                    refresh_weight_gain(child, kbm_version=version)
            self.stdout.write(f"{min(start + 500, len(ids))}/{len(ids)} anak", ending="\r")
        self.stdout.write(f"\nStatus N/T dihitung ulang dengan tabel KBM {version}.")
