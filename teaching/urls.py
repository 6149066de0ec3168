"""/teach/ — the teaching home, the cohort pages (urls_cohort) and the per-item pages
(urls_items)."""

from django.urls import include, path

from . import views_home

app_name = "teaching"

urlpatterns = [
    path("", views_home.home, name="home"),
    path("", include("teaching.urls_cohort")),
    path("", include("teaching.urls_items")),
]
