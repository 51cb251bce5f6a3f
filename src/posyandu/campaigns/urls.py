from django.urls import path

from posyandu.campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("baru/", views.campaign_new, name="new"),
    path("<id:pk>/", views.campaign_detail, name="detail"),
    path("<id:pk>/belum/<id:posyandu_pk>/", views.not_measured, name="not_measured"),
    path("<id:pk>/sasaran/<id:target_pk>/hasil/", views.record_outcome, name="record_outcome"),
]
