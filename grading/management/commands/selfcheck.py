from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from grading.sandbox_pool import worker_sandbox
from judge.engine import PASSED, grade_source
from judge.exercise import ExerciseInvalid, exercise_from_course, exercise_slugs


class Command(BaseCommand):
    help = (
        "Grade every exercise's reference (must score 1.0) and starter code (must score below 1.0)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--course", type=Path, default=None)
        parser.add_argument("slugs", nargs="*", help="only these exercises")

    def handle(self, *args, course=None, slugs=(), **options):
        course_dir = course or settings.SHIPPED_COURSE_DIR
        sandbox = worker_sandbox()
        problems = []
        for slug in slugs or exercise_slugs(course_dir):
            try:
                spec = exercise_from_course(course_dir, slug)
            except ExerciseInvalid as exc:
                problems.append(f"{slug}: {exc}")
                self.stdout.write(f"{slug}: BROKEN ({exc})")
                continue
            reference = grade_source(spec.reference_source, spec, sandbox)
            starter = grade_source(spec.starter, spec, sandbox)
            ok = reference.verdict == PASSED and reference.score == 1.0 and starter.score < 1.0
            self.stdout.write(
                f"{slug}: {'ok' if ok else 'FAIL'} (reference {reference.verdict} {reference.score:.2f}, "
                f"starter {starter.verdict} {starter.score:.2f}, {reference.timings.get('total_ms')} ms)"
            )
            if reference.score < 1.0:
                failed = [f"{c.name}: {c.message}" for c in reference.checks if not c.passed]
                problems.append(
                    f"{slug}: reference scores {reference.score} ({reference.message}; {failed})"
                )
            if starter.score >= 1.0:
                problems.append(f"{slug}: starter code passes its checks")
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(problems)} exercise problem(s)")
        self.stdout.write("every reference passes and every starter fails")
