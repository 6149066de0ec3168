"""Reads behind the cohort pages: the dashboard matrix, a student's timeline and the
gradebook.

Every function reads a fixed number of queries whatever the cohort's size: one query per
kind of row (memberships, lessons, quizzes, exercises, lesson progress, quiz attempts,
submissions), each aggregated in the database with values()/annotate() over the whole
cohort, then joined in Python by (student, item).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

from django.db.models import Count, Max, Q
from django.db.models.functions import TruncDate
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from courses.models import (
    Cohort,
    Exercise,
    Lesson,
    LessonProgress,
    Membership,
    Quiz,
    QuizAttempt,
)
from grading.models import Submission

# A student is struggling after this many graded, failed submissions on one exercise
# without a pass, or after this many days without any activity.
FAILED_ATTEMPTS_STRUGGLING = 5
IDLE_DAYS_DEFAULT = 7
ACTIVITY_DAYS = 30

KINDS = ("lesson", "quiz", "exercise")
SORTS = ("name", "-name", "completion", "-completion", "activity", "-activity")


def _reverse_or_none(name: str, **kwargs) -> str | None:
    # The per-item pages are another part of the app; until they are routed the headers
    # stay plain text.
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


@dataclass
class Item:
    kind: str  # "lesson" | "quiz" | "exercise"
    id: int
    slug: str
    title: str
    url: str | None = None
    points: float = 0.0
    done: int = 0  # students who completed it
    percent: int = 0

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind, self.id)

    @property
    def kind_label(self) -> str:
        return {"lesson": "Lesson", "quiz": "Checkpoint", "exercise": "Exercise"}[self.kind]


@dataclass(frozen=True)
class Cell:
    """One student's state in one item. Shared between rows in the same state (cells are
    built through a cache), so never mutate one."""

    kind: str
    done: bool = False
    symbol: str = "–"
    text: str = "not started"
    state: str = "not_started"
    score: float | None = None
    attempts: int = 0


@dataclass
class StudentRow:
    user: object
    joined_at: datetime
    cells: list[Cell] = field(default_factory=list)  # aligned with Dashboard.items
    done: int = 0
    total: int = 0
    last_activity: datetime | None = None
    reasons: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return display_name(self.user)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def struggling(self) -> bool:
        return bool(self.reasons)


@dataclass
class Dashboard:
    cohort: Cohort
    items: list[Item]
    rows: list[StudentRow]
    struggling: list[StudentRow]
    activity_days: list[date]
    submissions_per_day: list[int]
    attempts_per_day: list[int]
    idle_days: int

    @property
    def percent(self) -> int:
        total = sum(row.total for row in self.rows)
        return round(100 * sum(row.done for row in self.rows) / total) if total else 0


def display_name(user) -> str:
    full = f"{user.first_name} {user.last_name}".strip()
    return full or user.get_username()


# --- items ------------------------------------------------------------------------------


def cohort_items(*, cohort: Cohort) -> list[Item]:
    """Lessons, their checkpoints and their exercises, in study-path order. Three queries."""
    # Titles and slugs only: lesson bodies and statements are large and unused here.
    lessons = list(
        Lesson.objects.filter(course_id=cohort.course_id, is_active=True).only(
            "id", "slug", "title", "position"
        )
    )
    quizzes: dict[int, list[Quiz]] = {}
    for quiz in (
        Quiz.objects.filter(course_id=cohort.course_id, is_active=True)
        .only("id", "slug", "title", "lesson_id")
        .order_by("lesson__position", "slug")
    ):
        quizzes.setdefault(quiz.lesson_id, []).append(quiz)
    exercises: dict[int | None, list[Exercise]] = {}
    for exercise in (
        Exercise.objects.filter(course_id=cohort.course_id, is_active=True)
        .only("id", "slug", "title", "lesson_id", "points")
        .order_by("lesson__position", "position", "slug")
    ):
        exercises.setdefault(exercise.lesson_id, []).append(exercise)
    active = {lesson.id for lesson in lessons}
    items = []
    for lesson in lessons:
        items.append(
            Item(
                "lesson",
                lesson.id,
                lesson.slug,
                lesson.title,
                url=_reverse_or_none(
                    "courses:lesson",
                    course_slug=cohort.course.slug,
                    lesson_slug=lesson.slug,
                ),
            )
        )
        for quiz in quizzes.get(lesson.id, []):
            items.append(Item("quiz", quiz.id, quiz.slug, quiz.title, url=_quiz_url(cohort, quiz)))
        for exercise in exercises.get(lesson.id, []):
            items.append(_exercise_item(cohort, exercise))
    # Exercises whose lesson is gone or unset still count, after the path.
    for lesson_id, rest in exercises.items():
        if lesson_id not in active:
            items.extend(_exercise_item(cohort, exercise) for exercise in rest)
    return items


def _quiz_url(cohort, quiz) -> str | None:
    return _reverse_or_none("teaching:quiz", cohort_uuid=cohort.uuid, quiz_slug=quiz.slug)


def _exercise_item(cohort, exercise) -> Item:
    return Item(
        "exercise",
        exercise.id,
        exercise.slug,
        exercise.title,
        url=_reverse_or_none(
            "teaching:exercise", cohort_uuid=cohort.uuid, exercise_slug=exercise.slug
        ),
        points=exercise.points,
    )


# --- aggregates, one query each -----------------------------------------------------------


def _student_ids(cohort: Cohort):
    """A subquery, not a list: the cohort's size never reaches the SQL text."""
    return Membership.objects.filter(cohort=cohort, role=Membership.Role.STUDENT).values("user_id")


def cohort_students(*, cohort: Cohort) -> list[Membership]:
    return list(
        Membership.objects.filter(cohort=cohort, role=Membership.Role.STUDENT)
        .select_related("user")
        .order_by("user__username")
    )


def _ids(items: list[Item], kind: str) -> list[int]:
    # The course's items by id (a course-sized list, never cohort-sized): the aggregates
    # then need no join to the content tables.
    return [item.id for item in items if item.kind == kind]


def _progress_by_student(cohort: Cohort, items: list[Item]) -> dict[tuple[int, int], str]:
    rows = LessonProgress.objects.filter(
        user_id__in=_student_ids(cohort), lesson_id__in=_ids(items, "lesson")
    ).values_list("user_id", "lesson_id", "state")
    return {(user_id, lesson_id): state for user_id, lesson_id, state in rows}


def _last_activity(cohort: Cohort, items: list[Item]) -> dict[int, datetime]:
    """Per student, the latest of: a lesson opened, a checkpoint attempt, a submission.
    Three queries of one row per student (not one per student and item)."""
    students = _student_ids(cohort)
    latest: dict[int, datetime] = {}
    for rows in (
        LessonProgress.objects.filter(user_id__in=students, lesson_id__in=_ids(items, "lesson"))
        .exclude(state=LessonProgress.State.NOT_STARTED)
        .values_list("user_id")
        .annotate(last=Max("last_seen_at"))
        .order_by(),
        QuizAttempt.objects.filter(user_id__in=students, quiz_id__in=_ids(items, "quiz"))
        .values_list("user_id")
        .annotate(last=Max("created_at"))
        .order_by(),
        Submission.objects.filter(student_id__in=students, exercise_id__in=_ids(items, "exercise"))
        .values_list("student_id")
        .annotate(last=Max("created_at"))
        .order_by(),
    ):
        for user_id, last in rows:
            if user_id not in latest or last > latest[user_id]:
                latest[user_id] = last
    return latest


def _quiz_stats(cohort: Cohort, items: list[Item]) -> dict[tuple[int, int], dict]:
    rows = (
        QuizAttempt.objects.filter(
            user_id__in=_student_ids(cohort), quiz_id__in=_ids(items, "quiz")
        )
        .values("user_id", "quiz_id")
        .annotate(
            best=Max("score"),
            attempts=Count("id"),
            passes=Count("id", filter=Q(passed=True)),
        )
        .order_by()
    )
    return {(row["user_id"], row["quiz_id"]): row for row in rows}


def _exercise_stats(cohort: Cohort, items: list[Item]) -> dict[tuple[int, int], dict]:
    graded = Q(state=Submission.State.DONE)
    rows = (
        Submission.objects.filter(
            student_id__in=_student_ids(cohort), exercise_id__in=_ids(items, "exercise")
        )
        .values("student_id", "exercise_id")
        .annotate(
            best=Max("score", filter=graded),
            attempts=Count("id"),
            passes=Count("id", filter=Q(verdict=Submission.Verdict.PASSED)),
            failed=Count("id", filter=graded & ~Q(verdict=Submission.Verdict.PASSED)),
        )
        .order_by()
    )
    return {(row["student_id"], row["exercise_id"]): row for row in rows}


def _per_day(queryset, since: datetime) -> dict[date, int]:
    rows = (
        queryset.filter(created_at__gte=since)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(count=Count("id"))
        .order_by()
    )
    return {row["day"]: row["count"] for row in rows}


# --- the dashboard --------------------------------------------------------------------------


_LESSON_CELLS = {
    LessonProgress.State.PASSED: Cell(
        "lesson", done=True, symbol="✓", text="passed", state="passed"
    ),
    LessonProgress.State.READING: Cell("lesson", symbol="◐", text="reading", state="reading"),
}
_NOT_STARTED = {kind: Cell(kind) for kind in KINDS}


def _tries(count: int) -> str:
    return f"{count} {'try' if count == 1 else 'tries'}"


@lru_cache(maxsize=8192)
def _quiz_cell(best: float, attempts: int, passed: bool) -> Cell:
    return Cell(
        "quiz",
        done=passed,
        symbol="✓" if passed else "✗",
        text=f"{round(100 * best)}%, {_tries(attempts)}",
        state="passed" if passed else "failed",
        score=best,
        attempts=attempts,
    )


@lru_cache(maxsize=8192)
def _exercise_cell(best: float | None, points: float, attempts: int, passed: bool) -> Cell:
    if best is None:  # submitted, not graded yet
        return Cell(
            "exercise", symbol="…", text=_tries(attempts), state="pending", attempts=attempts
        )
    return Cell(
        "exercise",
        done=passed,
        symbol="✓" if passed else "✗",
        text=f"{best * points:.3g}/{points:g}, {_tries(attempts)}",
        state="passed" if passed else "failed",
        score=best,
        attempts=attempts,
    )


def cohort_dashboard(
    *,
    cohort: Cohort,
    kind: str | None = None,
    struggling_only: bool = False,
    sort: str = "name",
    idle_days: int = IDLE_DAYS_DEFAULT,
    now: datetime | None = None,
) -> Dashboard:
    """The students × items matrix with completion, struggling flags and activity.
    Twelve queries whatever the number of students."""
    now = now or timezone.now()
    all_items = cohort_items(cohort=cohort)
    members = cohort_students(cohort=cohort)
    progress = _progress_by_student(cohort, all_items)
    quiz_stats = _quiz_stats(cohort, all_items)
    exercise_stats = _exercise_stats(cohort, all_items)
    last_activity = _last_activity(cohort, all_items)
    idle_after = timedelta(days=idle_days)

    rows = []
    for membership in members:
        user = membership.user
        row = StudentRow(user=user, joined_at=membership.joined_at, total=len(all_items))
        cells = row.cells
        for item in all_items:
            key = (user.id, item.id)
            if item.kind == "lesson":
                cell = _LESSON_CELLS.get(progress.get(key)) or _NOT_STARTED["lesson"]
            elif item.kind == "quiz":
                stats = quiz_stats.get(key)
                cell = (
                    _quiz_cell(stats["best"], stats["attempts"], stats["passes"] > 0)
                    if stats
                    else _NOT_STARTED["quiz"]
                )
            else:
                stats = exercise_stats.get(key)
                if stats:
                    passed = stats["passes"] > 0
                    cell = _exercise_cell(stats["best"], item.points, stats["attempts"], passed)
                    if not passed and stats["failed"] >= FAILED_ATTEMPTS_STRUGGLING:
                        row.reasons.append(f"{stats['failed']} failed attempts on {item.title}")
                else:
                    cell = _NOT_STARTED["exercise"]
            if cell.done:
                row.done += 1
                item.done += 1
            cells.append(cell)
        row.last_activity = last_activity.get(user.id)
        since = row.last_activity or membership.joined_at
        if now - since >= idle_after:
            idle = (now - since).days
            row.reasons.append(
                f"no progress for {idle} days"
                if row.last_activity
                else f"no activity in {idle} days"
            )
        rows.append(row)

    for item in all_items:
        item.percent = round(100 * item.done / len(members)) if members else 0

    struggling = [row for row in rows if row.struggling]
    shown_items = [item for item in all_items if kind in (None, item.kind)]
    if kind in KINDS:
        keep = [index for index, item in enumerate(all_items) if item.kind == kind]
        for row in rows:
            row.cells = [row.cells[index] for index in keep]
    shown_rows = struggling if struggling_only else rows
    shown_rows = sort_rows(shown_rows, sort)

    today = now.date()
    days = [today - timedelta(days=n) for n in range(ACTIVITY_DAYS - 1, -1, -1)]
    since = timezone.make_aware(datetime.combine(days[0], datetime.min.time()))
    submissions = _per_day(
        Submission.objects.filter(
            student_id__in=_student_ids(cohort), exercise_id__in=_ids(all_items, "exercise")
        ),
        since,
    )
    attempts = _per_day(
        QuizAttempt.objects.filter(
            user_id__in=_student_ids(cohort), quiz_id__in=_ids(all_items, "quiz")
        ),
        since,
    )
    return Dashboard(
        cohort=cohort,
        items=shown_items,
        rows=shown_rows,
        struggling=sort_rows(struggling, "name"),
        activity_days=days,
        submissions_per_day=[submissions.get(day, 0) for day in days],
        attempts_per_day=[attempts.get(day, 0) for day in days],
        idle_days=idle_days,
    )


def sort_rows(rows: list[StudentRow], sort: str) -> list[StudentRow]:
    field_name = sort.lstrip("-")
    reverse_order = sort.startswith("-")
    by_name = sorted(rows, key=lambda row: (row.name.casefold(), row.user.get_username()))
    if field_name == "completion":
        return sorted(by_name, key=lambda row: (row.done, row.total), reverse=reverse_order)
    if field_name == "activity":
        # Never active sorts as the oldest activity.
        oldest = datetime.min.replace(tzinfo=timezone.get_current_timezone())
        return sorted(by_name, key=lambda row: row.last_activity or oldest, reverse=reverse_order)
    return list(reversed(by_name)) if reverse_order else by_name


# --- one student's timeline -----------------------------------------------------------------


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


# --- the gradebook ------------------------------------------------------------------------


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
    quiz_stats = _quiz_stats(cohort, items)
    exercise_stats = _exercise_stats(cohort, items)
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
