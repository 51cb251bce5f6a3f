from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "posyandu.campaigns"
    label = "campaigns"
    verbose_name = "Operasi Timbang"

    def ready(self) -> None:
        from posyandu.campaigns.services import follow_child_write, follow_children_write
        from posyandu.children.signals import watch_child_writes

        watch_child_writes(follow_child_write, many=follow_children_write)
