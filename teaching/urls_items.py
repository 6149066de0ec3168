"""/teach/cohorts/<uuid>/exercises/<slug>/ and /quizzes/<slug>/: one item across a cohort."""

from django.urls import path

from . import views_items

exercise = "cohorts/<uuid:cohort_uuid>/exercises/<slug:exercise_slug>/"

urlpatterns = [
    path(exercise, views_items.exercise_page, name="exercise"),
    path(exercise + "regrade/", views_items.regrade_start, name="regrade_start"),
    path(exercise + "unblock/", views_items.unblock, name="unblock"),
    path(
        exercise + "regrade/<int:job_id>",
        views_items.regrade_progress,
        name="regrade_progress",
    ),
    path(
        "cohorts/<uuid:cohort_uuid>/quizzes/<slug:quiz_slug>/",
        views_items.quiz_page,
        name="quiz",
    ),
]
