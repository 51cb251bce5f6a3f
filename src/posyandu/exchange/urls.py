from django.urls import path

from posyandu.exchange import views

app_name = "exchange"
urlpatterns = [
    path("eppgbm/ekspor/", views.eppgbm_export, name="eppgbm_export"),
    path("eppgbm/impor/", views.eppgbm_import, name="eppgbm_import"),
    path("eppgbm/impor/<id:pk>/", views.eppgbm_import_job, name="eppgbm_import_job"),
    path(
        "eppgbm/impor/<id:pk>/laporan.csv", views.eppgbm_import_report, name="eppgbm_import_report"
    ),
]
