"""Reads about submissions that several views share."""

from .models import ScoreOverride, Submission


def failed_attempts(*, user, exercise) -> int:
    """Graded attempts that did not pass: what unlocks the progressive hints."""
    return (
        Submission.objects.filter(student=user, exercise=exercise, state=Submission.State.DONE)
        .exclude(verdict=Submission.Verdict.PASSED)
        .count()
    )


def standing_scores(
    *, student_ids, exercise_ids
) -> dict[tuple[int, int], list[tuple[float, float]]]:
    """For each (student, exercise) where staff changed a graded submission's score
    (grading/feedback.py): every graded submission's (late factor, score that stands),
    the latest override's where there is one. The tables that take the best score per
    student and exercise in one aggregate replace those keys with these. Two queries at
    most, the second only when some score was changed."""
    keys = set(
        ScoreOverride.objects.filter(
            submission__student_id__in=student_ids,
            submission__exercise_id__in=exercise_ids,
            submission__state=Submission.State.DONE,
        )
        .values_list("submission__student_id", "submission__exercise_id")
        .distinct()
    )
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
