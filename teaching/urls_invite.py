"""/invitations/<token>/: where an e-mailed invitation to a cohort leads (teaching/views_roster.py)."""

from django.urls import path

from . import views_roster

app_name = "invitations"

urlpatterns = [path("<str:token>/", views_roster.invitation, name="accept")]
