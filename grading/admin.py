from django.contrib import admin

from .models import (
    Draft,
    Notification,
    RegradeJob,
    RegradeRequest,
    ScoreOverride,
    Submission,
    SubmissionComment,
)


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


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record that is history: readable in the admin, never edited there."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SubmissionComment)
class SubmissionCommentAdmin(ReadOnlyAdmin):
    # Deletable by staff with the right (an abusive comment); never rewritten.
    list_display = ("submission", "author", "line", "created_at")
    search_fields = ("submission__uuid", "author__username", "body")
    raw_id_fields = ("submission", "author", "reply_to")
    date_hierarchy = "created_at"


@admin.register(ScoreOverride)
class ScoreOverrideAdmin(ReadOnlyAdmin):
    # The audit trail of score changes: staff do not delete a line of it. A superuser
    # may, so that erasing an account (which takes its submissions) stays possible.
    list_display = ("submission", "score", "by", "created_at")
    search_fields = ("submission__uuid", "by__username", "reason")
    raw_id_fields = ("submission", "by")
    date_hierarchy = "created_at"

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(RegradeRequest)
class RegradeRequestAdmin(ReadOnlyAdmin):
    list_display = ("submission", "student", "state", "created_at")
    list_filter = ("state",)
    search_fields = ("submission__uuid", "student__username", "message")
    raw_id_fields = ("submission", "student")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("user", "text", "created_at", "read_at")
    search_fields = ("user__username", "text")
    raw_id_fields = ("user",)
