from django.urls import path

from . import views

app_name = "courses"

urlpatterns = [
    path("", views.home, name="home"),
    path("courses/<slug:course_slug>/", views.course_detail, name="course"),
    path("courses/<slug:course_slug>/glossary/", views.glossary, name="glossary"),
    path(
        "courses/<slug:course_slug>/lessons/<slug:lesson_slug>/", views.lesson_detail, name="lesson"
    ),
]
