"""The cohort dashboard: the students × items matrix with completion, the struggling and
idle flags (teaching/rules.py) and activity per day."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Concat, Lower, NullIf, Trim, TruncDate
from django.utils import timezone

from courses.models import Cohort, LessonProgress, Membership
from courses.schedule import zone
from grading.models import CohortActivity

from ..rules import IDLE_DAYS_DEFAULT, idle_reason, struggling_reason
from . import aggregates
from .items import KINDS, Item, cohort_items, display_name

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
    students: int = 0  # the cohort's current students
    struggling_count: int = 0  # of them, struggling
    matching: int = 0  # of them, those the filters keep
    page: int = 1
    pages: int = 1
    page_size: int = 50
    done_total: int = 0  # (student, item) pairs complete, over the whole cohort
    total: int = 0  # (student, item) pairs

    @property
    def percent(self) -> int:
        return round(100 * self.done_total / self.total) if self.total else 0

    @property
    def first_shown(self) -> int:
        return (self.page - 1) * self.page_size + 1 if self.rows else 0

    @property
    def last_shown(self) -> int:
        return self.first_shown + len(self.rows) - 1 if self.rows else 0


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


PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
# The struggling panel names this many (by name), and says how many more there are.
STRUGGLING_SHOWN = 10


def _members(cohort: Cohort, *, now: datetime, idle_days: int):
    """The cohort's current students, each with their standing in the course (items done,
    latest activity, exercises stuck on: one LEFT JOIN) and whether they are struggling,
    all in SQL: filters, sort and paging never load the whole cohort. A student without
    a standing yet has done nothing."""
    idle_since = now - timedelta(days=idle_days)
    full_name = Trim(Concat("user__first_name", Value(" "), "user__last_name"))
    return (
        Membership.objects.filter(
            cohort=cohort, role=Membership.Role.STUDENT, archived_at__isnull=True
        )
        .annotate(
            standing=FilteredRelation(
                "user__course_standings",
                condition=Q(user__course_standings__course_id=cohort.course_id),
            )
        )
        .annotate(
            done=Coalesce(F("standing__done"), 0),
            last_activity=F("standing__last_activity_at"),
            stuck=Coalesce(F("standing__stuck"), 0),
            sort_name=Lower(Coalesce(NullIf(full_name, Value("")), "user__username")),
        )
        .annotate(
            struggling=ExpressionWrapper(
                Q(stuck__gt=0)
                | Q(last_activity__lte=idle_since)
                | Q(last_activity__isnull=True, joined_at__lte=idle_since),
                output_field=BooleanField(),
            )
        )
    )


_ORDER = {
    "name": ("sort_name", "user__username"),
    "completion": ("done", "sort_name", "user__username"),
    "activity": ("last_activity", "sort_name", "user__username"),
}


def _ordered(members, sort: str):
    field_name = sort.lstrip("-")
    order = _ORDER.get(field_name, _ORDER["name"])
    if not sort.startswith("-"):
        # Never active sorts as the oldest activity.
        return members.order_by(*(F(f).asc(nulls_first=True) for f in order))
    first, *rest = order
    if field_name == "name":
        return members.order_by(*(F(f).desc() for f in order))
    return members.order_by(F(first).desc(nulls_last=True), *(F(f).asc() for f in rest))


def cohort_dashboard(
    *,
    cohort: Cohort,
    kind: str | None = None,
    struggling_only: bool = False,
    sort: str = "name",
    idle_days: int = IDLE_DAYS_DEFAULT,
    search: str = "",
    page: int = 1,
    page_size: int = PAGE_SIZE,
    now: datetime | None = None,
) -> Dashboard:
    """One page of the students × items matrix (filtered, sorted and paged in SQL, from
    the standings grading/standings.py keeps), with the cohort's completion per item, its
    struggling students and its activity. About fifteen queries whatever the number of
    students: the cells are computed for the page's students only."""
    now = now or timezone.now()
    items = cohort_items(cohort=cohort)
    members = _members(cohort, now=now, idle_days=idle_days)
    counts = {"students": 0, "struggling": 0}
    for struggling, count in members.values_list("struggling").annotate(Count("id")).order_by():
        counts["students"] += count
        counts["struggling"] += count if struggling else 0
    shown = members.filter(struggling=True) if struggling_only else members
    if search:
        shown = shown.filter(
            Q(user__username__icontains=search)
            | Q(user__first_name__icontains=search)
            | Q(user__last_name__icontains=search)
        )
    page_size = max(1, min(MAX_PAGE_SIZE, page_size))
    if search:
        matching = shown.count()
    else:
        matching = counts["struggling"] if struggling_only else counts["students"]
    pages = max(1, -(-matching // page_size))
    page = max(1, min(pages, page))
    offset = (page - 1) * page_size
    on_page = list(_ordered(shown, sort).select_related("user")[offset : offset + page_size])
    flagged = []
    if counts["struggling"]:
        flagged = list(
            _ordered(members.filter(struggling=True), "name").select_related("user")[
                :STRUGGLING_SHOWN
            ]
        )
    rows = _rows(cohort, items, on_page + flagged, now=now, idle_days=idle_days)
    _item_totals(cohort, items, counts["students"])
    if kind in KINDS:
        keep = [index for index, item in enumerate(items) if item.kind == kind]
        for row in rows.values():
            row.cells = [row.cells[index] for index in keep]
    days, submissions, attempts = _activity(cohort, items, now)
    return Dashboard(
        cohort=cohort,
        items=[item for item in items if kind in (None, item.kind)],
        rows=[rows[m.pk] for m in on_page],
        struggling=[rows[m.pk] for m in flagged],
        activity_days=days,
        submissions_per_day=submissions,
        attempts_per_day=attempts,
        idle_days=idle_days,
        students=counts["students"],
        struggling_count=counts["struggling"],
        matching=matching,
        page=page,
        pages=pages,
        page_size=page_size,
        done_total=sum(item.done for item in items),
        total=counts["students"] * len(items),
    )


def _rows(cohort, items, memberships, *, now, idle_days) -> dict[int, StudentRow]:
    """Rows for these memberships (by membership id), their cells read from the
    submissions and attempts of these students only."""
    unique = {m.pk: m for m in memberships}
    students = [m.user_id for m in unique.values()]
    facts = _Facts(
        lessons=aggregates.lesson_states(cohort, items, students=students),
        quizzes=aggregates.quiz_results(cohort, items, students=students),
        exercises=aggregates.exercise_results(cohort, items, students=students),
        last_activity={m.user_id: m.last_activity for m in unique.values()},
    )
    return {
        pk: _student_row(m, items, facts, now=now, idle_days=idle_days) for pk, m in unique.items()
    }


def _item_totals(cohort: Cohort, items: list[Item], students: int) -> None:
    """Each item's count of students who completed it, from the standings (one query per
    kind of item)."""
    done = aggregates.done_per_item(cohort, items)
    for item in items:
        item.done = done.get(item.key, 0)
        item.percent = round(100 * item.done / students) if students else 0


def _activity(cohort: Cohort, items: list[Item], now: datetime):
    """The last ACTIVITY_DAYS days of the cohort's calendar (its time zone, whoever
    looks), and the submissions and quiz attempts on each, from the cohort's hourly
    activity (grading/standings.py): one query of at most 24 rows a day."""
    tz = zone(cohort.time_zone)
    today = now.astimezone(tz).date()
    days = [today - timedelta(days=n) for n in range(ACTIVITY_DAYS - 1, -1, -1)]
    since = datetime.combine(days[0], datetime.min.time(), tzinfo=tz)
    rows = (
        CohortActivity.objects.filter(cohort=cohort, hour__gte=since)
        .annotate(day=TruncDate("hour", tzinfo=tz))
        .values_list("day")
        .annotate(Sum("submissions"), Sum("attempts"))
        .order_by()
    )
    per_day = {day: (submissions, attempts) for day, submissions, attempts in rows}
    return (
        days,
        [per_day.get(d, (0, 0))[0] for d in days],
        [per_day.get(d, (0, 0))[1] for d in days],
    )
