"""/teach/cohorts/<uuid>/schedule/: a cohort's schedule and extensions."""

from django.urls import path

from . import views_schedule

schedule = "cohorts/<uuid:cohort_uuid>/schedule/"

urlpatterns = [
    path(schedule, views_schedule.schedule_page, name="schedule"),
    path(schedule + "time-zone/", views_schedule.schedule_time_zone, name="schedule_time_zone"),
    path(
        schedule + "score-policy/",
        views_schedule.schedule_score_policy,
        name="schedule_score_policy",
    ),
    path(schedule + "items/", views_schedule.schedule_items, name="schedule_items"),
    path(
        schedule + "extensions/",
        views_schedule.schedule_extension_grant,
        name="extension_grant",
    ),
    path(
        schedule + "extensions/revoke/",
        views_schedule.schedule_extension_revoke,
        name="extension_revoke",
    ),
]
