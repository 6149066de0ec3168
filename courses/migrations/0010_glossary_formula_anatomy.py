from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0009_cohort_score_policy"),
    ]

    operations = [
        migrations.AddField(
            model_name="glossaryterm",
            name="formula",
            field=models.TextField(blank=True, default=""),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="glossaryterm",
            name="anatomy",
            field=models.JSONField(blank=True, default=list),
        ),
    ]
