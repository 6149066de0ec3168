"""Course content as loaded from files. The files in git stay the source of truth:
rows carry the slug they were imported under, so re-importing updates them in place and
never touches student progress that points at them."""

from django.db import models


class Course(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    prerequisites = models.JSONField(default=list, blank=True)
    source_path = models.CharField(
        max_length=500, blank=True, help_text="Directory the course was imported from."
    )
    content_hash = models.CharField(max_length=64, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    @property
    def from_files(self) -> bool:
        return bool(self.source_path)


class Lesson(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    slug = models.SlugField()
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=500, blank=True)
    position = models.PositiveIntegerField()
    minutes = models.PositiveIntegerField(default=10)
    think_prompt = models.TextField(blank=True)
    widget = models.CharField(max_length=60, blank=True)
    body_markdown = models.TextField()
    body_html = models.TextField()
    source_file = models.CharField(max_length=300, blank=True)
    # False once a lesson has been removed from the files: kept so progress survives.
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["course", "position"]
        constraints = [
            models.UniqueConstraint(fields=["course", "slug"], name="lesson_unique_slug_per_course")
        ]

    def __str__(self) -> str:
        return self.title


class GlossaryTerm(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="glossary")
    slug = models.SlugField()
    term = models.CharField(max_length=100)
    definition = models.TextField()
    why = models.TextField(blank=True)
    myth = models.TextField(blank=True)
    reality = models.TextField(blank=True)

    class Meta:
        ordering = ["course", "term"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "slug"], name="glossary_unique_slug_per_course"
            )
        ]

    def __str__(self) -> str:
        return self.term
