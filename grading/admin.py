from django.contrib import admin

from .models import Draft, RegradeJob, Submission


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ("uuid", "student", "exercise", "attempt", "state", "verdict", "score",
                    "created_at", "claims")  # fmt: skip
    list_filter = ("state", "verdict", "exercise__course", "exercise")
    search_fields = ("uuid", "student__username", "student__email", "exercise__slug")
    readonly_fields = ("uuid", "source_sha256", "created_at", "queued_at", "started_at",
                       "heartbeat_at", "finished_at", "claims", "worker")  # fmt: skip
    raw_id_fields = ("student",)
    date_hierarchy = "created_at"


@admin.register(Draft)
class DraftAdmin(admin.ModelAdmin):
    list_display = ("student", "exercise", "updated_at")
    search_fields = ("student__username", "exercise__slug")
    raw_id_fields = ("student",)


@admin.register(RegradeJob)
class RegradeJobAdmin(admin.ModelAdmin):
    list_display = ("id", "exercise", "cohort", "state", "done", "total", "changed", "errors",
                    "checks_version", "requested_by", "created_at", "finished_at")  # fmt: skip
    list_filter = ("state", "exercise__course", "exercise")
    search_fields = ("exercise__slug", "cohort__name", "requested_by__username")
    readonly_fields = ("total", "done", "changed", "errors", "chunks", "chunks_done",
                       "checks_version", "created_at", "started_at", "heartbeat_at",
                       "finished_at")  # fmt: skip
    raw_id_fields = ("requested_by",)
    list_select_related = ("exercise", "cohort", "requested_by")
    date_hierarchy = "created_at"
