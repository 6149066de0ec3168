"""The authoring pages, included under /teach/ by teaching/urls.py."""

from django.urls import path

from . import views, views_editor

app_name = "authoring"

urlpatterns = [
    path("sources/new/", views.source_new, name="source_new"),
    path("sources/<int:pk>/", views.source_detail, name="source"),
    path("sources/<int:pk>/settings/", views.source_settings, name="source_settings"),
    path("sources/<int:pk>/authors/", views.source_authors, name="source_authors"),
    path("sources/<int:pk>/sync/", views.sync_start, name="sync_start"),
    path("syncs/<int:pk>/", views.sync_detail, name="sync"),
    path("syncs/<int:pk>/log/", views.sync_log, name="sync_log"),
    path("versions/<int:pk>/", views.version_detail, name="version"),
    path("versions/<int:pk>/preview/", views.version_preview, name="version_preview"),
    path("versions/<int:pk>/publish/", views.version_publish, name="version_publish"),
    path(
        "versions/<int:pk>/regrade/<slug:exercise_slug>/",
        views.version_regrade,
        name="version_regrade",
    ),
    path("sources/<int:pk>/edit/", views_editor.editor, name="editor"),
    path("sources/<int:pk>/file/", views_editor.file_get, name="file"),
    path("sources/<int:pk>/validate/", views_editor.validate, name="validate"),
    path("sources/<int:pk>/render/", views_editor.render_lesson, name="render"),
    path("sources/<int:pk>/save/", views_editor.save, name="save"),
    path("sources/<int:pk>/new/", views_editor.scaffold_new, name="scaffold"),
    path("sources/<int:pk>/try/", views_editor.try_start, name="try"),
    path("tries/<int:pk>/", views_editor.try_detail, name="try_detail"),
]
