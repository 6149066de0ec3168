from django.urls import path

from . import views

app_name = "accounts"

# config/urls.py includes these before django.contrib.auth.urls under the same prefix, so
# the two views below answer at the paths that {% url 'password_reset' %} and
# {% url 'password_reset_confirm' %} produce.
urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("profile/", views.profile, name="profile"),
    path("profile/token/", views.token_regenerate, name="token_regenerate"),
    path("profile/calendar/", views.calendar_reset, name="calendar_reset"),
    path("password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
]
