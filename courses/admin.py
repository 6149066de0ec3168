from django.contrib import admin, messages
from django.db.models import Count

from .models import (
    Cohort,
    Course,
    Exercise,
    GlossaryTerm,
    Lesson,
    LessonProgress,
    Membership,
    Question,
    Quiz,
    QuizAttempt,
)


class FilesAreTheSource(admin.ModelAdmin):
    """On the change page of anything imported from files, say that the files win: the
    next ``sync_course`` overwrites edits made here."""

    def course_of(self, obj) -> Course:
        return obj.course

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if request.method == "GET" and obj is not None:
            course = self.course_of(obj)
            if course.from_files:
                messages.warning(
                    request,
                    f"Imported from {course.source_path}. The files are the source of truth: "
                    "edit them and run sync_course; changes made here are overwritten by "
                    "the next sync.",
                )
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Course)
class CourseAdmin(FilesAreTheSource):
    list_display = ("title", "slug", "from_files", "source_path", "synced_at")
    search_fields = ("title", "slug")
    readonly_fields = ("source_path", "content_hash", "synced_at")

    def course_of(self, obj):
        return obj

    @admin.display(boolean=True, description="from files")
    def from_files(self, obj):
        return obj.from_files


@admin.register(Lesson)
class LessonAdmin(FilesAreTheSource):
    list_display = ("title", "course", "position", "slug", "is_active", "source_file")
    list_filter = ("course", "is_active")
    search_fields = ("title", "slug")
    readonly_fields = ("source_file", "body_html")


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(FilesAreTheSource):
    list_display = ("term", "slug", "course")
    list_filter = ("course",)
    search_fields = ("term", "slug", "definition")


class QuestionInline(admin.TabularInline):
    model = Question
    fields = ("position", "slug", "kind", "is_active")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Quiz)
class QuizAdmin(FilesAreTheSource):
    list_display = (
        "title",
        "slug",
        "course",
        "lesson",
        "pass_threshold",
        "question_count",
        "is_active",
    )
    list_filter = ("course", "is_active")
    search_fields = ("title", "slug", "lesson__title")
    readonly_fields = ("source_file",)
    inlines = [QuestionInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("course", "lesson")
            .annotate(question_total=Count("questions"))
        )

    @admin.display(description="questions", ordering="question_total")
    def question_count(self, obj):
        return obj.question_total


@admin.register(Question)
class QuestionAdmin(FilesAreTheSource):
    list_display = ("__str__", "quiz", "position", "kind", "is_active")
    list_filter = ("kind", "is_active", "quiz__course", "quiz")
    search_fields = ("slug", "prompt_markdown", "quiz__slug")
    readonly_fields = ("prompt_html",)
    list_select_related = ("quiz",)

    def course_of(self, obj):
        return obj.quiz.course


@admin.register(Exercise)
class ExerciseAdmin(FilesAreTheSource):
    list_display = (
        "title",
        "slug",
        "course",
        "lesson",
        "kind",
        "points",
        "self_checked",
        "is_active",
    )
    list_filter = ("course", "lesson", "kind", "is_active")
    search_fields = ("title", "slug", "entry", "signature")
    readonly_fields = ("source_dir", "content_hash", "statement_html")
    list_select_related = ("course", "lesson")

    @admin.display(boolean=True, description="self-checked")
    def self_checked(self, obj):
        # The hash is recorded when a sync's self-check passes; blank means the exercise
        # was only ever imported with --skip-selfcheck.
        return bool(obj.content_hash)


# People's rows: not from files, so no "files are the source" warning.


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ("user", "role", "joined_at")
    raw_id_fields = ("user",)
    extra = 0


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ("name", "course", "join_code", "created_by", "created_at")
    list_filter = ("course",)
    search_fields = ("name", "join_code", "created_by__username")
    readonly_fields = ("uuid", "created_at")
    raw_id_fields = ("created_by",)
    list_select_related = ("course", "created_by")
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "cohort", "role", "joined_at")
    list_filter = ("role", "cohort__course")
    search_fields = ("user__username", "cohort__name")
    raw_id_fields = ("user", "cohort")
    list_select_related = ("user", "cohort")


@admin.register(LessonProgress)
class LessonProgressAdmin(admin.ModelAdmin):
    list_display = ("user", "lesson", "state", "reading_position", "last_seen_at")
    list_filter = ("state", "lesson__course")
    search_fields = ("user__username", "lesson__slug")
    raw_id_fields = ("user", "lesson")
    # The pending seed would let whoever reads it compute the next attempt's answers.
    exclude = ("quiz_seed",)
    list_select_related = ("user", "lesson")


@admin.register(QuizAttempt)
class QuizAttemptAdmin(admin.ModelAdmin):
    list_display = ("user", "quiz", "score", "passed", "created_at")
    list_filter = ("passed", "quiz__course", "quiz")
    search_fields = ("user__username", "quiz__slug")
    raw_id_fields = ("user", "quiz")
    readonly_fields = ("uuid", "seed", "answers", "results", "score", "passed", "created_at")
    list_select_related = ("user", "quiz")
