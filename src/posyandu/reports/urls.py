from django.urls import path

from posyandu.reports import kader_score_views, views

app_name = "reports"
urlpatterns = [
    path("skdn/", views.skdn_page, name="skdn"),
    path("skdn/anak/", views.skdn_children, name="skdn_children"),
    path("kader-terbaik/", kader_score_views.kader_of_the_year_page, name="kader_of_the_year"),
]
