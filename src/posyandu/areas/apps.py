from django.apps import AppConfig


class AreasConfig(AppConfig):
    name = "posyandu.areas"
    label = "areas"
