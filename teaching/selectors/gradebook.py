"""The gradebook: per student, each checkpoint's best score and each exercise's best
points; exported as CSV."""

from __future__ import annotations

from dataclasses import dataclass

from courses.models import Cohort

from . import aggregates
from .items import Item, cohort_items, cohort_students


@dataclass
class GradebookRow:
    user: object
    quiz_scores: list[float | None]  # best share of questions right, 0..1
    exercise_points: list[float | None]  # best points earned
    earned: float
    possible: float

    @property
    def percent(self) -> float:
        return 100 * self.earned / self.possible if self.possible else 0.0


@dataclass
class Gradebook:
    quizzes: list[Item]
    exercises: list[Item]
    rows: list[GradebookRow]


def cohort_gradebook(*, cohort: Cohort) -> Gradebook:
    """Per student: each checkpoint's best score and each exercise's best points; the
    totals are the exercises' points (checkpoints carry no points in the course files)."""
    items = cohort_items(cohort=cohort)
    quizzes = [item for item in items if item.kind == "quiz"]
    exercises = [item for item in items if item.kind == "exercise"]
    quiz_stats = aggregates.quiz_results(cohort, items)
    exercise_stats = aggregates.exercise_results(cohort, items)
    possible = sum(item.points for item in exercises)
    rows = []
    for membership in cohort_students(cohort=cohort):
        user = membership.user
        quiz_scores = [(quiz_stats.get((user.id, q.id)) or {}).get("best") for q in quizzes]
        points = []
        for exercise in exercises:
            best = (exercise_stats.get((user.id, exercise.id)) or {}).get("best")
            points.append(None if best is None else best * exercise.points)
        rows.append(
            GradebookRow(
                user=user,
                quiz_scores=quiz_scores,
                exercise_points=points,
                earned=sum(p for p in points if p is not None),
                possible=possible,
            )
        )
    return Gradebook(quizzes=quizzes, exercises=exercises, rows=rows)
