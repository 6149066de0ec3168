"""One student's timeline in a cohort: lessons read, checkpoint attempts, submissions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.http import Http404

from courses.models import Cohort, LessonProgress, Membership, QuizAttempt
from grading.models import Submission


@dataclass
class Event:
    at: datetime
    kind: str  # "lesson" | "quiz" | "submission"
    title: str
    what: str
    detail: str = ""
    passed: bool | None = None


def cohort_student_get(*, cohort: Cohort, user_id: int) -> Membership:
    """The member's membership; 404 for anyone who is not in this cohort."""
    membership = (
        Membership.objects.filter(cohort=cohort, user_id=user_id).select_related("user").first()
    )
    if membership is None:
        raise Http404("No such student in this cohort.")
    return membership


def student_timeline(*, cohort: Cohort, user) -> list[Event]:
    """Lessons read, checkpoint attempts and submissions in this cohort's course, newest
    first. Three queries."""
    events = []
    for progress in LessonProgress.objects.filter(
        user=user, lesson__course_id=cohort.course_id
    ).select_related("lesson"):
        title = progress.lesson.title
        if progress.think_answered_at:
            events.append(
                Event(
                    progress.think_answered_at,
                    "lesson",
                    title,
                    "answered the think prompt",
                    progress.think_answer,
                )
            )
        if progress.passed_at:
            events.append(Event(progress.passed_at, "lesson", title, "passed", passed=True))
        if progress.state != LessonProgress.State.NOT_STARTED:
            events.append(
                Event(
                    progress.last_seen_at,
                    "lesson",
                    title,
                    "last seen",
                    f"read {round(100 * progress.reading_position)}% · {progress.get_state_display()}",
                )
            )
    for attempt in (
        QuizAttempt.objects.filter(user=user, quiz__course_id=cohort.course_id)
        .select_related("quiz")
        .only("created_at", "score", "passed", "quiz__title")
    ):
        events.append(
            Event(
                attempt.created_at,
                "quiz",
                attempt.quiz.title,
                "checkpoint passed" if attempt.passed else "checkpoint not passed",
                f"{round(100 * attempt.score)}%",
                passed=attempt.passed,
            )
        )
    for submission in (
        Submission.objects.filter(student=user, exercise__course_id=cohort.course_id)
        .select_related("exercise")
        .only(
            "created_at",
            "attempt",
            "state",
            "verdict",
            "score",
            "exercise__title",
            "exercise__points",
        )
    ):
        if submission.is_done:
            score = submission.score or 0.0
            detail = (
                f"{score * submission.exercise.points:.3g}/{submission.exercise.points:g} points"
            )
            what = f"attempt {submission.attempt}: {submission.get_verdict_display()}"
        else:
            detail = ""
            what = f"attempt {submission.attempt}: {submission.get_state_display()}"
        events.append(
            Event(
                submission.created_at,
                "submission",
                submission.exercise.title,
                what,
                detail,
                passed=submission.passed if submission.is_done else None,
            )
        )
    events.sort(key=lambda event: event.at, reverse=True)
    return events
