from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from courses.scaffold import ScaffoldError, default_title, new_exercise


class Command(BaseCommand):
    help = (
        "Add an exercise folder to a course (statement, starter, reference, checks, a known "
        "mistake, a grading-quality corpus) and list it in a lesson: --lesson, or the last "
        "lesson of the study path."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the exercise's slug: lowercase letters, digits, dashes")
        parser.add_argument("--course", type=Path, required=True, help="the course's folder")
        parser.add_argument("--title", help="the exercise's title (default: from the slug)")
        parser.add_argument("--lesson", help="the lesson that lists it (default: the last one)")

    def handle(self, *args, slug: str, course: Path, title=None, lesson=None, **options):
        try:
            created = new_exercise(course, slug, title=title or default_title(slug), lesson=lesson)
        except ScaffoldError as exc:
            raise CommandError(str(exc)) from None
        for name in created:
            self.stdout.write(f"created {course / name}")
        for name in created.updated:
            self.stdout.write(f"updated {course / name}")
        self.stdout.write(f"next: python manage.py selfcheck --course {course} {slug}")
