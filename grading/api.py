"""The JSON API (v1): submit from a notebook or a terminal, and the exercise page's own
calls. Token auth (`Authorization: Token <key>`, the key is on the profile page) or the
browser's session with its CSRF token. A student only ever sees their own submissions
and drafts; anything else is a 404, never a 403 that would confirm it exists.
"""

from __future__ import annotations

import math
import time

from django.shortcuts import get_object_or_404
from django.utils import timezone
from rest_framework import status
from rest_framework.exceptions import NotFound, ParseError, Throttled, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

from courses.models import Exercise
from courses.schedule import when
from courses.selectors import Withheld, exercise_deadline, late_note, results_withheld
from judge.signature import named_inputs, parameter_names

from . import wakeup
from .models import Draft, Submission
from .selectors import failed_attempts
from .services import SubmissionRejected, SubmissionThrottled, draft_save, submission_create


class SubmissionWait(Throttled):
    """A 429 whose message already names the wait: DRF's Throttled would append "Expected
    available in N seconds." and say it twice. The Retry-After header still carries it."""

    def __init__(self, wait: float, detail: str):
        super().__init__(wait=None, detail=detail)
        self.wait = max(1, math.ceil(wait))


def exercise_for(request, slug: str) -> Exercise:
    """The active exercise with this slug; `?course=` picks one when several courses
    have an exercise of that name."""
    exercises = Exercise.objects.filter(slug=slug, is_active=True).select_related("course")
    course = request.query_params.get("course")
    if course:
        exercises = exercises.filter(course__slug=course)
    else:
        exercises = exercises.filter(course__is_preview=False)
    found = [e for e in exercises[:2] if e.course.may_view(request.user)]
    if not found:
        raise NotFound(f"no exercise {slug!r}")
    if len(found) > 1:
        raise ValidationError({"detail": f"several courses have {slug!r}; add ?course=<slug>"})
    return found[0]


def _source_from(request) -> str:
    data = request.data
    if not isinstance(data, dict) or not isinstance(data.get("source"), str):
        raise ValidationError({"detail": 'send JSON {"source": "<your code>"}'})
    return data["source"]


def submission_summary(submission: Submission, *, withheld: Withheld | None = None) -> dict:
    summary = {
        "id": str(submission.uuid),
        "exercise": submission.exercise.slug,
        "attempt": submission.attempt,
        "state": submission.state,
        "verdict": submission.verdict,
        # The verdict in words for a page (judge.verdicts), or why there is none.
        "headline": submission.headline,
        "score": submission.score,
        "created_at": submission.created_at.isoformat(),
        # The same moment as the pages write it, in the viewer's zone.
        "created_at_text": when(submission.created_at, timezone.get_current_timezone()),
        "url": f"/api/v1/submissions/{submission.uuid}",
        # From the cohort's schedule when it was made: seconds past the due date, and the
        # share of the score that counts (1.0 on time).
        "late_by_s": submission.late_by_s,
        "score_factor": submission.score_factor,
        "late_note": late_note(
            late_by_s=submission.late_by_s, score_factor=submission.score_factor
        ),
        "results_hidden": False,
    }
    if withheld is None:
        return summary
    # Exam style, before the due date: that it was received and graded, never how it did.
    return {
        **summary,
        "verdict": None,
        "headline": withheld.note if submission.is_done else submission.headline,
        "score": None,
        "results_hidden": True,
        "results_shown_at": withheld.until.isoformat(),
    }


CHECK_FIELDS = (
    "name",
    "passed",
    "points",
    "earned",
    "message",
    "failing_input",
    "shrunk",
    "refine",
    "mistake",
    "mistake_hint",
    "diagnosis",
    "figure",
    "error",
)


def submission_detail(
    submission: Submission, *, failed: int, withheld: Withheld | None = None
) -> dict:
    if withheld is not None:
        return _withheld_detail(submission, withheld)
    result = submission.result or {}
    exercise = submission.exercise
    # Results graded before inputs were named in the judge say arg1, arg2...
    names = parameter_names(exercise.signature, exercise.entry, exercise.kind)
    checks = [{key: check.get(key) for key in CHECK_FIELDS} for check in result.get("checks", [])]
    for check in checks:
        check["failing_input"] = named_inputs(check["failing_input"], names)
    return {
        **submission_summary(submission),
        "message": result.get("message", ""),
        # Done, and smaller failing inputs are still being looked for: poll again.
        "refining": submission.refining,
        "progress": progress(submission.state, submission.refining),
        "finished_at": submission.finished_at.isoformat() if submission.finished_at else None,
        "duration_ms": (result.get("timings") or {}).get("total_ms"),
        "checks": checks,
        "hint": result.get("hint"),
        # The known mistake's hint or the automatic diagnosis ({kind, label, message}),
        # and the accepted convention the answer followed, if any.
        "diagnosis": result.get("diagnosis"),
        "convention": result.get("convention"),
        "stdout": result.get("stdout", ""),
        "stderr": result.get("stderr", ""),
        "hints": list(submission.exercise.hints[:failed]),
        "source": submission.source,
    }


def _withheld_detail(submission: Submission, withheld: Withheld) -> dict:
    """The detail of a submission whose results are held back: the same keys, with
    nothing that says how it did. Not the messages, failing inputs, figures, output or
    timing (a timeout shows in it); not the hints, which unlock with failed attempts; not
    even that a smaller failing input is being looked for, which only a failing check
    has; and the checks' names are the exercise's (courses.selectors.check_names), the
    same whatever this submission's verdict."""
    done = submission.is_done
    return {
        **submission_summary(submission, withheld=withheld),
        "message": (submission.result or {}).get("message", "") if submission.is_blocked else "",
        "refining": False,
        "progress": progress(submission.state, False),
        "finished_at": None,
        "duration_ms": None,
        "checks": [{"name": name} for name in withheld.check_names] if done else [],
        "hint": None,
        "diagnosis": None,
        "convention": None,
        "stdout": "",
        "stderr": "",
        "hints": [],
        "source": submission.source,
    }


class ExerciseSubmissions(APIView):
    def get(self, request, exercise_slug):
        exercise = exercise_for(request, exercise_slug)
        mine = Submission.objects.visible_to(request.user).filter(
            student=request.user, exercise=exercise
        )
        withheld = results_withheld(
            viewer=request.user, student=request.user, exercise=exercise, names=False
        )
        return Response(
            {
                "results": [
                    submission_summary(s, withheld=withheld)
                    for s in mine.select_related("exercise")[:200]
                ]
            }
        )

    def post(self, request, exercise_slug):
        """Make a submission. With ?wait=N (seconds, up to MAX_WAIT_S), a new one is
        answered the way GET .../submissions/<id>?wait=N&seen=queued would answer: with
        its detail once it moves on from queued (its verdict, most often), or after N
        seconds as it is."""
        wait = _wait_seconds(request)  # a malformed wait refuses before anything is made
        exercise = exercise_for(request, exercise_slug)
        source = _source_from(request)
        deadline = exercise_deadline(student=request.user, exercise=exercise)
        try:
            submission, created = submission_create(
                student=request.user, exercise=exercise, source=source, deadline=deadline
            )
        except SubmissionThrottled as exc:
            raise SubmissionWait(exc.wait, str(exc)) from None
        except SubmissionRejected as exc:
            raise ValidationError({"detail": str(exc)}) from None
        if created and wait:
            # The client asked to wait for the verdict here: one request instead of two.
            waited = _after_waiting(request, submission, "queued", wait, deadline=deadline)
            return Response(waited, status=status.HTTP_201_CREATED)
        withheld = results_withheld(
            viewer=request.user,
            student=request.user,
            exercise=exercise,
            names=not created,
            deadline=deadline,
        )
        if created:
            return Response(
                submission_summary(submission, withheld=withheld), status=status.HTTP_201_CREATED
            )
        failed = failed_attempts(user=request.user, exercise=exercise)
        detail = submission_detail(submission, failed=failed, withheld=withheld)
        return Response({**detail, "duplicate": True})


# ?wait=N (seconds, up to MAX_WAIT_S)&seen=<progress>: answer at once if the submission is
# no longer where the client saw it (queued, running, refining, done: see `progress`),
# else as soon as it moves on, or after N seconds as it is. Without seen, wait for the
# next change from where it is now. One request per change instead of one per poll: the
# verdict reaches the page the moment it is recorded. The wait is woken by a
# notification (grading/wakeup.py: PostgreSQL LISTEN/NOTIFY), not by reading the row
# every 200 ms, and gives its database connection back meanwhile; each waiting client
# still holds a server thread, and gunicorn runs threaded workers for that
# (docker-compose.yml).
MAX_WAIT_S = 20


def _wait_seconds(request) -> float:
    raw = request.query_params.get("wait")
    if raw in (None, ""):
        return 0.0
    try:
        wait = float(raw)
    except ValueError:
        raise ValidationError({"detail": "wait must be a number of seconds"}) from None
    if not 0 <= wait <= MAX_WAIT_S:
        raise ValidationError({"detail": f"wait must be between 0 and {MAX_WAIT_S} seconds"})
    return wait


SEEN = ("queued", "running", "done", "refining", "blocked")


def progress(state: str, refining: bool) -> str:
    """Where a submission is, as one word: its state, or "refining" while done and a
    smaller failing input is still being looked for."""
    return "refining" if state == Submission.State.DONE and refining else state


def _seen(request) -> str | None:
    seen = request.query_params.get("seen")
    if seen is not None and seen not in SEEN:
        raise ValidationError({"detail": f"seen must be one of {', '.join(SEEN)}"})
    return seen


# A submission is "running" for the few milliseconds its grading takes: a client woken
# there would come straight back for the verdict, a second request for one change. So a
# wait that sees it start running goes on waiting up to this long for the verdict, and
# answers "running" only when grading takes longer.
RUNNING_GRACE_S = 1.0


def _moved(submission: Submission, seen: str, wait: float) -> str | None:
    """Where the submission went from ``seen`` within ``wait`` seconds; None if nowhere."""
    latest = Submission.objects.filter(pk=submission.pk).values_list("state", "refining")
    found = [seen]

    def changed() -> bool:
        found[0] = progress(*latest.first())
        return found[0] != seen

    return found[0] if wakeup.wait_for(submission.pk, changed, wait) else None


def _changed(submission: Submission, seen: str, wait: float) -> bool:
    started = time.monotonic()
    moved = _moved(submission, seen, wait)
    if moved == Submission.State.RUNNING:
        left = min(RUNNING_GRACE_S, wait - (time.monotonic() - started))
        if left > 0:
            _moved(submission, moved, left)
    return moved is not None


class SubmissionDetail(APIView):
    def get(self, request, submission_id):
        wait, seen = _wait_seconds(request), _seen(request)
        visible = Submission.objects.visible_to(request.user).select_related(
            "exercise__course", "student"
        )
        submission = get_object_or_404(visible, uuid=submission_id)
        now = progress(submission.state, submission.refining)
        # Wait only while the submission is where the client last saw it (by default,
        # where it is now) and can still change.
        waits = wait and now not in Submission.SETTLED and (seen or now) == now
        if not waits:
            return Response(_detail(request, submission))
        return Response(_after_waiting(request, submission, now, wait))


def _after_waiting(request, submission: Submission, seen: str, wait: float, **known) -> dict:
    """The submission's detail once it moved on from ``seen``, or after ``wait`` seconds
    as it is. ``known``: what _detail would read again (the student's deadline)."""
    changed = _changed(submission, seen, wait)
    with wakeup.woken():  # a bounded number at once, connection closed after
        if changed:
            visible = Submission.objects.visible_to(request.user)
            submission = visible.select_related("exercise__course", "student").get(pk=submission.pk)
        return _detail(request, submission, **known)


def _detail(request, submission: Submission, **known) -> dict:
    withheld = results_withheld(
        viewer=request.user, student=submission.student, exercise=submission.exercise, **known
    )
    # Hints unlock with failed attempts and show with a verdict: no count before one.
    done = submission.state == Submission.State.DONE
    failed = (
        failed_attempts(user=submission.student, exercise=submission.exercise)
        if done and withheld is None
        else 0
    )
    return submission_detail(submission, failed=failed, withheld=withheld)


class ExerciseDraft(APIView):
    def get(self, request, exercise_slug):
        exercise = exercise_for(request, exercise_slug)
        draft = Draft.objects.filter(student=request.user, exercise=exercise).first()
        return Response(
            {
                "source": draft.source if draft else None,
                "saved_at": draft.updated_at.isoformat() if draft else None,
            }
        )

    def put(self, request, exercise_slug):
        exercise = exercise_for(request, exercise_slug)
        try:
            draft = draft_save(
                student=request.user, exercise=exercise, source=_source_from(request)
            )
        except SubmissionRejected as exc:
            raise ValidationError({"detail": str(exc)}) from None
        return Response({"source": draft.source, "saved_at": draft.updated_at.isoformat()})


def parse_error_handler(exc, context):
    """DRF's default handler, with malformed JSON said plainly."""
    if isinstance(exc, ParseError):
        exc = ParseError('the body must be JSON, e.g. {"source": "..."}')
    return exception_handler(exc, context)
