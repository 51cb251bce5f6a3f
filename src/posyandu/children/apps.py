from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChildrenConfig(AppConfig):
    name = "posyandu.children"
    verbose_name = _("Registrasi anak")
    label = "children"
