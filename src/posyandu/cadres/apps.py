from django.apps import AppConfig


class CadresConfig(AppConfig):
    name = "posyandu.cadres"
    label = "cadres"
    verbose_name = "Kader"
