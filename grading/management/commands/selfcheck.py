from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from judge.exercise import ExerciseInvalid, exercise_from_course, exercise_slugs
from judge.selfcheck import selfcheck
from sandbox import isolated_sandbox


class Command(BaseCommand):
    help = (
        "Grade every exercise's reference (must score 1.0) and starter code (must score "
        "below 1.0), as the importer's self-check does. Records nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--course", type=Path, default=None)
        parser.add_argument("slugs", nargs="*", help="only these exercises")

    def handle(self, *args, course=None, slugs=(), **options):
        course_dir = course or settings.SHIPPED_COURSE_DIR
        sandbox = isolated_sandbox()
        problems = []
        for slug in slugs or exercise_slugs(course_dir):
            try:
                spec = exercise_from_course(course_dir, slug)
            except ExerciseInvalid as exc:
                problems.append(f"{slug}: {exc}")
                self.stdout.write(f"{slug}: BROKEN ({exc})")
                continue
            check = selfcheck(spec, sandbox)
            reference, starter = check.reference, check.starter
            self.stdout.write(
                f"{slug}: {'ok' if check.ok else 'FAIL'} "
                f"(reference {reference.verdict} {reference.score:.2f}, "
                f"starter {starter.verdict} {starter.score:.2f}, "
                f"{reference.timings.get('total_ms')} ms)"
            )
            problems.extend(str(problem) for problem in check.problems)
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(problems)} exercise problem(s)")
        self.stdout.write("every reference passes and every starter fails")
