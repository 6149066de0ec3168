"""Instructor pages at cohort scale: queries and server time per page.

Seeds a cohort (default 500 students x 20 submissions, over the whole shipped course)
into a FRESH database, then requests each instructor page with Django's test Client,
logged in as the cohort's instructor, and prints per page the number of queries
(CaptureQueriesContext) and the server time (median and p95 over --runs requests, after
one warm-up request), against the targets: <= 20 queries and <= 300 ms at 500 students.
The figures are taken with a schedule in place (every item due, a week apart; every
tenth student with an extension on every other item), and each page's median is also
printed as a ratio to the same page measured before the schedule existed, in this run.

Pages: the cohort dashboard, one student's timeline, the gradebook CSV, and the
per-exercise and per-quiz pages when their URL names (teaching:exercise, teaching:quiz)
resolve.

The database: with DATABASE_URL set to postgres://..., a throwaway database named
descent_bench_<pid>_<random> is created on that server (connecting to its "postgres"
database), migrated, used and dropped at the end, so the bench never touches the
database the URL names. Otherwise a temporary SQLite file is used (DESCENT_VAR_DIR is
pointed at a temporary directory, removed at the end).

Run: DEBUG=1 [DATABASE_URL=postgres://postgres@127.0.0.1:5432/x] .venv/bin/python \\
     bench/dashboard.py [--students 500] [--submissions-per-student 20] [--runs 10]
"""

import argparse
import os
import secrets
import shutil
import statistics
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


def measure(client, url: str, runs: int) -> tuple[int, list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm-up: templates, URL resolver, connection
    times = []
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    queries = len(captured)
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    return queries, times, response.status_code


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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--submissions-per-student", type=int, default=20)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    options = parser.parse_args()

    label, cleanup = throwaway_database()
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.test import Client
        from django.test.utils import setup_test_environment

        from courses.models import Extension, Membership
        from teaching.management.seeding import course_ensure, schedule_weekly, seed_cohort

        print(f"database: {label}")
        call_command("migrate", verbosity=0)
        course = course_ensure()
        started = time.perf_counter()
        seeded = seed_cohort(
            students=options.students,
            submissions_per_student=options.submissions_per_student,
            course=course,
            seed=options.seed,
        )
        print(
            f"seeded {seeded.students} students, {seeded.progress} progress rows, "
            f"{seeded.attempts} quiz attempts, {seeded.submissions} submissions "
            f"in {time.perf_counter() - started:.1f} s"
        )
        student = (
            Membership.objects.filter(cohort=seeded.cohort, role=Membership.Role.STUDENT)
            .order_by("joined_at")
            .first()
            .user
        )
        setup_test_environment()  # the test Client's host, as in the test suite
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
        print()
        print(
            f"{'page':20} {'status':>6} {'queries':>8} {'median ms':>10} {'p95 ms':>8} "
            f"{'vs unscheduled':>15}  target"
        )
        missed = False
        for name, url in pages(seeded.cohort, student, course):
            queries, times, status = measure(client, url, options.runs)
            median, p95 = statistics.median(times), percentile(times, 0.95)
            ok = status == 200 and queries <= QUERY_TARGET and median <= MS_TARGET
            missed |= not ok
            ratio = median / baseline[name] if baseline[name] else float("nan")
            print(
                f"{name:20} {status:6} {queries:8} {median:10.1f} {p95:8.1f} {ratio:14.2f}x  "
                f"{'met' if ok else 'MISSED'}"
            )
        print()
        print(
            f"targets: <= {QUERY_TARGET} queries and median <= {MS_TARGET} ms per page "
            f"at 500 students ({options.students} here): {'MISSED' if missed else 'met'}"
        )
    finally:
        cleanup()


if __name__ == "__main__":
    main()
