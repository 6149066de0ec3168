from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from courses.importing import CourseInvalid, course_sync
from judge.selfcheck import SandboxSelfCheck
from sandbox import isolated_sandbox


class Command(BaseCommand):
    help = (
        "Validate a course directory and import it (idempotent; imports nothing if invalid). "
        "Exercises whose files changed since the last import are self-checked first: the "
        "reference must score 1.0 and the starter below it, graded in the sandbox."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--skip-selfcheck",
            action="store_true",
            help="import without grading references and starters (they stay marked unchecked)",
        )

    def handle(self, *args, path: Path, skip_selfcheck: bool = False, **options):
        try:
            selfcheck = None if skip_selfcheck else SandboxSelfCheck(isolated_sandbox)
            report = course_sync(path=path, selfcheck=selfcheck)
        except CourseInvalid as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(exc.problems)} problem(s); nothing was imported.") from None
        for warning in report.warnings:
            self.stderr.write(f"warning: {warning}")
        if report.selfchecked:
            self.stdout.write(f"self-checked: {', '.join(report.selfchecked)}")
        if not report.changed:
            self.stdout.write(f"{report.course.slug}: unchanged ({report.summary()})")
        else:
            verb = "imported" if report.created else "updated"
            self.stdout.write(f"{report.course.slug}: {verb} ({report.summary()})")
