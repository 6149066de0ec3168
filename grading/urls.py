"""Pages of the grading app (the exercise page); the JSON API is in api_urls."""

from django.urls import include, path

from . import views

app_name = "grading"

urlpatterns = [
    path(
        "courses/<slug:course_slug>/exercises/<slug:exercise_slug>/",
        views.exercise,
        name="exercise",
    ),
    path(
        "courses/<slug:course_slug>/exercises/<slug:exercise_slug>/diff/",
        views.attempt_diff_pick,
        name="diff_pick",
    ),
    path(
        "courses/<slug:course_slug>/exercises/<slug:exercise_slug>/diff/<uuid:uuid_a>/<uuid:uuid_b>/",
        views.attempt_diff,
        name="diff",
    ),
    path("", include("grading.urls_feedback")),
]
