"""Exercises keep their known mistakes' slugs with their titles, so the instructor's pages
name them without importing course code. Filled from each exercise's exercise.yaml where
the files are still there (the next sync fills the rest); re-runnable."""

from pathlib import Path

import yaml
from django.db import migrations, models


def known_mistakes_from_files(apps, schema_editor):
    Exercise = apps.get_model("courses", "Exercise")
    for exercise in Exercise.objects.select_related("course").iterator(chunk_size=200):
        if not exercise.course.source_path:
            continue
        path = Path(exercise.course.source_path) / exercise.source_dir / "exercise.yaml"
        try:
            meta = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        mistakes = meta.get("mistakes") if isinstance(meta, dict) else None
        known = [
            {"slug": Path(m["file"]).stem, "title": str(m.get("title", ""))}
            for m in mistakes or []
            if isinstance(m, dict) and isinstance(m.get("file"), str)
        ]
        Exercise.objects.filter(pk=exercise.pk).update(known_mistakes=known)


class Migration(migrations.Migration):
    dependencies = [("courses", "0003_cohorts_memberships_progress_attempts")]

    operations = [
        migrations.AddField(
            model_name="exercise",
            name="known_mistakes",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(known_mistakes_from_files, migrations.RunPython.noop),
        migrations.RemoveField(model_name="exercise", name="mistake_titles"),
    ]
