"""Reads about submissions that several views share."""

from django.db.models import Count, Max, Q

from .models import Submission


def best_scores(*, user, exercises) -> dict[int, dict]:
    """Per exercise id: the student's best score (None before any graded attempt), the
    number of attempts, and whether one passed. One query, whatever the count."""
    rows = (
        Submission.objects.filter(student=user, exercise__in=exercises)
        .values("exercise_id")
        .annotate(
            best=Max("score", filter=Q(state=Submission.State.DONE)),
            attempts=Count("id"),
            passes=Count("id", filter=Q(verdict=Submission.Verdict.PASSED)),
        )
    )
    return {
        row["exercise_id"]: {
            "best": row["best"],
            "attempts": row["attempts"],
            "passed": row["passes"] > 0,
        }
        for row in rows
    }


def failed_attempts(*, user, exercise) -> int:
    """Graded attempts that did not pass: what unlocks the progressive hints."""
    return (
        Submission.objects.filter(student=user, exercise=exercise, state=Submission.State.DONE)
        .exclude(verdict=Submission.Verdict.PASSED)
        .count()
    )
