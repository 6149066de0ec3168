"""The gradebook: per student, the score that counts on each checkpoint and each exercise
under the cohort's policy (Cohort.score_policy: the best attempt, or the latest), as
graded (raw) and after the late factor the attempt was made with (courses/schedule.py),
with the late penalty of the attempt that counts; an exercise score staff changed
(grading/feedback.py) is the changed one, and marked; exported as CSV. The policy is read
here, on every request, so a change holds at once."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Max, Q

from courses.models import Cohort, Membership, QuizAttempt
from courses.selectors import is_latest_attempt
from grading.models import Submission, has_override
from grading.selectors import is_latest_graded, standing_score, standing_scores

from .items import Item, cohort_items, cohort_students, ids_of, student_ids


@dataclass(frozen=True)
class Score:
    """One student's score that counts on one item, as shares 0..1; all None when never
    attempted (or, for an exercise, never graded)."""

    # The highest score as graded, before any late penalty, among the attempts the policy
    # lets count: all of them under BEST, the latest under LATEST.
    raw: float | None = None
    counted: float | None = None  # score x late factor of the attempt that counts
    factor: float | None = None  # the late factor of the attempt that counts
    changed: bool = False  # staff changed a score of this item's attempts (an override)

    @property
    def penalty_percent(self) -> float | None:
        """The share of its score the attempt that counts lost for being late."""
        return None if self.factor is None else 100 * (1 - self.factor)


NOT_ATTEMPTED = Score()


@dataclass
class GradebookRow:
    user: object
    quiz_scores: list[Score]  # aligned with Gradebook.quizzes
    exercise_scores: list[Score]  # aligned with Gradebook.exercises
    earned: float  # counted points
    possible: float

    @property
    def percent(self) -> float:
        return 100 * self.earned / self.possible if self.possible else 0.0


@dataclass
class Gradebook:
    quizzes: list[Item]
    exercises: list[Item]
    rows: list[GradebookRow]
    policy: Cohort.ScorePolicy  # which attempt counts


def best_scores(rows, changed=frozenset()) -> dict[tuple[int, int], Score]:
    """(student, item) -> Score under the BEST policy, from rows of (student, item, late
    factor, best score with that factor). The attempt that counts is the one with the
    highest counted score; on a tie, the one with the smaller penalty. Keys in
    ``changed`` are marked as such."""
    best: dict[tuple[int, int], Score] = {}
    for user_id, item_id, factor, score in rows:
        if score is None:
            continue
        key = (user_id, item_id)
        counted = score * factor
        old = best.get(key, NOT_ATTEMPTED)
        raw = score if old.raw is None else max(old.raw, score)
        mark = key in changed
        if old.counted is None or (counted, factor) > (old.counted, old.factor):
            best[key] = Score(raw=raw, counted=counted, factor=factor, changed=mark)
        else:
            best[key] = Score(raw=raw, counted=old.counted, factor=old.factor, changed=mark)
    return best


def latest_scores(rows, changed=frozenset()) -> dict[tuple[int, int], Score]:
    """(student, item) -> Score under the LATEST policy, from rows of (student, item, late
    factor, score) of each key's latest attempt (score None where there is none, such as
    an exercise not graded yet). Keys in ``changed`` are marked as such."""
    return {
        (user_id, item_id): Score(
            raw=score, counted=score * factor, factor=factor, changed=(user_id, item_id) in changed
        )
        for user_id, item_id, factor, score in rows
        if score is not None
    }


def _quiz_scores(cohort: Cohort, items: list[Item], students) -> dict[tuple[int, int], Score]:
    attempts = QuizAttempt.objects.filter(user_id__in=students, quiz_id__in=ids_of(items, "quiz"))
    if cohort.score_policy == Cohort.ScorePolicy.LATEST:
        latest = is_latest_attempt()
        rows = (
            attempts.values_list("user_id", "quiz_id")
            .annotate(factor=Max("score_factor", filter=latest), score=Max("score", filter=latest))
            .order_by()
        )
        return latest_scores(rows)
    # Grouped by late factor too: a handful of factors per student and item at most (one
    # per day or hour late), so the rows stay close to one per student and item.
    rows = (
        attempts.values_list("user_id", "quiz_id", "score_factor")
        .annotate(best=Max("score"))
        .order_by()
    )
    return best_scores(rows)


def _exercise_scores(cohort: Cohort, items: list[Item], students) -> dict[tuple[int, int], Score]:
    # Graded only, through the aggregate's filter rather than WHERE: with state in the
    # WHERE, PostgreSQL may AND in the (state, heartbeat_at) index and read every done
    # submission once per student (20x slower at 500 students).
    graded = Q(state=Submission.State.DONE)
    changes = Count("id", filter=graded & Q(has_override()))
    submissions = Submission.objects.filter(
        student_id__in=students, exercise_id__in=ids_of(items, "exercise")
    )
    if cohort.score_policy == Cohort.ScorePolicy.LATEST:
        # The latest graded attempt only, with the score that stands; marked where staff
        # changed any graded attempt's score, as under BEST.
        latest = is_latest_graded()
        rows = (
            submissions.values_list("student_id", "exercise_id")
            .annotate(
                factor=Max("score_factor", filter=latest),
                score=Max(standing_score(), filter=latest),
                changes=changes,
            )
            .order_by()
        )
        changed = frozenset((row[0], row[1]) for row in rows if row[4])
        return latest_scores([row[:4] for row in rows], changed=changed)
    rows = (
        submissions.values_list("student_id", "exercise_id", "score_factor")
        .annotate(best=Max("score", filter=graded), changes=changes)
        .order_by()
    )
    # Where staff changed a score, the score that stands replaces the checks'.
    standing = standing_scores({(row[0], row[1]) for row in rows if row[4]})
    kept = [row[:4] for row in rows if (row[0], row[1]) not in standing]
    changed = [
        (student, exercise, factor, score)
        for (student, exercise), scores in standing.items()
        for factor, score in scores
    ]
    return best_scores(kept + changed, changed=frozenset(standing))


# Students per round of score queries when the gradebook streams: memory stays that of
# one chunk, and 5,000 students take five rounds of two queries.
CHUNK = 1000


def cohort_gradebook(*, cohort: Cohort, chunk: int | None = None) -> Gradebook:
    """Per student: each checkpoint's and each exercise's score that counts under the
    cohort's policy, raw and counted; the totals are the exercises' counted points
    (checkpoints carry no points in the course files). With ``chunk``, ``rows`` is an
    iterator that reads the students and their scores ``chunk`` students at a time (the
    CSV export streams it); without, a list."""
    items = cohort_items(cohort=cohort)
    quizzes = [item for item in items if item.kind == "quiz"]
    exercises = [item for item in items if item.kind == "exercise"]
    rows = _rows(cohort, items, quizzes, exercises, chunk or 0)
    return Gradebook(
        quizzes=quizzes,
        exercises=exercises,
        rows=rows if chunk else list(rows),
        policy=Cohort.ScorePolicy(cohort.score_policy),
    )


def _chunks(cohort: Cohort, size: int):
    """The cohort's current students (by username), ``size`` at a time; all at once
    when size is 0. One query: on PostgreSQL a server-side cursor."""
    if not size:
        yield cohort_students(cohort=cohort)
        return
    batch = []
    for membership in (
        Membership.objects.filter(
            cohort=cohort, role=Membership.Role.STUDENT, archived_at__isnull=True
        )
        .select_related("user")
        .order_by("user__username")
        .iterator(chunk_size=size)
    ):
        batch.append(membership)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _rows(cohort, items, quizzes, exercises, chunk: int):
    possible = sum(item.points for item in exercises)
    for members in _chunks(cohort, chunk):
        students = [m.user_id for m in members] if chunk else student_ids(cohort)
        quiz_counted = _quiz_scores(cohort, items, students)
        exercise_counted = _exercise_scores(cohort, items, students)
        for membership in members:
            user = membership.user
            exercise_scores = [
                exercise_counted.get((user.id, e.id), NOT_ATTEMPTED) for e in exercises
            ]
            yield GradebookRow(
                user=user,
                quiz_scores=[quiz_counted.get((user.id, q.id), NOT_ATTEMPTED) for q in quizzes],
                exercise_scores=exercise_scores,
                earned=sum(
                    score.counted * exercise.points
                    for score, exercise in zip(exercise_scores, exercises, strict=True)
                    if score.counted is not None
                ),
                possible=possible,
            )
