"""Pages of the grading app (the exercise page); the JSON API is in api_urls."""

from django.urls import path

app_name = "grading"

urlpatterns: list[path] = []
