"""/teach/cohorts/<uuid>/announcements/: a cohort's announcements."""

from django.urls import path

from . import views_announcements

page = "cohorts/<uuid:cohort_uuid>/announcements/"

urlpatterns = [
    path(page, views_announcements.announcements_page, name="announcements"),
    path(page + "post/", views_announcements.announcement_post, name="announcement_post"),
    path(page + "mail/", views_announcements.announcement_mail, name="announcement_mail"),
    path(
        page + "withdraw/",
        views_announcements.announcement_withdraw,
        name="announcement_withdraw",
    ),
]
