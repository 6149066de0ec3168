"""/lti/: what an LMS is given when Descent is registered with it."""

from django.urls import path

from . import registration, views, views_cohort

app_name = "lti"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    # For platforms that send no client_id with the login: the registration in the URL.
    path("login/<uuid:registration_uuid>/", views.LoginView.as_view(), name="login_for"),
    path("launch/", views.LaunchView.as_view(), name="launch"),
    path("jwks/", views.jwks, name="jwks"),
    path("setup/", views.setup, name="setup"),
    path("deep-link/", views.deep_link, name="deep_link"),
    # LTI Dynamic Registration: the one-time link an LMS opens to register Descent.
    path("register/<str:token>/", registration.register, name="register"),
    path("cohorts/<uuid:cohort_uuid>/", views_cohort.cohort_page, name="cohort"),
    path("cohorts/<uuid:cohort_uuid>/roster/", views_cohort.roster_sync, name="roster_sync"),
    path("cohorts/<uuid:cohort_uuid>/grades/", views_cohort.grades_push, name="grades_push"),
]
