from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "posyandu.core"
    label = "core"
    verbose_name = "Posyandu"
