from django.urls import path

from posyandu.areas import views

app_name = "areas"
urlpatterns = [
    path("impor/", views.import_areas_view, name="import"),
]
