from django.urls import path

from . import views

app_name = "courses"

lesson = "courses/<slug:course_slug>/lessons/<slug:lesson_slug>/"

urlpatterns = [
    path("", views.home, name="home"),
    path("courses/<slug:course_slug>/", views.course_detail, name="course"),
    path("courses/<slug:course_slug>/glossary/", views.glossary, name="glossary"),
    path(lesson, views.lesson_detail, name="lesson"),
    path(lesson + "mine/", views.lesson_mine, name="lesson_mine"),
    path(lesson + "think/", views.lesson_think, name="lesson_think"),
    path(lesson + "position/", views.lesson_reading_position, name="lesson_position"),
    path(lesson + "checkpoint/", views.checkpoint_submit, name="checkpoint_submit"),
    path("cohorts/new/", views.cohort_create, name="cohort_create"),
    path("cohorts/<uuid:cohort_uuid>/", views.cohort_manage, name="cohort_manage"),
    path(
        "cohorts/<uuid:cohort_uuid>/code/",
        views.cohort_code_regenerate,
        name="cohort_code_regenerate",
    ),
    path(
        "announcements/<uuid:announcement_uuid>/dismiss/",
        views.announcement_dismiss,
        name="announcement_dismiss",
    ),
    path("join/", views.join_by_code, name="join"),
    path("join/<str:code>/", views.join_by_link, name="join_link"),
    path("calendar/<slug:token>.ics", views.calendar_feed, name="calendar"),
]
