from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "posyandu.reports"
    label = "reports"
    verbose_name = "Laporan"

    def ready(self) -> None:
        from posyandu.children.signals import visits_recomputed, watch_child_writes
        from posyandu.reports import aggregates

        watch_child_writes(aggregates.follow_child_write, many=aggregates.follow_children_write)
        visits_recomputed.connect(
            aggregates.rebuild_after_recompute, dispatch_uid="reports.rebuild_after_recompute"
        )
