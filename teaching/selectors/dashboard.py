"""The cohort dashboard: the students × items matrix with completion, the struggling and
idle flags (teaching/rules.py) and activity per day."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

from django.utils import timezone

from courses.models import Cohort, LessonProgress, Membership, QuizAttempt
from courses.schedule import zone
from grading.models import Submission

from ..rules import IDLE_DAYS_DEFAULT, idle_reason, struggling_reason
from . import aggregates
from .items import KINDS, Item, cohort_items, cohort_students, display_name, ids_of, student_ids

ACTIVITY_DAYS = 30
SORTS = ("name", "-name", "completion", "-completion", "activity", "-activity")


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


_LESSON_CELLS = {
    LessonProgress.State.PASSED: Cell(
        "lesson", done=True, symbol="✓", text="passed", state="passed"
    ),
    LessonProgress.State.READING: Cell("lesson", symbol="◐", text="reading", state="reading"),
}
_NOT_STARTED = {kind: Cell(kind) for kind in KINDS}


def _tries(count: int) -> str:
    return f"{count} {'try' if count == 1 else 'tries'}"


def _late(raw: float, counted: float | None) -> bool:
    """Whether what counts is less than the score as graded: a late penalty took its
    share (aggregates.quiz_results says which attempts each is of, under each policy)."""
    return counted is not None and counted < raw - 1e-9


@lru_cache(maxsize=8192)
def _quiz_cell(raw: float, counted: float | None, attempts: int, passed: bool) -> Cell:
    late = _late(raw, counted)
    shown = counted if late else raw
    return Cell(
        "quiz",
        done=passed,
        symbol="✓" if passed else "✗",
        text=f"{round(100 * shown)}%{' (late)' if late else ''}, {_tries(attempts)}",
        state="passed" if passed else "failed",
        score=shown,
        attempts=attempts,
    )


@lru_cache(maxsize=8192)
def _exercise_cell(
    raw: float | None,
    counted: float | None,
    points: float,
    attempts: int,
    passed: bool,
    changed: bool = False,
) -> Cell:
    if raw is None:  # submitted, not graded yet
        return Cell(
            "exercise", symbol="…", text=_tries(attempts), state="pending", attempts=attempts
        )
    # What counts, as in the gradebook: the late penalty applied.
    late = _late(raw, counted)
    shown = counted if late and counted is not None else raw
    return Cell(
        "exercise",
        done=passed,
        symbol="✓" if passed else "✗",
        text=(
            f"{shown * points:.3g}/{points:g}{' (late)' if late else ''}"
            f"{' (changed)' if changed else ''}, {_tries(attempts)}"
        ),
        state="passed" if passed else "failed",
        score=shown,
        attempts=attempts,
    )


@dataclass
class _Facts:
    """Everything the matrix is built from: one query per kind of row."""

    lessons: dict
    quizzes: dict
    exercises: dict
    last_activity: dict


def _cell(item: Item, user_id: int, facts: _Facts, row: StudentRow) -> Cell:
    key = (user_id, item.id)
    if item.kind == "lesson":
        return _LESSON_CELLS.get(facts.lessons.get(key)) or _NOT_STARTED["lesson"]
    if item.kind == "quiz":
        stats = facts.quizzes.get(key)
        if not stats:
            return _NOT_STARTED["quiz"]
        return _quiz_cell(stats["raw"], stats["counted"], stats["attempts"], stats["passes"] > 0)
    stats = facts.exercises.get(key)
    if not stats:
        return _NOT_STARTED["exercise"]
    passed = stats["passes"] > 0
    reason = struggling_reason(failed=stats["failed"], passed=passed, title=item.title)
    if reason:
        row.reasons.append(reason)
    return _exercise_cell(
        stats["raw"],
        stats["counted"],
        item.points,
        stats["attempts"],
        passed,
        stats.get("changed", False),
    )


def _student_row(
    membership: Membership, items: list[Item], facts: _Facts, *, now: datetime, idle_days: int
) -> StudentRow:
    user = membership.user
    row = StudentRow(user=user, joined_at=membership.joined_at, total=len(items))
    for item in items:
        cell = _cell(item, user.id, facts, row)
        if cell.done:
            row.done += 1
            item.done += 1
        row.cells.append(cell)
    row.last_activity = facts.last_activity.get(user.id)
    idle = idle_reason(
        last_activity=row.last_activity,
        joined_at=membership.joined_at,
        now=now,
        idle_days=idle_days,
    )
    if idle:
        row.reasons.append(idle)
    return row


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
    items = cohort_items(cohort=cohort)
    members = cohort_students(cohort=cohort)
    facts = _Facts(
        lessons=aggregates.lesson_states(cohort, items),
        quizzes=aggregates.quiz_results(cohort, items),
        exercises=aggregates.exercise_results(cohort, items),
        last_activity=aggregates.last_activity(cohort, items),
    )
    rows = [_student_row(m, items, facts, now=now, idle_days=idle_days) for m in members]
    for item in items:
        item.percent = round(100 * item.done / len(members)) if members else 0
    struggling = [row for row in rows if row.struggling]
    if kind in KINDS:
        keep = [index for index, item in enumerate(items) if item.kind == kind]
        for row in rows:
            row.cells = [row.cells[index] for index in keep]
    days, submissions, attempts = _activity(cohort, items, now)
    return Dashboard(
        cohort=cohort,
        items=[item for item in items if kind in (None, item.kind)],
        rows=sort_rows(struggling if struggling_only else rows, sort),
        struggling=sort_rows(struggling, "name"),
        activity_days=days,
        submissions_per_day=submissions,
        attempts_per_day=attempts,
        idle_days=idle_days,
    )


def _activity(cohort: Cohort, items: list[Item], now: datetime):
    """The last ACTIVITY_DAYS days of the cohort's calendar (its time zone, whoever
    looks), and the submissions and quiz attempts on each."""
    tz = zone(cohort.time_zone)
    today = now.astimezone(tz).date()
    days = [today - timedelta(days=n) for n in range(ACTIVITY_DAYS - 1, -1, -1)]
    since = datetime.combine(days[0], datetime.min.time(), tzinfo=tz)
    students = student_ids(cohort)
    submissions = aggregates.per_day(
        Submission.objects.filter(
            student_id__in=students, exercise_id__in=ids_of(items, "exercise")
        ),
        since,
        tz,
    )
    attempts = aggregates.per_day(
        QuizAttempt.objects.filter(user_id__in=students, quiz_id__in=ids_of(items, "quiz")),
        since,
        tz,
    )
    return days, [submissions.get(d, 0) for d in days], [attempts.get(d, 0) for d in days]


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
