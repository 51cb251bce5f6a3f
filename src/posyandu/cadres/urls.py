from django.urls import path

from posyandu.cadres import views_aktif, views_incentives

app_name = "cadres"
urlpatterns = [
    path("posyandu-aktif/", views_aktif.aktif_page, name="aktif"),
    path("hari/<id:pk>/layanan/", views_aktif.day_services_page, name="day_services"),
    path("insentif/<id:pk>/", views_incentives.roster_page, name="incentives"),
    path("insentif/<id:pk>/csv/", views_incentives.roster_csv, name="incentives_csv"),
]
