from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "posyandu.accounts"
    label = "accounts"
