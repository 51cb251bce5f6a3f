from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeasurementsConfig(AppConfig):
    name = "posyandu.measurements"
    verbose_name = _("Penimbangan")
    label = "measurements"

    def ready(self) -> None:
        from posyandu.children.signals import child_identity_changed
        from posyandu.measurements.services import reassess_on_identity_change

        child_identity_changed.connect(
            reassess_on_identity_change, dispatch_uid="measurements.reassess_child"
        )
