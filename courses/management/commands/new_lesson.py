from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from courses.scaffold import ScaffoldError, default_title, new_lesson


class Command(BaseCommand):
    help = (
        "Add a lesson at the end of a course's study path (lessons/NN-SLUG.md with the next "
        "number) with its checkpoint quiz (quizzes/SLUG.yaml)."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the lesson's slug: lowercase letters, digits, dashes")
        parser.add_argument("--course", type=Path, required=True, help="the course's folder")
        parser.add_argument("--title", help="the lesson's title (default: from the slug)")

    def handle(self, *args, slug: str, course: Path, title=None, **options):
        try:
            created = new_lesson(course, slug, title=title or default_title(slug))
        except ScaffoldError as exc:
            raise CommandError(str(exc)) from None
        for name in created:
            self.stdout.write(f"created {course / name}")
        for name in created.updated:
            self.stdout.write(f"updated {course / name}")
        self.stdout.write(f"next: python manage.py sync_course {course}")
