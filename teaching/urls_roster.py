"""/teach/cohorts/<uuid>/roster/: a cohort's members, invitations and assistants."""

from django.urls import path

from . import views_roster

roster = "cohorts/<uuid:cohort_uuid>/roster/"

urlpatterns = [
    path(roster, views_roster.roster_page, name="roster"),
    path(roster + "invite/", views_roster.roster_invite, name="roster_invite"),
    path(roster + "archive/", views_roster.member_archive, name="member_archive"),
    path(roster + "restore/", views_roster.member_restore, name="member_restore"),
    path(roster + "role/", views_roster.member_role, name="member_role"),
    path(
        roster + "invitations/resend/",
        views_roster.invitation_resend,
        name="invitation_resend",
    ),
    path(
        roster + "invitations/cancel/",
        views_roster.invitation_cancel,
        name="invitation_cancel",
    ),
]
