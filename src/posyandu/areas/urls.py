from django.urls import path

from posyandu.areas import views

app_name = "areas"
urlpatterns = [
    path("posyandu/", views.posyandu_list, name="posyandu_list"),
    path("posyandu/<int:pk>/", views.posyandu_detail, name="posyandu_detail"),
    path("impor/", views.import_areas_view, name="import"),
]
