from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AreasConfig(AppConfig):
    name = "posyandu.areas"
    verbose_name = _("Wilayah dan fasilitas")
    label = "areas"
