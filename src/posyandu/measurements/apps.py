from django.apps import AppConfig


class MeasurementsConfig(AppConfig):
    name = "posyandu.measurements"
    label = "measurements"

    def ready(self) -> None:
        from posyandu.children.signals import child_identity_changed
        from posyandu.measurements.services import reassess_on_identity_change

        child_identity_changed.connect(
            reassess_on_identity_change, dispatch_uid="measurements.reassess_child"
        )
