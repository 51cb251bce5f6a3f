from django.urls import path

from posyandu.children import views

app_name = "children"
urlpatterns = [
    path("", views.child_list, name="list"),
    path("baru/", views.child_new, name="new"),
    path("<id:pk>/ubah/", views.child_edit, name="edit"),
    path("<id:pk>/status/", views.child_status, name="status"),
    path("<id:pk>/pindah/", views.child_transfer, name="transfer"),
]
