from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("courses", "0004_exercise_known_mistakes"),
    ]

    operations = [
        migrations.AddField(
            model_name="course",
            name="authors",
            field=models.ManyToManyField(
                blank=True, related_name="authored_courses", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddField(
            model_name="course",
            name="is_preview",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="course",
            name="preview_label",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="course",
            name="preview_back_url",
            field=models.CharField(blank=True, max_length=300),
        ),
    ]
