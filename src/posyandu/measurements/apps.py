from django.apps import AppConfig


class MeasurementsConfig(AppConfig):
    name = "posyandu.measurements"
    label = "measurements"
