from django.contrib.auth import views as auth_views
from django.urls import path

from posyandu.accounts import views

app_name = "accounts"
urlpatterns = [
    path("masuk/", views.LoginView.as_view(), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("buka-kunci/<id:pk>/", views.unlock_view, name="unlock"),
    path("terkunci/", views.locked_users, name="locked"),
    path("sandi/", views.password_change, name="password_change"),
    path("pengguna/", views.users, name="users"),
    path("pengguna/baru/", views.user_new, name="user_new"),
    path("pengguna/impor/", views.users_import, name="users_import"),
    path("pengguna/<id:pk>/", views.user_detail, name="user_detail"),
    path("pengguna/<id:pk>/reset-sandi/", views.user_reset_password, name="user_reset_password"),
    path("pengguna/<id:pk>/aktif/", views.user_set_active, name="user_set_active"),
]
