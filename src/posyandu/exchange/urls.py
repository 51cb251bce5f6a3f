from django.urls import path

from posyandu.exchange import views

app_name = "exchange"
urlpatterns = [
    path("eppgbm/ekspor/", views.eppgbm_export, name="eppgbm_export"),
]
