"""/teach/ — the teaching home, the cohort pages (urls_cohort), the per-item pages
(urls_items), the schedule (urls_schedule), the roster, reviews of code and
announcements."""

from django.urls import include, path

from . import views_home

app_name = "teaching"

urlpatterns = [
    path("", views_home.home, name="home"),
    path("", include("teaching.urls_cohort")),
    path("", include("teaching.urls_items")),
    path("", include("teaching.urls_schedule")),
    path("", include("teaching.urls_roster")),
    path("", include("teaching.urls_review")),
    path("", include("teaching.urls_announcements")),
]
