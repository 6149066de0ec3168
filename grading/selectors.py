"""Reads about submissions that several views share."""

from .models import Submission


def failed_attempts(*, user, exercise) -> int:
    """Graded attempts that did not pass: what unlocks the progressive hints."""
    return (
        Submission.objects.filter(student=user, exercise=exercise, state=Submission.State.DONE)
        .exclude(verdict=Submission.Verdict.PASSED)
        .count()
    )


def standing_scores(keys) -> dict[tuple[int, int], list[tuple[float, float]]]:
    """For each (student, exercise) in ``keys`` (those where staff changed a graded
    submission's score, grading/feedback.py; the tables that find them count
    ``score_overrides`` in their own aggregate): every graded submission's (late factor,
    score that stands), the latest override's where there is one. Those tables replace
    their best score for these keys with these. One query, none without keys."""
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


def counted_score(*, student_id: int, exercise_id: int) -> float | None:
    """The share (0..1) the student's best graded attempt counts: the score that stands
    (staff's latest change, else the checks'), times the attempt's late factor. None
    before any graded attempt."""
    rows = (
        Submission.objects.filter(
            student_id=student_id, exercise_id=exercise_id, state=Submission.State.DONE
        )
        .with_override()
        .values_list("score", "override_score", "score_factor")
    )
    counted = [
        (score if override is None else override) * factor
        for score, override, factor in rows
        if (score if override is None else override) is not None
    ]
    return max(counted) if counted else None
