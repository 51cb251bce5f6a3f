from django.contrib.auth import views as auth_views
from django.urls import path

from posyandu.accounts import views

app_name = "accounts"
urlpatterns = [
    path("masuk/", views.LoginView.as_view(), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("buka-kunci/<id:pk>/", views.unlock_view, name="unlock"),
    path("terkunci/", views.locked_users, name="locked"),
]
