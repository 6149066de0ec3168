"""Regrading: re-run every graded submission of an exercise after its checks changed.

    regrade_start()      (web)    creates the RegradeJob row; on commit queues its id
    regrade_job_begin()  (worker) claims the job (queued -> running, one winner), self-
                         checks the exercise first (a broken exercise would otherwise turn
                         every score into 0), lists the submissions, queues the chunks
    regrade_chunk_run()  (worker) regrades CHUNK_SIZE submissions with the same grading
                         path as a first grading (grading/grader.py); the last chunk to
                         finish marks the job done

The Celery tasks that call the last two are in grading/tasks.py, on the "regrade" queue,
in small chunks, so a student's new submission on the "grading" queue waits at most for
one chunk, never for a whole regrade.

Only rows still in state `done` are rewritten, each with a conditional update under its
row lock: a submission queued or running is being graded with the new checks anyway and
is left alone. A chunk may run twice (redelivery after a worker died, a retry after an
infrastructure fault): a submission it already regraded carries this job's id in
``result["regrade"]`` and is skipped, and the job's finished chunks are listed in
``chunks_done``, so nothing is counted twice.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from courses.models import Membership
from judge.exercise import ExerciseInvalid
from judge.selfcheck import selfcheck

from . import queues, standings
from .grader import INFRASTRUCTURE, exercise_spec, grade
from .models import RegradeJob, Submission
from .services import publish
from .signals import announce_score

log = logging.getLogger("descent.grading")

CHUNK_SIZE = 20
# An active job whose counters have not moved for this long is taken as dead (its start
# message was lost, or its worker died between claiming it and queuing the chunks), so it
# no longer blocks a new regrade of the exercise.
REGRADE_STALE_S = 15 * 60
# Scores are rounded to 4 places by the engine; anything closer is the same score.
SCORE_EPSILON = 1e-9


class RegradeRefused(Exception):
    """The regrade cannot start; the message says why, for the instructor."""


def regrade_submissions(*, exercise, cohort):
    """The submissions a regrade rewrites: graded ones of the exercise, by the cohort's
    students (or everybody's when cohort is None)."""
    submissions = Submission.objects.filter(exercise=exercise, state=Submission.State.DONE)
    if cohort is not None:
        students = Membership.objects.filter(cohort=cohort, role=Membership.Role.STUDENT).values(
            "user_id"
        )
        submissions = submissions.filter(student_id__in=students)
    return submissions


def regrade_start(*, exercise, cohort, requested_by) -> RegradeJob:
    """Create the job and queue it once committed. Refuses while another regrade of the
    same exercise (in any cohort) is queued or running."""
    if not exercise.course.source_path:
        raise RegradeRefused(
            "This course was not imported from files, so there are no checks to re-run."
        )
    now = timezone.now()
    with transaction.atomic():
        RegradeJob.objects.filter(
            exercise=exercise,
            state__in=RegradeJob.ACTIVE,
            heartbeat_at__lt=now - timedelta(seconds=REGRADE_STALE_S),
        ).update(
            state=RegradeJob.State.FAILED,
            finished_at=now,
            message="stopped making progress (its worker went away); start a new regrade",
        )
        active = RegradeJob.objects.filter(exercise=exercise, state__in=RegradeJob.ACTIVE).first()
        if active is not None:
            raise RegradeRefused(_busy_message(active))
        try:
            with transaction.atomic():
                job = RegradeJob.objects.create(
                    exercise=exercise,
                    cohort=cohort,
                    requested_by=requested_by,
                    created_at=now,
                    heartbeat_at=now,
                )
        except IntegrityError:
            # Another request started one between our check and our insert.
            active = RegradeJob.objects.filter(
                exercise=exercise, state__in=RegradeJob.ACTIVE
            ).first()
            raise RegradeRefused(
                _busy_message(active) if active else "a regrade of this exercise just started"
            ) from None
        transaction.on_commit(
            lambda: publish(queues.REGRADE_START, job.id, meanwhile="start it again later")
        )
    log.info("event=regrade_requested job=%s exercise=%s", job.id, exercise.slug)
    return job


def _busy_message(job: RegradeJob) -> str:
    scope = f"cohort {job.cohort.name}" if job.cohort_id else "all cohorts"
    progress = f"{job.done} of {job.total} done" if job.total else "not started yet"
    return (
        f"A regrade of this exercise is already {job.state} ({scope}, {progress}). "
        "Wait for it to finish before starting another."
    )


def regrade_progress(*, job: RegradeJob) -> dict:
    return job.progress


def _load(job_id: int) -> RegradeJob | None:
    return RegradeJob.objects.select_related("exercise__course", "cohort").filter(id=job_id).first()


def regrade_fail(*, job_id: int, message: str) -> None:
    RegradeJob.objects.filter(id=job_id, state__in=RegradeJob.ACTIVE).update(
        state=RegradeJob.State.FAILED, finished_at=timezone.now(), message=message[:2000]
    )
    log.warning("event=regrade_failed job=%s reason=%r", job_id, message)


def regrade_job_begin(*, job_id: int, sandbox) -> str:
    """Self-check the exercise, list its graded submissions and queue them in chunks.
    Infrastructure faults (the sandbox, the database) propagate for the task to retry;
    an exercise that cannot be graded fails the job, with why, for the instructor."""
    job = _load(job_id)
    if job is None or job.state != RegradeJob.State.QUEUED:
        return "not claimed"
    exercise = job.exercise
    try:
        spec = exercise_spec(exercise)
        # The exercise must still accept its own reference: a check broken by the edit
        # would otherwise fail (or error) every submission, and zero every score.
        check = selfcheck(spec, sandbox)
    except ExerciseInvalid as exc:
        regrade_fail(job_id=job_id, message=f"the exercise's files do not load: {exc}")
        return "failed"
    if not check.ok:
        problems = "; ".join(problem.message for problem in check.problems)
        regrade_fail(job_id=job_id, message=f"{problems}; fix the exercise, then regrade")
        return "failed"
    ids = list(
        regrade_submissions(exercise=exercise, cohort=job.cohort)
        .order_by("id")
        .values_list("id", flat=True)
    )
    chunks = [ids[i : i + CHUNK_SIZE] for i in range(0, len(ids), CHUNK_SIZE)]
    now = timezone.now()
    claimed = RegradeJob.objects.filter(id=job_id, state=RegradeJob.State.QUEUED).update(
        state=RegradeJob.State.RUNNING if chunks else RegradeJob.State.DONE,
        started_at=now,
        heartbeat_at=now,
        finished_at=None if chunks else now,
        total=len(ids),
        chunks=len(chunks),
        checks_version=spec.checks_version,
    )
    if not claimed:
        return "not claimed"
    for index, chunk in enumerate(chunks):
        publish(queues.REGRADE_CHUNK, job_id, index, chunk, meanwhile="the job will stall")
    log.info(
        "event=regrade_started job=%s exercise=%s submissions=%d chunks=%d version=%s",
        job_id,
        exercise.slug,
        len(ids),
        len(chunks),
        spec.checks_version,
    )
    return "running" if chunks else "done"


def regrade_one(*, job_id: int, submission_id: int, sandbox) -> str:
    """Regrade one submission: 'regraded', 'already' (by an earlier run of this chunk,
    so already counted) or 'skipped' (gone, or no longer in state done)."""
    row = (
        Submission.objects.filter(id=submission_id)
        .select_related("exercise__course")
        .only("state", "source", "result", "exercise", "student_id")
        .first()
    )
    if row is None or row.state != Submission.State.DONE:
        return "skipped"
    if _regraded_by(row.result, job_id):
        return "already"
    graded = grade(exercise=row.exercise, source=row.source, sandbox=sandbox)
    result, data = graded.result, graded.data
    now = timezone.now()
    with transaction.atomic():
        locked = (
            Submission.objects.select_for_update()
            .filter(id=submission_id, state=Submission.State.DONE)
            .values("score", "result")
            .first()
        )
        if locked is None:
            return "skipped"
        if _regraded_by(locked["result"], job_id):
            return "already"
        data["regrade"] = {
            "job": job_id,
            "checks_version": result.checks_version,
            "at": now.isoformat(),
            "previous_score": locked["score"],
        }
        Submission.objects.filter(id=submission_id, state=Submission.State.DONE).update(
            verdict=result.verdict, score=result.score, result=data, refining=False
        )
        standings.exercise_changed(row.student_id, row.exercise_id)
        changed = locked["score"] is None or abs(locked["score"] - result.score) > SCORE_EPSILON
        if changed:
            announce_score(student_id=row.student_id, exercise_id=row.exercise_id)
        RegradeJob.objects.filter(id=job_id).update(
            done=F("done") + 1, changed=F("changed") + int(changed), heartbeat_at=now
        )
    return "regraded"


def _regraded_by(result, job_id: int) -> bool:
    marker = (result or {}).get("regrade") if isinstance(result, dict) else None
    return isinstance(marker, dict) and marker.get("job") == job_id


def regrade_chunk_finish(*, job_id: int, index: int, skipped: int, errored: int) -> bool:
    """Count the chunk's skipped and failed submissions (the regraded ones were counted
    as they went) once, and mark the job finished when this was its last chunk."""
    now = timezone.now()
    with transaction.atomic():
        job = RegradeJob.objects.select_for_update().filter(id=job_id).first()
        if job is None or index in job.chunks_done:
            return False
        chunks_done = sorted({*job.chunks_done, index})
        updates = {
            "done": F("done") + skipped + errored,
            "errors": F("errors") + errored,
            "chunks_done": chunks_done,
            "heartbeat_at": now,
        }
        if len(chunks_done) >= job.chunks and job.state in RegradeJob.ACTIVE:
            updates.update(_finished(job, errors=job.errors + errored, now=now))
        RegradeJob.objects.filter(id=job_id).update(**updates)
    return True


def _finished(job: RegradeJob, *, errors: int, now) -> dict:
    failed = job.total > 0 and errors >= job.total
    updates = {
        "state": RegradeJob.State.FAILED if failed else RegradeJob.State.DONE,
        "finished_at": now,
    }
    if errors:
        updates["message"] = (
            f"{errors} submission(s) could not be regraded and kept their earlier "
            "verdict (the grading infrastructure kept failing, or the checks crashed)"
        )
    return updates


class ChunkProgress:
    """What one run of a chunk did so far: kept across the submissions it regrades, so a
    run stopped by an infrastructure fault still knows what it counted."""

    def __init__(self, size: int):
        self.size = size
        self.counts = {"regraded": 0, "already": 0, "skipped": 0, "errored": 0}

    @property
    def left(self) -> int:
        settled = self.counts["regraded"] + self.counts["already"] + self.counts["skipped"]
        return self.size - settled


def regrade_chunk_run(
    *,
    job: RegradeJob,
    submission_ids: list[int],
    sandbox,
    progress: ChunkProgress,
) -> None:
    """Regrade each submission of a chunk. Infrastructure faults propagate (the task
    retries, and what this run regraded is recorded and counted); a crash of the
    exercise's own code on one submission leaves it its earlier verdict, counted as an
    error, and the others carry on."""
    for submission_id in submission_ids:
        try:
            outcome = regrade_one(job_id=job.id, submission_id=submission_id, sandbox=sandbox)
        except (*INFRASTRUCTURE, ExerciseInvalid):
            raise
        except Exception:
            log.exception("event=regrade_crashed job=%s submission=%s", job.id, submission_id)
            outcome = "errored"
        progress.counts[outcome] += 1


def regrade_job_running(*, job_id: int) -> RegradeJob | None:
    return (
        RegradeJob.objects.filter(id=job_id, state=RegradeJob.State.RUNNING)
        .select_related("exercise__course")
        .first()
    )


def regrade_job_for(*, job_id: int, exercise, cohort) -> RegradeJob | None:
    """The job, only when it is this exercise's regrade for this cohort."""
    return RegradeJob.objects.filter(id=job_id, exercise=exercise, cohort=cohort).first()


def regrade_latest(*, exercise, cohort) -> RegradeJob | None:
    """The latest regrade of the exercise for this cohort."""
    return (
        RegradeJob.objects.filter(exercise=exercise, cohort=cohort)
        .select_related("requested_by")
        .order_by("-id")
        .first()
    )


def regrade_blocking(*, exercise, cohort) -> RegradeJob | None:
    """An active regrade of the exercise started for another scope (another cohort, or
    all cohorts): while it runs, this cohort cannot start one."""
    return (
        RegradeJob.objects.filter(exercise=exercise, state__in=RegradeJob.ACTIVE)
        .exclude(cohort=cohort)
        .select_related("cohort")
        .first()
    )
