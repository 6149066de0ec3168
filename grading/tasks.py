"""Celery tasks of the grading pipeline. Each is an interface: load by id, claim with a
conditional update, call the engine, record the result (grading/services.py).

`grade_submission` first makes sure this process can jail code (grading/sandbox_pool.py)
and refuses before claiming when it cannot. It runs with acks_late and reject-on-worker-lost (set globally in
config/settings.py): a worker killed mid-grading leaves its message to be redelivered,
and the claim makes the redelivery a no-op if the work was finished after all. A
student's fault is a verdict, never a retry; only infrastructure faults retry, with
exponential back-off and a cap, and the periodic reaper catches whatever falls through.
"""

from __future__ import annotations

import logging
import socket
import threading
import time

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection

log = logging.getLogger("descent.grading")

# A submission whose grading took its worker down this many times is not tried again.
MAX_REVIVALS = 3
# A refinement steps aside for queued submissions this many times, this long each.
REFINE_YIELDS = 150
REFINE_YIELD_S = 2


def _students_waiting() -> bool:
    from .models import Submission

    return Submission.objects.filter(state=Submission.State.QUEUED).exists()


@shared_task(name="grading.ping", soft_time_limit=5, time_limit=10, ignore_result=False)
def ping() -> dict:
    """Answers with the worker's host name: proves a worker is consuming the queue."""
    return {"pong": True, "host": socket.gethostname()}


class _Heartbeat(threading.Thread):
    """Beats the submission's heart while the engine grades; its own DB connection."""

    def __init__(self, submission):
        super().__init__(name=f"heartbeat-{submission.id}", daemon=True)
        self.submission = submission
        self.stopped = threading.Event()

    def run(self):
        from .services import HEARTBEAT_S, submission_heartbeat

        try:
            while not self.stopped.wait(HEARTBEAT_S):
                try:
                    if not submission_heartbeat(submission=self.submission):
                        return
                except DatabaseError:
                    pass  # the database will be back, or the reaper will act
        finally:
            connection.close()

    def stop(self):
        self.stopped.set()
        self.join(timeout=2)


@shared_task(
    bind=True,
    name="grading.grade_submission",
    soft_time_limit=150,
    time_limit=180,
    max_retries=8,
)
def grade_submission(self, submission_id: int) -> str:
    from judge.engine import ERROR, GradeResult, grade_source
    from judge.exercise import ExerciseInvalid, exercise_from_course
    from sandbox import SandboxUnavailable

    from .sandbox_pool import worker_sandbox
    from .services import (
        publish_refinement,
        student_result,
        submission_claim,
        submission_finish,
        submission_release,
    )

    close_old_connections()
    try:
        # Before the claim: a process that cannot jail code leaves the row untouched.
        sandbox = worker_sandbox()
    except SandboxUnavailable as exc:
        log.warning("event=grading_refused submission_id=%s reason=%r", submission_id, str(exc))
        raise self.retry(countdown=min(60, 2**self.request.retries), exc=exc) from None
    worker = f"{socket.gethostname()}:{self.request.hostname or ''}"
    submission = submission_claim(submission_id=submission_id, worker=worker)
    if submission is None:
        return "not claimed"
    if submission.revivals >= MAX_REVIVALS:
        # It keeps taking workers down with it: stop, and say so without blaming the code.
        result = GradeResult(
            submission.exercise.slug,
            ERROR,
            0.0,
            message="grading failed repeatedly for reasons outside your code; "
            "an instructor can regrade it",
        )
        submission_finish(submission=submission, result=result, data=student_result(result, {}))
        log.error("event=gave_up submission=%s revivals=%d", submission.uuid, submission.revivals)
        return "gave up"
    heartbeat = _Heartbeat(submission)
    heartbeat.start()
    started = time.monotonic()
    try:
        exercise = submission.exercise
        spec = exercise_from_course(exercise.course.source_path, exercise.slug)
        result = grade_source(
            submission.source, spec, sandbox, defer_shrink=settings.GRADING_DEFER_SHRINK
        )
    except (SandboxUnavailable, ExerciseInvalid, DatabaseError, SoftTimeLimitExceeded) as exc:
        heartbeat.stop()
        reason = f"{type(exc).__name__}: {exc}"
        submission_release(submission=submission, error=reason)
        log.warning("event=infra_retry submission=%s reason=%r", submission.uuid, reason)
        raise self.retry(countdown=min(60, 2**self.request.retries), exc=exc) from None
    heartbeat.stop()
    hints = {m.slug: m.hint for m in spec.mistakes}
    finished = submission_finish(
        submission=submission, result=result, data=student_result(result, hints)
    )
    refine = finished and any(check.refine for check in result.checks)
    if refine:
        publish_refinement(submission.id)
    log.info(
        "event=graded submission=%s exercise=%s verdict=%s score=%s ms=%d recorded=%s refine=%s",
        submission.uuid,
        exercise.slug,
        result.verdict,
        result.score,
        (time.monotonic() - started) * 1000,
        finished,
        refine,
    )
    return result.verdict if finished else "claim lost"


@shared_task(
    bind=True,
    name="grading.refine_submission",
    soft_time_limit=150,
    time_limit=180,
    max_retries=5,
)
def refine_submission(self, submission_id: int) -> str:
    """After the verdict: look for the smallest input on which each failing check still
    fails (Hypothesis shrinking, in the sandbox) and put it in the result. Idempotent: a
    second delivery finds nothing left to refine."""
    from judge.engine import refine_source
    from judge.exercise import ExerciseInvalid, exercise_from_course
    from sandbox import SandboxUnavailable

    from .models import Submission
    from .sandbox_pool import worker_sandbox
    from .services import submission_refine

    close_old_connections()
    submission = (
        Submission.objects.select_related("exercise__course")
        .filter(id=submission_id, state=Submission.State.DONE, refining=True)
        .first()
    )
    if submission is None:
        return "nothing to refine"
    if self.request.retries < REFINE_YIELDS and _students_waiting():
        # Verdicts first: while a submission waits for a grader, refinements wait too
        # (for up to REFINE_YIELDS x REFINE_YIELD_S, then they take their turn anyway).
        raise self.retry(countdown=REFINE_YIELD_S, max_retries=REFINE_YIELDS + 5)
    names = {c["name"] for c in submission.result.get("checks", []) if c.get("refine")}
    started = time.monotonic()
    try:
        sandbox = worker_sandbox()
        exercise = submission.exercise
        spec = exercise_from_course(exercise.course.source_path, exercise.slug)
        refined = refine_source(
            submission.source, spec, sandbox, seed=submission.result.get("seed") or 0, names=names
        )
    except (SandboxUnavailable, ExerciseInvalid, DatabaseError) as exc:
        log.warning("event=refine_retry submission=%s reason=%r", submission.uuid, str(exc))
        raise self.retry(countdown=min(60, 2**self.request.retries), exc=exc) from None
    except SoftTimeLimitExceeded:
        refined = {}
    written = submission_refine(submission=submission, refined=refined)
    log.info(
        "event=refined submission=%s checks=%d smaller=%d ms=%d recorded=%s",
        submission.uuid,
        len(names),
        len(refined),
        (time.monotonic() - started) * 1000,
        written,
    )
    return "refined" if written else "result changed"


@shared_task(name="grading.reap_stuck_submissions", soft_time_limit=30, time_limit=60)
def reap_stuck_submissions() -> dict:
    from .services import submissions_reap

    return submissions_reap()
