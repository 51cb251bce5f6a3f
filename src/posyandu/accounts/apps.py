from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "posyandu.accounts"
    verbose_name = _("Akun dan peran")
    label = "accounts"
