from django.contrib import admin

from .models import Course, GlossaryTerm, Lesson


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "from_files", "source_path", "synced_at")
    search_fields = ("title", "slug")
    readonly_fields = ("source_path", "content_hash", "synced_at")

    @admin.display(boolean=True, description="from files")
    def from_files(self, obj):
        return obj.from_files


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ("title", "course", "position", "slug", "is_active", "source_file")
    list_filter = ("course", "is_active")
    search_fields = ("title", "slug")
    readonly_fields = ("source_file", "body_html")


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(admin.ModelAdmin):
    list_display = ("term", "slug", "course")
    list_filter = ("course",)
    search_fields = ("term", "slug", "definition")
