from django.urls import path

from posyandu.cadres import views, views_aktif, views_incentives

app_name = "cadres"
urlpatterns = [
    path("", views.kader_list, name="list"),
    path("baru/", views.kader_new, name="new"),
    path("<id:pk>/", views.kader_detail, name="detail"),
    path("<id:pk>/ubah/", views.kader_edit, name="edit"),
    path("<id:pk>/penugasan/", views.kader_move, name="move"),
    path("<id:pk>/uji/", views.kader_assess, name="assess"),
    path("<id:pk>/pin/", views.kader_award, name="award"),
    path("pin/<id:pk>/sertifikat/", views.pin_certificate, name="certificate"),
    path("cakupan/", views.coverage, name="coverage"),
    path("pelatihan/", views.training_list, name="trainings"),
    path("pelatihan/baru/", views.training_new, name="training_new"),
    path("pelatihan/<id:pk>/", views.training_detail, name="training"),
    path("pelatihan/<id:pk>/peserta/", views.training_participant_add, name="participant_add"),
    path("pelatihan/<id:pk>/konfirmasi/", views.training_confirm, name="training_confirm"),
    path("peserta/<id:pk>/hasil/", views.training_result, name="participant_result"),
    path("peserta/<id:pk>/sertifikat/", views.training_certificate, name="participant_certificate"),
    path("kredit/", views.credits, name="credits"),
    path("posyandu-aktif/", views_aktif.aktif_page, name="aktif"),
    path("hari/<id:pk>/layanan/", views_aktif.day_services_page, name="day_services"),
    path("insentif/<id:pk>/", views_incentives.roster_page, name="incentives"),
    path("insentif/<id:pk>/csv/", views_incentives.roster_csv, name="incentives_csv"),
]
