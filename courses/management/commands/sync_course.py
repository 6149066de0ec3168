from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from courses.importer import CourseInvalid, course_sync


class Command(BaseCommand):
    help = "Validate a course directory and import it (idempotent; imports nothing if invalid)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        try:
            report = course_sync(path=path)
        except CourseInvalid as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(exc.problems)} problem(s); nothing was imported.") from None
        if not report.changed:
            self.stdout.write(f"{report.course.slug}: unchanged")
        else:
            verb = "imported" if report.created else "updated"
            self.stdout.write(f"{report.course.slug}: {verb} ({report.lessons} lessons)")
