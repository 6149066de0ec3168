from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from courses.scaffold import SLUG, ScaffoldError, default_title, new_course


class Command(BaseCommand):
    help = (
        "Start a course in a new folder: course.yaml, a glossary, one lesson with its "
        "checkpoint quiz and one exercise, ready to sync. Writes nothing if PATH is taken."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the new course's folder")
        parser.add_argument("--slug", help="the course's slug (default: the folder's name)")
        parser.add_argument("--title", help="the course's title (default: from the slug)")

    def handle(self, *args, path: Path, slug=None, title=None, **options):
        if slug is None:
            slug = path.resolve().name
            if not SLUG.match(slug):
                raise CommandError(
                    f"the folder's name {slug!r} is not a valid course slug (lowercase "
                    "letters a-z, digits and single dashes): give one with --slug"
                )
        try:
            created = new_course(path, slug=slug, title=title or default_title(slug))
        except ScaffoldError as exc:
            raise CommandError(str(exc)) from None
        for name in created:
            self.stdout.write(f"created {path / name}")
        self.stdout.write(f"next: python manage.py sync_course {path}")
