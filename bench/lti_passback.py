"""LTI grade passback under a burst: how fast scores reach an LMS, and that none is lost
or sent twice, including while the LMS is down for part of the burst.

Seeds a cohort linked to an LMS (the test platform of tests/lti/platform.py, a real
HTTP server with its own keys) with --students students and four exercises, each with a
gradebook column; grades --submissions submissions at once (as grading announces them,
grading.signals), then drains the resulting sends with --workers threads calling what
the lti.push_score task calls (lti.passback.push), the platform answering 503 for the
first --down-s seconds. Retries are taken as the sweep takes them (whatever is due),
without the back-off's waits, so the figure is the pipeline's, not the clock's.

Prints: scores per second through the pipeline and a baseline of bare POSTs to the same
scores endpoint in this run (their ratio is what Descent's work costs per score: the
claim, the score that counts, the token, the bookkeeping), the send latency p50/p95/p99,
the retries, and the counts that must be zero: lost (wanted but never sent) and sent
twice (a student's score received more than once for the same change).

Run: DEBUG=1 [DATABASE_URL=postgres://postgres@127.0.0.1:5432/x] .venv/bin/python \\
     bench/lti_passback.py [--submissions 1000] [--students 250] [--workers 4] [--down-s 2]
"""

import argparse
import io
import json
import os
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

from bench.dashboard import percentile, throwaway_database  # noqa: E402

EXERCISES = ["mse-loss", "mse-grad", "gradient-descent", "momentum"]


def seed(students: int, submissions: int, platform):
    from django.core.management import call_command
    from jwcrypto import jwk
    from lti_tool.models import Key, LtiContext, LtiDeployment, LtiUser

    from courses.importing import course_sync
    from courses.models import Exercise, Membership
    from courses.services import cohort_create
    from grading.models import Submission
    from lti.models import CohortLink, LineItemLink
    from tests.factories import UserFactory

    course = course_sync(path=ROOT / "courses" / "content" / "gradient-descent").course
    call_command("rotate_keys", stdout=io.StringIO())
    registration = platform.register()
    platform.tool_keys = jwk.JWKSet.from_json(json.dumps(Key.objects.as_jwks()))
    teacher = UserFactory(username="teacher")
    cohort = cohort_create(course=course, name="Burst", created_by=teacher)
    context = LtiContext.objects.create(
        deployment=LtiDeployment.objects.get(), id_on_platform="course-1", title="Burst"
    )
    CohortLink.objects.create(context=context, cohort=cohort, created_by=teacher)
    exercises = [Exercise.objects.get(course=course, slug=slug) for slug in EXERCISES]
    for index, exercise in enumerate(exercises):
        LineItemLink.objects.create(
            context=context, exercise=exercise, url=f"{platform.base}/lineitems/{index}"
        )
    people = []
    for index in range(students):
        user = UserFactory(username=f"s{index}")
        Membership.objects.create(cohort=cohort, user=user)
        LtiUser.objects.create(registration=registration, sub=f"sub-{index}", auth_user=user)
        people.append(user)
    graded = []
    for index in range(submissions):
        user = people[index % students]
        exercise = exercises[(index // students) % len(exercises)]
        graded.append(
            Submission(student=user, exercise=exercise, attempt=index // students + 1,
                       source="x", state="done", verdict="passed", score=1.0)
        )  # fmt: skip
    Submission.objects.bulk_create(graded)
    return graded


def drain(workers: int, latencies: list, retries: Counter) -> None:
    from django.db import connection

    from lti import passback

    lock = threading.Lock()

    def work():
        try:
            while True:
                with lock:
                    due = passback.due_syncs(now=_far_future())
                    if not due:
                        return
                    sync_id = due[threading.get_ident() % len(due)]
                started = time.perf_counter()
                outcome = passback.push(sync_id)
                if outcome == "sent":
                    latencies.append((time.perf_counter() - started) * 1000)
                elif outcome == "retry":
                    retries["retry"] += 1
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _far_future():
    from datetime import timedelta

    from django.utils import timezone

    # The sweep's view, without waiting out the back-off.
    return timezone.now() + timedelta(days=1)


def baseline(platform, count: int) -> float:
    """Bare POSTs of a score to the same endpoint (one token): scores per second."""
    import requests

    platform.tokens.add("bench")
    session = requests.Session()
    body = json.dumps({"userId": "x", "scoreGiven": 1, "scoreMaximum": 1,
                       "activityProgress": "Completed", "gradingProgress": "FullyGraded"})  # fmt: skip
    headers = {"Authorization": "Bearer bench",
               "Content-Type": "application/vnd.ims.lis.v1.score+json"}  # fmt: skip
    started = time.perf_counter()
    for _ in range(count):
        session.post(f"{platform.base}/lineitems/0/scores", data=body, headers=headers)
    elapsed = time.perf_counter() - started
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=1000)
    parser.add_argument("--students", type=int, default=250)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--down-s", type=float, default=2.0)
    args = parser.parse_args()
    label, cleanup = throwaway_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import F

    from lti import passback
    from lti.models import ScoreSync
    from tests.lti.platform import Platform

    platform = Platform()
    try:
        call_command("migrate", verbosity=0)
        graded = seed(args.students, args.submissions, platform)
        print(f"database: {label}")
        print(f"seeded {args.students} students, {len(graded)} graded submissions on "
              f"{len(EXERCISES)} exercises with LMS gradebook columns")  # fmt: skip
        # The sends are drained below by this process's threads, not a broker's workers.
        passback.queue = lambda sync_id: None
        started = time.perf_counter()
        for submission in graded:
            passback.on_score_changed(
                student_id=submission.student_id, exercise_id=submission.exercise_id
            )
        announced = time.perf_counter() - started
        wanted = ScoreSync.objects.filter(wanted__gt=F("sent")).count()
        platform.down = True
        threading.Timer(args.down_s, lambda: setattr(platform, "down", False)).start()
        latencies: list[float] = []
        retries: Counter = Counter()
        started = time.perf_counter()
        drain(args.workers, latencies, retries)
        elapsed = time.perf_counter() - started
        lost = ScoreSync.objects.filter(wanted__gt=F("sent")).count()
        received = Counter((s["lineitem"], s["userId"]) for s in platform.scores)
        twice = sum(1 for count in received.values() if count > 1)
        rate = len(latencies) / elapsed if elapsed else 0.0
        bare = baseline(platform, 300)
        print(f"announced {len(graded)} changes in {announced * 1000:.0f} ms "
              f"({announced * 1e6 / len(graded):.0f} µs each, in the grading worker)")  # fmt: skip
        print(f"scores wanted: {wanted}, sent: {len(latencies)}, retried while down "
              f"({args.down_s:g} s): {retries['retry']}")  # fmt: skip
        print(f"drained in {elapsed:.2f} s with {args.workers} workers: {rate:.0f} scores/s, "
              f"{rate / (os.cpu_count() or 1):.0f} per core")  # fmt: skip
        if latencies:
            print(f"send latency ms: p50 {statistics.median(latencies):.1f}  "
                  f"p95 {percentile(latencies, 0.95):.1f}  p99 {percentile(latencies, 0.99):.1f}")  # fmt: skip
        print(f"baseline, bare POSTs to the same endpoint: {bare:.0f} scores/s "
              f"(pipeline / baseline: {rate / bare:.2f}x)")  # fmt: skip
        verdict = "met" if lost == 0 and twice == 0 and len(latencies) == wanted else "MISSED"
        print(f"lost: {lost}, sent twice: {twice}  ->  target 0 and 0: {verdict}")
    finally:
        platform.close()
        cleanup()


if __name__ == "__main__":
    main()
