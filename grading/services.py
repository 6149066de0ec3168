"""Workflows of the submission pipeline (see the state diagram in grading/models.py).

Every state change is a conditional UPDATE on the row's current state (and, for a
running submission, on the claim number the worker holds), so two processes racing
for one submission never both win: a redelivered task, a second worker and the
reaper each find the row already taken and step back.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from courses.models import Exercise
from courses.selectors import UNREAD, exercise_deadline
from judge.engine import GradeResult
from judge.exercise import ExerciseInvalid
from sandbox import SourceRejected, check_source

from . import queues, standings, wakeup
from .grader import bounded_result, exercise_spec
from .models import Draft, Submission, source_digest
from .signals import announce_score

log = logging.getLogger("descent.grading")

# Workers beat a running submission's heart every HEARTBEAT_S. The reaper takes back a
# running submission whose heart stopped for settings.GRADING_STALE_S (the worker died,
# or its machine did), and publishes again a queued one nobody claimed for
# settings.QUEUED_STALE_S (its message was lost: the broker restarted without
# persistence, or was down when the submission was saved).
HEARTBEAT_S = 5


class SubmissionRejected(ValueError):
    """The source cannot be a submission; the message says why, for the student."""


class SubmissionThrottled(SubmissionRejected):
    """Too many submissions too fast, or too many waiting: try again in `wait` seconds."""

    def __init__(self, message: str, wait: float):
        super().__init__(message)
        self.wait = wait


PERIODS = {"s": (1, "second"), "sec": (1, "second"), "m": (60, "minute"),
           "min": (60, "minute"), "h": (3600, "hour"), "hour": (3600, "hour")}  # fmt: skip


def _rate() -> tuple[int, int, str]:
    """SUBMISSION_RATE ("6/min") as (count, seconds, "minute")."""
    count, _, period = settings.SUBMISSION_RATE.partition("/")
    seconds, word = PERIODS[period or "min"]
    return int(count), seconds, word


def _valid_source(source) -> str:
    try:
        return check_source(source)
    except SourceRejected as exc:
        raise SubmissionRejected(str(exc)) from None


def submission_create(
    *, student, exercise, source: str, deadline=UNREAD
) -> tuple[Submission, bool]:
    """Save the submission and queue its grading once the row is committed.

    Returns (submission, created). An identical resubmission (same student, exercise and
    source) returns the earlier submission and queues nothing. ``deadline``: the
    student's for the exercise (courses.selectors.exercise_deadline) when the caller has
    read it already.
    """
    source = _valid_source(source)
    digest = source_digest(source)
    now = timezone.now()
    if deadline is UNREAD:
        deadline = exercise_deadline(student=student, exercise=exercise)
    with transaction.atomic():
        # One student's submissions are taken one at a time (a row lock on the student),
        # so the attempt number and the limits below hold however many requests arrive
        # together, through the API and the exercise page's plain form alike.
        get_user_model().objects.select_for_update().filter(pk=student.pk).exists()
        mine = Submission.objects.filter(student=student, exercise=exercise)
        earlier = mine.filter(source_sha256=digest).order_by("-created_at").first()
        if earlier is not None:
            return earlier, False
        count, seconds, period = _rate()
        window = list(
            mine.filter(created_at__gte=timezone.now() - timedelta(seconds=seconds))
            .order_by("-created_at")
            .values_list("created_at", flat=True)[:count]
        )
        if len(window) >= count:
            wait = seconds - (timezone.now() - window[-1]).total_seconds()
            raise SubmissionThrottled(
                f"You can submit {count} times a {period} per exercise; "
                f"try again in {int(max(0, wait)) + 1} s.",
                wait,
            )
        waiting = Submission.objects.filter(
            student=student, state__in=[Submission.State.QUEUED, Submission.State.RUNNING]
        ).count()
        if waiting >= settings.SUBMISSIONS_IN_FLIGHT:
            raise SubmissionThrottled(
                f"You have {waiting} submissions waiting to be graded; "
                "submit again when one has its verdict.",
                5.0,
            )
        if deadline is not None and deadline.refusal(now):
            raise SubmissionRejected(deadline.refusal(now))
        late = deadline is not None and deadline.state(now) == "late"
        last = mine.aggregate(n=Max("attempt"))["n"]
        submission = Submission.objects.create(
            late_by_s=int((now - deadline.due_at).total_seconds()) if late else 0,
            score_factor=deadline.factor(now) if deadline is not None else 1.0,
            student=student,
            exercise=exercise,
            source=source,
            source_sha256=digest,
            attempt=(last or 0) + 1,
        )
    # The task takes only the id, and only once the row is visible to the worker.
    transaction.on_commit(lambda sid=submission.id: publish_grading(sid))
    return submission, True


def publish_grading(submission_id: int) -> bool:
    """Put a saved submission on the grading queue. The row is the record and the message
    only a wake-up call: when the broker cannot take it, the submission stays saved and
    queued, the student gets their answer, and the reaper publishes it again later."""
    return publish(queues.GRADE, submission_id, meanwhile="the reaper will queue it again")


def publish(task: str, *args, meanwhile: str) -> bool:
    """Send a task; False (and a log line saying what happens instead) when the broker
    cannot take it."""
    try:
        queues.send(task, *args)  # retries briefly: CELERY_TASK_PUBLISH_RETRY_POLICY
    except Exception as exc:  # kombu raises its own and the transport's connection errors
        log.error(
            "event=publish_failed task=%s args=%s reason=%r; %s",
            task,
            list(args),
            f"{type(exc).__name__}: {exc}",
            meanwhile,
        )
        return False
    return True


def draft_save(*, student, exercise, source: str) -> Draft:
    source = _valid_source(source)
    draft, _ = Draft.objects.update_or_create(
        student=student, exercise=exercise, defaults={"source": source}
    )
    return draft


def submission_claim(*, submission_id: int, worker: str) -> Submission | None:
    """Queued -> running for this worker; None when someone else has it (or it is done)."""
    now = timezone.now()
    taken = Submission.objects.filter(id=submission_id, state=Submission.State.QUEUED).update(
        state=Submission.State.RUNNING,
        started_at=now,
        heartbeat_at=now,
        claims=F("claims") + 1,
        worker=worker[:200],
    )
    if not taken:
        return None
    wakeup.notify([submission_id])
    return Submission.objects.select_related("exercise__course").get(id=submission_id)


def submission_heartbeat(*, submission: Submission) -> bool:
    """Tell the reaper this claim is alive; False once the claim was taken away."""
    return bool(
        Submission.objects.filter(
            id=submission.id, state=Submission.State.RUNNING, claims=submission.claims
        ).update(heartbeat_at=timezone.now())
    )


def submission_finish(*, submission: Submission, result: GradeResult, data: dict) -> bool:
    """Running -> done with the verdict; False (and nothing written) when the claim is no
    longer this worker's, e.g. the reaper gave it to another after a long stall. The
    verdict, the student's standings and the waiting client's notice commit together."""
    with transaction.atomic():
        finished = bool(
            Submission.objects.filter(
                id=submission.id, state=Submission.State.RUNNING, claims=submission.claims
            ).update(
                state=Submission.State.DONE,
                verdict=result.verdict,
                score=result.score,
                result=data,
                finished_at=timezone.now(),
                infra_error="",
                refining=any(check.refine for check in result.checks),
                refine_attempts=0,
            )
        )
        if finished:
            wakeup.notify([submission.id])
            standings.submission_graded(
                submission=submission, verdict=result.verdict, checks=data.get("checks")
            )
            announce_score(student_id=submission.student_id, exercise_id=submission.exercise_id)
    return finished


# A refinement that took its worker down this many times is not tried again.
MAX_REFINE_ATTEMPTS = 3


def submission_refine_begin(*, submission: Submission) -> bool:
    """Count one more attempt at refining; False, and the refinement ended with the
    feedback as it is, when the attempts are used up."""
    counted = Submission.objects.filter(
        id=submission.id,
        state=Submission.State.DONE,
        refining=True,
        refine_attempts__lt=MAX_REFINE_ATTEMPTS,
    ).update(refine_attempts=F("refine_attempts") + 1)
    if counted:
        return True
    Submission.objects.filter(id=submission.id, refining=True).update(refining=False)
    wakeup.notify([submission.id])
    log.error(
        "event=refine_gave_up submission=%s attempts=%d", submission.uuid, MAX_REFINE_ATTEMPTS
    )
    return False


def publish_refinement(submission_id: int) -> bool:
    """Queue the search for smaller failing inputs of a graded submission. If the broker
    cannot take it the verdict stands with its random failing cases, and the reaper
    stops the page from waiting for a refinement that will not come."""
    return publish(queues.REFINE, submission_id, meanwhile="the random failing cases stay")


def submission_refine(*, submission: Submission, refined: dict) -> bool:
    """Write the smallest failing inputs found and the figures drawn (check name ->
    CheckResult) into the result, and end the refinement. Only the checks' failing
    inputs, messages and figures change;
    nothing is written if the result was replaced meanwhile (a regrade)."""
    data = submission.result
    for check in data.get("checks", []):
        if not check.get("refine"):
            continue
        check["refine"] = False
        smaller = refined.get(check["name"])
        if smaller is not None:  # a smaller failing input, or a figure drawn
            fresh = smaller.to_dict()
            for key in ("message", "failing_input", "error", "shrunk", "figure"):
                check[key] = fresh[key]
    refined_now = bool(
        Submission.objects.filter(
            id=submission.id,
            state=Submission.State.DONE,
            refining=True,
            result__seed=data.get("seed"),
            finished_at=submission.finished_at,
        ).update(result=bounded_result(data), refining=False)
    )
    if refined_now:
        wakeup.notify([submission.id])
    return refined_now


def submission_release(*, submission: Submission, error: str) -> bool:
    """Running -> queued after an infrastructure fault: the student is not to blame, and
    the submission will be graded again (by a retry, or by the reaper)."""
    released = bool(
        Submission.objects.filter(
            id=submission.id, state=Submission.State.RUNNING, claims=submission.claims
        ).update(
            state=Submission.State.QUEUED,
            queued_at=timezone.now(),
            heartbeat_at=None,
            infra_error=error[:2000],
        )
    )
    if released:
        wakeup.notify([submission.id])
    return released


BLOCKED_MESSAGE = (
    "This exercise cannot be graded right now: its files have a problem that your "
    "instructor has to fix. Your code is saved and was not counted as an attempt; your "
    "instructor can have it graded once the exercise is fixed."
)


def _blocked(reason: str) -> dict:
    """The fields of a submission the exercise's files stopped (see the model's states)."""
    return {
        "state": Submission.State.BLOCKED,
        "heartbeat_at": None,
        "finished_at": timezone.now(),
        "infra_error": reason[:2000],
        "result": {"message": BLOCKED_MESSAGE},
    }


def submission_block(*, submission: Submission, reason: str) -> bool:
    """Running -> blocked: the exercise's files cannot be graded (an authoring fault).
    Terminal, no verdict, not an attempt; `reason` is for the instructor."""
    with transaction.atomic():
        blocked = bool(
            Submission.objects.filter(
                id=submission.id, state=Submission.State.RUNNING, claims=submission.claims
            ).update(**_blocked(reason))
        )
        if blocked:
            wakeup.notify([submission.id])
            standings.exercise_changed(submission.student_id, submission.exercise_id)
    return blocked


def _blocked_of(exercise, student_ids=None):
    blocked = Submission.objects.filter(exercise=exercise, state=Submission.State.BLOCKED)
    return blocked if student_ids is None else blocked.filter(student_id__in=student_ids)


def submissions_unblock(*, exercise, student_ids=None) -> int:
    """Blocked -> queued for the exercise (only these students' when given), and publish
    them: the instructor fixed the files, or wants to see whether they are fixed."""
    ids = list(_blocked_of(exercise, student_ids).values_list("id", flat=True))
    requeued = Submission.objects.filter(id__in=ids, state=Submission.State.BLOCKED).update(
        state=Submission.State.QUEUED,
        queued_at=timezone.now(),
        finished_at=None,
        infra_error="",
        result={},
    )
    standings.submissions_changed(ids)
    wakeup.notify(ids)
    for submission_id in ids:
        transaction.on_commit(lambda sid=submission_id: publish_grading(sid))
    return requeued


def blocked_summary(*, exercise, student_ids=None) -> dict:
    """How many of the exercise's submissions are blocked, and the latest reason."""
    blocked = _blocked_of(exercise, student_ids)
    latest = blocked.order_by("-finished_at").values_list("infra_error", flat=True).first()
    return {"count": blocked.count(), "reason": latest or ""}


def submissions_reap(
    *, grading_stale_s: float | None = None, queued_stale_s: float | None = None
) -> dict[str, int]:
    """Re-queue work that got stuck: running with a dead heartbeat (worker killed), or
    queued and never claimed (message lost). Queuing twice is harmless: the claim lets
    exactly one task through. A queued submission whose exercise cannot be graded is
    blocked instead, so it never cycles through here again."""
    grading_stale_s = settings.GRADING_STALE_S if grading_stale_s is None else grading_stale_s
    queued_stale_s = settings.QUEUED_STALE_S if queued_stale_s is None else queued_stale_s
    now = timezone.now()
    revived, stalled = _revive_stalled(now - timedelta(seconds=grading_stale_s), now)
    # A refinement that never came (lost message, a worker that keeps dying on it): the
    # verdict's feedback is complete as it is; stop the page from waiting.
    abandoned = Submission.objects.filter(
        state=Submission.State.DONE,
        refining=True,
        finished_at__lt=now - timedelta(seconds=settings.REFINE_GIVE_UP_S),
    ).update(refining=False)
    forgotten = list(
        Submission.objects.filter(
            state=Submission.State.QUEUED, queued_at__lt=now - timedelta(seconds=queued_stale_s)
        ).values_list("id", "exercise_id")
    )
    blocked = _block_ungradable(forgotten)
    forgotten_ids = [sid for sid, _ in forgotten if sid not in blocked]
    Submission.objects.filter(id__in=forgotten_ids).update(queued_at=now)
    requeue = stalled + forgotten_ids
    for submission_id in requeue:
        publish_grading(submission_id)
    if requeue or abandoned or blocked:
        log.warning(
            "event=reaped running=%d queued=%d blocked=%d refinements_abandoned=%d",
            revived,
            len(forgotten_ids),
            len(blocked),
            abandoned,
            extra={"ids": requeue},
        )
    return {
        "running": revived,
        "queued": len(forgotten_ids),
        "blocked": len(blocked),
        "refinements_abandoned": abandoned,
    }


def _revive_stalled(before, now) -> tuple[int, list[int]]:
    """Running rows whose heartbeat stopped before `before` go back to queued: (how many
    were taken back, the ids found)."""
    stalled = list(
        Submission.objects.filter(
            state=Submission.State.RUNNING, heartbeat_at__lt=before
        ).values_list("id", "claims")
    )
    revived = 0
    for submission_id, claims in stalled:
        revived += Submission.objects.filter(
            id=submission_id, state=Submission.State.RUNNING, claims=claims
        ).update(
            state=Submission.State.QUEUED,
            queued_at=now,
            heartbeat_at=None,
            revivals=F("revivals") + 1,
            infra_error="its worker stopped answering; graded again",
        )
    wakeup.notify(submission_id for submission_id, _ in stalled)
    return revived, [submission_id for submission_id, _ in stalled]


def _block_ungradable(rows: list[tuple[int, int]]) -> set[int]:
    """Block the queued rows whose exercise's files do not load; their ids."""
    problems: dict[int, str] = {}
    for exercise in Exercise.objects.filter(id__in={e for _, e in rows}).select_related("course"):
        try:
            exercise_spec(exercise)
        except ExerciseInvalid as exc:
            problems[exercise.id] = str(exc)
    blocked = set()
    for exercise_id, reason in problems.items():
        ids = [sid for sid, e in rows if e == exercise_id]
        Submission.objects.filter(id__in=ids, state=Submission.State.QUEUED).update(
            **_blocked(reason)
        )
        blocked.update(ids)
    standings.submissions_changed(blocked)
    wakeup.notify(blocked)
    return blocked
