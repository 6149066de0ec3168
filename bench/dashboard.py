"""Instructor pages at cohort scale: queries and server time per page, at several cohort
sizes side by side (default 500 and 5,000 students).

For each size, a child process seeds a cohort (x 20 submissions each, over the whole
shipped course; the standings rebuilt as the seeding ends) into a FRESH database, runs
ANALYZE (as autovacuum would have), then requests each instructor page with Django's
test Client, logged in as the cohort's instructor, and reports per page the number of
queries (CaptureQueriesContext), the server time (median and p95 over --runs requests,
after one warm-up, reading a streamed body whole) and the time to the first byte of the
body. Targets at every size: <= 20 queries and a median <= 300 ms; a streamed download
(the gradebook CSV) is held to its first byte instead. The figures are taken with a
schedule in place (every item due, a week apart; every tenth student with an extension
on every other item); each page's median is also printed as a ratio to the same page
before the schedule existed, in the same run.

Pages: the cohort dashboard, one student's timeline, the gradebook CSV, and the
per-exercise and per-quiz pages.

The database: with DATABASE_URL set to postgres://..., a throwaway database named
descent_bench_<pid>_<random> is created on that server (connecting to its "postgres"
database), migrated, used and dropped at the end, so the bench never touches the
database the URL names. Otherwise a temporary SQLite file is used (DESCENT_VAR_DIR is
pointed at a temporary directory, removed at the end).

Run: DEBUG=1 [DATABASE_URL=postgres://postgres@127.0.0.1:5432/x] .venv/bin/python \\
     bench/dashboard.py [--students 500,5000] [--submissions-per-student 20] [--runs 10]
"""

import argparse
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

QUERY_TARGET = 20
MS_TARGET = 300


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _admin_connection(url: str):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        host=parts.hostname or "",
        port=parts.port or 5432,
        user=parts.username or None,
        password=parts.password or None,
        dbname="postgres",
        autocommit=True,
    )


def throwaway_database() -> tuple[str, callable]:
    """Point DATABASE_URL (or the SQLite default) at a fresh database; return a label
    and a cleanup function."""
    url = os.environ.get("DATABASE_URL", "")
    if urlsplit(url).scheme in ("postgres", "postgresql", "pgsql"):
        name = f"descent_bench_{os.getpid()}_{secrets.token_hex(3)}"
        with _admin_connection(url) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        parts = urlsplit(url)
        os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))

        def drop():
            from django.db import connections

            connections.close_all()
            with _admin_connection(url) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        return f"PostgreSQL {parts.hostname}:{parts.port or 5432}/{name}", drop
    directory = tempfile.mkdtemp(prefix="descent-bench-")
    os.environ.pop("DATABASE_URL", None)
    os.environ["DESCENT_VAR_DIR"] = directory
    return f"SQLite {directory}/descent.sqlite3", lambda: shutil.rmtree(directory, True)


def fetch(client, url: str) -> tuple[object, float]:
    """GET url and read the whole body (a streamed one too, chunk by chunk); the time to
    the first chunk of the body, in ms."""
    started = time.perf_counter()
    response = client.get(url)
    if not response.streaming:
        return response, (time.perf_counter() - started) * 1000
    first = None
    for _ in response.streaming_content:
        if first is None:
            first = (time.perf_counter() - started) * 1000
    return response, first or 0.0


def measure(client, url: str, runs: int) -> tuple[int, list[float], int, list[float], bool]:
    """Queries of one request; server times (whole body) and first-byte times of
    ``runs`` requests after a warm-up; the status."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fetch(client, url)  # warm-up: templates, URL resolver, connection
    times, firsts = [], []
    with CaptureQueriesContext(connection) as captured:
        response, _ = fetch(client, url)
    queries = len(captured)
    for _ in range(runs):
        started = time.perf_counter()
        _, first = fetch(client, url)
        times.append((time.perf_counter() - started) * 1000)
        firsts.append(first)
    return queries, times, response.status_code, firsts, response.streaming


def pages(cohort, student, course):
    from django.urls import NoReverseMatch, reverse

    found = [
        ("dashboard", reverse("teaching:cohort", args=[cohort.uuid])),
        ("student timeline", reverse("teaching:student", args=[cohort.uuid, student.id])),
        ("gradebook.csv", reverse("teaching:gradebook", args=[cohort.uuid])),
    ]
    exercise = course.exercises.filter(is_active=True).order_by("lesson__position").first()
    quiz = course.quizzes.filter(is_active=True).first()
    for label, name, kwargs in (
        ("per-exercise", "teaching:exercise", {"exercise_slug": exercise and exercise.slug}),
        ("per-quiz", "teaching:quiz", {"quiz_slug": quiz and quiz.slug}),
    ):
        try:
            found.append((label, reverse(name, kwargs={"cohort_uuid": cohort.uuid, **kwargs})))
        except NoReverseMatch:
            print(f"({label} page: {name} does not resolve yet, skipped)")
    return found


def analyze() -> None:
    """Planner statistics for the rows just written, as autovacuum keeps them on a
    database in use: without them PostgreSQL plans for empty tables (nested loops over
    thousands of rows) and the bench would measure plans no deployment gets."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def run_size(students: int, options) -> dict:
    """Seed one cohort of ``students`` into a fresh database and measure every page;
    {page: (status, queries, median, p95, first byte median, ratio to unscheduled)}."""
    label, cleanup = throwaway_database()
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections
        from django.test import Client
        from django.test.utils import setup_test_environment

        from courses.models import Extension, Membership
        from teaching.management.seeding import course_ensure, schedule_weekly, seed_cohort

        setup_test_environment()  # the test Client's host, as in the test suite
        print(f"database: {label}")
        call_command("migrate", verbosity=0)
        course = course_ensure()
        started = time.perf_counter()
        seeded = seed_cohort(
            students=students,
            submissions_per_student=options.submissions_per_student,
            course=course,
            seed=options.seed,
        )
        print(
            f"seeded {seeded.students} students, {seeded.progress} progress rows, "
            f"{seeded.attempts} quiz attempts, {seeded.submissions} submissions "
            f"(standings rebuilt) in {time.perf_counter() - started:.1f} s"
        )
        student = (
            Membership.objects.filter(cohort=seeded.cohort, role=Membership.Role.STUDENT)
            .order_by("joined_at")
            .first()
            .user
        )
        analyze()
        client = Client()
        client.force_login(seeded.instructor)
        # The baseline: the same pages before the cohort has a schedule, in this run.
        baseline = {
            name: statistics.median(measure(client, url, options.runs)[1])
            for name, url in pages(seeded.cohort, student, course)
        }
        entries = schedule_weekly(seeded.cohort, extensions_every=10)
        extensions = Extension.objects.filter(entry__cohort=seeded.cohort).count()
        print(f"then scheduled {entries} items and granted {extensions} extensions")
        analyze()
        results = {}
        for name, url in pages(seeded.cohort, student, course):
            queries, times, status, firsts, streamed = measure(client, url, options.runs)
            median = statistics.median(times)
            results[name] = (
                status,
                queries,
                median,
                percentile(times, 0.95),
                statistics.median(firsts),
                median / baseline[name] if baseline[name] else float("nan"),
                streamed,
            )
        connections.close_all()
        return results
    finally:
        cleanup()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--students",
        default="500,5000",
        help="cohort sizes, comma-separated; each is seeded into its own fresh database",
    )
    parser.add_argument("--submissions-per-student", type=int, default=20)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json-out", help=argparse.SUPPRESS)  # one size, in a child
    options = parser.parse_args()
    sizes = [int(size) for size in options.students.split(",") if size.strip()]
    if options.json_out:
        Path(options.json_out).write_text(json.dumps(run_size(sizes[0], options)))
        return
    measured = {}
    with tempfile.TemporaryDirectory() as scratch:
        for size in sizes:
            # A process per size: Django reads its database settings once.
            out = Path(scratch) / f"{size}.json"
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    f"--students={size}",
                    f"--submissions-per-student={options.submissions_per_student}",
                    f"--runs={options.runs}",
                    f"--seed={options.seed}",
                    f"--json-out={out}",
                ],
                check=True,
            )
            measured[size] = json.loads(out.read_text())
    report(measured, sizes)


def report(measured: dict, sizes: list[int]) -> None:
    print()
    print("per page: queries, server time median and p95, time to the first byte (ms)")
    print(f"{'page':18}" + "".join(f" | {f'{size} students':^36}" for size in sizes) + " | target")
    print(
        f"{'':18}"
        + "".join(f" | {'queries':>7} {'median':>8} {'p95':>8} {'1st byte':>9}" for _ in sizes)
        + " |"
    )
    missed = False
    for name in measured[sizes[0]]:
        cells, ok = [], True
        for size in sizes:
            status, queries, median, p95, first, _ratio, streamed = measured[size][name]
            # A streamed download (the gradebook) is held to its first byte.
            ok &= status == 200 and queries <= QUERY_TARGET
            ok &= (first if streamed else median) <= MS_TARGET
            cells.append(f" | {queries:7} {median:8.1f} {p95:8.1f} {first:9.1f}")
        missed |= not ok
        print(f"{name:18}" + "".join(cells) + f" | {'met' if ok else 'MISSED'}")
    print()
    for size in sizes:
        ratios = ", ".join(f"{name} {row[5]:.2f}x" for name, row in measured[size].items())
        print(f"scheduled vs unscheduled median at {size} students: {ratios}")
    print(
        f"targets: <= {QUERY_TARGET} queries and median <= {MS_TARGET} ms per page (a streamed "
        f"download: its first byte) at every size ({', '.join(map(str, sizes))}): "
        f"{'MISSED' if missed else 'met'}"
    )


if __name__ == "__main__":
    main()
