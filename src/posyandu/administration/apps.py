from django.apps import AppConfig


class AdministrationConfig(AppConfig):
    name = "posyandu.administration"
    label = "administration"
    verbose_name = "Administrasi"
