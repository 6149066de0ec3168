from functools import reduce

from django.contrib import admin, messages
from django.db.models import Count

from .models import (
    Announcement,
    Cohort,
    Course,
    Exercise,
    Extension,
    GlossaryTerm,
    Invitation,
    Lesson,
    LessonProgress,
    Membership,
    Question,
    Quiz,
    QuizAttempt,
    ScheduleEntry,
)
from .rendering import render_markdown

# The way from each content model to its course: content is imported from files when its
# course is.
COURSE_OF = {
    Course: "",
    Lesson: "course",
    GlossaryTerm: "course",
    Quiz: "course",
    Question: "quiz__course",
    Exercise: "course",
}


def how_to_change(path: str) -> str:
    return (
        f"edit the files and sync (python manage.py sync_course {path}); "
        "instructors can do both from /teach/."
    )


def course_of(obj) -> Course:
    return reduce(getattr, filter(None, COURSE_OF[type(obj)].split("__")), obj)


def is_from_files(obj) -> bool:
    return obj is not None and course_of(obj).from_files


def not_from_files(queryset):
    """The rows of a content model's `queryset` whose course was not imported from files."""
    lookup = "__".join(filter(None, [COURSE_OF[queryset.model], "source_path"]))
    return queryset.filter(**{lookup: ""})


class FilesAreTheSource(admin.ModelAdmin):
    """Content imported from files can be read here, never changed, added or deleted: the
    next ``sync_course`` would overwrite an edit the admin had called saved. Content of a
    course made here, with no files behind it, stays editable. (Inlines need nothing of
    their own: the admin makes them read-only with the row they are in.)"""

    def has_add_permission(self, request):
        # Only into a course without files; with none there is nothing to add to.
        return super().has_add_permission(request) and (
            self.model is Course or Course.objects.filter(source_path="").exists()
        )

    def has_change_permission(self, request, obj=None):
        return not is_from_files(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not is_from_files(obj) and super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Neither moves content into a course from files nor adds to one.
        if db_field.related_model in COURSE_OF:
            kwargs["queryset"] = not_from_files(db_field.related_model._default_manager.all())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET" and Course.objects.exclude(source_path="").exists():
            messages.warning(
                request,
                "Courses imported from files are read-only here, with everything in them: "
                "their files, in the course's git repository, are the source of truth. "
                f"To change one, {how_to_change('<course directory>')}",
            )
        return super().changelist_view(request, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if is_from_files(obj):
            path = course_of(obj).source_path
            messages.warning(
                request,
                f"Read-only: imported from {path}. The files are the source of truth, kept "
                f"in the course's git repository. To change this, {how_to_change(path)}",
            )
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(Course)
class CourseAdmin(FilesAreTheSource):
    list_display = ("title", "slug", "from_files", "source_path", "synced_at")
    search_fields = ("title", "slug")
    readonly_fields = ("source_path", "content_hash", "synced_at")

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


# People's rows: not from files, so editable.


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


@admin.register(ScheduleEntry)
class ScheduleEntryAdmin(admin.ModelAdmin):
    list_display = ("cohort", "kind", "slug", "opens_at", "due_at", "policy", "hide_scores")
    list_filter = ("kind", "policy", "cohort__course")
    search_fields = ("cohort__name", "slug")
    raw_id_fields = ("cohort",)


@admin.register(Extension)
class ExtensionAdmin(admin.ModelAdmin):
    list_display = ("entry", "user", "due_at", "reason", "granted_by", "created_at")
    search_fields = ("entry__slug", "entry__cohort__name", "user__username", "reason")
    raw_id_fields = ("entry", "user", "granted_by")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "cohort", "role", "invited_by", "created_at", "accepted_at")
    list_filter = ("role",)
    search_fields = ("email", "cohort__name")
    raw_id_fields = ("cohort", "invited_by", "accepted_by")
    # The token is the invitation's only key: whoever reads it can accept it. Neither
    # shown nor usable in a filter (?token__startswith= would spell it out).
    exclude = ("token",)

    def lookup_allowed(self, lookup, value, request=None):
        if lookup.split("__")[0] == "token":
            return False
        return super().lookup_allowed(lookup, value, request)


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ("title", "cohort", "author", "created_at", "emailed_at", "emailed_count")
    search_fields = ("title", "cohort__name", "author__username")
    raw_id_fields = ("cohort", "author")
    readonly_fields = ("uuid", "emailed_at", "emailed_count")

    def save_model(self, request, obj, form, change):
        # The course page shows the rendered body: keep it in step with an edit here.
        obj.body_html = render_markdown(obj.body).html
        super().save_model(request, obj, form, change)
