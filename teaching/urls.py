"""/teach/ — the cohort pages (urls_cohort) and the per-item pages (urls_items)."""

from django.urls import include, path

app_name = "teaching"

urlpatterns = [
    path("", include("teaching.urls_cohort")),
    path("", include("teaching.urls_items")),
]
