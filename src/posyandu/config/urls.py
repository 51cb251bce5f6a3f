from django.contrib import admin
from django.urls import include, path, register_converter

from posyandu.core.ui import IdConverter

register_converter(IdConverter, "id")

urlpatterns = [
    path("", include("posyandu.core.urls")),
    path("", include("posyandu.administration.urls")),
    path("akun/", include("posyandu.accounts.urls")),
    path("anak/", include("posyandu.children.urls")),
    path("penimbangan/", include("posyandu.measurements.urls")),
    path("laporan/", include("posyandu.reports.urls")),
    path("kampanye/", include("posyandu.campaigns.urls")),
    path("kader/", include("posyandu.cadres.urls")),
    path("pertukaran/", include("posyandu.exchange.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
