"""Per (student, item) aggregates over a whole cohort, one query each, shared by the
dashboard and the gradebook."""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from django.db.models import Count, ExpressionWrapper, F, FloatField, Max, Q
from django.db.models.functions import TruncDate

from courses.models import Cohort, LessonProgress, QuizAttempt
from courses.selectors import is_latest_attempt
from grading.models import Submission, failed_attempt, has_override
from grading.selectors import is_latest_graded, standing_score, standing_scores

from .items import Item, ids_of, student_ids


def lesson_states(cohort: Cohort, items: list[Item]) -> dict[tuple[int, int], str]:
    rows = LessonProgress.objects.filter(
        user_id__in=student_ids(cohort), lesson_id__in=ids_of(items, "lesson")
    ).values_list("user_id", "lesson_id", "state")
    return {(user_id, lesson_id): state for user_id, lesson_id, state in rows}


def last_activity(cohort: Cohort, items: list[Item]) -> dict[int, datetime]:
    """Per student, the latest of: a lesson opened, a checkpoint attempt, a submission.
    Three queries of one row per student (not one per student and item)."""
    students = student_ids(cohort)
    latest: dict[int, datetime] = {}
    for rows in (
        LessonProgress.objects.filter(user_id__in=students, lesson_id__in=ids_of(items, "lesson"))
        .exclude(state=LessonProgress.State.NOT_STARTED)
        .values_list("user_id")
        .annotate(last=Max("last_seen_at"))
        .order_by(),
        QuizAttempt.objects.filter(user_id__in=students, quiz_id__in=ids_of(items, "quiz"))
        .values_list("user_id")
        .annotate(last=Max("created_at"))
        .order_by(),
        Submission.objects.filter(
            student_id__in=students, exercise_id__in=ids_of(items, "exercise")
        )
        .values_list("student_id")
        .annotate(last=Max("created_at"))
        .order_by(),
    ):
        for user_id, last in rows:
            if user_id not in latest or last > latest[user_id]:
                latest[user_id] = last
    return latest


# What an attempt counts after its late penalty (grading's score_factor).
_COUNTED = ExpressionWrapper(F("score") * F("score_factor"), output_field=FloatField())


def quiz_results(cohort: Cohort, items: list[Item]) -> dict[tuple[int, int], dict]:
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
            user_id__in=student_ids(cohort), quiz_id__in=ids_of(items, "quiz")
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


def exercise_results(cohort: Cohort, items: list[Item]) -> dict[tuple[int, int], dict]:
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
            student_id__in=student_ids(cohort), exercise_id__in=ids_of(items, "exercise")
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


def per_day(queryset, since: datetime, tz: tzinfo) -> dict[date, int]:
    """Rows created since ``since``, counted per calendar day in ``tz``."""
    rows = (
        queryset.filter(created_at__gte=since)
        .annotate(day=TruncDate("created_at", tzinfo=tz))
        .values("day")
        .annotate(count=Count("id"))
        .order_by()
    )
    return {row["day"]: row["count"] for row in rows}
