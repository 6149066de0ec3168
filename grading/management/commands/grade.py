import json
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from judge.engine import grade_source
from judge.exercise import ExerciseInvalid, exercise_from_course
from sandbox import isolated_sandbox


class Command(BaseCommand):
    help = (
        "Grade files against an exercise, straight from the course files, with the same "
        "sandbox and checks as the workers. Writes nothing to the database."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument(
            "--json", action="store_true", help="one JSON object per file, per line"
        )
        parser.add_argument(
            "--course",
            type=Path,
            default=None,
            help="course directory (default: the shipped course)",
        )
        parser.add_argument(
            "--seed", type=int, default=None, help="fix the random inputs (default: fresh per run)"
        )

    def handle(self, *args, slug, files, json=False, course=None, seed=None, **options):
        course_dir = course or settings.SHIPPED_COURSE_DIR
        try:
            spec = exercise_from_course(course_dir, slug)
        except ExerciseInvalid as exc:
            raise CommandError(str(exc)) from None
        sandbox = isolated_sandbox()
        for path in files:
            try:
                source = path.read_bytes()
            except OSError as exc:
                raise CommandError(f"cannot read {path}: {exc.strerror}") from None
            started = time.perf_counter()
            result = grade_source(source, spec, sandbox, seed=seed)
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            if json:
                self.stdout.write(_json_line(path, result, duration_ms))
            else:
                self._human(path, result, duration_ms)

    def _human(self, path, result, duration_ms):
        self.stdout.write(
            f"{path}: {result.verdict.upper()} score {result.score:.2f} ({duration_ms} ms)"
        )
        if result.message:
            self.stdout.write(f"  {result.message}")
        for check in result.checks:
            mark = "ok  " if check.passed else "FAIL"
            line = f"  [{mark}] {check.name}"
            if not check.passed and check.message:
                line += f": {check.message}"
            self.stdout.write(line)
            if not check.passed and check.failing_input:
                label = "smallest failing input" if check.shrunk else "failing input"
                self.stdout.write(f"         {label}: {json_dumps(check.failing_input)}")
        if result.hint:
            self.stdout.write(f"  hint: {result.hint}")
        elif result.diagnosis:
            self.stdout.write(f"  diagnosis: {result.diagnosis['message']}")


def json_dumps(value) -> str:
    return json.dumps(value, separators=(",", ":"))[:500]


def _json_line(path, result, duration_ms) -> str:
    return json.dumps(
        {
            "file": str(path),
            "exercise": result.exercise,
            "verdict": result.verdict,
            "score": result.score,
            "message": result.message,
            # What the student is told about why: the known mistake matched (its hint),
            # else the automatic diagnosis; null when neither names the bug.
            "diagnosis": result.diagnosis,
            "hint": result.hint,
            "checks": [
                {
                    "name": c.name,
                    "passed": c.passed,
                    "message": c.message,
                    "failing_input": c.failing_input,
                    "diagnosis": c.diagnosis,
                }
                for c in result.checks
            ],
            "duration_ms": duration_ms,
        }
    )
