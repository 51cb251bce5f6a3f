from django.urls import path

from posyandu.reports import views

app_name = "reports"
urlpatterns = [
    path("skdn/", views.skdn_page, name="skdn"),
    path("skdn/anak/", views.skdn_children, name="skdn_children"),
]
