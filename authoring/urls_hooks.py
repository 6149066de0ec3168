"""/hooks/: push webhooks from git hosts (no session, no CSRF: the secret is the proof)."""

from django.urls import path

from . import webhooks

app_name = "authoring_hooks"

urlpatterns = [path("git/<uuid:hook_id>/", webhooks.push, name="push")]
