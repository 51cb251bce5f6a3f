from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "posyandu.exchange"
    label = "exchange"
    verbose_name = "Pertukaran data (e-PPGBM)"
