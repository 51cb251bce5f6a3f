from django.urls import path

from posyandu.reports import (
    dashboard,
    kader_score_views,
    prevalence_views,
    quality_views,
    views,
)

app_name = "reports"
urlpatterns = [
    path("skdn/", views.skdn_page, name="skdn"),
    path("skdn/anak/", views.skdn_children, name="skdn_children"),
    path("kader-terbaik/", kader_score_views.kader_of_the_year_page, name="kader_of_the_year"),
    path("prevalensi/", prevalence_views.prevalence_page, name="prevalence"),
    path("prevalensi/anak/", prevalence_views.prevalence_children, name="prevalence_children"),
    path("dasbor/", dashboard.dashboard, name="dashboard"),
    path("dasbor/mutu-data/", dashboard.dashboard_quality, name="dashboard_quality"),
    path("mutu-data/", quality_views.quality_page, name="quality"),
    path("mutu-data/unduh/", quality_views.quality_export, name="quality_export"),
    path("mutu-data/posyandu/<id:pk>/", quality_views.quality_posyandu, name="quality_posyandu"),
    path("mutu-data/pencatat/<id:pk>/", quality_views.quality_recorder, name="quality_recorder"),
]
