"""Every Celery task of the project. Each is an interface: load by id, claim with a
conditional update, call a service (grading/services.py, grader.py, regrade.py), record
the outcome. Services queue tasks by name (grading/queues.py) and never import this file.

`grade_submission` first makes sure this process can jail code (grading/sandbox_pool.py)
and refuses before claiming when it cannot. Tasks run with acks_late and
reject-on-worker-lost (config/settings.py): a worker killed mid-grading leaves its message
to be redelivered, and the claim makes the redelivery a no-op if the work was finished
after all. A student's fault is a verdict, never a retry; only infrastructure faults
retry, with exponential back-off and a cap, and the periodic reaper catches whatever falls
through. An exercise whose files cannot be graded blocks its submissions (a terminal,
visible state) instead of retrying.
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

from judge.engine import GradeResult, refine_source
from judge.exercise import ExerciseInvalid
from judge.verdicts import Verdict
from sandbox import SandboxUnavailable

from . import queues, regrade
from .grader import INFRASTRUCTURE, exercise_spec, grade, student_result
from .models import Submission
from .sandbox_pool import worker_sandbox
from .services import (
    HEARTBEAT_S,
    publish_refinement,
    submission_block,
    submission_claim,
    submission_finish,
    submission_heartbeat,
    submission_refine,
    submission_refine_begin,
    submission_release,
    submissions_reap,
)

log = logging.getLogger("descent.grading")

# A submission whose grading took its worker down this many times is not tried again.
MAX_REVIVALS = 3
# A refinement steps aside while submissions wait for a grader, for about 5 minutes in
# all, then runs anyway. On a worker that does not grade (docker-compose's and the
# cluster's background worker) it waits inside the task, asking every REFINE_POLL_S on
# the connection it keeps, for up to REFINE_WAIT_S a round. A worker that also grades
# must not: it would be held by refinements waiting for the very submissions it could
# grade; there it goes back to the broker for REFINE_YIELD_S, doubling up to
# REFINE_YIELD_MAX_S. (Re-queuing every 2 s, as before, cost a rush more than the
# refinements: a task start and a broker round trip each, for hundreds at once.)
REFINE_YIELDS = 13
REFINE_WAIT_S = 20
REFINE_POLL_S = 1
REFINE_YIELD_S = 2
REFINE_YIELD_MAX_S = 30
GRADING_QUEUE = "grading"  # config/settings.py CELERY_TASK_ROUTES


def _backoff(task) -> int:
    return min(60, 2**task.request.retries)


@shared_task(name=queues.PING, soft_time_limit=5, time_limit=10, ignore_result=False)
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


def _not_the_codes_fault(submission: Submission, message: str) -> None:
    """End the row with an error verdict that says the grading failed, not the code."""
    result = GradeResult(submission.exercise.slug, Verdict.ERROR, 0.0, message=message)
    submission_finish(submission=submission, result=result, data=student_result(result, {}))


def _give_up(submission: Submission) -> str:
    """It keeps taking workers down with it: stop, and say so without blaming the code."""
    _not_the_codes_fault(
        submission,
        "grading failed repeatedly for reasons outside your code; an instructor can regrade it",
    )
    log.error("event=gave_up submission=%s revivals=%d", submission.uuid, submission.revivals)
    return "gave up"


@shared_task(bind=True, name=queues.GRADE, soft_time_limit=150, time_limit=180, max_retries=8)
def grade_submission(self, submission_id: int) -> str:
    close_old_connections()
    try:
        # Before the claim: a process that cannot jail code leaves the row untouched.
        sandbox = worker_sandbox()
    except SandboxUnavailable as exc:
        log.warning("event=grading_refused submission_id=%s reason=%r", submission_id, str(exc))
        raise self.retry(countdown=_backoff(self), exc=exc) from None
    worker = f"{socket.gethostname()}:{self.request.hostname or ''}"
    submission = submission_claim(submission_id=submission_id, worker=worker)
    if submission is None:
        return "not claimed"
    if submission.revivals >= MAX_REVIVALS:
        return _give_up(submission)
    heartbeat = _Heartbeat(submission)
    heartbeat.start()
    started = time.monotonic()
    try:
        graded = grade(
            exercise=submission.exercise,
            source=submission.source,
            sandbox=sandbox,
            defer_shrink=settings.GRADING_DEFER_SHRINK,
        )
    except ExerciseInvalid as exc:
        submission_block(submission=submission, reason=str(exc))
        log.error("event=blocked submission=%s reason=%r", submission.uuid, str(exc))
        return "blocked"
    except INFRASTRUCTURE as exc:
        reason = f"{type(exc).__name__}: {exc}"
        submission_release(submission=submission, error=reason)
        log.warning("event=infra_retry submission=%s reason=%r", submission.uuid, reason)
        raise self.retry(countdown=_backoff(self), exc=exc) from None
    except Exception:
        # A fault of the grader itself that the judge let through: the same source would
        # fail the same way again, so the row gets a verdict that says so instead of
        # staying `running` (or cycling through the reaper) for ever.
        log.exception("event=grader_crashed submission=%s", submission.uuid)
        _not_the_codes_fault(
            submission,
            "the grader failed on this submission, not because of your code; "
            "it was logged, and an instructor can regrade it",
        )
        return "grader failed"
    finally:
        heartbeat.stop()
    return _record(submission, graded, started)


def _record(submission: Submission, graded, started: float) -> str:
    result = graded.result
    finished = submission_finish(submission=submission, result=result, data=graded.data)
    refine = finished and any(check.refine for check in result.checks)
    if refine:
        publish_refinement(submission.id)
    log.info(
        "event=graded submission=%s exercise=%s verdict=%s score=%s ms=%d recorded=%s refine=%s",
        submission.uuid,
        submission.exercise.slug,
        result.verdict,
        result.score,
        (time.monotonic() - started) * 1000,
        finished,
        refine,
    )
    return result.verdict if finished else "claim lost"


def _students_waiting() -> bool:
    return Submission.objects.filter(state=Submission.State.QUEUED).exists()


def _refine_yield_s(retries: int) -> int:
    return min(REFINE_YIELD_MAX_S, REFINE_YIELD_S * 2 ** min(retries, 8))


def _grades_here(app) -> bool:
    """Whether this worker takes grading tasks too, or may: started without -Q, or on a
    Celery that keeps its -Q selection elsewhere (the safe answer is yes). The prefork
    children inherit the selection the worker made before it forked them."""
    selected = getattr(app.amqp.queues, "_consume_from", None)
    return selected is None or GRADING_QUEUE in selected


def _graders_free(wait_s: float) -> bool:
    """True once no submission waits for a grader; False if some still wait after wait_s."""
    give_up = time.monotonic() + wait_s
    while _students_waiting():
        if time.monotonic() >= give_up:
            return False
        time.sleep(REFINE_POLL_S)
    return True


# The soft limit leaves a refinement its full 150 s after a round of waiting.
@shared_task(bind=True, name=queues.REFINE, soft_time_limit=175, time_limit=205, max_retries=5)
def refine_submission(self, submission_id: int) -> str:
    """After the verdict: look for the smallest input on which each failing check still
    fails (Hypothesis shrinking, in the sandbox) and put it in the result. Idempotent: a
    second delivery finds nothing left to refine."""
    close_old_connections()
    submission = (
        Submission.objects.select_related("exercise__course")
        .filter(id=submission_id, state=Submission.State.DONE, refining=True)
        .first()
    )
    if submission is None:
        return "nothing to refine"
    retries = self.request.retries
    if retries < REFINE_YIELDS and _students_waiting():
        # Verdicts first: while a submission waits for a grader, refinements wait too.
        if _grades_here(self.app):
            raise self.retry(countdown=_refine_yield_s(retries), max_retries=REFINE_YIELDS + 5)
        if not _graders_free(REFINE_WAIT_S):
            raise self.retry(countdown=0, max_retries=REFINE_YIELDS + 5)
    if not submission_refine_begin(submission=submission):
        return "gave up"
    names = {c["name"] for c in submission.result.get("checks", []) if c.get("refine")}
    started = time.monotonic()
    try:
        spec = exercise_spec(submission.exercise)
        refined = refine_source(
            submission.source,
            spec,
            worker_sandbox(),
            seed=submission.result.get("seed") or 0,
            names=names,
        )
    except ExerciseInvalid:
        # The files broke since the verdict: the feedback stays as it is.
        refined = {}
    except (SandboxUnavailable, DatabaseError) as exc:
        log.warning("event=refine_retry submission=%s reason=%r", submission.uuid, str(exc))
        raise self.retry(countdown=_backoff(self), exc=exc) from None
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


@shared_task(name=queues.REAP, soft_time_limit=30, time_limit=60)
def reap_stuck_submissions() -> dict:
    return submissions_reap()


@shared_task(
    bind=True, name=queues.REGRADE_START, soft_time_limit=150, time_limit=180, max_retries=8
)
def regrade_job_start(self, job_id: int) -> str:
    close_old_connections()
    try:
        return regrade.regrade_job_begin(job_id=job_id, sandbox=worker_sandbox())
    except INFRASTRUCTURE as exc:
        if self.request.retries >= self.max_retries:
            message = f"the grading infrastructure kept failing: {type(exc).__name__}: {exc}"
            regrade.regrade_fail(job_id=job_id, message=message)
            return "failed"
        raise self.retry(countdown=_backoff(self), exc=exc) from None
    except Exception as exc:
        # The exercise's own code (checks, reference) raised: the instructor must see it.
        log.exception("event=regrade_selfcheck_crashed job=%s", job_id)
        message = f"the exercise's checks crashed: {type(exc).__name__}: {exc}"
        regrade.regrade_fail(job_id=job_id, message=message)
        return "failed"


@shared_task(
    bind=True, name=queues.REGRADE_CHUNK, soft_time_limit=600, time_limit=660, max_retries=8
)
def regrade_chunk(self, job_id: int, index: int, submission_ids: list[int]) -> str:
    close_old_connections()
    job = regrade.regrade_job_running(job_id=job_id)
    if job is None:
        return "job not running"
    if index in job.chunks_done:
        return "already done"
    progress = regrade.ChunkProgress(len(submission_ids))
    try:
        regrade.regrade_chunk_run(
            job=job,
            submission_ids=submission_ids,
            sandbox=worker_sandbox(),
            progress=progress,
        )
    except ExerciseInvalid as exc:
        regrade.regrade_fail(job_id=job_id, message=f"the exercise's files do not load: {exc}")
        return "failed"
    except INFRASTRUCTURE as exc:
        # What this run regraded is recorded and counted; a retry carries on from there.
        reason = f"{type(exc).__name__}: {exc}"
        if self.request.retries >= self.max_retries:
            counts = progress.counts
            regrade.regrade_chunk_finish(
                job_id=job_id, index=index, skipped=counts["skipped"], errored=progress.left
            )
            log.error(
                "event=regrade_chunk_gave_up job=%s chunk=%d reason=%r", job_id, index, reason
            )
            return "gave up"
        log.warning("event=regrade_retry job=%s chunk=%d reason=%r", job_id, index, reason)
        raise self.retry(countdown=_backoff(self), exc=exc) from None
    counts = progress.counts
    regrade.regrade_chunk_finish(
        job_id=job_id, index=index, skipped=counts["skipped"], errored=counts["errored"]
    )
    log.info(
        "event=regrade_chunk job=%s chunk=%d regraded=%d skipped=%d host=%s",
        job_id,
        index,
        counts["regraded"],
        counts["skipped"],
        socket.gethostname(),
    )
    return "done"
