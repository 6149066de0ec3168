"""Reads about submissions that several views share."""

from .models import Submission


def failed_attempts(*, user, exercise) -> int:
    """Graded attempts that did not pass: what unlocks the progressive hints."""
    return (
        Submission.objects.filter(student=user, exercise=exercise, state=Submission.State.DONE)
        .exclude(verdict=Submission.Verdict.PASSED)
        .count()
    )
