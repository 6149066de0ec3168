"""Reads about submissions that several views share."""

from django.db.models import ExpressionWrapper, F, FloatField, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from courses.models import Cohort

from .models import Submission, failed_attempt, latest_override_score


def failed_attempts(*, user, exercise) -> int:
    """Graded attempts that failed (models.failed_attempt: not invalid ones): what unlocks
    the progressive hints."""
    return Submission.objects.filter(failed_attempt(), student=user, exercise=exercise).count()


def standing_scores(keys) -> dict[tuple[int, int], list[tuple[float, float]]]:
    """For each (student, exercise) in ``keys`` (those where staff changed a graded
    submission's score, grading/feedback.py; the tables that find them count
    ``score_overrides`` in their own aggregate): every graded submission's (late factor,
    score that stands), the latest override's where there is one. Under a cohort's BEST
    policy those tables take the best for these keys from these. One query, none without
    keys."""
    keys = set(keys)
    if not keys:
        return {}
    rows = (
        Submission.objects.filter(
            student_id__in={student for student, _ in keys},
            exercise_id__in={exercise for _, exercise in keys},
            state=Submission.State.DONE,
        )
        .with_override()
        .values_list("student_id", "exercise_id", "score_factor", "score", "override_score")
    )
    standing: dict[tuple[int, int], list[tuple[float, float]]] = {}
    for student, exercise, factor, score, override in rows:
        effective = score if override is None else override
        if (student, exercise) in keys and effective is not None:
            standing.setdefault((student, exercise), []).append((factor, effective))
    return standing


def standing_score():
    """An expression over Submission: the score that stands, staff's latest change (an
    override, grading/feedback.py), else the checks'."""
    return Coalesce(latest_override_score(), F("score"))


def is_latest_graded() -> Q:
    """A condition over Submission: the row is its student's latest graded submission to
    its exercise (by created_at, the later row on a tie), the one that counts under a
    cohort's LATEST policy. A correlated subquery rather than a window, so it reads the
    same on PostgreSQL and SQLite and can filter an aggregate: at 500 students x 20
    submissions on PostgreSQL it costs ~40 ms where the window took ~180."""
    newer = (
        Submission.objects.filter(
            student_id=OuterRef("student_id"),
            exercise_id=OuterRef("exercise_id"),
            state=Submission.State.DONE,
        )
        .order_by("-created_at", "-id")
        .values("id")[:1]
    )
    return Q(id=Subquery(newer))


def counted_score(
    *, student_id: int, exercise_id: int, policy: str = Cohort.ScorePolicy.BEST
) -> float | None:
    """The share (0..1) of the exercise that counts for the student under the cohort's
    ``policy`` (Cohort.ScorePolicy; anything else is a ValueError): the score that stands
    times the attempt's late factor, of the graded attempt where that is highest, or of
    the latest graded attempt. None before any graded attempt."""
    rows = Submission.objects.filter(
        student_id=student_id, exercise_id=exercise_id, state=Submission.State.DONE
    )
    if Cohort.ScorePolicy(policy) == Cohort.ScorePolicy.LATEST:
        rows = rows.filter(is_latest_graded())
    counted = ExpressionWrapper(standing_score() * F("score_factor"), output_field=FloatField())
    return rows.aggregate(counted=Max(counted))["counted"]
