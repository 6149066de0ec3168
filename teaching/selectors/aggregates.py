"""Per (student, item) aggregates over a whole cohort, one query each, shared by the
dashboard and the gradebook."""

from __future__ import annotations

from django.db.models import Count, ExpressionWrapper, F, FloatField, Max, Q, Value

from courses.models import Cohort, LessonProgress, QuizAttempt
from courses.selectors import is_latest_attempt
from grading.models import (
    ExerciseStanding,
    QuizStanding,
    Submission,
    failed_attempt,
    has_override,
)
from grading.selectors import is_latest_graded, standing_score, standing_scores

from .items import Item, ids_of, student_ids


def _students(cohort: Cohort, students):
    """The students to read: the given ids (one page of the dashboard, one chunk of the
    gradebook), else the cohort's current students (a subquery)."""
    return student_ids(cohort) if students is None else students


def lesson_states(
    cohort: Cohort, items: list[Item], *, students=None
) -> dict[tuple[int, int], str]:
    rows = LessonProgress.objects.filter(
        user_id__in=_students(cohort, students), lesson_id__in=ids_of(items, "lesson")
    ).values_list("user_id", "lesson_id", "state")
    return {(user_id, lesson_id): state for user_id, lesson_id, state in rows}


# What an attempt counts after its late penalty (grading's score_factor).
_COUNTED = ExpressionWrapper(F("score") * F("score_factor"), output_field=FloatField())


def quiz_results(
    cohort: Cohort, items: list[Item], *, students=None
) -> dict[tuple[int, int], dict]:
    """Per (student, quiz): the score that counts under the cohort's policy, as graded
    ("raw") and after its late penalty ("counted"); attempts, passes. Under BEST, "raw" is
    the best as graded and "counted" the best of score x late factor, which may be
    another attempt's; under LATEST both are the latest attempt's."""
    if cohort.score_policy == Cohort.ScorePolicy.LATEST:
        latest = is_latest_attempt()
        scores = {"raw": Max("score", filter=latest), "counted": Max(_COUNTED, filter=latest)}
    else:
        scores = {"raw": Max("score"), "counted": Max(_COUNTED)}
    rows = (
        QuizAttempt.objects.filter(
            user_id__in=_students(cohort, students), quiz_id__in=ids_of(items, "quiz")
        )
        .values("user_id", "quiz_id")
        .annotate(
            **scores,
            attempts=Count("id"),
            passes=Count("id", filter=Q(passed=True)),
        )
        .order_by()
    )
    return {(row["user_id"], row["quiz_id"]): row for row in rows}


def exercise_results(
    cohort: Cohort, items: list[Item], *, students=None
) -> dict[tuple[int, int], dict]:
    """Per (student, exercise): the score that counts under the cohort's policy, as graded
    ("raw", None until one is graded) and after its late penalty ("counted"), as in
    quiz_results; attempts, passes, graded failures; "changed" where staff changed a
    graded attempt's score (the scores are then the ones that stand)."""
    graded = Q(state=Submission.State.DONE)
    by_latest = cohort.score_policy == Cohort.ScorePolicy.LATEST
    if by_latest:
        # The latest graded attempt only, with the score that stands.
        latest = is_latest_graded()
        scores = {
            "raw": Max(standing_score(), filter=latest),
            "counted": Max(standing_score() * F("score_factor"), filter=latest),
        }
    else:
        scores = {"raw": Max("score", filter=graded), "counted": Max(_COUNTED, filter=graded)}
    rows = (
        Submission.objects.filter(
            student_id__in=_students(cohort, students), exercise_id__in=ids_of(items, "exercise")
        )
        .values("student_id", "exercise_id")
        .annotate(
            **scores,
            # A submission a broken exercise blocked is not the student's attempt.
            attempts=Count("id", filter=~Q(state=Submission.State.BLOCKED)),
            passes=Count("id", filter=Q(verdict=Submission.Verdict.PASSED)),
            # Invalid code (a syntax error, a wrong signature) is not a failed attempt.
            failed=Count("id", filter=failed_attempt()),
            changes=Count("id", filter=graded & Q(has_override())),
        )
        .order_by()
    )
    results = {(row["student_id"], row["exercise_id"]): row for row in rows}
    changed = [key for key, row in results.items() if row["changes"]]
    if not by_latest:
        # Where staff changed a score, the score that stands counts, as in the gradebook.
        for key, standing in standing_scores(changed).items():
            results[key]["raw"] = max(score for _, score in standing)
            results[key]["counted"] = max(score * factor for factor, score in standing)
    for key in changed:
        results[key]["changed"] = True
    return results


def done_per_item(cohort: Cohort, items: list[Item]) -> dict[tuple[str, int], int]:
    """(kind, item id) -> the cohort's current students who completed it: lessons
    passed, checkpoints and exercises passed at least once (from the standings, one
    query for the three kinds)."""
    students = student_ids(cohort)

    def per_item(queryset, kind: str, field: str):
        return queryset.values_list(Value(kind), field).annotate(n=Count("id")).order_by()

    lessons = LessonProgress.objects.filter(
        user_id__in=students,
        lesson_id__in=ids_of(items, "lesson"),
        state=LessonProgress.State.PASSED,
    )
    quizzes = QuizStanding.objects.filter(
        user_id__in=students, quiz_id__in=ids_of(items, "quiz"), passes__gt=0
    )
    exercises = ExerciseStanding.objects.filter(
        student_id__in=students, exercise_id__in=ids_of(items, "exercise"), passes__gt=0
    )
    rows = per_item(lessons, "lesson", "lesson_id").union(
        per_item(quizzes, "quiz", "quiz_id"),
        per_item(exercises, "exercise", "exercise_id"),
        all=True,
    )
    return {(kind, item_id): count for kind, item_id, count in rows}
