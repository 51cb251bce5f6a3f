from django.urls import path

from posyandu.administration import views

app_name = "administration"
urlpatterns = [
    path("", views.home, name="home"),
    path("audit/", views.audit_log_page, name="audit"),
    path("audit/ekspor/", views.audit_log_export, name="audit_export"),
    path("wilayah/impor/", views.import_areas_view, name="area_import"),
    path("pengaturan/aturan/", views.policy_page, name="policy"),
]
