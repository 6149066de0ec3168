"""/api/v1/ — see grading/api.py and the README's API section."""

from django.urls import path

from . import api

app_name = "api"

urlpatterns = [
    path(
        "exercises/<slug:exercise_slug>/submissions",
        api.ExerciseSubmissions.as_view(),
        name="exercise-submissions",
    ),
    path("exercises/<slug:exercise_slug>/draft", api.ExerciseDraft.as_view(), name="draft"),
    path("submissions/<uuid:submission_id>", api.SubmissionDetail.as_view(), name="submission"),
]
