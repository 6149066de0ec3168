from django.contrib import admin
from django.urls import include, path

from grading import metrics

from . import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("status/", views.status, name="status"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("welcome/", views.landing, name="landing"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", include("grading.api_urls")),
    path("teach/", include("teaching.urls")),
    path("teach/", include("authoring.urls")),
    path("hooks/", include("authoring.urls_hooks")),
    path("invitations/", include("teaching.urls_invite")),
    path("lti/", include("lti.urls")),
    path("", include("grading.urls")),
    path("", include("courses.urls")),
]

handler500 = "config.views.server_error"
