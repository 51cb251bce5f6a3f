from django.urls import path

from posyandu.measurements import posyandu_pages, views

app_name = "measurements"
urlpatterns = [
    path("", views.session_pick, name="session_pick"),
    path("posyandu/", posyandu_pages.posyandu_list, name="posyandu_list"),
    path("posyandu/<id:pk>/", posyandu_pages.posyandu_detail, name="posyandu_detail"),
    path("sesi/<id:pk>/", views.session_page, name="session"),
    path("anak/<id:pk>/", views.child_page, name="child"),
    path("anak/<id:pk>/cetak/", views.child_print, name="child_print"),
    path("anak/<id:pk>/kunjungan/baru/", views.visit_new, name="visit_new"),
    path("anak/<id:pk>/kunjungan/pratinjau/", views.visit_preview, name="visit_preview"),
    path("kunjungan/<id:pk>/ubah/", views.visit_edit, name="visit_edit"),
    path("kunjungan/<id:pk>/hapus/", views.visit_delete, name="visit_delete"),
]
