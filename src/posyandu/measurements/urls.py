from django.urls import path

from posyandu.measurements import posyandu_pages, views

app_name = "measurements"
urlpatterns = [
    path("", views.session_pick, name="session_pick"),
    path("posyandu/", posyandu_pages.posyandu_list, name="posyandu_list"),
    path("posyandu/<int:pk>/", posyandu_pages.posyandu_detail, name="posyandu_detail"),
    path("sesi/<int:pk>/", views.session_page, name="session"),
    path("anak/<int:pk>/", views.child_page, name="child"),
    path("anak/<int:pk>/cetak/", views.child_print, name="child_print"),
    path("anak/<int:pk>/kunjungan/baru/", views.visit_new, name="visit_new"),
    path("anak/<int:pk>/kunjungan/pratinjau/", views.visit_preview, name="visit_preview"),
    path("kunjungan/<int:pk>/ubah/", views.visit_edit, name="visit_edit"),
    path("kunjungan/<int:pk>/hapus/", views.visit_delete, name="visit_delete"),
]
