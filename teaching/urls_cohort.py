from django.urls import path

from . import views_cohort

cohort = "cohorts/<uuid:cohort_uuid>/"

urlpatterns = [
    path(cohort, views_cohort.cohort_dashboard, name="cohort"),
    path(cohort + "students/<int:user_id>/", views_cohort.cohort_student, name="student"),
    path(cohort + "gradebook.csv", views_cohort.cohort_gradebook_csv, name="gradebook"),
]
